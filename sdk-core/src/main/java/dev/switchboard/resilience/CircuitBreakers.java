package dev.switchboard.resilience;

import dev.switchboard.observe.CircuitState;
import dev.failsafe.CircuitBreaker;
import dev.switchboard.ChatException;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per provider model ({@code "provider/model"}), shared by {@link Resilience}
 * (which records every attempt's outcome) and {@link Fallback} (which skips a model whose breaker
 * is open, unless every candidate's is, in which case it still tries the least recently failed one).
 *
 * <p>A breaker opens when {@code failures} of the last {@code outOf} attempts failed with a
 * retryable error (rate limits, overload, server errors, timeouts, connection failures; a caller's
 * own errors such as 400 or 401 do not count). After the cool-down it half-opens: the next {@code
 * probes} attempts decide, all succeeding closes it, any failing reopens it. Counting uses
 * Failsafe's {@link CircuitBreaker}; the cool-down runs on the injected {@link Ticker}, so tests
 * never sleep. Thread-safe.
 */
public final class CircuitBreakers {
  private final int failures;
  private final int outOf;
  private final int probes;
  private final Duration coolDown;
  private final Ticker ticker;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  private CircuitBreakers(Builder b) {
    this.failures = b.failures;
    this.outOf = b.outOf;
    this.probes = b.probes;
    this.coolDown = b.coolDown;
    this.ticker = b.ticker;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The state of {@code providerModel}'s breaker; an open one whose cool-down has ended reads HALF_OPEN. */
  public CircuitState state(String providerModel) {
    Breaker b = breakers.get(providerModel);
    if (b == null) {
      return CircuitState.CLOSED;
    }
    synchronized (b) {
      CircuitState s = b.state();
      return s == CircuitState.OPEN && coolDownOver(b) ? CircuitState.HALF_OPEN : s;
    }
  }

  /** When {@code providerModel} last failed, as a ticker reading; {@link Long#MIN_VALUE} if never. */
  public long lastFailureNanos(String providerModel) {
    Breaker b = breakers.get(providerModel);
    return b == null ? Long.MIN_VALUE : b.lastFailure;
  }

  /** Whether calls should skip {@code providerModel} now; moves an open breaker past its cool-down to half-open. */
  boolean isOpen(String providerModel, ChatListener events) {
    Breaker b = breakers.get(providerModel);
    if (b == null) {
      return false;
    }
    CircuitState before;
    CircuitState after;
    synchronized (b) {
      before = b.state();
      if (before == CircuitState.OPEN && coolDownOver(b)) {
        b.failsafe.halfOpen();
      }
      after = b.state();
    }
    announce(providerModel, before, after, events);
    return after == CircuitState.OPEN;
  }

  void recordSuccess(String providerModel, ChatListener events) {
    Breaker b = breakers.computeIfAbsent(providerModel, k -> new Breaker());
    CircuitState before;
    CircuitState after;
    synchronized (b) {
      before = b.state();
      if (before == CircuitState.OPEN && coolDownOver(b)) {
        b.failsafe.halfOpen();
      }
      b.failsafe.recordSuccess();
      after = b.state();
    }
    announce(providerModel, before, after, events);
  }

  void recordFailure(String providerModel, ChatException failure, ChatListener events) {
    if (!counts(failure)) {
      return;
    }
    Breaker b = breakers.computeIfAbsent(providerModel, k -> new Breaker());
    CircuitState before;
    CircuitState probed;
    CircuitState after;
    synchronized (b) {
      b.lastFailure = ticker.read();
      before = b.state();
      if (before == CircuitState.OPEN && coolDownOver(b)) {
        b.failsafe.halfOpen();
      }
      probed = b.state();
      b.failsafe.recordFailure();
      after = b.state();
      if (after == CircuitState.OPEN && probed != CircuitState.OPEN) {
        b.openedAt = b.lastFailure; // a fresh cool-down, also when a cooled-down breaker failed again
      }
    }
    announce(providerModel, before, probed, events);
    announce(providerModel, probed, after, events);
  }

  static boolean counts(ChatException failure) {
    return failure.isRetryable();
  }

  private boolean coolDownOver(Breaker b) {
    return ticker.read() - b.openedAt >= coolDown.toNanos();
  }

  private static void announce(String providerModel, CircuitState before, CircuitState after, ChatListener events) {
    if (before != after && events != null) {
      int slash = providerModel.indexOf('/');
      events.circuitStateChanged(slash > 0 ? providerModel.substring(0, slash) : providerModel,
          slash > 0 ? providerModel.substring(slash + 1) : "", before, after);
    }
  }

  @Override
  public String toString() {
    return "CircuitBreakers[" + failures + " of " + outOf + " failures open, cool-down " + coolDown
        + ", " + probes + " probes, tracking " + breakers.keySet() + "]";
  }

  private final class Breaker {
    // Failsafe counts; the cool-down is ours (on the injected ticker), so its own delay never elapses.
    final CircuitBreaker<Object> failsafe = CircuitBreaker.builder()
        .withFailureThreshold(failures, outOf)
        .withSuccessThreshold(probes)
        .withDelay(Duration.ofDays(3650))
        .build();
    long openedAt;
    volatile long lastFailure = Long.MIN_VALUE;

    CircuitState state() {
      switch (failsafe.getState()) {
        case OPEN:
          return CircuitState.OPEN;
        case HALF_OPEN:
          return CircuitState.HALF_OPEN;
        default:
          return CircuitState.CLOSED;
      }
    }
  }

  /** Not thread-safe. Defaults: 5 failures of the last 10 attempts, 30 s cool-down, 1 probe. */
  public static final class Builder {
    private int failures = 5;
    private int outOf = 10;
    private int probes = 1;
    private Duration coolDown = Duration.ofSeconds(30);
    private Ticker ticker = Ticker.system();

    private Builder() {}

    /**
     * Opens when {@code failures} of the last {@code outOf} attempts failed; {@code failures} failed
     * attempts are enough, also before {@code outOf} attempts were made.
     */
    public Builder failureThreshold(int failures, int outOf) {
      if (failures < 1 || outOf < failures) {
        throw new IllegalArgumentException("failureThreshold needs 1 <= failures <= outOf, got " + failures
            + " of " + outOf);
      }
      this.failures = failures;
      this.outOf = outOf;
      return this;
    }

    public Builder coolDown(Duration coolDown) {
      if (coolDown.isNegative() || coolDown.isZero()) {
        throw new IllegalArgumentException("coolDown must be positive, got " + coolDown);
      }
      this.coolDown = coolDown;
      return this;
    }

    /** How many successful probe attempts in a row close a half-open breaker. */
    public Builder halfOpenProbes(int probes) {
      if (probes < 1) {
        throw new IllegalArgumentException("halfOpenProbes must be >= 1, got " + probes);
      }
      this.probes = probes;
      return this;
    }

    /** The clock for cool-downs; pass the Switchboard's ticker in tests. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public CircuitBreakers build() {
      return new CircuitBreakers(this);
    }
  }
}
