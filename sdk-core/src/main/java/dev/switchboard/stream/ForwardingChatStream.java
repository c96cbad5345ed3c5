package dev.switchboard.stream;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stream that passes another through, with hooks to transform events and failures as they are
 * pulled, and {@link #abort} to end it with a failure from any thread (timeouts). The hooks run on
 * the consumer's thread; {@link #attempts()} and {@link #close()} pass through.
 *
 * <p>The base of every wrapper in Switchboard (timeouts, attempt recording, caching tees): extend
 * it to observe or change a stream without re-implementing the pull protocol. Thread-safe as
 * {@link ChatStream} requires: one consumer, {@code close()} and {@code abort} from any thread.
 */
public class ForwardingChatStream implements ChatStream {
  protected final ChatStream delegate;
  /** Null while running; then either the abort's failure or {@link #COMPLETED}, whichever came first. */
  private final AtomicReference<Object> end = new AtomicReference<>();
  private static final Object COMPLETED = new Object();
  private volatile boolean abortDelivered;

  public ForwardingChatStream(ChatStream delegate) {
    this.delegate = delegate;
  }

  /** Called for every event the consumer takes; returns what the consumer sees. */
  protected ChatEvent onEvent(ChatEvent event) {
    return event;
  }

  /** Called once with the delegate's failure; returns what the consumer sees. */
  protected ChatException onFailure(ChatException failure) {
    return failure;
  }

  /** Called once when the delegate finished without failure (after its last event). */
  protected void onFinished() {}

  /**
   * Ends the stream with {@code failure}: the delegate is closed (cancelling its exchange) and the
   * consumer receives {@code failure} at its next poll, after nothing else. Safe from any thread;
   * only the first abort counts. Returns false if the stream had already finished or was aborted.
   */
  public boolean abort(ChatException failure) {
    Objects.requireNonNull(failure, "failure");
    return abort(() -> failure);
  }

  /**
   * {@link #abort(ChatException)} with the failure made once the delegate is closed, so that it can
   * tell what closing recorded (e.g. the cancelled attempt). {@code failure} runs once, on the
   * aborting thread or on the consumer's if it polls first; it must not throw.
   */
  public boolean abort(Supplier<ChatException> failure) {
    Aborted a = new Aborted(failure);
    if (delegate.isFinished() || !end.compareAndSet(null, a)) {
      return false;
    }
    delegate.close();
    a.get();
    return true;
  }

  /** True while the stream can still be {@link #abort aborted}: neither finished nor aborted. */
  public boolean isAbortable() {
    return end.get() == null && !delegate.isFinished();
  }

  /** True once {@link #abort} took effect. */
  protected boolean isAborted() {
    return end.get() instanceof Aborted;
  }

  private ChatException aborted() {
    Object e = end.get();
    return e instanceof Aborted a ? a.get() : null;
  }

  /** An abort's failure, made once. */
  private static final class Aborted {
    private final Supplier<ChatException> make;
    private volatile ChatException failure;

    Aborted(Supplier<ChatException> make) {
      this.make = make;
    }

    ChatException get() {
      ChatException f = failure;
      if (f == null) {
        synchronized (this) {
          f = failure;
          if (f == null) {
            f = Objects.requireNonNull(make.get(), "abort failure");
            failure = f;
          }
        }
      }
      return f;
    }
  }

  @Override
  public ChatEvent poll() {
    ChatException abort = aborted();
    if (abort != null) {
      if (abortDelivered) {
        return null;
      }
      abortDelivered = true;
      throw onFailure(abort);
    }
    boolean wasFinished = delegate.isFinished();
    ChatEvent event;
    try {
      event = delegate.poll();
    } catch (ChatException e) {
      throw onFailure(e);
    }
    if (event instanceof ChatEvent.Completed && !end.compareAndSet(null, COMPLETED)) {
      ChatException lost = aborted();
      if (lost != null) {
        // The abort won the race: the late final event is dropped and the failure delivered instead.
        abortDelivered = true;
        throw onFailure(lost);
      }
    }
    if (event != null) {
      return onEvent(event);
    }
    if (!wasFinished && delegate.isFinished()) {
      onFinished();
    }
    return null;
  }

  @Override
  public List<Attempt> attempts() {
    return delegate.attempts();
  }

  @Override
  public boolean isFinished() {
    return aborted() != null ? abortDelivered : delegate.isFinished();
  }

  @Override
  public void onReady(Runnable action) {
    if (aborted() != null) {
      action.run();
      return;
    }
    delegate.onReady(action);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
