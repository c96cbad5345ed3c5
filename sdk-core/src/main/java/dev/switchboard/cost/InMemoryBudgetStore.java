package dev.switchboard.cost;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@link BudgetStore#inMemory()}: counters under one lock, held for a few map operations. */
final class InMemoryBudgetStore implements BudgetStore {
  private static final int PURGE_EVERY = 1024;

  private static final class Counter {
    long used;
    Instant expiresAt;
  }

  private final Map<String, Counter> counters = new HashMap<>();
  private Instant latestWindowStart = Instant.MIN;
  private int sincePurge;

  @Override
  public synchronized CompletableFuture<Reservation> reserve(List<Line> lines, long amountNanos) {
    for (int i = 0; i < lines.size(); i++) {
      Counter c = counters.get(lines.get(i).key());
      long used = c == null ? 0 : c.used;
      if (used + amountNanos > lines.get(i).limitNanos()) {
        return CompletableFuture.completedFuture(Reservation.refused(i, used));
      }
    }
    add(lines, amountNanos);
    return CompletableFuture.completedFuture(Reservation.GRANTED);
  }

  @Override
  public synchronized CompletableFuture<Void> adjust(List<Line> lines, long deltaNanos) {
    add(lines, deltaNanos);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletableFuture<Long> used(String key) {
    Counter c = counters.get(key);
    return CompletableFuture.completedFuture(c == null ? 0L : c.used);
  }

  private void add(List<Line> lines, long delta) {
    for (Line line : lines) {
      Counter c = counters.computeIfAbsent(line.key(), k -> new Counter());
      c.used += delta;
      c.expiresAt = line.expiresAt();
      if (line.windowStart().isAfter(latestWindowStart)) {
        latestWindowStart = line.windowStart();
      }
    }
    if (++sincePurge >= PURGE_EVERY) {
      sincePurge = 0;
      for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
        if (!it.next().expiresAt.isAfter(latestWindowStart)) {
          it.remove();
        }
      }
    }
  }

  @Override
  public synchronized String toString() {
    return "BudgetStore.inMemory[" + counters.size() + " counters]";
  }
}
