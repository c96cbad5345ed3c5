package dev.switchboard.resilience;

import dev.failsafe.Execution;
import dev.switchboard.ChatException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * When a failed attempt is tried again, and after how long. Retryable failures only ({@link
 * #retryOn}, by default {@link ChatException#isRetryable()}: connection errors, 408, 409, 429 rate
 * limits, 5xx, 529 — never 400/401/403/404 or 429 insufficient-quota), up to {@link #maxAttempts}
 * attempts, exponential back-off with jitter (computed by a Failsafe {@code RetryPolicy}), and the
 * provider's {@code retry-after} hint when it is longer. A hint longer than {@link #maxRetryAfter}
 * or than what is left of the call's deadline is not waited for: the failure goes out at once so
 * that a {@link Fallback} can move on.
 *
 * <p>The same policy decides for calls, streams (before their first event) and embeddings; {@link
 * Resilience} runs the attempts. Immutable and thread-safe; each call walks its own {@link Retries}.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double jitter;
  private final Duration maxRetryAfter;
  private final Predicate<ChatException> retryOn;
  private final dev.failsafe.RetryPolicy<Object> backoff;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.maxRetryAfter = b.maxRetryAfter;
    this.retryOn = b.retryOn;
    var policy = dev.failsafe.RetryPolicy.builder()
        .handleIf((Object r, Throwable e) -> e instanceof ChatException ce && retryOn.test(ce))
        .withMaxAttempts(maxAttempts);
    if (initialBackoff.equals(maxBackoff)) {
      policy.withDelay(initialBackoff);
    } else {
      policy.withBackoff(initialBackoff, maxBackoff);
    }
    if (jitter > 0) {
      policy.withJitter(jitter);
    }
    this.backoff = policy.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Three attempts, 500 ms doubling back-off up to 8 s with 20% jitter, retry-after honoured up to 30 s. */
  public static RetryPolicy ofDefaults() {
    return builder().build();
  }

  /** A policy that never retries. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public double jitter() {
    return jitter;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /** Whether {@code failure} is of a kind this policy retries at all. */
  public boolean retries(ChatException failure) {
    return retryOn.test(failure);
  }

  /** The state of one call's attempts under this policy. */
  public Retries start() {
    return new Retries();
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff + ", jitter="
        + jitter + ", maxRetryAfter=" + maxRetryAfter + "]";
  }

  /**
   * One call's attempts: after each failed attempt, {@link #next} says whether and when to try
   * again. Used by one retry loop at a time (not thread-safe).
   */
  public final class Retries {
    private final Execution<Object> execution = Execution.of(backoff);
    private int attempts = 1;
    private boolean over;

    private Retries() {}

    /** The number of the attempt running now, 1-based. */
    public int attempt() {
      return attempts;
    }

    /**
     * The wait before the next attempt after {@code failure}, or {@code null} when the failure must
     * go out now: not retryable, attempts used up, a retry-after hint over {@link #maxRetryAfter},
     * or not that much time left ({@code remaining}, the call's deadline, when it has one). Once it
     * has returned {@code null} it always does.
     */
    public Duration next(ChatException failure, Optional<Duration> remaining) {
      Objects.requireNonNull(failure, "failure");
      if (over) {
        return null;
      }
      execution.recordException(failure);
      if (execution.isComplete() || !retryOn.test(failure)) {
        over = true;
        return null;
      }
      Duration delay = execution.getDelay();
      Optional<Duration> hint = failure.retryAfter();
      if (hint.isPresent()) {
        if (hint.get().compareTo(maxRetryAfter) > 0) {
          over = true;
          return null;
        }
        if (hint.get().compareTo(delay) > 0) {
          delay = hint.get();
        }
      }
      if (remaining.isPresent() && remaining.get().compareTo(delay) <= 0) {
        over = true;
        return null;
      }
      attempts++;
      return delay;
    }
  }

  /** Not thread-safe. Setters check their argument and name it when it is wrong. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(8);
    private double jitter = 0.2;
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private Predicate<ChatException> retryOn = ChatException::isRetryable;

    private Builder() {}

    /** Attempts per model, the first included; 1 turns retries off. Default 3. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("RetryPolicy.maxAttempts must be >= 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Exponential back-off from {@code initial}, doubling, capped at {@code max}. Default 500 ms .. 8 s. */
    public Builder backoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("RetryPolicy.backoff needs 0 < initial <= max, got " + initial + " and "
            + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Random spread of each back-off, as a fraction of it (0 turns it off). Default 0.2. */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("RetryPolicy.jitter must be within [0, 1), got " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** The longest provider retry-after hint worth waiting for; a longer one fails at once. Default 30 s. */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      if (maxRetryAfter.isNegative()) {
        throw new IllegalArgumentException("RetryPolicy.maxRetryAfter must not be negative, got " + maxRetryAfter);
      }
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /** Which failures are retried; default {@link ChatException#isRetryable()}. */
    public Builder retryOn(Predicate<ChatException> retryOn) {
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
