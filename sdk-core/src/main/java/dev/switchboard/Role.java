package dev.switchboard;

/** Who wrote a {@link Message}. */
public enum Role {
  SYSTEM,
  USER,
  ASSISTANT,
  /** The result of a tool call, answering a {@link ToolCall} by its id. */
  TOOL
}
