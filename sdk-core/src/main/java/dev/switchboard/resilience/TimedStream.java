package dev.switchboard.resilience;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.stream.ResponseAccumulator;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;

/**
 * One streamed attempt with a time limit for its first event and for the silence between events
 * while the consumer waits. A limit that fires closes the exchange; the consumer gets a retryable
 * {@link ChatTimeoutException} if nothing had arrived yet, else a {@link ChatStreamException} with
 * what had. Not API.
 */
final class TimedStream extends ForwardingChatStream {
  private final Duration firstEvent;
  private final Duration idle;
  private final Scheduler scheduler;
  private final CallInfo call;
  private final ChatListener events;
  private final String provider;
  private final String model;
  private final ResponseAccumulator received = new ResponseAccumulator();
  private Scheduler.Cancellable firstTimer;
  private Scheduler.Cancellable idleTimer;
  private long idleGeneration;
  private boolean gotFirst;

  public TimedStream(ChatStream delegate, Duration firstEvent, Duration idle, Scheduler scheduler, CallInfo call,
      ChatListener events, String provider, String model) {
    super(delegate);
    this.firstEvent = firstEvent;
    this.idle = idle;
    this.scheduler = scheduler;
    this.call = call;
    this.events = events;
    this.provider = provider;
    this.model = model;
    if (firstEvent != null) {
      firstTimer = scheduler.schedule(firstEvent, () -> fire(TimeoutKind.FIRST_EVENT, firstEvent, -1));
    }
  }

  @Override
  protected synchronized ChatEvent onEvent(ChatEvent event) {
    received.add(event);
    idleGeneration++;
    if (!gotFirst) {
      gotFirst = true;
      cancel(firstTimer);
    }
    cancel(idleTimer);
    idleTimer = null;
    if (event instanceof ChatEvent.Completed) {
      cancel(firstTimer);
    }
    return event;
  }

  @Override
  public ChatEvent poll() {
    ChatEvent event = super.poll();
    if (event == null && idle != null && !isFinished()) {
      armIdle();
    }
    return event;
  }

  private synchronized void armIdle() {
    if (!gotFirst || idleTimer != null) {
      return;
    }
    long generation = idleGeneration;
    idleTimer = scheduler.schedule(idle, () -> fire(TimeoutKind.IDLE, idle, generation));
  }

  @Override
  protected ChatException onFailure(ChatException failure) {
    cancelAll();
    return failure;
  }

  @Override
  protected void onFinished() {
    cancelAll();
  }

  @Override
  public void close() {
    cancelAll();
    super.close();
  }

  private synchronized void cancelAll() {
    cancel(firstTimer);
    cancel(idleTimer);
  }

  private void fire(TimeoutKind kind, Duration limit, long generation) {
    ChatException failure;
    synchronized (this) {
      if (generation >= 0 && generation != idleGeneration) {
        return; // an event arrived since this timer was armed
      }
      if (kind == TimeoutKind.FIRST_EVENT && gotFirst) {
        return;
      }
      String what = kind == TimeoutKind.FIRST_EVENT
          ? "sent no first event within " + limit.toMillis() + " ms"
          : "went silent for " + limit.toMillis() + " ms after " + received.eventCount() + " events";
      ErrorDetails details = ErrorDetails.builder().provider(provider).model(model).retryable(true).build();
      ChatTimeoutException timeout = new ChatTimeoutException("the stream from " + provider + "/" + model + " "
          + what + "; the exchange was cancelled", details);
      failure = received.eventCount() == 0 ? timeout
          : new ChatStreamException(timeout.getMessage() + " (partial answer attached)",
              details.toBuilder().retryable(false).build(), received.partial(provider, model), timeout);
    }
    // Reported only if the abort takes effect, and before the consumer can see the failure.
    ChatException made = failure;
    abort(() -> {
      events.timeout(call, kind, limit);
      return made;
    });
  }

  private static void cancel(Scheduler.Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }
}
