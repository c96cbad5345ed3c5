package dev.switchboard;

/** A configured policy (for example data residency) forbids every candidate for this call; it was not sent. Not retryable. */
public class PolicyViolationException extends ChatException {
  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message, ErrorDetails details) {
    super(message, details);
  }

  public PolicyViolationException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
