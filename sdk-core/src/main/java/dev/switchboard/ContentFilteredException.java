package dev.switchboard;

import java.util.List;

/** The provider's content filter rejected the prompt or withheld the output. Not retryable as is. */
public class ContentFilteredException extends ChatException {
  private static final long serialVersionUID = 1L;

  public ContentFilteredException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ContentFilteredException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ContentFilteredException(ContentFilteredException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public ContentFilteredException withAttempts(List<Attempt> attempts) {
    return new ContentFilteredException(this, attempts);
  }
}
