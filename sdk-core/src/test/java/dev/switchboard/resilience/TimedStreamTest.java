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
import dev.switchboard.ServerException;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One streamed attempt's first-event and idle limits, on a manual clock or on timers that fire late. */
@Timeout(10)
class TimedStreamTest {
  private final ManualTime time = new ManualTime();
  private final PushChatStream server = new PushChatStream();
  private final CallInfo call = new CallInfo(1, ChatRequest.of("openai/m", "hi"), true, Instant.EPOCH, 0, null);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener listener = new ChatListener() {
    @Override
    public void timeout(CallInfo c, TimeoutKind kind, Duration limit) {
      events.add("timeout " + kind + " " + limit.toSeconds() + "s" + (c == call ? "" : " on another call"));
    }
  };

  private TimedStream timed(Duration firstEvent, Duration idle, Scheduler scheduler) {
    return new TimedStream(server, firstEvent, idle, scheduler, call, listener, "openai", "m");
  }

  private static ChatEvent delta(String text) {
    return new ChatEvent.TextDelta(text);
  }

  @Test
  void noFirstEvent_endsTheExchange_withARetryableTimeoutNamingTheModelAndLimit() {
    TimedStream s = timed(Duration.ofSeconds(5), null, time);
    time.advance(Duration.ofMillis(4_999));
    assertThat(s.poll()).isNull();
    assertThat(server.isClosed()).isFalse();
    time.advance(Duration.ofMillis(1));
    assertThat(events).containsExactly("timeout FIRST_EVENT 5s");
    assertThat(server.isClosed()).as("the exchange is cancelled").isTrue();
    assertThatThrownBy(s::poll).isExactlyInstanceOf(ChatTimeoutException.class)
        .hasMessage("the stream from openai/m sent no first event within 5000 ms; the exchange was cancelled")
        .satisfies(e -> {
          ChatException c = (ChatException) e;
          assertThat(c.isRetryable()).isTrue();
          assertThat(c.provider()).isEqualTo("openai");
          assertThat(c.model()).isEqualTo("m");
        });
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void silenceAfterEvents_endsTheExchange_withWhatArrived_notRetryable() {
    TimedStream s = timed(null, Duration.ofSeconds(10), time);
    server.emit(delta("Once "));
    server.emit(delta("upon"));
    assertThat(s.poll()).isEqualTo(delta("Once "));
    assertThat(s.poll()).isEqualTo(delta("upon"));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(10));
    assertThat(events).containsExactly("timeout IDLE 10s");
    assertThat(server.isClosed()).isTrue();
    assertThatThrownBy(s::poll).isExactlyInstanceOf(ChatStreamException.class)
        .hasMessage("the stream from openai/m went silent for 10000 ms after 2 events; the exchange was cancelled"
            + " (partial answer attached)")
        .satisfies(e -> {
          ChatStreamException c = (ChatStreamException) e;
          assertThat(c.isRetryable()).isFalse();
          assertThat(c.partialResponse().text()).isEqualTo("Once upon");
          assertThat(c.getCause()).isInstanceOf(ChatTimeoutException.class);
          assertThat(((ChatException) c.getCause()).isRetryable()).isTrue();
        });
  }

