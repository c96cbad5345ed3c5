package dev.switchboard;

import java.util.List;

/** The prompt plus requested output does not fit the model's context window. Not retryable on the same model; a fallback to a model with a larger window may succeed. */
public class ContextLengthExceededException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public ContextLengthExceededException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ContextLengthExceededException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ContextLengthExceededException(ContextLengthExceededException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public ContextLengthExceededException withAttempts(List<Attempt> attempts) {
    return new ContextLengthExceededException(this, attempts);
  }
}
