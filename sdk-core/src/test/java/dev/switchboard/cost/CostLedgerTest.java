package dev.switchboard.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.OverloadedException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CostLedgerTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final CostLedger ledger = new CostLedger(PriceCatalog.empty().toBuilder()
      .price("cheap/m", ModelPrice.of(0.27, 1.10))
      .price("premium/m", ModelPrice.of(2.50, 10.00))
      .build());

  @Test
  void aCallThatRetriedTwiceAndFellBackOnce_showsFourAttempts_eachWithItsOwnUsageAndCost() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build())
        .interceptor(Resilience.builder().maxAttempts(3).backoff(Duration.ofMillis(100), Duration.ofMillis(100))
            .jitter(0).build())
        .listener(ledger)
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    for (int i = 0; i < 3; i++) {
      cheap.calls.get(i).completeExceptionally(new OverloadedException("busy", ErrorDetails.of("cheap", "m")));
      time.advance(Duration.ofSeconds(1));
    }
    premium.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(1_000, 200)).build());
    assertThat(f.join().text()).isEqualTo("ok");

    List<CostLedger.Entry> entries = ledger.entries();
    assertThat(entries).extracting(CostLedger.Entry::target)
        .containsExactly("cheap/m", "cheap/m", "cheap/m", "premium/m");
    assertThat(entries).extracting(CostLedger.Entry::succeeded).containsExactly(false, false, false, true);
    assertThat(entries).allSatisfy(e -> assertThat(e.priced()).isTrue());
    assertThat(entries.stream().map(CostLedger.Entry::attemptId).distinct()).hasSize(4);
    // 1,000 × $2.50 + 200 × $10, per million
    assertThat(entries.get(3).cost().total()).isEqualByComparingTo("0.0045");
    assertThat(ledger.total().total()).isEqualByComparingTo("0.0045");
    assertThat(ledger.entries(entries.get(0).callId())).hasSize(4);
    // the same traffic all on the premium model, and on the cheap one
    assertThat(ledger.onBaseline(ModelPrice.of(0.27, 1.10)).total()).isEqualByComparingTo("0.00049");
    assertThat(ledger.byTarget().keySet()).containsExactly("cheap/m", "premium/m");
  }

  @Test
  void aHedgedCall_costsTheCancelledLoserFromItsEstimatedUsage_flaggedEstimated() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").hedgeAfter(Duration.ofMillis(800))
            .build())
        .listener(ledger)
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a question of some length"));
    time.advance(Duration.ofMillis(800)); // premium starts alongside cheap
    premium.calls.get(0).complete(ChatResponse.builder().text("fast").usage(Usage.of(1_000, 200)).build());
    assertThat(f.join().text()).isEqualTo("fast");

    assertThat(ledger.entries()).extracting(CostLedger.Entry::target).containsExactlyInAnyOrder("cheap/m", "premium/m");
    CostLedger.Entry loser = ledger.entries().stream().filter(e -> e.provider().equals("cheap")).findFirst()
        .orElseThrow();
    assertThat(loser.succeeded()).isFalse();
    assertThat(loser.usage().estimated()).isTrue();
    assertThat(loser.usage().inputTokens()).as("the prompt was sent: its tokens are estimated").isPositive();
    assertThat(loser.cost().estimated()).isTrue();
    assertThat(loser.cost().total()).isPositive();
    assertThat(ledger.total().estimated()).isTrue();
  }

  @Test
  void anUnknownModel_isRecordedUnpriced_notDropped() {
    FakeAdapter other = new FakeAdapter("other");
    Switchboard sb = Switchboard.builder().provider(other).listener(ledger).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("other/x", "hi"));
    other.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(10, 10)).build());
    f.join();

    assertThat(ledger.entries()).singleElement().satisfies(e -> {
      assertThat(e.priced()).isFalse();
      assertThat(e.cost()).isEqualTo(Cost.ZERO);
      assertThat(e.usage()).isEqualTo(Usage.of(10, 10));
    });
  }
}
