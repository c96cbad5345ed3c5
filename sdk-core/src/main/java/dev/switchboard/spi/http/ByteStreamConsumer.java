package dev.switchboard.spi.http;

import java.nio.ByteBuffer;

/**
 * Receives a streamed response body as it arrives, e.g. an SSE parser or an NDJSON line splitter
 * feeding a decoder. Called by {@link StreamingBodySubscriber} one call at a time, in order:
 * {@link #onBytes} any number of times, then exactly one of {@link #onComplete} or {@link
 * #onError}.
 */
public interface ByteStreamConsumer {

  /**
   * The next bytes of the body; consume all remaining bytes of {@code chunk}. Throwing stops the
   * body: the subscription is cancelled and the exception is passed to {@link #onError}.
   */
  void onBytes(ByteBuffer chunk);

  /** The body ended normally. */
  void onComplete();

  /**
   * The body broke: an {@link java.io.IOException} from the connection, or what {@link #onBytes}
   * or {@link #onComplete} threw.
   */
  void onError(Throwable error);
}
