package dev.switchboard.spi.http;

import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.stream.PushChatStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Streams a response body into a {@link ByteStreamConsumer} that feeds a {@link PushChatStream},
 * with back-pressure and cancellation and without holding a thread while waiting:
 *
 * <ul>
 *   <li>One chunk ({@code List<ByteBuffer>}) is requested at a time; the next only when the
 *       stream's buffer has room ({@link PushChatStream#requestMoreWhenDrained}), so a slow
 *       consumer slows down the reading instead of filling memory.
 *   <li>{@link PushChatStream#close()} cancels the subscription ({@link PushChatStream#onCancel}),
 *       which makes {@code java.net.http} abort the exchange and close the connection.
 *   <li>{@link #getBody()} is complete at once, so {@code sendAsync} completes when the headers
 *       arrive and the body flows afterwards.
 * </ul>
 *
 * <p>Used once, for one response; {@code java.net.http} calls it one signal at a time.
 */
public final class StreamingBodySubscriber implements HttpResponse.BodySubscriber<Void> {
  private final PushChatStream stream;
  private final ByteStreamConsumer consumer;
  private volatile Flow.Subscription subscription;
  private volatile boolean done;

  public StreamingBodySubscriber(PushChatStream stream, ByteStreamConsumer consumer) {
    this.stream = Objects.requireNonNull(stream, "stream");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
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
    try {
      for (ByteBuffer item : items) {
        consumer.onBytes(item);
      }
    } catch (Throwable t) {
      cancel();
      deliverError(t);
      return;
    }
    stream.requestMoreWhenDrained(this::requestOne);
  }

  @Override
  public void onError(Throwable error) {
    if (done) {
      return;
    }
    done = true;
    deliverError(error);
  }

  @Override
  public void onComplete() {
    if (done) {
      return;
    }
    done = true;
    try {
      consumer.onComplete();
    } catch (Throwable t) {
      deliverError(t);
    }
  }

  private void requestOne() {
    Flow.Subscription s = subscription;
    if (!done && s != null) {
      s.request(1);
    }
  }

  private void cancel() {
    done = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  private void deliverError(Throwable error) {
    done = true;
    try {
      consumer.onError(error);
    } catch (RuntimeException e) {
      e.addSuppressed(error);
      stream.fail(e instanceof ChatException ce ? ce
          : new ChatException("the stream decoder failed: " + e, ErrorDetails.of("", ""), e));
    }
  }
}
