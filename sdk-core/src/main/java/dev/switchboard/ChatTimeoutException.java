package dev.switchboard;

import java.util.List;

/** A deadline passed: the provider's 408, or a client-side timeout (total, time to first token, idle between chunks). Retryable. */
public class ChatTimeoutException extends ChatException {
  private static final long serialVersionUID = 1L;

  public ChatTimeoutException(String message, ErrorDetails details) {
    super(message, details);
  }

  public ChatTimeoutException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ChatTimeoutException(ChatTimeoutException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public ChatTimeoutException withAttempts(List<Attempt> attempts) {
    return new ChatTimeoutException(this, attempts);
  }

  @Override
  protected boolean retryableByDefault() {
    return true;
  }
}
