package dev.switchboard.resilience;

import static dev.switchboard.resilience.LateTimers.assertNoTimerPending;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Attempt;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hedging: when the next candidate starts alongside a slow one, at a fixed delay or at a latency percentile. */
@Timeout(10)
class FallbackHedgeTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final FakeAdapter spare = new FakeAdapter("spare");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void hedgeStarted(CallInfo call, String model, Duration after) {
      events.add("hedge " + model + " after " + after.toMillis() + "ms");
    }

    @Override
    public void fallback(CallInfo call, String from, String to, ChatException cause) {
      events.add("fallback " + from + " -> " + to + " on " + cause.getClass().getSimpleName());
    }
  };

  private Switchboard switchboard(Fallback fallback) {
    return Switchboard.builder().provider(cheap).provider(premium).provider(spare).ticker(time).scheduler(time)
        .interceptor(fallback).listener(recorder).build();
  }

  private static ServerException overloaded(String provider) {
    return new ServerException("overloaded", ErrorDetails.builder().provider(provider).model("m").statusCode(529)
        .retryable(true).build());
  }

  private static ChatResponse done(CompletableFuture<ChatResponse> f) {
    assertThat(f).isDone();
    return f.join();
  }

  /** One call that cheap answers after {@code millis}, before any hedge. */
  private void answeredByCheapAfter(Switchboard sb, long millis) {
    int before = cheap.calls.size();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(millis));
    cheap.calls.get(before).complete(FakeAdapter.answer("c"));
    done(f);
  }

  /** Starts a call and returns after how many milliseconds premium was started alongside cheap. */
  private long hedgeDelayOfNextCall(Switchboard sb) {
    int before = premium.calls.size();
    sb.chatAsync(ChatRequest.of("ranker", "hi"));
    for (long waited = 1; waited <= 5_000; waited++) {
      time.advance(Duration.ofMillis(1));
      if (premium.calls.size() > before) {
        return waited;
      }
    }
    throw new AssertionError("no hedge within 5 s");
  }

  @Test
  void percentileHedging_usesTheInitialDelayUntilEnoughSamples_thenTheObservedPercentile() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAtPercentile(0.5, 3, Duration.ofMillis(800)).build());
    answeredByCheapAfter(sb, 100);
    answeredByCheapAfter(sb, 300);
    assertThat(hedgeDelayOfNextCall(sb)).as("two samples of three").isEqualTo(800);
    premium.calls.get(0).complete(FakeAdapter.answer("p"));
    answeredByCheapAfter(sb, 200);
    assertThat(hedgeDelayOfNextCall(sb)).as("the median of 100, 200, 300 ms").isEqualTo(200);
    assertThat(events).containsExactly("hedge premium/m after 800ms", "hedge premium/m after 200ms");
  }

  @Test
  void percentileHedging_neverHedgesAtZero_whenEveryAnswerCameAtOnce() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAtPercentile(0.5, 1, Duration.ofMillis(800)).build());
    answeredByCheapAfter(sb, 0);
    answeredByCheapAfter(sb, 0);
    assertThat(hedgeDelayOfNextCall(sb)).isEqualTo(800);
  }

  @Test
  void aHighPercentile_isTheSlowestSample() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAtPercentile(0.99, 1, Duration.ofMillis(800)).build());
    answeredByCheapAfter(sb, 100);
    answeredByCheapAfter(sb, 300);
    answeredByCheapAfter(sb, 200);
    assertThat(hedgeDelayOfNextCall(sb)).isEqualTo(300);
  }

  @Test
  void aFixedHedgeDelay_ignoresTheObservedLatencies() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    answeredByCheapAfter(sb, 100);
    answeredByCheapAfter(sb, 100);
    assertThat(hedgeDelayOfNextCall(sb)).isEqualTo(800);
    assertNoTimerPending(time); // the last candidate is running: nothing more to hedge with
  }

  @Test
  void anAnswerBeforeTheHedgeDelay_leavesNoHedgeTimer() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    answeredByCheapAfter(sb, 100);
    assertNoTimerPending(time);
    assertThat(premium.calls).isEmpty();
  }

  @Test
  void withTwoInFlight_noThirdCandidateIsHedgedIn() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "spare/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800));
    assertThat(premium.calls).hasSize(1);
    time.advance(Duration.ofSeconds(5));
    assertThat(spare.calls).isEmpty();
    premium.calls.get(0).complete(FakeAdapter.answer("p"));
    assertThat(done(f).text()).isEqualTo("p");
    assertThat(cheap.calls.get(0)).isCancelled();
    assertThat(events).containsExactly("hedge premium/m after 800ms");
  }

  @Test
  void aFallbackBeforeTheHedgeDelay_restartsTheHedgeClockForTheNewCandidate() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "spare/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(100));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    assertThat(premium.calls).hasSize(1);
    time.advance(Duration.ofMillis(799));
    assertThat(spare.calls).as("800 ms after premium started, not after the call did").isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(spare.calls).hasSize(1);
    spare.calls.get(0).complete(FakeAdapter.answer("s"));
    assertThat(done(f).attempts()).extracting(a -> a.provider() + " " + a.failure().orElse("ok"))
        .containsExactly("cheap ServerException", "spare ok", "premium Cancelled");
    assertThat(events).containsExactly("fallback cheap/m -> premium/m on ServerException",
        "hedge spare/m after 800ms");
  }

  @Test
  void aHedgeThatFailsForGood_waitsForTheCandidateStillRunning() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800));
    premium.calls.get(0).completeExceptionally(new AuthenticationException("bad key", ErrorDetails.builder()
        .provider("premium").model("m").statusCode(401).build()));
    assertThat(f).isNotDone();
    cheap.calls.get(0).complete(FakeAdapter.answer("slow but fine"));
    ChatResponse r = done(f);
    assertThat(r.text()).isEqualTo("slow but fine");
    assertThat(r.attempts()).extracting(Attempt::provider).containsExactly("premium", "cheap");
  }

  @Test
  void aFailedHedge_fallsBackToTheNextCandidate() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "spare/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800));
    premium.calls.get(0).completeExceptionally(overloaded("premium"));
    assertThat(spare.calls).hasSize(1);
    spare.calls.get(0).complete(FakeAdapter.answer("s"));
    assertThat(done(f).text()).isEqualTo("s");
    assertThat(events).containsExactly("hedge premium/m after 800ms",
        "fallback premium/m -> spare/m on ServerException");
  }

  @Test
  void aPrimaryFailingWhileItsHedgeRuns_fallsBackToTheNext_andTheEventNamesTheModelThatFailed() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "spare/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    assertThat(spare.calls).hasSize(1);
    assertThat(events).containsExactly("hedge premium/m after 800ms",
        "fallback cheap/m -> spare/m on ServerException");
    premium.calls.get(0).complete(FakeAdapter.answer("p"));
    assertThat(done(f).text()).isEqualTo("p");
    assertThat(spare.calls.get(0)).isCancelled();
  }

  @Test
  void cancellingAHedgedCall_cancelsBothExchanges_andTheHedgeTimer() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "spare/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800));
    f.cancel(true);
    assertThat(cheap.calls.get(0)).isCancelled();
    assertThat(premium.calls.get(0)).isCancelled();
    assertNoTimerPending(time);
  }
}
