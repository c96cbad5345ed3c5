package dev.switchboard.spi.http;

import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Collects a whole response body into a byte array, never holding more than {@code maxBytes}.
 * Two modes: {@link #failing} completes with a {@link DecodingException} naming the limit and how to
 * raise it when the body is larger (for answers, which are useless when cut); {@link #truncating}
 * keeps the first {@code maxBytes} and stops reading (for error bodies, where an excerpt is
 * enough). Either way the rest of the body is not read: the subscription is cancelled, which makes
 * {@code java.net.http} close the connection. Holds no thread while waiting.
 *
 * <p>Used once, for one response; callbacks arrive one at a time as {@link Flow} guarantees. Not
 * API.
 */
public final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
  private static final byte[] EMPTY = new byte[0];

  private final int maxBytes;
  private final Supplier<? extends RuntimeException> oversize; // null: truncate
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private Flow.Subscription subscription;
  private byte[] buf = EMPTY;
  private int len;

  private BoundedBodySubscriber(int maxBytes, Supplier<? extends RuntimeException> oversize) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.oversize = oversize;
  }

  /**
   * Fails with a {@link DecodingException} when the body exceeds {@code maxBytes}. The message names
   * the provider and model of {@code details}, the limit, and {@code raiseHint} (e.g. {@code
   * "OpenAiProvider.builder().maxResponseBytes(...)"}).
   */
  public static BoundedBodySubscriber failing(int maxBytes, ErrorDetails details, String raiseHint) {
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(raiseHint, "raiseHint");
    return new BoundedBodySubscriber(maxBytes, () -> new DecodingException(
        "the response of " + details.provider() + " for model '" + details.model() + "' is larger than the limit of "
            + maxBytes + " bytes and was not read to the end; raise the limit with " + raiseHint,
        details));
  }

  /**
   * {@link #failing(int, ErrorDetails, String)} with the details made only if the body is too
   * large, so the common case reads no headers for them.
   */
  public static BoundedBodySubscriber failing(int maxBytes, Supplier<ErrorDetails> details, String raiseHint) {
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(raiseHint, "raiseHint");
    return new BoundedBodySubscriber(maxBytes, () -> {
      ErrorDetails d = details.get();
      return new DecodingException("the response of " + d.provider() + " for model '" + d.model()
          + "' is larger than the limit of " + maxBytes + " bytes and was not read to the end; raise the limit with "
          + raiseHint, d);
    });
  }

  /** Keeps at most the first {@code maxBytes} bytes of the body and ignores the rest. */
  public static BoundedBodySubscriber truncating(int maxBytes) {
    return new BoundedBodySubscriber(maxBytes, null);
  }

  /**
   * Sizes the buffer for a body of {@code expectedBytes} (a {@code Content-Length}), so that a body
   * of that size is read without copying. Call before the body flows; a wrong hint costs nothing
   * but a copy.
   */
  public BoundedBodySubscriber expect(long expectedBytes) {
    if (expectedBytes > 0 && len == 0) {
      buf = new byte[(int) Math.min(expectedBytes, maxBytes)];
    }
    return this;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (!subscribed.compareAndSet(false, true)) {
      s.cancel();
      return;
    }
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      int n = item.remaining();
      if (n > maxBytes - len) {
        if (oversize == null) {
          append(item, maxBytes - len);
          body.complete(result());
        } else {
          buf = EMPTY;
          body.completeExceptionally(oversize.get());
        }
        subscription.cancel();
        return;
      }
      append(item, n);
    }
  }

  @Override
  public void onError(Throwable error) {
    if (body.isDone()) {
      return;
    }
    buf = EMPTY;
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    if (!body.isDone()) {
      body.complete(result());
    }
  }

  private void append(ByteBuffer item, int n) {
    if (n <= 0) {
      return;
    }
    if (len + n > buf.length) {
      int capacity = (int) Math.min(maxBytes, Math.max((long) buf.length * 2, Math.max(len + n, 1024)));
      buf = Arrays.copyOf(buf, capacity);
    }
    item.get(buf, len, n);
    len += n;
  }

  private byte[] result() {
    byte[] out = len == buf.length ? buf : Arrays.copyOf(buf, len);
    buf = EMPTY;
    return out;
  }
}
