package dev.switchboard.resilience;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.resilience.RetryPolicy;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The one retry loop for answers that arrive whole (chat calls and embeddings): runs an attempt,
 * asks the {@link RetryPolicy} whether and when to try again (within the call's deadline), reports
 * the retry to the listeners, waits on the scheduler without a thread, and ends with the answer or
 * the last failure, every attempt listed. Cancelling the result cancels the attempt in flight or
 * the pending retry. Streams use the same policy decision in {@link SwitchingStream}.
 */
final class RetryLoop<T> {

  /** What the loop needs to know about one kind of call. */
  public interface Attempts<T> {
    /** Starts one attempt. */
    CompletableFuture<T> start();

    /** An attempt succeeded (breaker bookkeeping). */
    default void succeeded(T value) {}

    /** An attempt failed (breaker bookkeeping). */
    default void failed(ChatException failure) {}

    /** The exchanges the successful attempt lists. */
    List<Attempt> attemptsOf(T value);

    /** {@code value} listing {@code all} exchanges of the call. */
    T withAttempts(T value, List<Attempt> all);

    /** What the loop reports for a failure that is not a {@link ChatException}. */
    ChatException unexpected(Throwable failure);
  }

  private final RetryPolicy.Retries retries;
  private final Attempts<T> kind;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final CallInfo call;
  private final ChatListener events;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final List<Attempt> attempts = new ArrayList<>();
  private volatile CompletableFuture<T> inFlight;
  private volatile Scheduler.Cancellable pending;

  private RetryLoop(RetryPolicy.Retries retries, Attempts<T> kind, Scheduler scheduler, Ticker ticker, CallInfo call,
      ChatListener events) {
    this.retries = retries;
    this.kind = kind;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.call = call;
    this.events = events;
  }

  /** Runs the attempts of one call; the future ends once, with the answer or the last failure. */
  public static <T> CompletableFuture<T> run(RetryPolicy policy, Attempts<T> kind, Scheduler scheduler,
      Ticker ticker, CallInfo call, ChatListener events) {
    RetryLoop<T> loop = new RetryLoop<>(policy.start(), kind, scheduler, ticker, call, events);
    loop.result.whenComplete((r, e) -> {
      if (loop.result.isCancelled()) {
        CompletableFuture<T> f = loop.inFlight;
        if (f != null) {
          f.cancel(true);
        }
        Scheduler.Cancellable p = loop.pending;
        if (p != null) {
          p.cancel();
        }
      }
    });
    loop.attempt();
    return loop.result;
  }

  private void attempt() {
    if (result.isDone()) {
      return;
    }
    CompletableFuture<T> f;
    try {
      f = kind.start();
    } catch (RuntimeException e) {
      f = Futures.failed(e);
    }
    inFlight = f;
    if (result.isCancelled()) {
      f.cancel(true); // the caller cancelled while this attempt was starting
      return;
    }
    f.whenComplete((value, error) -> {
      if (error == null) {
        kind.succeeded(value);
        List<Attempt> all;
        synchronized (attempts) {
          attempts.addAll(kind.attemptsOf(value));
          all = List.copyOf(attempts);
        }
        result.complete(kind.withAttempts(value, all));
        return;
      }
      Throwable cause = Futures.unwrap(error);
      ChatException failure = cause instanceof ChatException ce ? ce : kind.unexpected(cause);
      List<Attempt> all;
      synchronized (attempts) {
        attempts.addAll(failure.attempts());
        all = List.copyOf(attempts);
      }
      kind.failed(failure);
      Duration delay = result.isDone() ? null
          : retries.next(failure, call == null ? java.util.Optional.empty() : call.remaining(ticker.read()));
      if (delay == null) {
        result.completeExceptionally(failure.withAttempts(all));
        return;
      }
      if (call != null) {
        events.retryScheduled(call, failure, retries.attempt(), delay);
      }
      pending = scheduler.schedule(delay, this::attempt);
      if (result.isCancelled()) {
        pending.cancel();
      }
    });
  }

  /** The failure of an attempt that ended without a {@link ChatException}, e.g. cancelled. */
  public static ChatException unexpected(Throwable t, String model) {
    if (t instanceof CancellationException) {
      return new ChatException("the attempt on '" + model + "' was cancelled", ErrorDetails.of("", model), t);
    }
    return new ChatException("the attempt on '" + model + "' failed: " + t, ErrorDetails.of("", model), t);
  }
}
