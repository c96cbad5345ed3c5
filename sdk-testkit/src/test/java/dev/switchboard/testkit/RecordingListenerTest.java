package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordingListenerTest {

  @Test
  void recordsEachCallsEventsInOrder_andChecksOneEndPerCall() {
    RecordingListener events = new RecordingListener();
    ScriptedProvider fake = ScriptedProvider.named("fake")
        .enqueue(ChatResponse.builder().text("Paris").build())
        .enqueue(new ServerException("down", ErrorDetails.builder().provider("fake").model("m").statusCode(500).build()));
    try (Switchboard sb = Switchboard.builder().provider(fake).listener(events).build()) {
      sb.chat(ChatRequest.of("fake/m", "Capital of France?"));
      assertThatThrownBy(() -> sb.chat(ChatRequest.of("fake/m", "again"))).isInstanceOf(ServerException.class);
    }
    assertThat(events.lines()).containsExactly(
        "callStart fake/m", "attemptStart 1 fake/m", "attemptEnd 1 fake ok", "callEnd",
        "callStart fake/m", "attemptStart 1 fake/m", "attemptEnd 1 fake ServerException", "callFailed ServerException");
    assertThat(events.attempts()).hasSize(2);
    assertThat(events.lines("attemptEnd")).hasSize(2);
    long second = events.events().get(4).callId();
    assertThat(events.lines(second)).last().isEqualTo("callFailed ServerException");
    assertThat(events.terminalEventsPerCall().values()).containsExactly(1, 1);
    assertThat(events.attemptEnded(a -> a.failure().isPresent())).isCompleted();
    events.assertEveryCallEndedOnce();
    events.clear();
    assertThat(events.lines()).isEmpty();
  }

  @Test
  void assertEveryCallEndedOnce_failsOnAMissingEnd_aDoubleEnd_andAnEventAfterTheEnd() {
    CallInfo call = new CallInfo(7, ChatRequest.of("fake/m", "x"), false,
        Clock.fixed(Instant.EPOCH, ZoneOffset.UTC).instant(), 0, null);
    RecordingListener missing = new RecordingListener();
    missing.callStart(call);
    assertThatThrownBy(missing::assertEveryCallEndedOnce).isInstanceOf(AssertionError.class)
        .hasMessageContaining("call 7 has 0 terminal events");

    RecordingListener twice = new RecordingListener();
    twice.callStart(call);
    twice.callEnd(call, ChatResponse.builder().text("a").build());
    twice.callEnd(call, ChatResponse.builder().text("a").build());
    assertThatThrownBy(twice::assertEveryCallEndedOnce).hasMessageContaining("call 7 has 2 terminal events");

    RecordingListener late = new RecordingListener();
    late.callStart(call);
    late.callEnd(call, ChatResponse.builder().text("a").build());
    late.firstEvent(call, java.time.Duration.ZERO);
    assertThatThrownBy(late::assertEveryCallEndedOnce).hasMessageContaining("got 'firstEvent' after its terminal event");
  }
}
