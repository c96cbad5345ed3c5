package dev.switchboard.resilience;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.stream.ChatStreams;
import java.time.Duration;
import java.util.List;

/**
 * A stream made of attempts: while no event has reached the consumer, a failed attempt may be
 * replaced by another (now or after a delay), as the {@link Strategy} decides. Once an event has
 * gone out, failures pass through unchanged. Holds no thread while waiting. Not API.
 */
final class SwitchingStream implements ChatStream {

  /** Decides what follows a failed attempt. Called on the consumer's thread, one call at a time. */
  public interface Strategy {
    /**
     * The delay before {@link #next()}, or {@code null} to give up and fail with {@link #giveUp}.
     * {@code attempts} are the exchanges the failed attempt recorded.
     */
    Duration onFailure(ChatException failure, List<Attempt> attempts);

    /** Starts the next attempt. */
    ChatStream next();

    /** The exception the consumer sees when the strategy gives up after {@code last}. */
    default ChatException giveUp(ChatException last) {
      return last;
    }

    /** The final event as the consumer sees it, e.g. with earlier attempts listed on the response. */
    default ChatEvent completed(ChatEvent.Completed completed) {
      return completed;
    }
  }

  private final Strategy strategy;
  private final Scheduler scheduler;
  private ChatStream current;
  private Runnable pendingReady;
  private Scheduler.Cancellable pendingStart;
  private boolean delivered;
  private volatile boolean finished;
  private volatile boolean closed;

  /** Starts with {@code first}, or, when it is {@code null}, with {@code strategy.next()} after {@code initialDelay}. */
  public SwitchingStream(ChatStream first, Duration initialDelay, Strategy strategy, Scheduler scheduler) {
    this.strategy = strategy;
    this.scheduler = scheduler;
    if (first != null) {
      this.current = first;
    } else {
      startLater(initialDelay);
    }
  }

  @Override
  public ChatEvent poll() {
    if (finished || closed) {
      return null;
    }
    ChatStream c;
    synchronized (this) {
      c = current;
    }
    if (c == null) {
      return null;
    }
    ChatEvent event;
    try {
      event = c.poll();
    } catch (ChatException failure) {
      if (delivered) {
        finished = true;
        throw failure;
      }
      if (closed) {
        finished = true;
        return null;
      }
      List<Attempt> recorded = failure.attempts().isEmpty() ? c.attempts() : failure.attempts();
      Duration delay = strategy.onFailure(failure, recorded);
      if (delay == null) {
        finished = true;
        throw strategy.giveUp(failure);
      }
      synchronized (this) {
        current = null;
      }
      if (delay.isZero() || delay.isNegative()) {
        if (closed) {
          finished = true;
          return null;
        }
        install(startNext());
        return poll();
      }
      startLater(delay);
      return null;
    }
    if (event != null) {
      delivered = true;
      return event instanceof ChatEvent.Completed done ? strategy.completed(done) : event;
    }
    if (c.isFinished()) {
      finished = true;
    }
    return null;
  }

  private void startLater(Duration delay) {
    Scheduler.Cancellable handle = scheduler.schedule(delay, () -> {
      if (!closed) {
        install(startNext());
      }
    });
    synchronized (this) {
      pendingStart = handle;
    }
  }

  /** The next attempt; a strategy that throws yields a stream failing with that error, never an escape. */
  private ChatStream startNext() {
    try {
      return strategy.next();
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    } catch (RuntimeException e) {
      return ChatStreams.failed(new ChatException("starting the next attempt failed: " + e,
          dev.switchboard.ErrorDetails.of("", ""), e));
    }
  }

  private void install(ChatStream next) {
    Runnable ready;
    synchronized (this) {
      if (closed) {
        next.close();
        return;
      }
      current = next;
      pendingStart = null;
      ready = pendingReady;
      pendingReady = null;
    }
    if (ready != null) {
      next.onReady(ready);
    }
  }

  @Override
  public List<Attempt> attempts() {
    ChatStream c;
    synchronized (this) {
      c = current;
    }
    return c == null ? List.of() : c.attempts();
  }

  /** True once an event has reached the consumer: from then on no attempt is replaced. */
  public boolean hasDelivered() {
    return delivered;
  }

  @Override
  public boolean isFinished() {
    return finished || closed;
  }

  @Override
  public void onReady(Runnable action) {
    ChatStream c;
    synchronized (this) {
      c = current;
      if (c == null && !closed && !finished) {
        pendingReady = action;
        return;
      }
    }
    if (c == null) {
      action.run();
    } else {
      c.onReady(action);
    }
  }

  @Override
  public void close() {
    ChatStream c;
    Scheduler.Cancellable start;
    Runnable ready;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      c = current;
      start = pendingStart;
      ready = pendingReady;
      pendingReady = null;
    }
    if (start != null) {
      start.cancel();
    }
    if (c != null) {
      c.close();
    }
    if (ready != null) {
      ready.run();
    }
  }
}
