package dev.switchboard.resilience;

import dev.failsafe.RateLimiter;
import dev.switchboard.RateLimitException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-side rate limits per provider, on Failsafe's {@link RateLimiter}s: requests per minute,
 * spread evenly (a smooth limiter), and (estimated) tokens per minute, which may be spent in a burst
 * within each minute (a bursty limiter, as providers count them; one request's estimate counts at
 * most a whole minute's worth). A call reserves its place and waits its turn without a thread; one
 * that would wait over a minute fails at once with a retryable {@link RateLimitException}. The
 * limiters keep Failsafe's own clock (the system's), so waits are not driven by an injected one.
 *
 * <p>Thread-safe; one instance serves all calls. {@link #none()} limits nothing.
 */
public final class RateLimit {
  /** The longest wait a reservation may ask for. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(1);

  private static final RateLimit NONE = new RateLimit(new Builder());

  private final Map<String, long[]> limits;
  private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();

  private RateLimit(Builder b) {
    this.limits = Map.copyOf(b.limits);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static RateLimit none() {
    return NONE;
  }

  /** Whether {@code provider} has a limit. */
  public boolean limits(String provider) {
    return limits.containsKey(provider);
  }

  /**
   * Reserves room for one exchange of about {@code tokens} tokens with {@code provider}: the wait
   * before it may start (zero when it may start now or there is no limit), or empty when that wait
   * would exceed {@link #MAX_WAIT}. A refusal on tokens keeps the request slot it had already taken
   * (Failsafe cannot hand one back), so refusals count against the request rate.
   */
  public Optional<Duration> reserve(String provider, long tokens) {
    long[] limit = limits.get(provider);
    if (limit == null) {
      return Optional.of(Duration.ZERO);
    }
    Limiter l = limiters.computeIfAbsent(provider, k -> new Limiter(limit[0], limit[1]));
    return Optional.ofNullable(l.reserve((int) Math.min(Integer.MAX_VALUE, Math.max(1, tokens))));
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("RateLimit[");
    limits.forEach((p, l) -> s.append(p).append(": ").append(l[0]).append(" rpm, ").append(l[1]).append(" tpm; "));
    return s.append(']').toString();
  }

  private static final class Limiter {
    final RateLimiter<Object> requests;
    final RateLimiter<Object> tokens;
    final int tokensPerMinute;

    Limiter(long requestsPerMinute, long tokensPerMinute) {
      this.requests = requestsPerMinute > 0
          ? RateLimiter.smoothBuilder(requestsPerMinute, Duration.ofMinutes(1)).build() : null;
      this.tokensPerMinute = (int) Math.min(Integer.MAX_VALUE, tokensPerMinute);
      this.tokens = tokensPerMinute > 0
          ? RateLimiter.burstyBuilder(this.tokensPerMinute, Duration.ofMinutes(1)).build() : null;
    }

    Duration reserve(int tokenEstimate) {
      Duration wait = Duration.ZERO;
      if (requests != null) {
        Duration w = requests.tryReservePermits(1, MAX_WAIT);
        if (w.isNegative()) {
          return null;
        }
        wait = w;
      }
      if (tokens != null) {
        Duration w = tokens.tryReservePermits(Math.min(tokenEstimate, tokensPerMinute), MAX_WAIT);
        if (w.isNegative()) {
          return null;
        }
        wait = w.compareTo(wait) > 0 ? w : wait;
      }
      return wait;
    }
  }

  /** Not thread-safe. Every setter validates its value. */
  public static final class Builder {
    private final Map<String, long[]> limits = new HashMap<>();

    private Builder() {}

    /** Requests and (estimated) tokens per minute for {@code provider}; 0 means no limit of that kind. */
    public Builder limit(String provider, long requestsPerMinute, long tokensPerMinute) {
      if (requestsPerMinute < 0 || tokensPerMinute < 0 || requestsPerMinute + tokensPerMinute == 0) {
        throw new IllegalArgumentException("rateLimit for '" + provider
            + "' needs requestsPerMinute and/or tokensPerMinute > 0, got " + requestsPerMinute + " and "
            + tokensPerMinute);
      }
      limits.put(Objects.requireNonNull(provider, "provider"), new long[] {requestsPerMinute, tokensPerMinute});
      return this;
    }

    boolean isEmpty() {
      return limits.isEmpty();
    }

    public RateLimit build() {
      return new RateLimit(this);
    }
  }
}
