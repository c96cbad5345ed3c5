package dev.switchboard;

import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Scheduler} over {@link ManualTime} that knows which of its tasks are still pending
 * (neither run nor cancelled), so a test can check that a finished call leaves no timer behind.
 */
final class PendingTimers implements Scheduler {
  private final ManualTime time;
  private final Set<Object> pending = ConcurrentHashMap.newKeySet();

  PendingTimers(ManualTime time) {
    this.time = time;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Object token = new Object();
    pending.add(token);
    Cancellable inner = time.schedule(delay, () -> {
      pending.remove(token);
      task.run();
    });
    return () -> {
      boolean cancelled = inner.cancel();
      if (cancelled) {
        pending.remove(token);
      }
      return cancelled;
    };
  }

  /** Tasks scheduled that have neither run nor been cancelled. */
  int pending() {
    return pending.size();
  }
}
