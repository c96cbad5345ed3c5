package dev.switchboard.observe;

import dev.switchboard.ChatRequest;
import java.time.Instant;
import java.util.Objects;

/**
 * One call through a {@link dev.switchboard.Switchboard}: its id (unique in this JVM), the request as
 * the caller sent it, whether it streams, and when it started. Immutable and thread-safe.
 */
public final class CallInfo {
  private final long id;
  private final ChatRequest request;
  private final boolean streaming;
  private final Instant startedAt;
  private final long startNanos;

  public CallInfo(long id, ChatRequest request, boolean streaming, Instant startedAt, long startNanos) {
    this.id = id;
    this.request = Objects.requireNonNull(request, "request");
    this.streaming = streaming;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.startNanos = startNanos;
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

  @Override
  public String toString() {
    return "CallInfo[#" + id + ", " + request.model() + (streaming ? ", stream" : "") + "]";
  }
}
