package dev.switchboard.observe;

import dev.switchboard.ChatRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One call through a {@link dev.switchboard.Switchboard}: its id (unique in this JVM), the request as
 * the caller sent it, whether it streams, when it started and its deadline. Immutable and
 * thread-safe.
 */
public final class CallInfo {
  private final long id;
  private final ChatRequest request;
  private final boolean streaming;
  private final Instant startedAt;
  private final long startNanos;
  private final Duration timeout;

  public CallInfo(long id, ChatRequest request, boolean streaming, Instant startedAt, long startNanos,
      Duration timeout) {
    this.id = id;
    this.request = Objects.requireNonNull(request, "request");
    this.streaming = streaming;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.startNanos = startNanos;
    this.timeout = timeout;
  }

  public long id() {
    return id;
  }

  public ChatRequest request() {
    return request;
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
    return "CallInfo[#" + id + ", " + request.model() + (streaming ? ", stream" : "") + "]";
  }
}
