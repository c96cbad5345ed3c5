package dev.switchboard.stream;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ChatStream} fed by a producer (a transport callback) and drained by one consumer.
 *
 * <p>Producer side, one thread at a time: {@link #emit}, then exactly one of {@link #complete} or
 * {@link #fail}. Back-pressure: after handing over a chunk's events the producer calls {@link
 * #requestMoreWhenDrained(Runnable)}, which runs the action at once while fewer than the high-water
 * mark are buffered, and otherwise when the consumer has drained the buffer to the low-water mark.
 * {@link #onCancel} registers what {@link #close()} must cancel upstream.
 *
 * <p>Thread-safe in that shape: one producer at a time, one consumer, {@link #close()} from any
 * thread. The transport of a provider feeds one; a cache or a test can feed one too.
 */
public final class PushChatStream implements ChatStream {
  private static final int HIGH_WATER = 256;
  private static final int LOW_WATER = 64;

  private final ConcurrentLinkedQueue<ChatEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final AtomicReference<Runnable> readyAction = new AtomicReference<>();
  private final AtomicReference<Runnable> pendingDemand = new AtomicReference<>();
  private final AtomicReference<Runnable> cancelAction = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean completed;
  private volatile ChatException failure;
  private volatile boolean finished;

  // ---- producer side ----

  public void emit(ChatEvent event) {
    if (closed.get() || completed || failure != null) {
      return;
    }
    queue.add(event);
    buffered.incrementAndGet();
    signal();
  }

  public void complete() {
    if (failure == null) {
      completed = true;
    }
    signal();
  }

  public void fail(ChatException error) {
    if (!completed && failure == null) {
      failure = error;
    }
    signal();
  }

  /** True once the consumer closed the stream; the producer should stop. */
  public boolean isClosed() {
    return closed.get();
  }

  /** What {@link #close()} runs once, e.g. cancelling the HTTP exchange. Runs at once if already closed. */
  public void onCancel(Runnable action) {
    cancelAction.set(action);
    if (closed.get()) {
      Runnable a = cancelAction.getAndSet(null);
      if (a != null) {
        a.run();
      }
    }
  }

  /** Runs {@code requestMore} now if the buffer has room, else once the consumer drains it. */
  public void requestMoreWhenDrained(Runnable requestMore) {
    if (closed.get()) {
      return;
    }
    if (buffered.get() < HIGH_WATER) {
      requestMore.run();
      return;
    }
    pendingDemand.set(requestMore);
    if (buffered.get() <= LOW_WATER) {
      runPendingDemand();
    }
  }

  public int bufferedEvents() {
    return buffered.get();
  }

  // ---- consumer side ----

  @Override
  public ChatEvent poll() {
    if (finished) {
      return null;
    }
    boolean terminal = completed || failure != null;
    ChatEvent event = queue.poll();
    if (event != null) {
      if (buffered.decrementAndGet() <= LOW_WATER) {
        runPendingDemand();
      }
      return event;
    }
    if (terminal) {
      finished = true;
      ChatException f = failure;
      if (f != null) {
        throw f;
      }
    }
    return null;
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  @Override
  public void onReady(Runnable action) {
    readyAction.set(action);
    if (!queue.isEmpty() || completed || failure != null || finished) {
      signal();
    }
  }

  /** None: a transport's stream is one exchange, which the layer that started it records. */
  @Override
  public List<Attempt> attempts() {
    return List.of();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    finished = true;
    Runnable cancel = cancelAction.getAndSet(null);
    if (cancel != null) {
      cancel.run();
    }
    queue.clear();
    buffered.set(0);
    pendingDemand.set(null);
    signal();
  }

  private void runPendingDemand() {
    Runnable demand = pendingDemand.getAndSet(null);
    if (demand != null) {
      demand.run();
    }
  }

  private void signal() {
    Runnable action = readyAction.getAndSet(null);
    if (action != null) {
      action.run();
    }
  }
}
