package dev.switchboard;

import java.util.Objects;

/**
 * One event of a {@link ChatStream}. A successful stream ends with exactly one {@link Completed},
 * which carries the whole answer; everything before it is a delta. Immutable and thread-safe.
 */
public sealed interface ChatEvent
    permits ChatEvent.TextDelta,
        ChatEvent.ReasoningDelta,
        ChatEvent.RefusalDelta,
        ChatEvent.ToolCallDelta,
        ChatEvent.UsageReport,
        ChatEvent.Completed {

  /** A piece of the answer's text. */
  record TextDelta(String text) implements ChatEvent {
    public TextDelta {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A piece of the model's reasoning. */
  record ReasoningDelta(String text) implements ChatEvent {
    public ReasoningDelta {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A piece of a refusal message. */
  record RefusalDelta(String text) implements ChatEvent {
    public RefusalDelta {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * A piece of tool call number {@code index} (0-based, in the order the model started them). The
   * first delta of a call carries its {@code id} and {@code name}; later ones may leave them
   * {@code null} and carry only the next piece of the arguments JSON, {@code argumentsDelta}.
   */
  record ToolCallDelta(int index, String id, String name, String argumentsDelta) implements ChatEvent {
    public ToolCallDelta {
      Objects.requireNonNull(argumentsDelta, "argumentsDelta");
    }
  }

  /** Token usage as reported during the stream (normally once, near the end). */
  record UsageReport(Usage usage) implements ChatEvent {
    public UsageReport {
      Objects.requireNonNull(usage, "usage");
    }
  }

  /** The last event of a successful stream: the whole answer, as {@code chat()} would return it. */
  record Completed(ChatResponse response) implements ChatEvent {
    public Completed {
      Objects.requireNonNull(response, "response");
    }
  }
}
