package dev.switchboard.testkit.internal;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeMap;

/** Converts between a whole {@link ChatResponse} and the stream events that carry it. Stateless. */
public final class EventScript {
  private EventScript() {}

  /** Text deltas word by word, reasoning, refusal, one delta per tool call, usage, then Completed. */
  public static List<ChatEvent> eventsOf(ChatResponse response) {
    List<ChatEvent> events = new ArrayList<>();
    response.reasoning().ifPresent(r -> {
      for (String piece : TextPieces.text(r, OptionalInt.empty())) {
        events.add(new ChatEvent.ReasoningDelta(piece));
      }
    });
    for (String piece : TextPieces.text(response.text(), OptionalInt.empty())) {
      events.add(new ChatEvent.TextDelta(piece));
    }
    response.refusal().ifPresent(r -> {
      for (String piece : TextPieces.text(r, OptionalInt.empty())) {
        events.add(new ChatEvent.RefusalDelta(piece));
      }
    });
    List<ToolCall> calls = response.toolCalls();
    for (int i = 0; i < calls.size(); i++) {
      ToolCall call = calls.get(i);
      events.add(new ChatEvent.ToolCallDelta(i, call.id(), call.name(), call.argumentsJson()));
    }
    events.add(new ChatEvent.UsageReport(response.usage()));
    events.add(new ChatEvent.Completed(response));
    return events;
  }

  /**
   * The response that {@code deltas} add up to, as an adapter would build it: text, reasoning,
   * refusal, tool calls merged by index, the last usage report; finish reason from the content.
   */
  public static ChatResponse responseOf(List<ChatEvent> deltas, String provider, String model) {
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    StringBuilder refusal = new StringBuilder();
    TreeMap<Integer, String[]> calls = new TreeMap<>();
    Usage usage = Usage.ZERO;
    for (ChatEvent event : deltas) {
      if (event instanceof ChatEvent.TextDelta d) {
        text.append(d.text());
      } else if (event instanceof ChatEvent.ReasoningDelta d) {
        reasoning.append(d.text());
      } else if (event instanceof ChatEvent.RefusalDelta d) {
        refusal.append(d.text());
      } else if (event instanceof ChatEvent.ToolCallDelta d) {
        String[] call = calls.computeIfAbsent(d.index(), i -> new String[] {"call_" + i, "", ""});
        if (d.id() != null && !d.id().isEmpty()) {
          call[0] = d.id();
        }
        if (d.name() != null && !d.name().isEmpty()) {
          call[1] = d.name();
        }
        call[2] = call[2] + d.argumentsDelta();
      } else if (event instanceof ChatEvent.UsageReport u) {
        usage = u.usage();
      }
    }
    ChatResponse.Builder b = ChatResponse.builder()
        .provider(provider)
        .model(model)
        .text(text.toString())
        .usage(usage)
        .finishReason(calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS);
    calls.values().forEach(c -> b.addToolCall(ToolCall.of(c[0], c[1], c[2])));
    if (reasoning.length() > 0) {
      b.reasoning(reasoning.toString());
    }
    if (refusal.length() > 0) {
      b.refusal(refusal.toString());
    }
    return b.build();
  }
}
