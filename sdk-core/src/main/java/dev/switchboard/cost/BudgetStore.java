package dev.switchboard.cost;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Where {@link Budgets} keeps what each budget has used: one counter per budget, scope value and
 * window, in nano-dollars, holding what was spent plus what running calls have reserved. Stores
 * decide atomically: {@link #reserve} adds to every counter or to none. In-process ({@link
 * #inMemory()}) or shared by many instances ({@link RedisBudgetStore}); implement it for another
 * shared store. Implementations must be thread-safe and must not block the calling thread for
 * long (a round trip to a local server at most).
 *
 * <p>A process that dies between reserve and settle leaves its reservation counted as spent
 * until the window ends: budgets err towards spending less, never more.
 */
public interface BudgetStore {

  /**
   * One counter: its key (budget, scope value, window), the limit in nano-dollars, and when its
   * window began and ends (after which the store may forget it).
   */
  record Line(String key, long limitNanos, Instant windowStart, Instant expiresAt) {
    public Line {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(windowStart, "windowStart");
      Objects.requireNonNull(expiresAt, "expiresAt");
      if (limitNanos < 0) {
        throw new IllegalArgumentException("limitNanos must be >= 0, got " + limitNanos);
      }
    }
  }

  /**
   * The answer to {@link #reserve}: granted, or refused by line {@code refusedLine} (an index into
   * the lines asked for), which had {@code usedNanos} used already.
   */
  record Reservation(boolean granted, int refusedLine, long usedNanos) {
    public static final Reservation GRANTED = new Reservation(true, -1, 0);

    public static Reservation refused(int line, long usedNanos) {
      return new Reservation(false, line, usedNanos);
    }
  }

  /**
   * Adds {@code amountNanos} to every line's counter if each stays within its limit, else to none
   * and says which line refused. Atomic across the lines.
   */
  CompletableFuture<Reservation> reserve(List<Line> lines, long amountNanos);

  /** Adds {@code deltaNanos} (negative to give back) to every line's counter, limits aside. */
  CompletableFuture<Void> adjust(List<Line> lines, long deltaNanos);

  /** What counter {@code key} holds now (spent plus reserved), 0 if unknown. */
  CompletableFuture<Long> used(String key);

  /**
   * A store in this process's memory: budgets per instance, forgotten at exit. A counter is
   * forgotten once a line whose window began after the counter's window ended has been seen (time
   * has moved past it, by the calls' own clock).
   */
  static BudgetStore inMemory() {
    return new InMemoryBudgetStore();
  }
}
