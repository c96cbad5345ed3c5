package dev.switchboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One turn of a conversation. Immutable and thread-safe; build with the static factories or
 * {@link #builder(Role)}.
 *
 * <p>An assistant message may carry {@link #toolCalls()} and the model's {@link #thinking()} (its
 * reasoning, with the provider's opaque signature where it gives one); a {@link Role#TOOL} message
 * answers one tool call and names it with {@link #toolCallId()}. Send an answer's {@link
 * ChatResponse#message()} back as the assistant turn of a tool loop and the thinking goes with it
 * where the provider requires it (Anthropic with thinking on), and is left out where the provider
 * rejects it (DeepSeek's {@code reasoning_content}).
 */
public final class Message {
  private final Role role;
  private final List<ContentPart> parts;
  private final List<ToolCall> toolCalls;
  private final String toolCallId;
  private final String name;
  private final List<Thinking> thinking;

  /**
   * One block of the model's reasoning, as the provider gave it: its text and signature (Anthropic
   * {@code thinking}), or, for reasoning the provider redacted, only the opaque {@code
   * redactedData} (Anthropic {@code redacted_thinking}).
   *
   * @param text the reasoning, "" when redacted
   * @param signature the provider's signature of it, or {@code null}
   * @param redactedData the encrypted reasoning of a redacted block, or {@code null}
   */
  public record Thinking(String text, String signature, String redactedData) {
    public Thinking {
      Objects.requireNonNull(text, "text");
    }

    /** A redacted block: its data only. */
    public static Thinking redacted(String data) {
      return new Thinking("", null, Objects.requireNonNull(data, "data"));
    }

    public boolean isRedacted() {
      return redactedData != null;
    }

    @Override
    public String toString() {
      return isRedacted() ? "Thinking[redacted]" : "Thinking[" + text.length() + " chars"
          + (signature == null ? "" : ", signed") + "]";
    }
  }

  private Message(Builder b) {
    this.role = b.role;
    this.parts = List.copyOf(b.parts);
    this.toolCalls = List.copyOf(b.toolCalls);
    this.toolCallId = b.toolCallId;
    this.name = b.name;
    this.thinking = List.copyOf(b.thinking);
  }

  public static Message system(String text) {
    return builder(Role.SYSTEM).text(text).build();
  }

  public static Message user(String text) {
    return builder(Role.USER).text(text).build();
  }

  public static Message user(ContentPart... parts) {
    return builder(Role.USER).parts(Arrays.asList(parts)).build();
  }

  public static Message assistant(String text) {
    return builder(Role.ASSISTANT).text(text).build();
  }

  /** An assistant turn that asked for tool calls (and may have said something too). */
  public static Message assistant(String text, List<ToolCall> toolCalls) {
    Builder b = builder(Role.ASSISTANT).toolCalls(toolCalls);
    if (text != null && !text.isEmpty()) {
      b.text(text);
    }
    return b.build();
  }

  /** The result of the tool call with id {@code toolCallId}. */
  public static Message toolResult(String toolCallId, String content) {
    return builder(Role.TOOL).toolCallId(toolCallId).text(content).build();
  }

  public static Builder builder(Role role) {
    return new Builder(role);
  }

  public Role role() {
    return role;
  }

  public List<ContentPart> parts() {
    return parts;
  }

  /** The text parts joined together; empty when there are none. */
  public String text() {
    if (parts.size() == 1 && parts.get(0) instanceof ContentPart.Text t) {
      return t.text();
    }
    StringBuilder sb = new StringBuilder();
    for (ContentPart part : parts) {
      if (part instanceof ContentPart.Text t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  public boolean hasImages() {
    for (ContentPart part : parts) {
      if (part instanceof ContentPart.Image) {
        return true;
      }
    }
    return false;
  }

  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  public Optional<String> toolCallId() {
    return Optional.ofNullable(toolCallId);
  }

  /** An optional participant name, for providers that support it. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** The model's reasoning blocks of an assistant turn, in order; empty for other turns. */
  public List<Thinking> thinking() {
    return thinking;
  }

  public Builder toBuilder() {
    Builder b = new Builder(role).parts(parts).toolCalls(toolCalls);
    b.toolCallId = toolCallId;
    b.name = name;
    b.thinking.addAll(thinking);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m
        && role == m.role
        && parts.equals(m.parts)
        && toolCalls.equals(m.toolCalls)
        && Objects.equals(toolCallId, m.toolCallId)
        && Objects.equals(name, m.name)
        && thinking.equals(m.thinking);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, parts, toolCalls, toolCallId, name, thinking);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Message[").append(role);
    String text = text();
    if (!text.isEmpty()) {
      sb.append(", text=").append(text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }
    if (hasImages()) {
      sb.append(", images");
    }
    if (!toolCalls.isEmpty()) {
      sb.append(", toolCalls=").append(toolCalls.size());
    }
    if (toolCallId != null) {
      sb.append(", toolCallId=").append(toolCallId);
    }
    if (!thinking.isEmpty()) {
      sb.append(", thinking=").append(thinking.size());
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final Role role;
    private final List<ContentPart> parts = new ArrayList<>();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private String toolCallId;
    private String name;
    private final List<Thinking> thinking = new ArrayList<>();

    private Builder(Role role) {
      this.role = Objects.requireNonNull(role, "role");
    }

    public Builder text(String text) {
      parts.add(ContentPart.text(text));
      return this;
    }

    public Builder part(ContentPart part) {
      parts.add(Objects.requireNonNull(part, "part"));
      return this;
    }

    public Builder parts(List<? extends ContentPart> parts) {
      this.parts.clear();
      for (ContentPart p : parts) {
        part(p);
      }
      return this;
    }

    public Builder toolCalls(List<ToolCall> toolCalls) {
      this.toolCalls.clear();
      for (ToolCall c : toolCalls) {
        this.toolCalls.add(Objects.requireNonNull(c, "toolCall"));
      }
      return this;
    }

    public Builder toolCallId(String toolCallId) {
      this.toolCallId = toolCallId;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** A reasoning block of an assistant turn. */
    public Builder addThinking(Thinking block) {
      thinking.add(Objects.requireNonNull(block, "thinking"));
      return this;
    }

    public Builder thinking(List<Thinking> blocks) {
      thinking.clear();
      blocks.forEach(this::addThinking);
      return this;
    }

    public Message build() {
      if (role == Role.TOOL && toolCallId == null) {
        throw new IllegalArgumentException("a TOOL message needs the toolCallId of the call it answers");
      }
      if (role != Role.TOOL && toolCallId != null) {
        throw new IllegalArgumentException("only a TOOL message has a toolCallId, this one is " + role);
      }
      if (!thinking.isEmpty() && role != Role.ASSISTANT) {
        throw new IllegalArgumentException("only an ASSISTANT message carries thinking, this one is " + role);
      }
      if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
        throw new IllegalArgumentException("only an ASSISTANT message carries toolCalls, this one is " + role);
      }
      if (role != Role.USER && role != Role.ASSISTANT && hasImage()) {
        throw new IllegalArgumentException("images belong in USER messages, this one is " + role);
      }
      return new Message(this);
    }

    private boolean hasImage() {
      for (ContentPart p : parts) {
        if (p instanceof ContentPart.Image) {
          return true;
        }
      }
      return false;
    }
  }
}
