package dev.switchboard;

/** The provider's content filter rejected the prompt or withheld the output. Not retryable as is. */
public class ContentFilteredException extends ChatException {
  private static final long serialVersionUID = 1L;

  public ContentFilteredException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ContentFilteredException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
