package dev.switchboard.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryBudgetStoreTest {
  private static final Instant DAY1 = Instant.parse("2026-12-06T00:00:00Z");
  private static final Instant DAY2 = Instant.parse("2026-12-07T00:00:00Z");
  private static final Instant DAY3 = Instant.parse("2026-12-08T00:00:00Z");

  @Test
  void reserveIsAllOrNothing_andSaysWhichLineRefused() {
    BudgetStore store = BudgetStore.inMemory();
    List<BudgetStore.Line> lines = List.of(new BudgetStore.Line("org", 1_000, DAY1, DAY2),
        new BudgetStore.Line("team", 500, DAY1, DAY2));
    assertThat(store.reserve(lines, 400).join().granted()).isTrue();
    BudgetStore.Reservation refused = store.reserve(lines, 200).join();
    assertThat(refused.granted()).isFalse();
    assertThat(refused.refusedLine()).isEqualTo(1);
    assertThat(refused.usedNanos()).isEqualTo(400);
    assertThat(store.used("org").join()).as("the org line was not charged either").isEqualTo(400);
  }

  @Test
  void countersOfWindowsThatEnded_areForgotten_byTheCallsOwnTime() {
    BudgetStore store = BudgetStore.inMemory();
    store.adjust(List.of(new BudgetStore.Line("day1", 10, DAY1, DAY2)), 7).join();
    for (int i = 0; i < 1_100; i++) { // enough adds to trigger a purge, all within day 1
      store.adjust(List.of(new BudgetStore.Line("k" + (i % 3), 10, DAY1, DAY2)), 1).join();
    }
    assertThat(store.used("day1").join()).as("day 1 has not ended for these calls").isEqualTo(7);
    for (int i = 0; i < 1_100; i++) { // calls of day 2
      store.adjust(List.of(new BudgetStore.Line("day2", 1_000_000, DAY2, DAY3)), 1).join();
    }
    assertThat(store.used("day1").join()).isZero();
    assertThat(store.used("day2").join()).isEqualTo(1_100);
  }
}
