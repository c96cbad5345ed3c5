package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.spi.Futures;
import java.time.Duration;
import java.util.List;
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
    assertThat(events).containsExactly("timeout CALL", "attemptEnd Cancelled", "callFailed ChatTimeoutException");
  }

  @Test
  void aCallThatEndsInTime_leavesNoTimerBehind() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    time.advance(Duration.ofSeconds(10));
    assertThat(f.join().text()).isEqualTo("ok");
    assertThat(events).containsExactly("attemptEnd ok", "callEnd");
  }
}
