package dev.switchboard.resilience;

import dev.failsafe.Bulkhead;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most so many exchanges in flight per provider, a client-side bulkhead. A call that finds no
 * free permit waits for one without holding a thread (its future completes when a permit comes
 * back, first come first served); a stream, which cannot wait before its first pull, fails at once
 * with a retryable error. Counting uses Failsafe's {@link Bulkhead}; the waiting is ours, because
 * Failsafe's bulkhead waits by blocking a thread.
 *
 * <p>Thread-safe; one instance serves all calls. {@link #none()} limits nothing.
 */
public final class ConcurrencyLimit {
  private static final ConcurrencyLimit NONE = new ConcurrencyLimit(new Builder());

  private final Map<String, Integer> limits;
  private final int defaultLimit;
  private final Map<String, Permits> permits = new ConcurrentHashMap<>();

  private ConcurrencyLimit(Builder b) {
    this.limits = Map.copyOf(b.limits);
    this.defaultLimit = b.defaultLimit;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static ConcurrencyLimit none() {
    return NONE;
  }

  /** The limit for {@code provider}, or 0 if it has none. */
  public int limitFor(String provider) {
    return limits.getOrDefault(provider, defaultLimit);
  }

  /** Exchanges with {@code provider} holding a permit now. */
  public int inFlight(String provider) {
    Permits p = permits.get(provider);
    return p == null ? 0 : p.held.get();
  }

  /** A permit for one exchange with {@code provider} if one is free now; always one if it has no limit. */
  public Optional<Permit> tryAcquire(String provider) {
    Permits p = permitsFor(provider);
    if (p == null) {
      return Optional.of(Permit.UNLIMITED);
    }
    return p.bulkhead.tryAcquirePermit() ? Optional.of(new Permit(p)) : Optional.empty();
  }

  /**
   * A permit for one exchange with {@code provider}, now or once one comes back; waiting holds no
   * thread. Cancelling the future gives up the wait.
   */
  public CompletableFuture<Permit> acquire(String provider) {
    Permits p = permitsFor(provider);
    return p == null ? CompletableFuture.completedFuture(Permit.UNLIMITED) : p.acquire();
  }

  private Permits permitsFor(String provider) {
    int limit = limitFor(provider);
    return limit <= 0 ? null : permits.computeIfAbsent(provider, k -> new Permits(limit));
  }

  @Override
  public String toString() {
    return "ConcurrencyLimit[" + (defaultLimit > 0 ? "default=" + defaultLimit + ", " : "") + limits + "]";
  }

  /** The right to one exchange; {@link #release()} returns it, once (later calls do nothing). Thread-safe. */
  public static final class Permit {
    static final Permit UNLIMITED = new Permit(null);

    private final Permits owner;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(Permits owner) {
      this.owner = owner;
      if (owner != null) {
        owner.held.incrementAndGet();
      }
    }

    public void release() {
      if (owner != null && released.compareAndSet(false, true)) {
        owner.held.decrementAndGet();
        owner.release();
      }
    }
  }

  /** One provider's permits and the calls waiting for one. */
  private static final class Permits {
    final int limit;
    final Bulkhead<Object> bulkhead;
    final ConcurrentLinkedQueue<CompletableFuture<Permit>> waiters = new ConcurrentLinkedQueue<>();
    final AtomicInteger held = new AtomicInteger();

    Permits(int limit) {
      this.limit = limit;
      this.bulkhead = Bulkhead.of(limit);
    }

    CompletableFuture<Permit> acquire() {
      if (bulkhead.tryAcquirePermit()) {
        return CompletableFuture.completedFuture(new Permit(this));
      }
      CompletableFuture<Permit> waiter = new CompletableFuture<>();
      waiters.add(waiter);
      // A permit may have come back between the failed try and the enqueue.
      if (bulkhead.tryAcquirePermit()) {
        if (waiters.remove(waiter)) {
          Permit granted = new Permit(this);
          if (!waiter.complete(granted)) {
            granted.release(); // the caller gave up meanwhile
          }
        } else {
          release(); // a releaser already handed this waiter a permit
        }
      }
      return waiter;
    }

    void release() {
      CompletableFuture<Permit> next;
      while ((next = waiters.poll()) != null) {
        if (!next.isDone()) {
          Permit handed = new Permit(this);
          if (next.complete(handed)) {
            return; // the permit passes straight to the waiter
          }
          held.decrementAndGet(); // the waiter gave up meanwhile
        }
      }
      bulkhead.releasePermit();
    }
  }

  /** Not thread-safe. Every setter validates its value. */
  public static final class Builder {
    private final Map<String, Integer> limits = new HashMap<>();
    private int defaultLimit;

    private Builder() {}

    /** At most {@code limit} exchanges in flight to {@code provider}. */
    public Builder maxConcurrency(String provider, int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxConcurrency for '" + provider + "' must be >= 1, got " + limit);
      }
      limits.put(Objects.requireNonNull(provider, "provider"), limit);
      return this;
    }

    /** At most {@code limit} exchanges in flight to any one provider without a limit of its own. */
    public Builder maxConcurrency(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + limit);
      }
      this.defaultLimit = limit;
      return this;
    }

    boolean isEmpty() {
      return limits.isEmpty() && defaultLimit == 0;
    }

    public ConcurrencyLimit build() {
      return new ConcurrencyLimit(this);
    }
  }
}
