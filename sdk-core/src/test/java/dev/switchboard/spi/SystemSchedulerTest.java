package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JVM-wide scheduler, on real time: only due-at-once tasks and cancellation, so nothing waits long. */
@Timeout(10)
class SystemSchedulerTest {

  @Test
  void instance_isShared() {
    assertThat(SystemScheduler.instance()).isNotNull().isSameAs(SystemScheduler.instance());
  }

  @Test
  void dueTask_runsOnAWorkerDaemon_evenWithANegativeDelay() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(2);
    AtomicReference<Thread> worker = new AtomicReference<>();
    SystemScheduler.instance().schedule(Duration.ZERO, () -> {
      worker.set(Thread.currentThread());
      ran.countDown();
    });
    SystemScheduler.instance().schedule(Duration.ofSeconds(-1), ran::countDown);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.get().getName()).startsWith("switchboard-scheduler-");
    assertThat(worker.get().isDaemon()).isTrue();
  }

  @Test
  void cancel_stopsATaskThatHasNotRun_once() {
    Scheduler.Cancellable c = SystemScheduler.instance().schedule(Duration.ofHours(1), () -> {
      throw new AssertionError("cancelled task ran");
    });
    assertThat(c.cancel()).isTrue();
    assertThat(c.cancel()).isFalse();
  }
}
