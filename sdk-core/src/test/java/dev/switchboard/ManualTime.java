package dev.switchboard;

import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A ticker and scheduler that move only when the test says so. */
public final class ManualTime implements Ticker, Scheduler {
  private long now;
  private final List<long[]> due = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();

  @Override
  public synchronized long read() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    long[] at = {now + Math.max(0, delay.toNanos())};
    due.add(at);
    tasks.add(task);
    return () -> {
      synchronized (ManualTime.this) {
        int i = due.indexOf(at);
        if (i < 0) {
          return false;
        }
        due.remove(i);
        tasks.remove(i);
        return true;
      }
    };
  }

  public void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Runnable next = null;
      synchronized (this) {
        int best = -1;
        for (int i = 0; i < due.size(); i++) {
          if (due.get(i)[0] <= target && (best < 0 || due.get(i)[0] < due.get(best)[0])) {
            best = i;
          }
        }
        if (best < 0) {
          now = target;
          return;
        }
        now = Math.max(now, due.get(best)[0]);
        due.remove(best);
        next = tasks.remove(best);
      }
      next.run();
    }
  }

  /** Asserts that some task is due within {@code window} (a retry or a rate-limit wait was scheduled). */
  public synchronized void awaitTaskDue(Duration window) {
    for (long[] at : due) {
      if (at[0] <= now + window.toNanos()) {
        return;
      }
    }
    throw new AssertionError("no task due within " + window + "; pending " + due.size());
  }
}
