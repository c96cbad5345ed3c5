package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ManualTime;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A scheduler whose cancels always come too late: every task has already started on a timer
 * thread, so {@code cancel()} returns false and the test runs the task when it likes. It plays the
 * race a real scheduler allows between a timer firing and the event that should have disarmed it.
 */
final class LateTimers implements Scheduler {
  final List<Runnable> tasks = new ArrayList<>();
  final List<Duration> delays = new ArrayList<>();
  int cancels;

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    tasks.add(task);
    delays.add(delay);
    return () -> {
      synchronized (LateTimers.this) {
        cancels++;
      }
      return false;
    };
  }

  /** Runs the {@code i}-th task scheduled so far. */
  void fire(int i) {
    Runnable task;
    synchronized (this) {
      task = tasks.get(i);
    }
    task.run();
  }

  /** Asserts that {@code time} holds no pending task at all: whatever was armed has been disarmed. */
  static void assertNoTimerPending(ManualTime time) {
    assertThatThrownBy(() -> time.awaitTaskDue(Duration.ofDays(3650)))
        .as("no timer left pending")
        .isInstanceOf(AssertionError.class);
  }
}
