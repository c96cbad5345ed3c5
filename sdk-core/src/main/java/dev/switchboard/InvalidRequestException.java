package dev.switchboard;

import java.util.List;

/** The provider rejected the request as malformed (400, 413, 422). Not retryable: the message says which field. */
public class InvalidRequestException extends ChatException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message, ErrorDetails details) {
    super(message, details);
  }

  public InvalidRequestException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected InvalidRequestException(InvalidRequestException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public InvalidRequestException withAttempts(List<Attempt> attempts) {
    return new InvalidRequestException(this, attempts);
  }
}
