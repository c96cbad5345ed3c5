package dev.switchboard;

import java.util.Objects;
import java.util.Optional;

/** Whether and which tool the model must call. Immutable and thread-safe. */
public final class ToolChoice {
  public enum Mode {
    AUTO,
    NONE,
    REQUIRED,
    NAMED
  }

  public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
  public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
  public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

  private final Mode mode;
  private final String toolName;

  private ToolChoice(Mode mode, String toolName) {
    this.mode = mode;
    this.toolName = toolName;
  }

  /** The model must call the tool with this name. */
  public static ToolChoice named(String toolName) {
    return new ToolChoice(Mode.NAMED, Objects.requireNonNull(toolName, "toolName"));
  }

  public Mode mode() {
    return mode;
  }

  public Optional<String> toolName() {
    return Optional.ofNullable(toolName);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolChoice t && mode == t.mode && Objects.equals(toolName, t.toolName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, toolName);
  }

  @Override
  public String toString() {
    return toolName == null ? "ToolChoice[" + mode + "]" : "ToolChoice[" + toolName + "]";
  }
}
