package dev.switchboard.spi.http;

import dev.switchboard.ChatException;
import dev.switchboard.stream.PushChatStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Starts one streamed HTTP exchange that feeds a {@link PushChatStream}, for any wire protocol:
 *
 * <ol>
 *   <li>{@code close()} on the stream before the headers arrive cancels the {@code sendAsync}
 *       future ({@code cancel(true)} aborts the exchange on JDK 16+); after they arrive it cancels
 *       the body subscription.
 *   <li>A 2xx status streams the body through {@link StreamingBodySubscriber} into the {@link
 *       ByteStreamConsumer} made by {@code onSuccess} (which sees status and headers).
 *   <li>Any other status collects at most {@code maxErrorBytes} of the body and fails the stream
 *       with what the {@link ErrorMapper} makes of it.
 *   <li>A failure before any of that (connect, TLS, timeout waiting for headers) fails the stream
 *       with what {@code failureMapper} makes of it.
 * </ol>
 *
 * Stateless and thread-safe.
 */
public final class StreamingExchange {
  private StreamingExchange() {}

  /** Turns an HTTP error response into the provider's exception. Must not throw. */
  @FunctionalInterface
  public interface ErrorMapper {
    ChatException map(int status, HttpHeaders headers, byte[] body);
  }

  /** Sends {@code request} and streams its answer into {@code stream}; returns at once. */
  public static void start(
      HttpClient client,
      HttpRequest request,
      PushChatStream stream,
      Function<HttpResponse.ResponseInfo, ByteStreamConsumer> onSuccess,
      ErrorMapper errorMapper,
      Function<Throwable, ChatException> failureMapper,
      int maxErrorBytes) {
    AtomicReference<CompletableFuture<?>> exchange = new AtomicReference<>();
    // Registered before sending, so a close() racing with the start is never lost.
    stream.onCancel(() -> {
      CompletableFuture<?> f = exchange.getAndSet(CompletableFuture.completedFuture(null));
      if (f != null) {
        f.cancel(true);
      }
    });
    HttpResponse.BodyHandler<Void> handler = info -> {
      if (stream.isClosed()) {
        return cancelling();
      }
      int status = info.statusCode();
      if (status >= 200 && status < 300) {
        ByteStreamConsumer consumer;
        try {
          consumer = onSuccess.apply(info);
        } catch (RuntimeException e) {
          stream.fail(failureMapper.apply(e));
          return cancelling();
        }
        return new StreamingBodySubscriber(stream, consumer);
      }
      HttpHeaders headers = info.headers();
      BoundedBodySubscriber errorBody = BoundedBodySubscriber.truncating(maxErrorBytes);
      errorBody.getBody().whenComplete((bytes, readError) ->
          stream.fail(mapError(errorMapper, failureMapper, status, headers, bytes == null ? new byte[0] : bytes)));
      return HttpResponse.BodySubscribers.mapping(errorBody, bytes -> null);
    };
    CompletableFuture<HttpResponse<Void>> future;
    try {
      future = client.sendAsync(request, handler);
    } catch (RuntimeException e) {
      stream.fail(failureMapper.apply(e));
      return;
    }
    if (!exchange.compareAndSet(null, future)) {
      future.cancel(true); // closed while sending
    }
    future.whenComplete((response, error) -> {
      if (error != null) {
        stream.fail(failureMapper.apply(error));
      }
    });
  }

  private static ChatException mapError(ErrorMapper errorMapper, Function<Throwable, ChatException> failureMapper,
      int status, HttpHeaders headers, byte[] body) {
    try {
      return errorMapper.map(status, headers, body);
    } catch (RuntimeException e) {
      return failureMapper.apply(e);
    }
  }

  /** A subscriber that stops the body at once; for exchanges nobody wants any more. */
  private static HttpResponse.BodySubscriber<Void> cancelling() {
    return new HttpResponse.BodySubscriber<>() {
      @Override
      public CompletionStage<Void> getBody() {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
      }

      @Override
      public void onNext(List<ByteBuffer> item) {}

      @Override
      public void onError(Throwable throwable) {}

      @Override
      public void onComplete() {}
    };
  }
}
