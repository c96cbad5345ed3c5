package dev.switchboard.resilience;

import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.CallContext;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Time limits on one streamed attempt, each reported to the listeners as a {@link
 * dev.switchboard.observe.TimeoutKind} before the stream ends:
 *
 * <ul>
 *   <li><b>first event</b> ({@code FIRST_EVENT}): no event within this time closes the exchange
 *       with a retryable {@link ChatTimeoutException}, so a retry or a fallback can take over;
 *   <li><b>idle</b> ({@code IDLE}): after the first event, this long without another while the
 *       consumer waits closes it with a {@link ChatStreamException} holding what had arrived;
 *   <li><b>slow stream</b> ({@code SLOW_STREAM}): slower than a minimum token rate over a probe
 *       window after the first event abandons it. Events are held back during the window, so an
 *       abandoned stream has shown the caller nothing; costs the window's latency on every stream.
 * </ul>
 *
 * <p>These sit above the transport's own idle timeout between bytes (120 s by default, see {@link
 * dev.switchboard.spi.http.HttpTransport}), which ends every stream without any configuration.
 * Timers run on the call's {@link dev.switchboard.spi.Scheduler}, so a manual clock drives them in
 * tests. Immutable; thread-safe; {@link #none()} imposes nothing.
 */
public final class StreamTimeouts {
  private static final StreamTimeouts NONE = new StreamTimeouts(new Builder());

  private final Duration firstEvent;
  private final Duration idle;
  private final double minTokensPerSecond;
  private final Duration probeWindow;

  private StreamTimeouts(Builder b) {
    this.firstEvent = b.firstEvent;
    this.idle = b.idle;
    this.minTokensPerSecond = b.minTokensPerSecond;
    this.probeWindow = b.probeWindow;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** No limits beyond the transport's. */
  public static StreamTimeouts none() {
    return NONE;
  }

  public Optional<Duration> firstEvent() {
    return Optional.ofNullable(firstEvent);
  }

  public Optional<Duration> idle() {
    return Optional.ofNullable(idle);
  }

  /** The minimum speed in (estimated) tokens per second, if a slow-stream probe is set. */
  public OptionalDouble minTokensPerSecond() {
    return probeWindow == null ? OptionalDouble.empty() : OptionalDouble.of(minTokensPerSecond);
  }

  public Optional<Duration> probeWindow() {
    return Optional.ofNullable(probeWindow);
  }

  /** Whether this imposes no limit, so {@link #apply} returns its stream unchanged. */
  public boolean isNone() {
    return firstEvent == null && idle == null && probeWindow == null;
  }

  /**
   * {@code attempt} with these limits, timed on {@code context}'s scheduler and ticker and
   * reported to its listeners; {@code target} names the model in the errors.
   */
  public ChatStream apply(ChatStream attempt, CallContext context, ModelRef target) {
    ChatStream out = attempt;
    if (firstEvent != null || idle != null) {
      out = new TimedStream(out, firstEvent, idle, context.scheduler(), context.call(), context.events(),
          target.provider(), target.model());
    }
    if (probeWindow != null) {
      out = new ProbedStream(out, minTokensPerSecond, probeWindow, context.scheduler(), context.ticker(),
          context.call(), context.events(), target.provider(), target.model());
    }
    return out;
  }

  @Override
  public String toString() {
    return "StreamTimeouts[firstEvent=" + firstEvent + ", idle=" + idle
        + (probeWindow == null ? "" : ", minTokensPerSecond=" + minTokensPerSecond + " over " + probeWindow) + "]";
  }

  /** Not thread-safe. Every setter validates its value. */
  public static final class Builder {
    private Duration firstEvent;
    private Duration idle;
    private double minTokensPerSecond;
    private Duration probeWindow;

    private Builder() {}

    /** A stream that sends no first event within this time is closed with a retryable timeout. */
    public Builder firstEvent(Duration timeout) {
      this.firstEvent = positive(timeout, "firstEvent timeout");
      return this;
    }

    /** A stream that goes silent this long between events, while the consumer waits, is closed. */
    public Builder idle(Duration timeout) {
      this.idle = positive(timeout, "idle timeout");
      return this;
    }

    /** Abandons a stream slower than {@code minTokensPerSecond} over {@code probeWindow} after its first event. */
    public Builder minSpeed(double minTokensPerSecond, Duration probeWindow) {
      if (!(minTokensPerSecond > 0) || Double.isInfinite(minTokensPerSecond)) {
        throw new IllegalArgumentException("minStreamSpeed needs tokens per second > 0, got " + minTokensPerSecond);
      }
      this.minTokensPerSecond = minTokensPerSecond;
      this.probeWindow = positive(probeWindow, "probeWindow");
      return this;
    }

    public StreamTimeouts build() {
      return new StreamTimeouts(this);
    }

    static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
