package dev.switchboard;

import java.util.List;

/** The provider could not be reached or the connection failed (refused, reset, TLS). Usually retryable. */
public class TransportException extends ChatException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message, ErrorDetails details) {
    super(message, details);
  }

  public TransportException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected TransportException(TransportException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public TransportException withAttempts(List<Attempt> attempts) {
    return new TransportException(this, attempts);
  }

  @Override
  protected boolean retryableByDefault() {
    return true;
  }
}
