package dev.switchboard.spi.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ManualTime;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private final ManualTime time = new ManualTime();
  private final AtomicInteger scheduled = new AtomicInteger();
  private final Scheduler counting = (delay, task) -> {
    scheduled.incrementAndGet();
    return time.schedule(delay, task);
  };
  private final Deadlines deadlines = new Deadlines(counting, time);
  private final List<String> fired = new ArrayList<>();

  @Test
  void fires_atItsTime_andNotBefore() {
    deadlines.start(Duration.ofSeconds(5), () -> fired.add("a"));

    time.advance(Duration.ofMillis(4999));
    assertThat(fired).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(fired).containsExactly("a");
    assertThat(deadlines.armedCount()).isZero();
  }

  @Test
  void cancelled_neverFires_andCancelTellsWhetherItWasArmed() {
    Deadlines.Deadline d = deadlines.start(Duration.ofSeconds(1), () -> fired.add("a"));

    assertThat(d.cancel()).isTrue();
    assertThat(d.cancel()).isFalse();
    time.advance(Duration.ofSeconds(2));
    assertThat(fired).isEmpty();
  }

  @Test
  void manyCallsWithTheSameTimeout_scheduleOneCheck() {
    for (int i = 0; i < 1000; i++) {
      time.advance(Duration.ofMillis(1));
      deadlines.start(Duration.ofSeconds(60), () -> fired.add("late")).cancel();
    }

    assertThat(scheduled.get()).isEqualTo(1);
    time.advance(Duration.ofMinutes(2));
    assertThat(fired).isEmpty();
    assertThat(scheduled.get()).isEqualTo(1); // nothing armed: no further check
  }

  @Test
  void anEarlierDeadline_getsItsOwnCheck_andLaterOnesStillFire() {
    deadlines.start(Duration.ofSeconds(60), () -> fired.add("long"));
    deadlines.start(Duration.ofSeconds(1), () -> fired.add("short"));
    deadlines.start(Duration.ofSeconds(30), () -> fired.add("middle"));

    time.advance(Duration.ofSeconds(1));
    assertThat(fired).containsExactly("short");
    time.advance(Duration.ofSeconds(29));
    assertThat(fired).containsExactly("short", "middle");
    time.advance(Duration.ofSeconds(30));
    assertThat(fired).containsExactly("short", "middle", "long");
  }

  @Test
  void aThrowingAction_doesNotStopTheOthers() {
    deadlines.start(Duration.ofSeconds(1), () -> {
      throw new IllegalStateException("boom");
    });
    deadlines.start(Duration.ofSeconds(1), () -> fired.add("b"));

    time.advance(Duration.ofSeconds(1));
    assertThat(fired).containsExactly("b");
  }

  @Test
  void aDeadlineArmedDuringACheck_isNotLost() {
    deadlines.start(Duration.ofSeconds(1), () -> {
      fired.add("first");
      deadlines.start(Duration.ofSeconds(1), () -> fired.add("second"));
    });

    time.advance(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(1));
    assertThat(fired).containsExactly("first", "second");
  }
}