  @Test
  void idle_doesNotCountBeforeTheFirstEvent() {
    TimedStream s = timed(null, Duration.ofSeconds(1), time);
    assertThat(s.poll()).isNull();
    assertThat(s.poll()).isNull();
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(5));
    assertThat(events).isEmpty();
    server.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
  }

  @Test
  void aFirstEventTimerFiringAfterTheFirstEvent_doesNothing() {
    LateTimers timers = new LateTimers();
    TimedStream s = timed(Duration.ofSeconds(5), null, timers);
    server.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
    timers.fire(0); // its cancel came too late
    assertThat(events).isEmpty();
    assertThat(server.isClosed()).isFalse();
    server.emit(delta("b"));
    assertThat(s.poll()).isEqualTo(delta("b"));
  }

  @Test
  void anIdleTimerFiringAfterAnotherEventArrived_doesNothing() {
    LateTimers timers = new LateTimers();
    TimedStream s = timed(null, Duration.ofSeconds(10), timers);
    server.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(s.poll()).isNull(); // the consumer waits: the idle timer is armed
    assertThat(timers.tasks).hasSize(1);
    server.emit(delta("b"));
    assertThat(s.poll()).isEqualTo(delta("b"));
    timers.fire(0); // its cancel came too late
    assertThat(events).isEmpty();
    assertThat(server.isClosed()).isFalse();
    server.emit(delta("c"));
    assertThat(s.poll()).isEqualTo(delta("c"));
  }

  @Test
  void waitingThroughManyPolls_armsOneIdleTimer() {
    LateTimers timers = new LateTimers();
    TimedStream s = timed(null, Duration.ofSeconds(10), timers);
    server.emit(delta("a"));
    s.poll();
    for (int i = 0; i < 5; i++) {
      assertThat(s.poll()).isNull();
    }
    assertThat(timers.tasks).hasSize(1);
    assertThat(timers.delays).containsExactly(Duration.ofSeconds(10));
  }

  @Test
  void theFirstEvent_disarmsTheFirstEventTimer() {
    TimedStream s = timed(Duration.ofSeconds(5), null, time);
    server.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertNoTimerPending(time);
  }

  @Test
  void anEvent_disarmsTheIdleTimer() {
    TimedStream s = timed(null, Duration.ofSeconds(10), time);
    server.emit(delta("a"));
    s.poll();
    assertThat(s.poll()).isNull();
    time.awaitTaskDue(Duration.ofSeconds(10));
    server.emit(delta("b"));
    assertThat(s.poll()).isEqualTo(delta("b"));
    assertNoTimerPending(time);
    time.advance(Duration.ofSeconds(9));
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(9));
    assertThat(events).as("the limit counts from the last event").isEmpty();
    time.advance(Duration.ofSeconds(1));
    assertThat(events).containsExactly("timeout IDLE 10s");
  }

  @Test
  void aFailure_passesThroughUnchanged_andDisarmsEveryTimer() {
    TimedStream s = timed(Duration.ofSeconds(5), Duration.ofSeconds(10), time);
    server.emit(delta("a"));
    s.poll();
    assertThat(s.poll()).isNull();
    ServerException broke = new ServerException("broke", ErrorDetails.builder().provider("openai").model("m")
        .statusCode(500).build());
    server.fail(broke);
    assertThatThrownBy(s::poll).isSameAs(broke);
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(events).isEmpty();
  }

  @Test
  void aFailureBeforeTheFirstEvent_disarmsTheFirstEventTimer() {
    TimedStream s = timed(Duration.ofSeconds(5), null, time);
    ServerException broke = new ServerException("broke", ErrorDetails.of("openai", "m"));
    server.fail(broke);
    assertThatThrownBy(s::poll).isSameAs(broke);
    assertNoTimerPending(time);
  }

  @Test
  void anExchangeThatEndsWithoutAFinalEvent_disarmsTheIdleTimer() {
    TimedStream s = timed(null, Duration.ofSeconds(10), time);
    server.emit(delta("a"));
    s.poll();
    assertThat(s.poll()).isNull();
    server.complete();
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
    assertNoTimerPending(time);
  }

  @Test
  void theFinalEvent_endsTheLimits() {
    TimedStream s = timed(Duration.ofSeconds(5), Duration.ofSeconds(10), time);
    server.emit(new ChatEvent.Completed(FakeAdapter.answer("done")));
    server.complete();
    assertThat(s.poll()).isInstanceOf(ChatEvent.Completed.class);
    assertThat(s.poll()).isNull();
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(events).isEmpty();
  }

  @Test
  void close_cancelsTheExchange_andItsTimers() {
    TimedStream s = timed(Duration.ofSeconds(5), Duration.ofSeconds(10), time);
    s.close();
    assertThat(server.isClosed()).isTrue();
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(events).isEmpty();
  }
}
