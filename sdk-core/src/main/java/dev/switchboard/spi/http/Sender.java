package dev.switchboard.spi.http;

import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Ticker;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How {@link HttpTransport} starts an exchange: on the caller's own thread when it waits for the
 * answer ({@link #callerWaits}), else with a blocking {@code client.send} on a bounded pool of
 * sending threads (send mode, for JDK 17 where {@code sendAsync} starts a thread per completion),
 * else with {@code sendAsync}.
 *
 * <p>When every sending thread is busy, an exchange queues for the next free one. The queue moves
 * while sending threads get their headers; when none has freed for a while, they are held by slow
 * servers and the queue goes out with {@code sendAsync} instead of waiting in line: whole answers
 * (whose headers come only when the answer is done) after {@link #GRACE}, streams (whose headers
 * come before the answer is generated) after {@link #STALL}. Thread-safe.
 */
final class Sender {
  /** Set while a caller starts work it will wait for: its first exchange waits here for that thread. */
  private static final ThreadLocal<Parked> CALLER_WAITS = new ThreadLocal<>();
  /** How long a parked exchange waits for its caller before another thread sends it. */
  static final Duration GRACE = Duration.ofMillis(50);
  /**
   * How long queued streams wait while no sending thread frees before they use sendAsync: longer
   * than stream headers take on a loaded machine, shorter than a held answer.
   */
  static final Duration STALL = Duration.ofSeconds(1);

  private final HttpClient client;
  private final Deadlines deadlines;
  private final ThreadPoolExecutor senders; // null: always sendAsync
  private final Ticker ticker;
  private final Queue<BlockingSend> queuedStreams = new ConcurrentLinkedQueue<>();
  private final Queue<BlockingSend> queuedAnswers = new ConcurrentLinkedQueue<>();
  private volatile long lastFreed; // ticker time a sending thread last finished a send
  private final AtomicBoolean watching = new AtomicBoolean();
  private long watchedSince; // written by the one armed watch

  Sender(HttpClient client, Deadlines deadlines, Ticker ticker, ThreadPoolExecutor senders) {
    this.client = client;
    this.deadlines = deadlines;
    this.ticker = ticker;
    this.senders = senders;
    this.lastFreed = ticker.read();
  }

  boolean isSendMode() {
    return senders != null;
  }

  void close() {
    if (senders != null) {
      senders.shutdown();
      sendQueuedAsync();
    }
  }

  /** Exchanges waiting for a free sending thread. */
  int queued() {
    return queuedStreams.size() + queuedAnswers.size();
  }

  /** See {@link HttpTransport#callerWaits}. */
  static <T> CompletableFuture<T> callerWaits(java.util.function.Supplier<CompletableFuture<T>> start) {
    Parked parked = new Parked();
    CALLER_WAITS.set(parked);
    CompletableFuture<T> result;
    try {
      result = start.get();
    } finally {
      CALLER_WAITS.remove();
    }
    BlockingSend task = parked.task;
    if (task != null && task.claim()) {
      task.run();
    }
    return result;
  }

  /** The exchange a waiting caller will send itself. */
  private static final class Parked {
    BlockingSend task; // only the owning thread touches this
  }

  /** Cancels one exchange; idempotent. */
  interface Cancel extends Runnable {
    Cancel DONE = () -> {};
  }

  /**
   * Starts the exchange and puts what cancels it into {@code slot}, unless the slot was cancelled
   * already ({@link #cancel}); {@code onFailure} gets failures that happen before any body handler
   * runs. {@code streamed}: the headers come before the answer, so it may queue for a sending
   * thread; else the whole answer comes with the headers, and a caller that waits for it ({@link
   * #callerWaits}) may send it.
   */
  void send(HttpRequest request, HttpResponse.BodyHandler<Void> handler,
      java.util.function.Consumer<Throwable> onFailure, AtomicReference<Cancel> slot, boolean streamed) {
    Parked parked = streamed ? null : CALLER_WAITS.get();
    if (parked != null && parked.task == null) {
      BlockingSend task = new BlockingSend(request, handler, onFailure, slot, false);
      if (!slot.compareAndSet(null, task::cancel)) {
        return; // cancelled before it started
      }
      parked.task = task;
      Deadlines.Deadline grace = deadlines.start(GRACE, () -> {
        if (task.claim()) {
          task.sendElsewhere();
        }
      });
      task.onClaimed(grace::cancel);
      return;
    }
    if (senders != null) {
      BlockingSend task = new BlockingSend(request, handler, onFailure, slot, streamed);
      Cancel cancelTask = task::cancel;
      if (!slot.compareAndSet(null, cancelTask)) {
        return; // cancelled before it started
      }
      task.claim();
      dispatch(task);
      return;
    }
    sendAsync(request, handler, onFailure, slot);
  }

  /** On a free sending thread, else queued for the next one. */
  private void dispatch(BlockingSend task) {
    if (onSendingThread(() -> runThenQueued(task))) {
      return;
    }
    if (senders.isShutdown()) {
      task.sendAsyncInstead();
      return;
    }
    (task.streamed ? queuedStreams : queuedAnswers).add(task);
    watch();
  }

  private boolean onSendingThread(Runnable work) {
    try {
      senders.execute(work);
      return true;
    } catch (RejectedExecutionException allBusy) {
      return false;
    }
  }

  private void runThenQueued(BlockingSend first) {
    if (first != null) {
      first.run();
    }
    BlockingSend next;
    while ((next = nextQueued()) != null) {
      next.run();
    }
  }

  /** Streams first: their sending threads free as soon as the headers are in. */
  private BlockingSend nextQueued() {
    BlockingSend next = queuedStreams.poll();
    return next != null ? next : queuedAnswers.poll();
  }

  private void watch() {
    if (watching.compareAndSet(false, true)) {
      watchedSince = ticker.read();
      deadlines.start(GRACE, this::look);
    }
  }

  /** Every {@link #GRACE} while exchanges queue: when no sending thread frees, they go elsewhere. */
  private void look() {
    if (queued() > 0 && !onSendingThread(() -> runThenQueued(null))) {
      long freed = lastFreed;
      long stalled = ticker.read() - (freed - watchedSince > 0 ? freed : watchedSince);
      if (stalled >= GRACE.toNanos()) {
        sendAsyncInstead(queuedAnswers);
      }
      if (stalled >= STALL.toNanos()) {
        sendAsyncInstead(queuedStreams);
      }
    }
    if (queued() > 0) {
      deadlines.start(GRACE, this::look);
    } else {
      watching.set(false);
      if (queued() > 0) {
        watch(); // queued between the check and the reset
      }
    }
  }

  private void sendQueuedAsync() {
    sendAsyncInstead(queuedStreams);
    sendAsyncInstead(queuedAnswers);
  }

  private static void sendAsyncInstead(Queue<BlockingSend> queue) {
    BlockingSend task;
    while ((task = queue.poll()) != null) {
      task.sendAsyncInstead();
    }
  }


  private void sendAsync(HttpRequest request, HttpResponse.BodyHandler<Void> handler,
      java.util.function.Consumer<Throwable> onFailure, AtomicReference<Cancel> slot) {
    CompletableFuture<HttpResponse<Void>> future;
    try {
      future = client.sendAsync(request, handler);
    } catch (RuntimeException e) {
      onFailure.accept(e);
      return;
    }
    future.whenComplete((response, error) -> {
      if (error != null) {
        onFailure.accept(Futures.unwrap(error));
      }
    });
    Cancel cancel = () -> future.cancel(true);
    Cancel current = slot.get();
    if (current == Cancel.DONE || !slot.compareAndSet(current, cancel)) {
      future.cancel(true); // cancelled while sending
    }
  }

  static void cancel(AtomicReference<Cancel> slot) {
    Cancel c = slot.getAndSet(Cancel.DONE);
    if (c != null) {
      c.run();
    }
  }

  /**
   * {@code client.send} on a sending thread: with no {@code sendAsync} future there is no
   * hand-off of its completion. Cancelling interrupts the send, which aborts the exchange.
   */
  private final class BlockingSend implements Runnable {
    private final HttpRequest request;
    private final HttpResponse.BodyHandler<Void> handler;
    private final java.util.function.Consumer<Throwable> onFailure;
    private final AtomicReference<Cancel> slot;
    private final boolean streamed;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile Runnable onClaimed;
    private Thread runner; // guarded by this
    private boolean cancelled; // guarded by this
    private boolean done; // guarded by this

    BlockingSend(HttpRequest request, HttpResponse.BodyHandler<Void> handler,
        java.util.function.Consumer<Throwable> onFailure, AtomicReference<Cancel> slot, boolean streamed) {
      this.request = request;
      this.handler = handler;
      this.onFailure = onFailure;
      this.slot = slot;
      this.streamed = streamed;
    }

    /** Whoever claims it first sends it: the waiting caller, or the grace timer. */
    boolean claim() {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      Runnable r = onClaimed;
      if (r != null) {
        r.run();
      }
      return true;
    }

    void onClaimed(Runnable action) {
      onClaimed = action;
      if (claimed.get()) {
        action.run();
      }
    }

    /** The caller did not come for it: a sending thread sends it, else sendAsync. */
    void sendElsewhere() {
      synchronized (this) {
        if (cancelled) {
          return;
        }
      }
      if (senders != null) {
        dispatch(this);
      } else {
        sendAsyncInstead();
      }
    }

    void sendAsyncInstead() {
      Cancel mine = slot.get();
      if (mine != Cancel.DONE && slot.compareAndSet(mine, null)) {
        sendAsync(request, handler, onFailure, slot);
      }
    }

    @Override
    public void run() {
      synchronized (this) {
        if (cancelled) {
          return;
        }
        runner = Thread.currentThread();
      }
      boolean interrupted = false;
      try {
        client.send(request, handler);
      } catch (InterruptedException e) {
        interrupted = true;
        onFailure.accept(new java.util.concurrent.CancellationException("the exchange was cancelled"));
      } catch (IOException | RuntimeException e) {
        onFailure.accept(e);
      } finally {
        lastFreed = ticker.read();
        boolean byCancel;
        synchronized (this) {
          runner = null;
          done = true;
          byCancel = cancelled;
        }
        if (byCancel) {
          Thread.interrupted(); // the interrupt was ours: it must not leak into what this thread does next
        } else if (interrupted) {
          Thread.currentThread().interrupt(); // someone else's: keep it
        }
      }
    }

    synchronized void cancel() {
      if (done || cancelled) {
        return;
      }
      cancelled = true;
      if (runner != null) {
        runner.interrupt();
      }
    }
  }
}
