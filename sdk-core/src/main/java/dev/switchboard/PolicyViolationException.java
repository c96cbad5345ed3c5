package dev.switchboard;

import java.util.List;

/** A configured policy (for example data residency) forbids every candidate for this call; it was not sent. Not retryable. */
public class PolicyViolationException extends ChatException {
  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message, ErrorDetails details) {
    super(message, details);
  }

  public PolicyViolationException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected PolicyViolationException(PolicyViolationException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public PolicyViolationException withAttempts(List<Attempt> attempts) {
    return new PolicyViolationException(this, attempts);
  }
}
