package dev.switchboard.providers.selfhosted;

import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler and ticker on a fake clock: nothing runs until {@link #advance(Duration)} moves the
 * clock, which then runs every task that has come due, in time order, on the calling thread. Tests
 * never sleep. Thread-safe (tasks may be scheduled from HTTP threads while a test advances).
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService, Ticker {
  private final List<Task<?>> tasks = new ArrayList<>();
  private long now = 1_000_000_000L; // an arbitrary origin: tickers are only compared by difference
  private long sequence;
  private boolean shutdown;

  @Override
  public synchronized long read() {
    return now;
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int pending() {
    int n = 0;
    for (Task<?> t : tasks) {
      if (!t.isCancelled()) {
        n++;
      }
    }
    return n;
  }

  /** Moves the clock by {@code d}, running each task as it comes due (tasks scheduled meanwhile included). */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Task<?> next;
      synchronized (this) {
        tasks.removeIf(Task::isCancelled);
        next = tasks.stream().filter(t -> t.at - target <= 0)
            .min(Comparator.<Task<?>>comparingLong(t -> t.at - target).thenComparingLong(t -> t.seq)).orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        if (next.at - now > 0) {
          now = next.at;
        }
      }
      next.run();
    }
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(() -> {
      command.run();
      return null;
    }, delay, unit);
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(callable, delay, unit);
  }

  private <V> Task<V> add(Callable<V> callable, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    Task<V> task = new Task<>(callable, now + unit.toNanos(Math.max(0, delay)), sequence++);
    tasks.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    tasks.clear();
    return List.of();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && tasks.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> implements ScheduledFuture<V> {
    private final Callable<V> callable;
    private final long at;
    private final long seq;
    private volatile boolean cancelled;
    private volatile boolean done;
    private V value;
    private Throwable failure;

    Task(Callable<V> callable, long at, long seq) {
      this.callable = callable;
      this.at = at;
      this.seq = seq;
    }

    void run() {
      if (cancelled) {
        return;
      }
      try {
        value = callable.call();
      } catch (Throwable t) {
        failure = t;
      } finally {
        done = true;
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - read(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public V get() throws ExecutionException {
      if (cancelled) {
        throw new CancellationException();
      }
      if (!done) {
        throw new IllegalStateException("not run yet; advance the clock");
      }
      if (failure != null) {
        throw new ExecutionException(failure);
      }
      return value;
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws ExecutionException {
      return get();
    }
  }
}
