package dev.switchboard.spi.http;

/**
 * The event stream cannot be parsed within the configured bounds, e.g. a line or an event's data is
 * larger than {@code maxEventBytes}. Thrown by {@link SseParser}; the parser is unusable afterwards.
 * Like any exception, instances are not meant to be mutated concurrently.
 */
public final class SseFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SseFormatException(String message) {
    super(message);
  }
}
