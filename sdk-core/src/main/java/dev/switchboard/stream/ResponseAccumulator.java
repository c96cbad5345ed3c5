package dev.switchboard.stream;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Builds the whole answer from stream deltas: text, reasoning, refusal, tool calls merged by index,
 * the last usage report. Used by adapters for the final {@link ChatEvent.Completed} and for the
 * partial response of a broken stream. Not thread-safe.
 */
public final class ResponseAccumulator {
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final StringBuilder refusal = new StringBuilder();
  private final TreeMap<Integer, PendingCall> calls = new TreeMap<>();
  private Usage usage;
  private int events;

  /** Adds one delta; {@link ChatEvent.Completed} is ignored. */
  public void add(ChatEvent event) {
    events++;
    if (event instanceof ChatEvent.TextDelta d) {
      text.append(d.text());
    } else if (event instanceof ChatEvent.ReasoningDelta d) {
      reasoning.append(d.text());
    } else if (event instanceof ChatEvent.RefusalDelta d) {
      refusal.append(d.text());
    } else if (event instanceof ChatEvent.ToolCallDelta d) {
      PendingCall call = calls.computeIfAbsent(d.index(), i -> new PendingCall());
      if (d.id() != null && !d.id().isEmpty()) {
        call.id = d.id();
      }
      if (d.name() != null && !d.name().isEmpty()) {
        call.name = call.name == null ? d.name() : call.name;
      }
      call.arguments.append(d.argumentsDelta());
    } else if (event instanceof ChatEvent.UsageReport u) {
      usage = u.usage();
    }
  }

  /** How many events were added. */
  public int eventCount() {
    return events;
  }

  public boolean hasUsage() {
    return usage != null;
  }

  public String text() {
    return text.toString();
  }

  /** The tool calls so far, in index order; a call without an id gets {@code call_<index>}. */
  public List<ToolCall> toolCalls() {
    List<ToolCall> out = new ArrayList<>(calls.size());
    calls.forEach((index, c) -> out.add(new ToolCall(
        c.id != null ? c.id : "call_" + index, c.name != null ? c.name : "", c.arguments.toString())));
    return out;
  }

  /** A response builder holding everything accumulated; the caller adds ids and finish reason. */
  public ChatResponse.Builder toResponseBuilder() {
    ChatResponse.Builder b = ChatResponse.builder()
        .text(text.toString())
        .toolCalls(toolCalls())
        .usage(usage != null ? usage : Usage.ZERO);
    if (reasoning.length() > 0) {
      b.reasoning(reasoning.toString());
    }
    if (refusal.length() > 0) {
      b.refusal(refusal.toString());
    }
    return b;
  }

  /** What arrived so far, as the partial response of a broken stream. */
  public ChatResponse partial(String provider, String model) {
    return toResponseBuilder().provider(provider).model(model).finishReason(FinishReason.OTHER).build();
  }

  private static final class PendingCall {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }
}
