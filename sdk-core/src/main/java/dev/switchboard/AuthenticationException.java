package dev.switchboard;

import java.util.List;

/** 401 or 403: the API key is missing, wrong or lacks permission. Check the key's name in the environment; not retryable. */
public class AuthenticationException extends ChatException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message, ErrorDetails details) {
    super(message, details);
  }

  public AuthenticationException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected AuthenticationException(AuthenticationException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public AuthenticationException withAttempts(List<Attempt> attempts) {
    return new AuthenticationException(this, attempts);
  }
}
