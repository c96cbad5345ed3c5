package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.Switchboard;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConcurrencyLimitTest {

  @Test
  void permitsUpToTheLimit_thenNone_untilOneIsReleased() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 2).build();
    var a = limit.tryAcquire("openai").orElseThrow();
    var b = limit.tryAcquire("openai").orElseThrow();
    assertThat(limit.tryAcquire("openai")).isEmpty();
    assertThat(limit.inFlight("openai")).isEqualTo(2);
    a.release();
    a.release(); // a second release gives back nothing more
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    var c = limit.tryAcquire("openai").orElseThrow();
    assertThat(limit.tryAcquire("openai")).isEmpty();
    b.release();
    c.release();
    assertThat(limit.inFlight("openai")).isZero();
  }

  @Test
  void waitersAreServedFirstComeFirstServed_whenPermitsComeBack() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    var held = limit.acquire("openai").join();
    CompletableFuture<ConcurrencyLimit.Permit> first = limit.acquire("openai");
    CompletableFuture<ConcurrencyLimit.Permit> second = limit.acquire("openai");
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    held.release();
    assertThat(first).isDone();
    assertThat(second).isNotDone();
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    first.join().release();
    assertThat(second).isDone();
    second.join().release();
    assertThat(limit.inFlight("openai")).isZero();
    assertThat(limit.tryAcquire("openai")).isPresent();
  }

  @Test
  void aCancelledWaiter_isSkipped_andItsTurnPassesOn() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    var held = limit.acquire("openai").join();
    CompletableFuture<ConcurrencyLimit.Permit> gaveUp = limit.acquire("openai");
    CompletableFuture<ConcurrencyLimit.Permit> patient = limit.acquire("openai");
    gaveUp.cancel(true);
    held.release();
    assertThat(patient).isDone();
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    patient.join().release();
    assertThat(limit.inFlight("openai")).isZero();
  }

  @Test
  void providersWithoutALimit_takeTheDefault_orNone() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency(1).maxConcurrency("big", 3).build();
    assertThat(limit.limitFor("other")).isEqualTo(1);
    assertThat(limit.limitFor("big")).isEqualTo(3);
    limit.tryAcquire("other").orElseThrow();
    assertThat(limit.tryAcquire("other")).isEmpty();
    assertThat(limit.tryAcquire("big")).isPresent();

    ConcurrencyLimit none = ConcurrencyLimit.none();
    assertThat(none.limitFor("openai")).isZero();
    for (int i = 0; i < 100; i++) {
      assertThat(none.tryAcquire("openai")).isPresent();
    }
    assertThat(none.acquire("openai")).isCompleted();
    assertThat(none.inFlight("openai")).isZero();
  }

  @Test
  void nonPositiveLimits_areRejected_withTheProviderNamed() {
    assertThatThrownBy(() -> ConcurrencyLimit.builder().maxConcurrency("openai", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'openai'").hasMessageContaining("got 0");
    assertThatThrownBy(() -> ConcurrencyLimit.builder().maxConcurrency(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
  }

  @Test
  void aStreamHoldsItsPermitUntilItEnds_andASecondStreamFailsRetryablyMeanwhile() {
    ManualTime time = new ManualTime();
    FakeAdapter openai = new FakeAdapter("openai");
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(Resilience.builder().maxAttempts(1).concurrencyLimit(limit).build()).build();

    ChatStream first = sb.stream(ChatRequest.of("openai/m", "a"));
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    ChatStream second = sb.stream(ChatRequest.of("openai/m", "b"));
    assertThatThrownBy(second::collect).isInstanceOfSatisfying(RateLimitException.class, e -> {
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("concurrency limit of 1").contains("openai/m");
    });
    assertThat(openai.streams).hasSize(1);

    openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("done")));
    openai.streams.get(0).complete();
    assertThat(first.collect().text()).isEqualTo("done");
    assertThat(limit.inFlight("openai")).isZero();

    ChatStream closedEarly = sb.stream(ChatRequest.of("openai/m", "c"));
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    closedEarly.close();
    assertThat(limit.inFlight("openai")).isZero();
  }

  @Test
  void aCallsPermitComesBackWhenItsExchangeEnds_evenWhenTheCallerCancelled() {
    ManualTime time = new ManualTime();
    FakeAdapter openai = new FakeAdapter("openai");
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(Resilience.builder().maxAttempts(1).concurrencyLimit(limit).build()).build();
    CompletableFuture<ChatResponse> call = sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waiting = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    assertThat(openai.calls).hasSize(1);
    call.cancel(true);
    assertThat(openai.calls.get(0)).isCancelled();
    assertThat(openai.calls).hasSize(2); // the waiter got the permit
    openai.calls.get(1).complete(FakeAdapter.answer("b"));
    assertThat(waiting.join().text()).isEqualTo("b");
    assertThat(limit.inFlight("openai")).isZero();
  }

  @Test
  void policyGivenWholeAndBySettings_isRejectedAtBuild() {
    assertThatThrownBy(() -> Resilience.builder().concurrencyLimit(ConcurrencyLimit.none()).maxConcurrency(2).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("concurrencyLimit(ConcurrencyLimit)").hasMessageContaining("maxConcurrency");
    assertThatThrownBy(() -> Resilience.builder().retry(RetryPolicy.none()).maxAttempts(2).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("retry(RetryPolicy)");
    assertThatThrownBy(() -> Resilience.builder().streamTimeouts(StreamTimeouts.none())
        .idleTimeout(java.time.Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("streamTimeouts(StreamTimeouts)");
    assertThatThrownBy(() -> Resilience.builder().rateLimit(RateLimit.none()).rateLimit("openai", 1, 0).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rateLimit(RateLimit)");
  }
}
