package dev.switchboard.resilience;

import static dev.switchboard.resilience.LateTimers.assertNoTimerPending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retry loop of calls and embeddings: attempts, retry events, the deadline and cancellation. */
@Timeout(10)
class RetryLoopTest {
  private final ManualTime time = new ManualTime();
  private final CallInfo call = new CallInfo(7, ChatRequest.of("openai/m", "hi"), false, Instant.EPOCH, 0, null);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final RetryPolicy threeAttempts = RetryPolicy.builder().maxAttempts(3)
      .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).jitter(0).build();
  private final ChatListener listener = new ChatListener() {
    @Override
    public void retryScheduled(CallInfo c, ChatException failure, int next, Duration delay) {
      events.add("retry #" + next + " in " + delay.toMillis() + "ms after " + failure.getMessage()
          + (c == call ? "" : " on another call"));
      if (onRetry != null) {
        onRetry.run();
      }
    }
  };
  private Runnable onRetry;

  /** Attempts whose futures the test completes; the value lists how many attempts the loop reported. */
  private static final class Kind implements RetryLoop.Attempts<String> {
    final List<CompletableFuture<String>> started = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();
    Runnable onStart;
    RuntimeException startThrows;
    Function<Throwable, ChatException> unexpected = t -> RetryLoop.unexpected(t, "openai/m");

    @Override
    public CompletableFuture<String> start() {
      if (onStart != null) {
        onStart.run();
      }
      if (startThrows != null) {
        throw startThrows;
      }
      CompletableFuture<String> f = new CompletableFuture<>();
      started.add(f);
      return f;
    }

    @Override
    public void succeeded(String value) {
      outcomes.add("ok " + value);
    }

    @Override
    public void failed(ChatException failure) {
      outcomes.add("failed " + failure.getMessage());
    }

    @Override
    public List<Attempt> attemptsOf(String value) {
      return List.of(attempt(value));
    }

    @Override
    public String withAttempts(String value, List<Attempt> all) {
      return value + " after " + all.stream().map(Attempt::provider).toList();
    }

    @Override
    public ChatException unexpected(Throwable failure) {
      return unexpected.apply(failure);
    }
  }

  private static Attempt attempt(String name) {
    return new Attempt(name, "m", 200, Duration.ZERO, Usage.ZERO, Optional.empty());
  }

  private static ChatException overloaded(String message, Attempt... attempts) {
    return new ServerException(message, ErrorDetails.builder().provider("openai").model("m").statusCode(529)
        .retryable(true).build()).withAttempts(List.of(attempts));
  }

  private CompletableFuture<String> run(Kind kind, Scheduler scheduler, CallInfo info) {
    return RetryLoop.run(threeAttempts, kind, scheduler, time, info, listener);
  }

  @Test
  void retriesAfterTheBackOff_reportingEachRetry_andListsEveryAttemptInOrder() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    kind.started.get(0).completeExceptionally(overloaded("first", attempt("a1")));
    assertThat(events).containsExactly("retry #2 in 100ms after first");
    time.advance(Duration.ofMillis(99));
    assertThat(kind.started).hasSize(1);
    time.advance(Duration.ofMillis(1));
    kind.started.get(1).completeExceptionally(overloaded("second", attempt("a2")));
    assertThat(events).containsExactly("retry #2 in 100ms after first", "retry #3 in 200ms after second");
    time.advance(Duration.ofMillis(200));
    kind.started.get(2).complete("a3");
    assertThat(result).isCompletedWithValue("a3 after [a1, a2, a3]");
    assertThat(kind.outcomes).containsExactly("failed first", "failed second", "ok a3");
  }

  @Test
  void givingUp_throwsTheLastFailure_withEveryAttempt() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    for (int i = 1; i <= 3; i++) {
      kind.started.get(i - 1).completeExceptionally(overloaded("#" + i, attempt("a" + i)));
      time.advance(Duration.ofSeconds(1));
    }
    assertThat(kind.started).hasSize(3);
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).cause().hasMessage("#3")
        .satisfies(e -> assertThat(((ChatException) e).attempts()).extracting(Attempt::provider)
            .containsExactly("a1", "a2", "a3"));
  }

  @Test
  void withoutCallInfo_thereIsNoDeadlineAndNoRetryEvent_butTheRetryStillRuns() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, null);
    kind.started.get(0).completeExceptionally(overloaded("first"));
    assertThat(events).isEmpty();
    time.advance(Duration.ofMillis(100));
    assertThat(kind.started).hasSize(2);
    kind.started.get(1).complete("ok");
    assertThat(result).isCompletedWithValue("ok after [ok]");
  }

  @Test
  void aFailureThatIsNotAChatException_isReportedAsTheKindSaysAndNotRetried() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    IllegalStateException bug = new IllegalStateException("boom");
    kind.started.get(0).completeExceptionally(bug);
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).cause().isExactlyInstanceOf(ChatException.class)
        .hasMessage("the attempt on 'openai/m' failed: java.lang.IllegalStateException: boom").hasCause(bug);
    assertThat(kind.outcomes).containsExactly("failed the attempt on 'openai/m' failed: "
        + "java.lang.IllegalStateException: boom");
  }

  @Test
  void anAttemptThatThrowsWhileStarting_failsLikeOne() {
    Kind kind = new Kind();
    kind.startThrows = new IllegalArgumentException("bad request");
    CompletableFuture<String> result = run(kind, time, call);
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).cause()
        .hasMessage("the attempt on 'openai/m' failed: java.lang.IllegalArgumentException: bad request");
  }

  @Test
  void unexpected_namesTheModel_andSaysWhenTheAttemptWasCancelled() {
    CancellationException cancelled = new CancellationException();
    assertThat(RetryLoop.unexpected(cancelled, "openai/m")).hasMessage("the attempt on 'openai/m' was cancelled")
        .hasCause(cancelled).satisfies(e -> {
          assertThat(e.model()).isEqualTo("openai/m");
          assertThat(e.isRetryable()).isFalse();
        });
    RuntimeException other = new RuntimeException("x");
    assertThat(RetryLoop.unexpected(other, "openai/m")).hasMessage("the attempt on 'openai/m' failed: "
        + "java.lang.RuntimeException: x").hasCause(other);
  }

  @Test
  void cancellingTheCall_cancelsTheAttemptInFlight_andRetriesNothing_whateverItsFailure() {
    Kind kind = new Kind();
    kind.unexpected = t -> overloaded("looks retryable"); // even then: the caller is gone
    CompletableFuture<String> result = run(kind, time, call);
    result.cancel(true);
    assertThat(kind.started.get(0)).isCancelled();
    assertThat(events).isEmpty();
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(kind.started).hasSize(1);
  }

  @Test
  void cancellingTheCall_whileARetryWaits_cancelsItsTimer() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    kind.started.get(0).completeExceptionally(overloaded("first"));
    time.awaitTaskDue(Duration.ofMillis(100));
    result.cancel(true);
    assertNoTimerPending(time);
    assertThat(kind.started).hasSize(1);
  }

  @Test
  void aRetryTimerFiringAfterTheCallWasCancelled_startsNothing() {
    LateTimers timers = new LateTimers();
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, timers, call);
    kind.started.get(0).completeExceptionally(overloaded("first"));
    result.cancel(true);
    assertThat(timers.cancels).isEqualTo(1);
    timers.fire(0); // the cancel came too late
    assertThat(kind.started).hasSize(1);
  }

  @Test
  void cancelledWhileTheRetryStarts_thatAttemptIsCancelled() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    kind.started.get(0).completeExceptionally(overloaded("first"));
    kind.onStart = () -> result.cancel(true);
    time.advance(Duration.ofMillis(100));
    assertThat(kind.started).hasSize(2);
    assertThat(kind.started.get(1)).isCancelled();
    assertThat(result).isCancelled();
  }

  @Test
  void cancelledWhileTheRetryIsBeingScheduled_theRetryNeverRuns() {
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, call);
    onRetry = () -> result.cancel(true);
    kind.started.get(0).completeExceptionally(overloaded("first"));
    assertThat(events).hasSize(1);
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(kind.started).hasSize(1);
  }

  @Test
  void aRetryThatWouldPassTheDeadline_isNotScheduled() {
    CallInfo withDeadline = new CallInfo(8, ChatRequest.of("openai/m", "hi"), false, Instant.EPOCH, 0,
        Duration.ofMillis(150));
    Kind kind = new Kind();
    CompletableFuture<String> result = run(kind, time, withDeadline);
    time.advance(Duration.ofMillis(60)); // 90 ms left: not enough for a 100 ms back-off
    kind.started.get(0).completeExceptionally(overloaded("first"));
    assertThat(result).isCompletedExceptionally();
    assertThat(events).isEmpty();
  }
}
