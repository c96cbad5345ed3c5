package dev.switchboard.observe;

import dev.switchboard.ChatRequest;
import dev.switchboard.EmbeddingRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One call through a {@link dev.switchboard.Switchboard}: its id (unique in this JVM), its {@link
 * Kind}, the request as the caller sent it, when it started and its deadline. Immutable and
 * thread-safe.
 */
public final class CallInfo {
  /** What kind of call it is. */
  public enum Kind {
    /** {@code chat()} or {@code chatAsync()}. */
    CHAT,
    /** {@code stream()}. */
    STREAM,
    /** {@code embed()} or {@code embedAsync()}: {@link #embeddingRequest()} holds the request. */
    EMBEDDING
  }

  private final long id;
  private final Kind kind;
  private final ChatRequest request;
  private final EmbeddingRequest embeddingRequest;
  private final String model;
  private final boolean streaming;
  private final Instant startedAt;
  private final long startNanos;
  private final Duration timeout;

  public CallInfo(long id, ChatRequest request, boolean streaming, Instant startedAt, long startNanos,
      Duration timeout) {
    this(id, streaming ? Kind.STREAM : Kind.CHAT, request, null, startedAt, startNanos, timeout);
  }

  /** An embedding call. */
  public CallInfo(long id, EmbeddingRequest request, Instant startedAt, long startNanos, Duration timeout) {
    this(id, Kind.EMBEDDING, null, Objects.requireNonNull(request, "request"), startedAt, startNanos, timeout);
  }

  private CallInfo(long id, Kind kind, ChatRequest request, EmbeddingRequest embeddingRequest, Instant startedAt,
      long startNanos, Duration timeout) {
    this.id = id;
    this.kind = kind;
    this.request = request;
    this.embeddingRequest = embeddingRequest;
    this.model = request != null ? request.model() : embeddingRequest.model();
    this.streaming = kind == Kind.STREAM;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.startNanos = startNanos;
    this.timeout = timeout;
  }

  public long id() {
    return id;
  }

  public Kind kind() {
    return kind;
  }

  /** The model string the call was made with (an alias, a route or {@code "provider/model"}). */
  public String model() {
    return model;
  }

  /**
   * The request as the caller sent it, for {@link Kind#CHAT} and {@link Kind#STREAM} calls; an
   * embedding call has its {@link #embeddingRequest()} instead, and this throws {@link
   * IllegalStateException}.
   */
  public ChatRequest request() {
    if (request == null) {
      throw new IllegalStateException("call #" + id + " is an embedding call: use embeddingRequest()");
    }
    return request;
  }

  /** The request of an embedding call. */
  public Optional<EmbeddingRequest> embeddingRequest() {
    return Optional.ofNullable(embeddingRequest);
  }

  public boolean streaming() {
    return streaming;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** The {@link dev.switchboard.Switchboard}'s nano clock reading at the start, for durations. */
  public long startNanos() {
    return startNanos;
  }

  /** The whole call's time limit across retries and fallbacks, if it has one. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /**
   * Time left before the call's deadline at {@code nowNanos} (a reading of the same ticker), or
   * empty when the call has no deadline. Negative once the deadline has passed.
   */
  public Optional<Duration> remaining(long nowNanos) {
    return timeout == null ? Optional.empty() : Optional.of(timeout.minusNanos(nowNanos - startNanos));
  }

  @Override
  public String toString() {
    return "CallInfo[#" + id + ", " + model + (kind == Kind.CHAT ? "" : ", " + kind) + "]";
  }
}
