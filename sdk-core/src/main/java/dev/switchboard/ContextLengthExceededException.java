package dev.switchboard;

/** The prompt plus requested output does not fit the model's context window. Not retryable on the same model; a fallback to a model with a larger window may succeed. */
public class ContextLengthExceededException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public ContextLengthExceededException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ContextLengthExceededException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
