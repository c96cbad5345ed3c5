package dev.switchboard.spi.http;

import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many call deadlines on one lazily scheduled check, so that arming and disarming a deadline costs
 * no thread wake-up. {@code CompletableFuture.orTimeout} and {@code HttpRequest.timeout} each wake a
 * timer thread per call (the JDK's delay scheduler, or the HTTP client's selector); with thousands
 * of short calls that is a measurable share of a call's CPU (OverheadBench in sdk-examples).
 *
 * <p>How: {@link #start} adds the deadline to a set and schedules a check only if none is pending at
 * or before it; {@link Deadline#cancel()} just removes it. A check fires what has expired and
 * schedules the next check for the earliest deadline left, if any. So a steady stream of calls with
 * the same timeout schedules about one check per timeout period, and an idle JVM none. A deadline
 * fires on the scheduler's thread, no earlier than its time; its action must be quick and must not
 * throw (what it throws is logged).
 *
 * <p>Thread-safe.
 */
public final class Deadlines {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);
  /** Longer timeouts are clamped, so nanosecond arithmetic cannot overflow. */
  private static final long MAX_NANOS = Duration.ofDays(30).toNanos();

  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Set<Deadline> armed = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private boolean checkPending; // guarded by lock
  private long checkAt; // guarded by lock; meaningful while checkPending

  public Deadlines(Scheduler scheduler, Ticker ticker) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** One armed deadline. */
  public final class Deadline {
    private final long at;
    private final Runnable onExpiry;

    private Deadline(long at, Runnable onExpiry) {
      this.at = at;
      this.onExpiry = onExpiry;
    }

    /** Disarms it; returns true if it had not fired yet. Idempotent. */
    public boolean cancel() {
      return armed.remove(this);
    }
  }

  /** Runs {@code onExpiry} once {@code timeout} has passed, unless cancelled first. */
  public Deadline start(Duration timeout, Runnable onExpiry) {
    Objects.requireNonNull(onExpiry, "onExpiry");
    long nanos = Math.min(Math.max(0, timeout.toNanos()), MAX_NANOS);
    Deadline d = new Deadline(ticker.read() + nanos, onExpiry);
    armed.add(d);
    checkBy(d.at);
    return d;
  }

  /** How many deadlines are armed; for tests. */
  public int armedCount() {
    return armed.size();
  }

  /** Makes sure a check runs at or before {@code at}. */
  private void checkBy(long at) {
    synchronized (lock) {
      if (checkPending && checkAt - at <= 0) {
        return;
      }
      checkPending = true;
      checkAt = at;
    }
    scheduler.schedule(Duration.ofNanos(Math.max(0, at - ticker.read())), () -> check(at));
  }

  private void check(long scheduledFor) {
    synchronized (lock) {
      if (checkPending && checkAt == scheduledFor) {
        checkPending = false;
      }
    }
    // Deadlines armed before the flag was cleared are seen below; later ones schedule their own check.
    long now = ticker.read();
    boolean left = false;
    long earliest = 0;
    for (Deadline d : armed) {
      if (d.at - now <= 0) {
        if (armed.remove(d)) {
          fire(d);
        }
      } else if (!left || d.at - earliest < 0) {
        left = true;
        earliest = d.at;
      }
    }
    if (left) {
      checkBy(earliest);
    }
  }

  private static void fire(Deadline d) {
    try {
      d.onExpiry.run();
    } catch (RuntimeException e) {
      log.warn("a deadline action failed", e);
    }
  }
}
