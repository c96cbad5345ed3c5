package dev.switchboard.spi.http;

import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.stream.PushChatStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Streams a response body into a {@link ByteStreamConsumer} that feeds a {@link PushChatStream},
 * with back-pressure, cancellation and an idle timeout, and without holding a thread while waiting:
 *
 * <ul>
 *   <li>One chunk ({@code List<ByteBuffer>}) is requested at a time; the next only when the
 *       stream's buffer has room ({@link PushChatStream#requestMoreWhenDrained}), so a slow
 *       consumer slows down the reading instead of filling memory.
 *   <li>{@link PushChatStream#close()} cancels the subscription ({@link PushChatStream#onCancel}),
 *       which makes {@code java.net.http} abort the exchange and close the connection.
 *   <li>When no chunk arrived for {@code idleTimeout} while the body was wanted, the subscription
 *       is cancelled and the consumer's {@code onError} gets an {@link HttpTimeoutException}. One
 *       check is scheduled per idle period, not per chunk. Time spent waiting for a slow consumer
 *       does not count.
 *   <li>{@link #getBody()} is complete at once, so a send completes when the headers arrive and
 *       the body flows afterwards.
 * </ul>
 *
 * <p>Used once, for one response. The consumer is called one call at a time.
 */
public final class StreamingBodySubscriber implements HttpResponse.BodySubscriber<Void> {
  private final PushChatStream stream;
  private final ByteStreamConsumer consumer;
  private final Duration idleTimeout;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private volatile Flow.Subscription subscription;
  private volatile boolean done;
  private volatile long lastProgress;
  private volatile Scheduler.Cancellable idleCheck;

  /** A body with no idle timeout. */
  public StreamingBodySubscriber(PushChatStream stream, ByteStreamConsumer consumer) {
    this(stream, consumer, null, null, null);
  }

  /** A body that fails after {@code idleTimeout} without a chunk, measured on {@code ticker}. */
  public StreamingBodySubscriber(PushChatStream stream, ByteStreamConsumer consumer, Duration idleTimeout,
      Scheduler scheduler, Ticker ticker) {
    this.stream = Objects.requireNonNull(stream, "stream");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.idleTimeout = idleTimeout;
    this.scheduler = scheduler;
    this.ticker = ticker;
    if (idleTimeout != null) {
      Objects.requireNonNull(scheduler, "scheduler");
      Objects.requireNonNull(ticker, "ticker");
    }
  }

  @Override
  public CompletionStage<Void> getBody() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (subscription != null) {
      s.cancel();
      return;
    }
    subscription = s;
    stream.onCancel(this::cancel);
    if (!stream.isClosed()) {
      if (idleTimeout != null) {
        lastProgress = ticker.read();
        idleCheck = scheduler.schedule(idleTimeout, this::checkIdle);
      }
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (done) {
      return;
    }
    if (stream.isClosed()) {
      cancel();
      return;
    }
    synchronized (this) {
      if (done) {
        return;
      }
      try {
        for (ByteBuffer item : items) {
          consumer.onBytes(item);
        }
      } catch (Throwable t) {
        cancel();
        deliverError(t);
        return;
      }
    }
    stream.requestMoreWhenDrained(this::requestOne);
  }

  @Override
  public synchronized void onError(Throwable error) {
    if (done) {
      return;
    }
    deliverError(error);
  }

  @Override
  public synchronized void onComplete() {
    if (done) {
      return;
    }
    done = true;
    cancelIdleCheck();
    try {
      consumer.onComplete();
    } catch (Throwable t) {
      deliverError(t);
    }
  }

  private void requestOne() {
    Flow.Subscription s = subscription;
    if (!done && s != null) {
      lastProgress = ticker == null ? 0 : ticker.read(); // waiting for the consumer is not silence
      s.request(1);
    }
  }

  private void checkIdle() {
    if (done || stream.isClosed()) {
      return;
    }
    long silent = ticker.read() - lastProgress;
    long limit = idleTimeout.toNanos();
    if (silent < limit || stream.bufferedEvents() > 0) {
      // a chunk came in since, or the consumer has not taken what it has: look again later
      idleCheck = scheduler.schedule(Duration.ofNanos(Math.max(limit - silent, 1_000_000)), this::checkIdle);
      return;
    }
    synchronized (this) {
      if (done) {
        return;
      }
      cancel();
      deliverError(new HttpTimeoutException("no data for " + idleTimeout.toMillis() + " ms, the idle timeout "
          + "between chunks of a streamed answer (HttpTransport.builder().idleTimeout(...))"));
    }
  }

  private void cancel() {
    done = true;
    cancelIdleCheck();
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  private void cancelIdleCheck() {
    Scheduler.Cancellable c = idleCheck;
    if (c != null) {
      c.cancel();
    }
  }

  private void deliverError(Throwable error) {
    done = true;
    cancelIdleCheck();
    try {
      consumer.onError(error);
    } catch (RuntimeException e) {
      e.addSuppressed(error);
      stream.fail(e instanceof ChatException ce ? ce
          : new ChatException("the stream decoder failed: " + e, ErrorDetails.of("", ""), e));
    }
  }
}
