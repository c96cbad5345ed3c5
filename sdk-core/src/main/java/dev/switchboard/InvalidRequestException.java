package dev.switchboard;

/** The provider rejected the request as malformed (400, 413, 422). Not retryable: the message says which field. */
public class InvalidRequestException extends ChatException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message, ErrorDetails details) {
    super(message, details);
  }

  public InvalidRequestException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
