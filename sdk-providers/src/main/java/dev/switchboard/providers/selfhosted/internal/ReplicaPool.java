package dev.switchboard.providers.selfhosted.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the replica for each call: the healthy one with the lowest {@link Replica#score()}
 * ({@code running + waiting} from the last scrape plus the calls in flight from this client), ties
 * broken round-robin among the tied replicas. When no replica is healthy it still tries one, the least recently failed
 * (one that never failed counts as oldest), rather than failing without trying: its health may
 * have come back before the next probe noticed.
 *
 * <p>Choosing and counting the call as in flight happen under one lock, so concurrent calls see
 * each other's choices and spread out instead of all landing on the same idle replica.
 * Thread-safe. Not API.
 */
public final class ReplicaPool {
  private final List<Replica> replicas;
  private long turn; // guarded by this

  public ReplicaPool(List<Replica> replicas) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one replica");
    }
    this.replicas = List.copyOf(replicas);
  }

  public List<Replica> replicas() {
    return replicas;
  }

  /** Chooses a replica and counts one more call in flight on it; the caller must {@link Replica#release()}. */
  public synchronized Replica acquire() {
    List<Replica> best = new ArrayList<>(replicas.size());
    int bestScore = Integer.MAX_VALUE;
    for (Replica r : replicas) {
      if (!r.isHealthy()) {
        continue;
      }
      int score = r.score();
      if (score < bestScore) {
        best.clear();
        bestScore = score;
      }
      if (score == bestScore) {
        best.add(r);
      }
    }
    Replica chosen = best.isEmpty() ? leastRecentlyFailed()
        : best.get((int) Math.floorMod(turn++, (long) best.size()));
    chosen.acquire();
    return chosen;
  }

  private Replica leastRecentlyFailed() {
    Replica best = null;
    for (Replica r : replicas) {
      if (!r.hasFailed()) {
        return r;
      }
      if (best == null || r.lastFailure() - best.lastFailure() < 0) {
        best = r;
      }
    }
    return best;
  }
}
