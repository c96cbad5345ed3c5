package dev.switchboard;

import java.util.Objects;

/**
 * A model's request to call a tool: the id to answer with, the tool name and the arguments as a
 * JSON text (exactly as the model produced it; it may be invalid JSON). Immutable and thread-safe.
 */
public record ToolCall(String id, String name, String argumentsJson) {
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argumentsJson, "argumentsJson");
  }

  public static ToolCall of(String id, String name, String argumentsJson) {
    return new ToolCall(id, name, argumentsJson);
  }
}
