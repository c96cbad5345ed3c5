package dev.switchboard.spi;

import java.time.Duration;

/**
 * Runs tasks later: retry back-off, hedges, timeouts. Waiting holds no thread. Tests inject a
 * manual implementation that runs tasks when the test advances time, so they never sleep. The
 * default is the JVM-wide system scheduler ({@code SystemScheduler.instance()}).
 * Implementations are thread-safe.
 */
public interface Scheduler {

  /** Runs {@code task} once after {@code delay} (at once for zero or negative delays, on some thread). */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that has not run yet can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Returns true if the task will not run because of this call. */
    boolean cancel();
  }
}
