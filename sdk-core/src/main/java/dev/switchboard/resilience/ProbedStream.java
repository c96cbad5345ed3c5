package dev.switchboard.resilience;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Holds a stream's events back for a probe window after its first event and measures its speed.
 * Too slow (fewer estimated tokens per second than required): the exchange is cancelled and the
 * consumer, who has seen nothing yet, gets a retryable {@link ChatTimeoutException} — so a retry or
 * a fallback can take over. Fast enough, or finished within the window: the held events flow on.
 * Not API.
 */
final class ProbedStream extends ForwardingChatStream {
  private final double minTokensPerSecond;
  private final Duration window;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final CallInfo call;
  private final ChatListener events;
  private final String provider;
  private final String model;
  private final ArrayDeque<ChatEvent> held = new ArrayDeque<>();
  private long firstAt = -1;
  private long chars;
  private boolean releasing;
  private volatile Runnable lastReadyAction;
  private Scheduler.Cancellable windowTimer;

  public ProbedStream(ChatStream delegate, double minTokensPerSecond, Duration window, Scheduler scheduler,
      Ticker ticker, CallInfo call, ChatListener events, String provider, String model) {
    super(delegate);
    this.minTokensPerSecond = minTokensPerSecond;
    this.window = window;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.call = call;
    this.events = events;
    this.provider = provider;
    this.model = model;
  }

  @Override
  public ChatEvent poll() {
    if (releasing) {
      ChatEvent e = held.poll();
      return e != null ? e : super.poll();
    }
    ChatEvent e;
    while (!releasing && (e = super.poll()) != null) {
      held.add(e);
      chars += length(e);
      if (firstAt < 0) {
        firstAt = ticker.read();
        windowTimer = scheduler.schedule(window, this::wake);
      }
      if (e instanceof ChatEvent.Completed) {
        releasing = true;
      }
    }
    // An exchange that has already ended is not judged: what it sent is the whole answer (see below).
    if (!releasing && firstAt >= 0 && !delegate.isFinished() && ticker.read() - firstAt >= window.toNanos()) {
      double seconds = (ticker.read() - firstAt) / 1e9;
      double rate = (chars / 4.0) / seconds;
      if (rate < minTokensPerSecond) {
        held.clear();
        ChatTimeoutException slow = new ChatTimeoutException(String.format(java.util.Locale.ROOT,
            "the stream from %s/%s ran at %.1f tokens/s over its %d ms probe window, below the %.1f required; "
                + "it was cancelled before anything reached the caller", provider, model, rate, window.toMillis(),
            minTokensPerSecond),
            ErrorDetails.builder().provider(provider).model(model).retryable(true).build());
        if (abort(slow)) {
          events.timeout(call, TimeoutKind.SLOW_STREAM, window);
        }
        return super.poll(); // throws the abort
      }
      releasing = true;
    }
    if (releasing) {
      cancelTimer();
      ChatEvent next = held.poll();
      return next != null ? next : super.poll();
    }
    if (delegateFinishedWithHeldEvents()) {
      releasing = true;
      return held.poll();
    }
    return null;
  }

  private boolean delegateFinishedWithHeldEvents() {
    return !held.isEmpty() && delegate.isFinished();
  }

  @Override
  public boolean isFinished() {
    return held.isEmpty() && super.isFinished();
  }

  @Override
  public void onReady(Runnable action) {
    java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable once = () -> {
      if (ran.compareAndSet(false, true)) {
        action.run();
      }
    };
    lastReadyAction = once;
    if (releasing && !held.isEmpty()) {
      once.run();
      return;
    }
    super.onReady(once);
  }

  /**
   * A failure while events are held back reached no caller: surface the retryable cause of a
   * broken stream, so that a retry or a fallback can still take over.
   */
  @Override
  protected dev.switchboard.ChatException onFailure(dev.switchboard.ChatException failure) {
    cancelTimer();
    if (!releasing && failure instanceof dev.switchboard.ChatStreamException
        && failure.getCause() instanceof dev.switchboard.ChatException cause) {
      held.clear();
      return cause;
    }
    return failure;
  }

  @Override
  public void close() {
    cancelTimer();
    super.close();
  }

  private void wake() {
    Runnable a = lastReadyAction;
    if (a != null) {
      a.run();
    }
  }

  private synchronized void cancelTimer() {
    if (windowTimer != null) {
      windowTimer.cancel();
      windowTimer = null;
    }
  }

  private static long length(ChatEvent e) {
    if (e instanceof ChatEvent.TextDelta d) {
      return d.text().length();
    }
    if (e instanceof ChatEvent.ReasoningDelta d) {
      return d.text().length();
    }
    if (e instanceof ChatEvent.RefusalDelta d) {
      return d.text().length();
    }
    if (e instanceof ChatEvent.ToolCallDelta d) {
      return d.argumentsDelta().length();
    }
    return 0;
  }
}
