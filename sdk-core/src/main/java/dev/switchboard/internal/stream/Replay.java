package dev.switchboard.internal.stream;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatResponse;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.List;

/**
 * Plays a whole answer into a stream as the events a streamed answer would have produced — for
 * servers that answer a stream request with one plain JSON body. Not API.
 */
public final class Replay {
  private Replay() {}

  /** Emits reasoning, text, refusal, tool calls and usage as deltas, then {@code Completed}, then completes. */
  public static void whole(PushChatStream out, ChatResponse response) {
    response.reasoning().ifPresent(r -> out.emit(new ChatEvent.ReasoningDelta(r)));
    if (!response.text().isEmpty()) {
      out.emit(new ChatEvent.TextDelta(response.text()));
    }
    response.refusal().ifPresent(r -> out.emit(new ChatEvent.RefusalDelta(r)));
    List<ToolCall> calls = response.toolCalls();
    for (int i = 0; i < calls.size(); i++) {
      ToolCall c = calls.get(i);
      out.emit(new ChatEvent.ToolCallDelta(i, c.id(), c.name(), c.argumentsJson()));
    }
    if (!response.usage().equals(Usage.ZERO)) {
      out.emit(new ChatEvent.UsageReport(response.usage()));
    }
    out.emit(new ChatEvent.Completed(response));
    out.complete();
  }
}
