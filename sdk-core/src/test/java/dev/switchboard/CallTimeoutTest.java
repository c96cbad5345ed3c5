package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A call ended by its deadline keeps the exchange it cancelled, and its last listener event is the failure. */
@Timeout(10)
class CallTimeoutTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
      .callTimeout(Duration.ofSeconds(5))
      .listener(new ChatListener() {
        @Override
        public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
          events.add("attemptEnd " + attempt.failure().orElse("ok"));
        }

        @Override
        public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
          events.add("timeout " + kind);
        }

        @Override
        public void callEnd(CallInfo call, ChatResponse response) {
          events.add("callEnd");
        }

        @Override
        public void callFailed(CallInfo call, ChatException error) {
          events.add("callFailed " + error.getClass().getSimpleName());
        }
      }).build();

  @Test
  void chat_pastItsDeadline_failsWithTheCancelledExchangeAmongItsAttempts() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "a question of some length"));
    time.advance(Duration.ofSeconds(5));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(f));
    assertThat(timeout.attempts()).singleElement().satisfies(a -> {
      assertThat(a.failure()).contains("Cancelled");
      assertThat(a.usage().estimated()).isTrue();
      assertThat(a.usage().inputTokens()).isPositive();
    });
    assertThat(openai.calls.get(0)).isCancelled();
    assertThat(events).containsExactly("attemptEnd Cancelled", "timeout CALL", "callFailed ChatTimeoutException");
  }

  @Test
  void stream_pastItsDeadline_sendsTheTimeoutEventBeforeTheFailure_andListsTheAttempt() {
    ChatStream stream = sb.stream(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    openai.streams.get(0).emit(new ChatEvent.TextDelta("par"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("par"));
    time.advance(Duration.ofSeconds(5));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, stream::poll);
    assertThat(timeout.attempts()).singleElement().satisfies(a -> assertThat(a.failure()).contains("Cancelled"));
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
    // As for chat(): the cancelled exchange ends, then the deadline is reported, then the call fails.
    assertThat(events).containsExactly("attemptEnd Cancelled", "timeout CALL", "callFailed ChatTimeoutException");
  }

  @Test
  void aCallThatEndsInTime_leavesNoTimerBehind() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    time.advance(Duration.ofSeconds(10));
    assertThat(f.join().text()).isEqualTo("ok");
    assertThat(events).containsExactly("attemptEnd ok", "callEnd");
  }

  @Test
  void requestTimeout_overridesTheCallTimeout_andTheFailureNamesTheResolvedModel() {
    Switchboard aliased = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .callTimeout(Duration.ofSeconds(5)).alias("ranker", "openai/gpt-4o-mini").build();
    CompletableFuture<ChatResponse> f = aliased.chatAsync(
        ChatRequest.builder().model("ranker").user("hi").timeout(Duration.ofMillis(1500)).build());
    time.advance(Duration.ofMillis(1499));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(f));
    assertThat(timeout).hasMessage("the call to 'ranker' did not finish within its deadline of 1500 ms (across all "
        + "retries and fallbacks); raise ChatRequest.timeout or Switchboard.builder().callTimeout");
    assertThat(timeout.provider()).isEqualTo("openai");
    assertThat(timeout.model()).isEqualTo("gpt-4o-mini");
    assertThat(timeout.isRetryable()).isTrue();
  }

  @Test
  void deadlineOfACallToARouteName_stillApplies_andNamesTheModelStringOnly() {
    Switchboard routed = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .callTimeout(Duration.ofSeconds(1))
        .interceptor(new Interceptor() {
          @Override
          public CompletableFuture<ChatResponse> intercept(Chain chain) {
            return chain.proceed(chain.request().toBuilder().model("openai/gpt-4o-mini").build());
          }
        }).build();
    CompletableFuture<ChatResponse> f = routed.chatAsync(ChatRequest.of("cheapest", "hi"));
    time.advance(Duration.ofSeconds(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(f));
    assertThat(timeout).hasMessageStartingWith("the call to 'cheapest' did not finish within its deadline of 1000 ms");
    assertThat(timeout.provider()).isEmpty();
    assertThat(timeout.model()).isEqualTo("cheapest");
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(timeout.attempts()).singleElement().satisfies(a -> assertThat(a.model()).isEqualTo("gpt-4o-mini"));
  }

  @Test
  void directorySwappedDuringACall_theTimeoutStillNamesTheModelTheCallWentTo() {
    FakeAdapter vllm = new FakeAdapter("vllm");
    Switchboard swapping = Switchboard.builder().provider(openai).provider(vllm).ticker(time).scheduler(time)
        .callTimeout(Duration.ofSeconds(1)).alias("ranker", "openai/gpt-4o-mini").build();
    CompletableFuture<ChatResponse> f = swapping.chatAsync(ChatRequest.of("ranker", "hi"));
    swapping.directory(ModelDirectory.of(Set.of("openai", "vllm"), Map.of("ranker", "vllm/llama")));
    time.advance(Duration.ofSeconds(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(f));
    assertThat(timeout.provider()).isEqualTo("openai");
    assertThat(timeout.model()).isEqualTo("gpt-4o-mini");
    assertThat(timeout.attempts()).singleElement().satisfies(a -> assertThat(a.provider()).isEqualTo("openai"));
  }

  @Test
  void aCallThatEndsInTime_cancelsItsTimer() {
    PendingTimers timers = new PendingTimers(time);
    Switchboard counted = Switchboard.builder().provider(openai).ticker(time).scheduler(timers)
        .callTimeout(Duration.ofSeconds(5)).build();
    CompletableFuture<ChatResponse> ok = counted.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    CompletableFuture<ChatResponse> failed = counted.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    assertThat(timers.pending()).isEqualTo(2);
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    openai.calls.get(1).completeExceptionally(new ServerException("boom", ErrorDetails.of("openai", "gpt-4o-mini")));
    assertThat(timers.pending()).isZero();
    assertThat(ok.join().text()).isEqualTo("ok");
    assertThat(failed).isCompletedExceptionally();
  }

  @Test
  void aCallWithoutDeadline_schedulesNothing() {
    PendingTimers timers = new PendingTimers(time);
    Switchboard untimed = Switchboard.builder().provider(openai).ticker(time).scheduler(timers).build();
    untimed.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    assertThat(timers.pending()).isZero();
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
  }

  @Test
  void aDeadlineThatFiresAfterTheCallEnded_changesNothing() {
    // A scheduler that cannot cancel: the timer runs after the call ended and must not fail or report it.
    Switchboard uncancellable = Switchboard.builder().provider(openai).ticker(time).scheduler((delay, task) -> {
      time.schedule(delay, task);
      return () -> false;
    }).callTimeout(Duration.ofSeconds(1)).listener(new ChatListener() {
      @Override
      public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
        events.add("timeout " + kind);
      }

      @Override
      public void callEnd(CallInfo call, ChatResponse response) {
        events.add("callEnd");
      }
    }).build();
    CompletableFuture<ChatResponse> f = uncancellable.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    time.advance(Duration.ofSeconds(1));
    assertThat(f.join().text()).isEqualTo("ok");
    assertThat(openai.calls.get(0)).isNotCancelled();
    assertThat(events).containsExactly("callEnd");
  }

  @Test
  void cancellingTheCall_endsItInOneCallCancelled_andCancelsItsTimer() {
    PendingTimers timers = new PendingTimers(time);
    Switchboard counted = Switchboard.builder().provider(openai).ticker(time).scheduler(timers)
        .callTimeout(Duration.ofSeconds(5)).listener(new ChatListener() {
          @Override
          public void callFailed(CallInfo call, ChatException error) {
            events.add("callFailed " + error.getClass().getSimpleName());
          }

          @Override
          public void callCancelled(CallInfo call) {
            events.add("callCancelled");
          }
        }).build();
    CompletableFuture<ChatResponse> f = counted.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    f.cancel(true);
    assertThat(openai.calls.get(0)).isCancelled();
    assertThat(timers.pending()).isZero();
    time.advance(Duration.ofSeconds(10));
    assertThat(events).containsExactly("callCancelled");
  }
}
