package dev.switchboard.testkit;

import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One scripted answer of a {@link ProviderEmulator}, written once and rendered in whichever wire
 * protocol the emulator speaks, streamed or not, as the request asks. Immutable and thread-safe.
 *
 * <p>A reply is one of four {@linkplain Kind kinds}:
 *
 * <ul>
 *   <li>an answer: text, tool calls, reasoning, refusal, finish reason, usage, model name;
 *   <li>an error by provider-neutral {@link ErrorKind}, optionally with a retry-after hint;
 *   <li>a raw HTTP response, sent exactly as given;
 *   <li>a transport {@link Fault}; the two stream faults first send the reply's text in good
 *       chunks.
 * </ul>
 *
 * <pre>{@code
 * emulator.enqueue(Reply.text("Hello"));
 * emulator.enqueue(Reply.builder()
 *     .addToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")
 *     .usage(Usage.builder().inputTokens(120).cachedInputTokens(100).outputTokens(15).build())
 *     .streamPieces(12)
 *     .build());
 * emulator.enqueue(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(7)));
 * emulator.enqueue(Reply.fault(Fault.CONNECTION_RESET));
 * }</pre>
 *
 * <p>Left unset, the finish reason follows the content ({@link FinishReason#TOOL_CALLS} when there
 * are tool calls, else {@link FinishReason#STOP}), the model is the one the request named, and
 * usage is estimated from the text at about four characters per token.
 */
public final class Reply {

  /** What a reply makes the emulator do. */
  public enum Kind {
    ANSWER,
    ERROR,
    RAW,
    FAULT
  }

  /** A raw HTTP response: status, headers and body, sent as given. */
  public record Raw(int status, Map<String, String> headers, String body) {
    public Raw {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("Reply.raw status must be within [100, 599], got " + status);
      }
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
      Objects.requireNonNull(body, "body");
    }
  }

  private final String text;
  private final List<ToolCall> toolCalls;
  private final String reasoning;
  private final String refusal;
  private final FinishReason finishReason;
  private final boolean finishReasonSet;
  private final String rawFinishReason;
  private final Usage usage;
  private final String model;
  private final Integer streamPieces;
  private final Duration delay;
  private final Duration stallAfterFirstEvent;
  private final int fragmentBytes;
  private final ErrorKind errorKind;
  private final Duration retryAfter;
  private final Raw raw;
  private final Fault fault;

  private Reply(Builder b) {
    this.text = b.text;
    this.toolCalls = List.copyOf(b.toolCalls);
    this.reasoning = b.reasoning;
    this.refusal = b.refusal;
    this.finishReasonSet = b.finishReason != null;
    this.finishReason = b.finishReason != null ? b.finishReason
        : toolCalls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS;
    this.rawFinishReason = b.rawFinishReason;
    this.usage = b.usage;
    this.model = b.model;
    this.streamPieces = b.streamPieces;
    this.delay = b.delay;
    this.stallAfterFirstEvent = b.stallAfterFirstEvent;
    this.fragmentBytes = b.fragmentBytes;
    this.errorKind = b.errorKind;
    this.retryAfter = b.retryAfter;
    this.raw = b.raw;
    this.fault = b.fault;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An answer with this text. */
  public static Reply text(String text) {
    return builder().text(text).build();
  }

  /** An answer asking for these tool calls, in this order. */
  public static Reply toolCalls(ToolCall... calls) {
    return builder().toolCalls(Arrays.asList(calls)).build();
  }

  /** The error {@code kind}, rendered as the emulated provider sends it. */
  public static Reply error(ErrorKind kind) {
    return builder().error(kind).build();
  }

  /** The error {@code kind} with a retry-after hint (sent as the provider's retry-after headers). */
  public static Reply error(ErrorKind kind, Duration retryAfter) {
    return builder().error(kind).retryAfter(retryAfter).build();
  }

  /** Exactly this HTTP response. */
  public static Reply raw(int status, Map<String, String> headers, String body) {
    return builder().raw(status, headers, body).build();
  }

  /** A transport fault; see {@link Fault}. */
  public static Reply fault(Fault fault) {
    return builder().fault(fault).build();
  }

  public Kind kind() {
    if (errorKind != null) {
      return Kind.ERROR;
    }
    if (raw != null) {
      return Kind.RAW;
    }
    return fault != null ? Kind.FAULT : Kind.ANSWER;
  }

  /** The answer's text; empty when it has none. */
  public String text() {
    return text;
  }

  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  public Optional<String> reasoning() {
    return Optional.ofNullable(reasoning);
  }

  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** The finish reason as set, or as derived from the content when unset. */
  public FinishReason finishReason() {
    return finishReason;
  }

  /** The provider's own finish word to send instead of the renderer's word for {@link #finishReason()}. */
  public Optional<String> rawFinishReason() {
    return Optional.ofNullable(rawFinishReason);
  }

  /** The usage to report; empty means "estimate it from the text". */
  public Optional<Usage> usage() {
    return Optional.ofNullable(usage);
  }

  /** The model name to report; empty means "the model the request named". */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /**
   * Into how many pieces a stream splits the text and each tool call's arguments; empty means
   * naturally (text word by word, arguments a few characters at a time).
   */
  public OptionalInt streamPieces() {
    return streamPieces == null ? OptionalInt.empty() : OptionalInt.of(streamPieces);
  }

  /** How long the emulator waits before it starts the response. */
  public Duration delay() {
    return delay;
  }

  /**
   * For a streamed answer: how long the emulator holds the rest of the stream back after sending
   * the first event (zero: no stall). A stalled stream, as servers under load produce them.
   */
  public Duration stallAfterFirstEvent() {
    return stallAfterFirstEvent;
  }

  /**
   * The size of the pieces the body is written in, a millisecond apart (0: as the server likes), so
   * that a reader gets events and multi-byte characters cut across reads.
   */
  public int fragmentBytes() {
    return fragmentBytes;
  }

  public Optional<ErrorKind> errorKind() {
    return Optional.ofNullable(errorKind);
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public Optional<Raw> raw() {
    return Optional.ofNullable(raw);
  }

  public Optional<Fault> fault() {
    return Optional.ofNullable(fault);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.text = text;
    b.toolCalls.addAll(toolCalls);
    b.reasoning = reasoning;
    b.refusal = refusal;
    b.finishReason = finishReasonSet ? finishReason : null;
    b.rawFinishReason = rawFinishReason;
    b.usage = usage;
    b.model = model;
    b.streamPieces = streamPieces;
    b.delay = delay;
    b.stallAfterFirstEvent = stallAfterFirstEvent;
    b.fragmentBytes = fragmentBytes;
    b.errorKind = errorKind;
    b.retryAfter = retryAfter;
    b.raw = raw;
    b.fault = fault;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reply r
        && text.equals(r.text)
        && toolCalls.equals(r.toolCalls)
        && Objects.equals(reasoning, r.reasoning)
        && Objects.equals(refusal, r.refusal)
        && finishReason == r.finishReason
        && finishReasonSet == r.finishReasonSet
        && Objects.equals(rawFinishReason, r.rawFinishReason)
        && Objects.equals(usage, r.usage)
        && Objects.equals(model, r.model)
        && Objects.equals(streamPieces, r.streamPieces)
        && delay.equals(r.delay)
        && stallAfterFirstEvent.equals(r.stallAfterFirstEvent)
        && errorKind == r.errorKind
        && Objects.equals(retryAfter, r.retryAfter)
        && Objects.equals(raw, r.raw)
        && fault == r.fault;
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, toolCalls, reasoning, refusal, finishReason, finishReasonSet, rawFinishReason, usage,
        model, streamPieces, delay, stallAfterFirstEvent, errorKind, retryAfter, raw, fault);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Reply[").append(kind());
    switch (kind()) {
      case ERROR:
        sb.append(' ').append(errorKind);
        if (retryAfter != null) {
          sb.append(", retryAfter=").append(retryAfter);
        }
        break;
      case RAW:
        sb.append(' ').append(raw.status());
        break;
      case FAULT:
        sb.append(' ').append(fault);
        break;
      default:
        sb.append(' ').append(finishReason);
        break;
    }
    if (!text.isEmpty()) {
      sb.append(", text=").append(text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }
    if (!toolCalls.isEmpty()) {
      sb.append(", toolCalls=").append(toolCalls.size());
    }
    if (reasoning != null) {
      sb.append(", reasoning");
    }
    if (refusal != null) {
      sb.append(", refusal");
    }
    if (usage != null) {
      sb.append(", ").append(usage);
    }
    if (!delay.isZero()) {
      sb.append(", delay=").append(delay);
    }
    if (!stallAfterFirstEvent.isZero()) {
      sb.append(", stallAfterFirstEvent=").append(stallAfterFirstEvent);
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. {@link #build()} checks that the fields make one kind of reply. */
  public static final class Builder {
    private String text = "";
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private String reasoning;
    private String refusal;
    private FinishReason finishReason;
    private String rawFinishReason;
    private Usage usage;
    private String model;
    private Integer streamPieces;
    private Duration delay = Duration.ZERO;
    private Duration stallAfterFirstEvent = Duration.ZERO;
    private int fragmentBytes;
    private ErrorKind errorKind;
    private Duration retryAfter;
    private Raw raw;
    private Fault fault;

    private Builder() {}

    public Builder text(String text) {
      this.text = Objects.requireNonNull(text, "text");
      return this;
    }

    public Builder toolCalls(List<ToolCall> toolCalls) {
      this.toolCalls.clear();
      toolCalls.forEach(this::addToolCall);
      return this;
    }

    public Builder addToolCall(ToolCall toolCall) {
      this.toolCalls.add(Objects.requireNonNull(toolCall, "toolCall"));
      return this;
    }

    public Builder addToolCall(String id, String name, String argumentsJson) {
      return addToolCall(ToolCall.of(id, name, argumentsJson));
    }

    public Builder reasoning(String reasoning) {
      this.reasoning = reasoning;
      return this;
    }

    public Builder refusal(String refusal) {
      this.refusal = refusal;
      return this;
    }

    public Builder finishReason(FinishReason finishReason) {
      this.finishReason = Objects.requireNonNull(finishReason, "finishReason");
      this.rawFinishReason = null;
      return this;
    }

    /** The normalized reason and the provider's own word to send for it, e.g. {@code OTHER, "eos_token"}. */
    public Builder finishReason(FinishReason finishReason, String rawWord) {
      this.finishReason = Objects.requireNonNull(finishReason, "finishReason");
      this.rawFinishReason = Objects.requireNonNull(rawWord, "rawWord");
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = usage;
      return this;
    }

    /**
     * Usage with only input and output tokens; for cached input (part of input) and reasoning (part
     * of output), pass a {@link Usage} built with named fields.
     */
    public Builder usage(long inputTokens, long outputTokens) {
      return usage(Usage.of(inputTokens, outputTokens));
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Streams split the text, and each tool call's arguments, into {@code pieces} (at least 1). */
    public Builder streamPieces(int pieces) {
      this.streamPieces = pieces;
      return this;
    }

    public Builder delay(Duration delay) {
      this.delay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /**
     * Writes the body in pieces of {@code bytes}, a millisecond apart, so that a reader gets SSE
     * events, NDJSON lines and UTF-8 characters cut across reads (at most 2,000 pieces).
     */
    public Builder fragmentBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("fragmentBytes must be >= 1, got " + bytes);
      }
      this.fragmentBytes = bytes;
      return this;
    }

    /** Streams only: after the first event, hold the rest back for {@code stall}. */
    public Builder stallAfterFirstEvent(Duration stall) {
      this.stallAfterFirstEvent = Objects.requireNonNull(stall, "stall");
      return this;
    }

    public Builder error(ErrorKind kind) {
      this.errorKind = kind;
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    public Builder raw(int status, Map<String, String> headers, String body) {
      this.raw = new Raw(status, headers, body);
      return this;
    }

    public Builder fault(Fault fault) {
      this.fault = fault;
      return this;
    }

    public Reply build() {
      List<String> kinds = new ArrayList<>();
      if (errorKind != null) {
        kinds.add("error(" + errorKind + ")");
      }
      if (raw != null) {
        kinds.add("raw(" + raw.status() + ")");
      }
      if (fault != null) {
        kinds.add("fault(" + fault + ")");
      }
      if (kinds.size() > 1) {
        throw new IllegalArgumentException("a Reply is one of an answer, an error, a raw response or a fault; got "
            + String.join(" and ", kinds));
      }
      if (errorKind != null || raw != null) {
        String what = errorKind != null ? "an error reply" : "a raw reply";
        requireUnset(!text.isEmpty(), "text", what);
        requireUnset(!toolCalls.isEmpty(), "toolCalls", what);
        requireUnset(reasoning != null, "reasoning", what);
        requireUnset(refusal != null, "refusal", what);
        requireUnset(finishReason != null, "finishReason", what);
        requireUnset(usage != null, "usage", what);
        requireUnset(streamPieces != null, "streamPieces", what);
      }
      if (retryAfter != null && errorKind == null) {
        throw new IllegalArgumentException("Reply.retryAfter needs an error kind: use Reply.error(kind, retryAfter)");
      }
      if (retryAfter != null && (retryAfter.isNegative() || retryAfter.isZero())) {
        throw new IllegalArgumentException("Reply.retryAfter must be positive, got " + retryAfter);
      }
      if (streamPieces != null && streamPieces < 1) {
        throw new IllegalArgumentException("Reply.streamPieces must be >= 1, got " + streamPieces);
      }
      if (delay.isNegative()) {
        throw new IllegalArgumentException("Reply.delay must not be negative, got " + delay);
      }
      if (stallAfterFirstEvent.isNegative()) {
        throw new IllegalArgumentException("Reply.stallAfterFirstEvent must not be negative, got "
            + stallAfterFirstEvent);
      }
      return new Reply(this);
    }

    private static void requireUnset(boolean set, String field, String what) {
      if (set) {
        throw new IllegalArgumentException("Reply." + field + " has no meaning in " + what
            + "; only delay and model may be set with it");
      }
    }
  }
}
