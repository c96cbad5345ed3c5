package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.route.ModelRef;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A streamed call ends in exactly one terminal listener event, whichever way it ends, and leaves no timer behind. */
@Timeout(10)
class SwitchboardStreamTest {
  private final ManualTime time = new ManualTime();
  private final PendingTimers timers = new PendingTimers(time);
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<CallInfo> calls = new CopyOnWriteArrayList<>();

  private final ChatListener recorder = new ChatListener() {
    @Override
    public void callStart(CallInfo call) {
      calls.add(call);
      events.add("start " + call.kind());
    }

    @Override
    public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
      events.add("attemptStart " + attemptId + " " + target);
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      events.add("attemptEnd " + attemptId + " " + attempt.failure().orElse("ok"));
    }

    @Override
    public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
      events.add("timeout " + kind + " " + limit.toMillis());
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      events.add("callEnd " + response.text());
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      events.add("callFailed " + error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    @Override
    public void callCancelled(CallInfo call) {
      events.add("callCancelled");
    }
  };

  private Switchboard switchboard(Duration callTimeout) {
    return Switchboard.builder().provider(openai).ticker(time).scheduler(timers).callTimeout(callTimeout)
        .listener(recorder).build();
  }

  @Test
  void completedStream_endsInCallEnd_onlyOnce_andCancelsItsTimer() {
    Switchboard sb = switchboard(Duration.ofSeconds(5));
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    assertThat(timers.pending()).isEqualTo(1);
    PushChatStream push = openai.streams.get(0);
    push.emit(new ChatEvent.TextDelta("hel"));
    push.emit(new ChatEvent.Completed(FakeAdapter.answer("hello")));
    push.complete();

    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("hel"));
    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m");
    assertThat(stream.poll()).isInstanceOfSatisfying(ChatEvent.Completed.class,
        c -> assertThat(c.response().provider()).isEqualTo("openai"));
    assertThat(timers.pending()).isZero();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
    stream.close();
    stream.close();
    time.advance(Duration.ofSeconds(10));

    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 ok", "callEnd hello");
    assertThat(calls).singleElement().satisfies(c -> {
      assertThat(c.streaming()).isTrue();
      assertThat(c.kind()).isEqualTo(CallInfo.Kind.STREAM);
      assertThat(c.request().model()).isEqualTo("openai/m");
    });
  }

  @Test
  void collectedStream_endsInCallEnd() {
    Switchboard sb = switchboard(null);
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    PushChatStream push = openai.streams.get(0);
    push.emit(new ChatEvent.Completed(FakeAdapter.answer("whole")));
    push.complete();
    assertThat(stream.collect().text()).isEqualTo("whole");
    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 ok", "callEnd whole");
    assertThat(timers.pending()).isZero();
  }

  @Test
  void failedStream_endsInOneCallFailed_andCancelsItsTimer() {
    Switchboard sb = switchboard(Duration.ofSeconds(5));
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    openai.streams.get(0).fail(new ServerException("overloaded", ErrorDetails.of("openai", "m")));

    ServerException failure = catchThrowableOfType(ServerException.class, stream::poll);
    assertThat(failure).hasMessage("overloaded");
    assertThat(failure.attempts()).singleElement()
        .satisfies(a -> assertThat(a.failure()).contains("ServerException"));
    assertThat(timers.pending()).isZero();
    assertThat(stream.poll()).isNull();
    stream.close();
    time.advance(Duration.ofSeconds(10));

    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 ServerException",
        "callFailed ServerException: overloaded");
  }

  @Test
  void streamClosedByTheCaller_endsInOneCallCancelled_notAFailure_andCancelsItsTimerAndExchange() {
    Switchboard sb = switchboard(Duration.ofSeconds(5));
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    PushChatStream push = openai.streams.get(0);
    push.emit(new ChatEvent.TextDelta("par"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("par"));

    stream.close();
    assertThat(push.isClosed()).isTrue();
    assertThat(timers.pending()).isZero();
    stream.close();
    time.advance(Duration.ofSeconds(10));

    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 Cancelled",
        "callCancelled");
  }

  @Test
  void streamWithoutDeadline_schedulesNothing() {
    Switchboard sb = switchboard(null);
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    assertThat(timers.pending()).isZero();
    stream.close();
    assertThat(calls).singleElement().satisfies(c -> assertThat(c.timeout()).isEmpty());
  }

  @Test
  void requestTimeout_overridesTheCallTimeout_ofAStream() {
    Switchboard sb = switchboard(Duration.ofSeconds(5));
    ChatStream stream = sb.stream(ChatRequest.builder().model("openai/m").user("hi").timeout(Duration.ofMillis(700))
        .build());
    assertThat(calls).singleElement().satisfies(c -> assertThat(c.timeout()).contains(Duration.ofMillis(700)));
    time.advance(Duration.ofMillis(699));
    assertThat(events).doesNotContain("timeout CALL 700");
    time.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, stream::poll);
    assertThat(timeout).hasMessage("the call to 'openai/m' did not finish within its deadline of 700 ms (across "
        + "all retries and fallbacks); raise ChatRequest.timeout or Switchboard.builder().callTimeout");
    assertThat(timeout.provider()).isEqualTo("openai");
    assertThat(timeout.model()).isEqualTo("m");
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 Cancelled",
        "timeout CALL 700", "callFailed ChatTimeoutException: " + timeout.getMessage());
    stream.close();
    assertThat(events).hasSize(5);
  }

  @Test
  void deadlineAfterTheStreamEnded_firesNoTimeout() {
    // A scheduler that cannot cancel: the timer still runs after the stream completed, and must do nothing.
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler((delay, task) -> {
      time.schedule(delay, task);
      return () -> false;
    }).callTimeout(Duration.ofSeconds(1)).listener(recorder).build();
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("done")));
    openai.streams.get(0).complete();
    assertThat(stream.collect().text()).isEqualTo("done");
    time.advance(Duration.ofSeconds(1));
    assertThat(events).containsExactly("start STREAM", "attemptStart 1 openai/m", "attemptEnd 1 ok", "callEnd done");
  }

  @Test
  void unknownModel_failsTheStreamWithOneCallFailed() {
    Switchboard sb = switchboard(Duration.ofSeconds(5));
    ChatStream stream = sb.stream(ChatRequest.of("nobody/m", "hi"));
    assertThatThrownBy(stream::poll).isInstanceOf(ModelNotFoundException.class);
    stream.close();
    assertThat(timers.pending()).isZero();
    assertThat(events).hasSize(2).first().isEqualTo("start STREAM");
    assertThat(events.get(1)).startsWith("callFailed ModelNotFoundException: ");
  }
}
