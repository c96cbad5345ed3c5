package dev.switchboard.testkit;

import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Ticker} and {@link Scheduler} that move only when the test says so, so that tests of
 * retries, timeouts, breakers and hedges never sleep. Pass the same instance to {@code
 * Switchboard.builder().ticker(clock).scheduler(clock)} (and to {@code CircuitBreakers}).
 *
 * <p>{@link #advance} runs every task that falls due, in due order, on the calling thread. Tasks
 * scheduled while advancing run too if they fall due within the same advance. Thread-safe.
 */
public final class ManualClock implements Ticker, Scheduler {
  private final Object lock = new Object();
  private final List<Task> tasks = new ArrayList<>();
  private long now;
  private long sequence;

  private static final class Task {
    final long due;
    final long order;
    final Runnable body;

    Task(long due, long order, Runnable body) {
      this.due = due;
      this.order = order;
      this.body = body;
    }
  }

  @Override
  public long read() {
    synchronized (lock) {
      return now;
    }
  }

  /** Time advanced so far. */
  public Duration elapsed() {
    return Duration.ofNanos(read());
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t;
    synchronized (lock) {
      t = new Task(now + Math.max(0, delay.toNanos()), sequence++, task);
      tasks.add(t);
      lock.notifyAll();
    }
    return () -> {
      synchronized (lock) {
        return tasks.remove(t);
      }
    };
  }

  /** Moves time forward by {@code duration}, running what falls due. */
  public void advance(Duration duration) {
    long target;
    synchronized (lock) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task next = null;
      synchronized (lock) {
        for (Task t : tasks) {
          if (t.due <= target && (next == null || t.due < next.due || (t.due == next.due && t.order < next.order))) {
            next = t;
          }
        }
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        now = Math.max(now, next.due);
      }
      next.body.run();
    }
  }

  /** How many tasks wait to fall due. */
  public int pendingTasks() {
    synchronized (lock) {
      return tasks.size();
    }
  }

  /**
   * Waits (really, up to {@code timeout}) until some task is due within {@code window} from now —
   * for example the retry that an HTTP failure on another thread is about to schedule — so that a
   * following {@link #advance(Duration) advance(window)} runs it. Throws {@link AssertionError} on timeout.
   */
  public void awaitTaskDueWithin(Duration window, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        long limit = now + window.toNanos();
        for (Task t : tasks) {
          if (t.due <= limit) {
            return;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no task became due within " + window + " of " + elapsed()
              + " in " + timeout + "; pending: " + tasks.size());
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ManualClock[" + elapsed() + ", " + pendingTasks() + " pending]";
  }
}
