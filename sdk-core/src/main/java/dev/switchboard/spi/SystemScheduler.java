package dev.switchboard.spi;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One daemon thread keeps time; due tasks run on a fixed pool of daemon workers (one per core, at
 * least two), so that a slow task (a stream handler woken by a retry, say) never delays the timer
 * and thus another call's timeout. Shared by the whole JVM, created on first use; its threads are
 * daemons and never need closing. Thread-safe.
 */
public final class SystemScheduler implements Scheduler {
  private static final SystemScheduler INSTANCE = new SystemScheduler();

  private final ScheduledThreadPoolExecutor timer;
  private final ExecutorService workers;

  private SystemScheduler() {
    timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "switchboard-timer"));
    timer.setRemoveOnCancelPolicy(true);
    AtomicInteger n = new AtomicInteger();
    int size = Math.max(2, Runtime.getRuntime().availableProcessors());
    workers = Executors.newFixedThreadPool(size, r -> daemon(r, "switchboard-scheduler-" + n.incrementAndGet()));
  }

  /** The JVM-wide instance. */
  public static SystemScheduler instance() {
    return INSTANCE;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = timer.schedule(() -> workers.execute(task), Math.max(0, delay.toNanos()),
        TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }
}
