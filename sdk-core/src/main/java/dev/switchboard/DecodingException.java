package dev.switchboard;

import java.util.List;

/** The provider's answer could not be understood: malformed JSON, a missing field it promised, or a body over the size limit. Not retryable by default. */
public class DecodingException extends ChatException {
  private static final long serialVersionUID = 1L;

  public DecodingException(String message, ErrorDetails details) {
    super(message, details);
  }

  public DecodingException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected DecodingException(DecodingException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public DecodingException withAttempts(List<Attempt> attempts) {
    return new DecodingException(this, attempts);
  }
}
