package dev.switchboard.resilience;

import static dev.switchboard.resilience.LateTimers.assertNoTimerPending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The slow-stream probe: events held back for a window after the first, the speed judged at its
 * end (estimated tokens = characters / 4), a slow exchange abandoned before the caller saw anything.
 */
@Timeout(10)
class ProbedStreamTest {
  private static final String FORTY = "x".repeat(40); // 10 estimated tokens

  private final ManualTime time = new ManualTime();
  private final PushChatStream server = new PushChatStream();
  private final CallInfo call = new CallInfo(1, ChatRequest.of("openai/m", "hi"), true, Instant.EPOCH, 0, null);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener listener = new ChatListener() {
    @Override
    public void timeout(CallInfo c, TimeoutKind kind, Duration limit) {
      events.add("timeout " + kind + " " + limit.toSeconds() + "s");
    }
  };

  /** Judged over a two-second window. */
  private ProbedStream probed(double minTokensPerSecond) {
    return new ProbedStream(server, minTokensPerSecond, Duration.ofSeconds(2), time, time, call, listener, "openai",
        "m");
  }

  private static ChatEvent delta(String text) {
    return new ChatEvent.TextDelta(text);
  }

  @Test
  void slowerThanRequired_isAbandoned_havingShownNothing_withTheMeasuredRateInTheMessage() {
    ProbedStream s = probed(6); // 10 tokens in 2 s: 5 tokens/s
    server.emit(delta(FORTY));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofMillis(1_999));
    assertThat(s.poll()).isNull();
    assertThat(events).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThatThrownBy(s::poll).isExactlyInstanceOf(ChatTimeoutException.class)
        .hasMessage("the stream from openai/m ran at 5.0 tokens/s over its 2000 ms probe window, below the 6.0 "
            + "required; it was cancelled before anything reached the caller")
        .satisfies(e -> {
          ChatException c = (ChatException) e;
          assertThat(c.isRetryable()).isTrue();
          assertThat(c.provider()).isEqualTo("openai");
          assertThat(c.model()).isEqualTo("m");
        });
    assertThat(events).containsExactly("timeout SLOW_STREAM 2s");
    assertThat(server.isClosed()).isTrue();
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void exactlyTheRequiredSpeed_isFastEnough() {
    ProbedStream s = probed(5);
    server.emit(delta(FORTY));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(2));
    assertThat(s.poll()).isEqualTo(delta(FORTY));
    assertThat(events).isEmpty();
    assertThat(server.isClosed()).isFalse();
  }

  @Test
  void theWindowCountsFromTheFirstEvent_whenTheClockIsAlreadyFarAlong() {
    time.advance(Duration.ofSeconds(10));
    ProbedStream s = probed(5);
    server.emit(delta(FORTY));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(1));
    assertThat(s.poll()).as("still within the window").isNull();
    time.advance(Duration.ofSeconds(1));
    assertThat(s.poll()).isEqualTo(delta(FORTY));
    assertThat(events).isEmpty();
  }

  @Test
  void laterEventsWithinTheWindow_doNotRestartIt() {
    ProbedStream s = probed(5);
    server.emit(delta(FORTY.substring(20)));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(1));
    server.emit(delta(FORTY.substring(20)));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(1));
    assertThat(s.poll()).isEqualTo(delta(FORTY.substring(20)));
    assertThat(s.poll()).isEqualTo(delta(FORTY.substring(20)));
  }

  @Test
  void everyKindOfDelta_countsTowardsTheSpeed() {
    List<ChatEvent> kinds = List.of(new ChatEvent.ReasoningDelta(FORTY), new ChatEvent.RefusalDelta(FORTY),
        new ChatEvent.ToolCallDelta(0, "call_1", "lookup", FORTY));
    for (ChatEvent kind : kinds) {
      PushChatStream exchange = new PushChatStream();
      ProbedStream s = new ProbedStream(exchange, 5, Duration.ofSeconds(2), time, time, call, listener, "openai", "m");
      exchange.emit(kind);
      assertThat(s.poll()).isNull();
      time.advance(Duration.ofSeconds(2));
      assertThat(s.poll()).as(kind.getClass().getSimpleName()).isEqualTo(kind);
    }
    assertThat(events).isEmpty();
  }

  @Test
  void aFinalEventWithinTheWindow_releasesEverythingAtOnce_andDisarmsTheWindow() {
    ProbedStream s = probed(1_000);
    server.emit(delta("a"));
    server.emit(new ChatEvent.Completed(FakeAdapter.answer("a")));
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(s.isFinished()).isFalse();
    assertThat(s.poll()).isInstanceOf(ChatEvent.Completed.class);
    assertNoTimerPending(time);
    server.complete();
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
    assertThat(events).isEmpty();
  }

  @Test
  void anExchangeEndingWithoutAFinalEventWithinTheWindow_releasesWhatItSent() {
    ProbedStream s = probed(1_000);
    server.emit(delta("a"));
    server.emit(delta("b"));
    server.complete();
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(s.isFinished()).as("one event still held").isFalse();
    assertThat(s.poll()).isEqualTo(delta("b"));
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
    assertThat(events).isEmpty();
  }

  @Test
  void anExchangeThatEndedBeforeItWasJudged_releasesWhatItSent_insteadOfDroppingItSilently() {
    ProbedStream s = probed(1_000); // far too slow, but the whole answer is already in
    server.emit(delta("a"));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(2));
    server.complete(); // the exchange ended (without a final event) before the consumer polled again
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
    assertThat(events).isEmpty();
  }

  @Test
  void aConsumerWaitingBeforeTheFirstEvent_isWokenByIt() {
    ProbedStream s = probed(5);
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).hasValue(0);
    server.emit(delta("a"));
    assertThat(woke).hasValue(1);
  }

  @Test
  void aBrokenExchangeWithinTheWindow_surfacesItsRetryableCause_andDisarmsTheWindow() {
    ProbedStream s = probed(5);
    server.emit(delta("a"));
    assertThat(s.poll()).isNull();
    ChatTimeoutException cause = new ChatTimeoutException("read timed out", ErrorDetails.builder().provider("openai")
        .model("m").retryable(true).build());
    server.fail(new ChatStreamException("broke", ErrorDetails.of("openai", "m"), FakeAdapter.answer("a"), cause));
    assertThatThrownBy(s::poll).isSameAs(cause);
    assertNoTimerPending(time);
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void aBrokenExchangeWithoutAChatExceptionCause_orAPlainFailure_passesThroughUnchanged() {
    ProbedStream s = probed(5);
    server.emit(delta("a"));
    assertThat(s.poll()).isNull();
    ChatStreamException broke = new ChatStreamException("broke", ErrorDetails.of("openai", "m"),
        FakeAdapter.answer("a"), new java.io.IOException("reset"));
    server.fail(broke);
    assertThatThrownBy(s::poll).isSameAs(broke);

    PushChatStream other = new PushChatStream();
    ProbedStream t = new ProbedStream(other, 5, Duration.ofSeconds(2), time, time, call, listener, "openai", "m");
    ChatException plain = new ChatException("plain", ErrorDetails.of("openai", "m"));
    other.fail(plain);
    assertThatThrownBy(t::poll).isSameAs(plain);
  }

  @Test
  void aBrokenExchangeAfterTheRelease_passesThroughUnchanged() {
    ProbedStream s = probed(5);
    server.emit(delta(FORTY));
    s.poll();
    time.advance(Duration.ofSeconds(2));
    assertThat(s.poll()).isEqualTo(delta(FORTY));
    ChatStreamException broke = new ChatStreamException("broke", ErrorDetails.of("openai", "m"),
        FakeAdapter.answer(FORTY), new ChatTimeoutException("t", ErrorDetails.of("openai", "m")));
    server.fail(broke);
    assertThatThrownBy(s::poll).isSameAs(broke);
  }

  @Test
  void theConsumerWaitingThroughTheWindow_isWokenAtItsEnd() {
    ProbedStream s = probed(5);
    server.emit(delta(FORTY));
    assertThat(s.poll()).isNull();
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).hasValue(0);
    time.advance(Duration.ofSeconds(2));
    assertThat(woke).hasValue(1);
    assertThat(s.poll()).isEqualTo(delta(FORTY));
  }

  @Test
  void aConsumerAskingWhileReleasedEventsWait_isReadyAtOnce() {
    ProbedStream s = probed(1_000);
    server.emit(delta("a"));
    server.emit(new ChatEvent.Completed(FakeAdapter.answer("a")));
    assertThat(s.poll()).isEqualTo(delta("a"));
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).hasValue(1);
  }

  @Test
  void close_cancelsTheExchange_andTheWindow() {
    ProbedStream s = probed(5);
    server.emit(delta("a"));
    assertThat(s.poll()).isNull();
    s.close();
    assertThat(server.isClosed()).isTrue();
    assertNoTimerPending(time);
  }
}
