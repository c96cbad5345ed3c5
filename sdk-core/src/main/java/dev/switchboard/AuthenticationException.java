package dev.switchboard;

/** 401 or 403: the API key is missing, wrong or lacks permission. Check the key's name in the environment; not retryable. */
public class AuthenticationException extends ChatException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message, ErrorDetails details) {
    super(message, details);
  }

  public AuthenticationException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
