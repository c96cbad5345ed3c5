package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failed, known-up-front and replayed streams. */
@Timeout(10)
class ChatStreamsTest {
  private static final ChatResponse FULL = ChatResponse.builder().provider("p").model("m").text("answer")
      .reasoning("thinking").refusal("no").addToolCall(ToolCall.of("c1", "search", "{\"q\":1}"))
      .addToolCall(ToolCall.of("c2", "fetch", "{}")).usage(Usage.of(3, 4)).build();

  @Test
  void failed_throwsAtTheFirstPoll_thenIsFinished() {
    ChatException boom = serverError();
    ChatStream stream = ChatStreams.failed(boom);
    assertThat(stream.isFinished()).isFalse();
    assertThatThrownBy(stream::poll).isSameAs(boom);
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(stream.attempts()).isEmpty();
    assertThatThrownBy(() -> ChatStreams.failed(null)).isInstanceOf(NullPointerException.class).hasMessage("error");
  }

  @Test
  void of_handsOutTheEventsInOrder_thenEnds() {
    List<ChatEvent> events = new ArrayList<>(List.of(new ChatEvent.TextDelta("a"), new ChatEvent.TextDelta("b")));
    ChatStream stream = ChatStreams.of(events, null);
    events.clear();

    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("a"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("b"));
    assertThat(stream.isFinished()).isFalse();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
  }

  @Test
  void of_withAFailure_throwsItAfterTheEvents_once() {
    ChatException boom = serverError();
    ChatStream stream = ChatStreams.of(List.of(new ChatEvent.TextDelta("a")), boom);
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("a"));
    assertThatThrownBy(stream::poll).isSameAs(boom);
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
  }

  @Test
  void aKnownStream_isAlwaysReady_andCloseEndsIt() {
    ChatStream stream = ChatStreams.of(List.of(new ChatEvent.TextDelta("a")), serverError());
    AtomicInteger ready = new AtomicInteger();
    stream.onReady(ready::incrementAndGet);
    assertThat(ready).hasValue(1);

    stream.close();
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).as("neither the event nor the failure after close").isNull();
  }

  @Test
  void eventsOf_aFullAnswer_reasoningTextRefusalToolCallsUsage_thenCompleted() {
    assertThat(ChatStreams.eventsOf(FULL)).containsExactly(
        new ChatEvent.ReasoningDelta("thinking"),
        new ChatEvent.TextDelta("answer"),
        new ChatEvent.RefusalDelta("no"),
        new ChatEvent.ToolCallDelta(0, "c1", "search", "{\"q\":1}"),
        new ChatEvent.ToolCallDelta(1, "c2", "fetch", "{}"),
        new ChatEvent.UsageReport(Usage.of(3, 4)),
        new ChatEvent.Completed(FULL));
  }

  @Test
  void eventsOf_anEmptyAnswer_isOnlyCompleted() {
    ChatResponse empty = ChatResponse.builder().build();
    assertThat(ChatStreams.eventsOf(empty)).containsExactly(new ChatEvent.Completed(empty));
  }

  @Test
  void replay_isTheEventsOfTheAnswer_andCollectsBackToIt() {
    ChatStream stream = ChatStreams.replay(FULL);
    List<ChatEvent> seen = new ArrayList<>();
    ChatEvent e;
    while ((e = stream.poll()) != null) {
      seen.add(e);
    }
    assertThat(seen).isEqualTo(ChatStreams.eventsOf(FULL));
    assertThat(stream.isFinished()).isTrue();
    assertThat(ChatStreams.replay(FULL).collect()).isEqualTo(FULL);
  }

  @Test
  void replayInto_emitsTheEvents_andCompletesThePushStream() {
    PushChatStream out = new PushChatStream();
    ChatStreams.replayInto(out, FULL);
    List<ChatEvent> seen = new ArrayList<>();
    ChatEvent e;
    while ((e = out.poll()) != null) {
      seen.add(e);
    }
    assertThat(seen).isEqualTo(ChatStreams.eventsOf(FULL));
    assertThat(out.isFinished()).as("completed, so it ends").isTrue();
  }

  @Test
  void closedByCaller_saysSo_andIsNotRetryable() {
    ChatException e = ChatStreams.closedByCaller();
    assertThat(e).hasMessage("the stream was closed before it completed");
    assertThat(e.provider()).isEmpty();
    assertThat(e.model()).isEmpty();
    assertThat(e.isRetryable()).isFalse();
  }

  private static ChatException serverError() {
    return new ServerException("boom", ErrorDetails.builder().provider("p").model("m").statusCode(500).retryable(true)
        .build());
  }
}
