package dev.switchboard;

/** The provider could not be reached or the connection failed (refused, reset, TLS). Usually retryable. */
public class TransportException extends ChatException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message, ErrorDetails details) {
    super(message, details);
  }

  public TransportException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
