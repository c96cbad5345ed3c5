package dev.switchboard;

import java.util.List;

/** The account is out of credit or quota (OpenAI 429 {@code insufficient_quota}, 402). Not retryable: add credit or switch provider. */
public class QuotaExceededException extends ChatException {
  private static final long serialVersionUID = 1L;

  public QuotaExceededException(String message, ErrorDetails details) {
    super(message, details);
  }

  public QuotaExceededException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected QuotaExceededException(QuotaExceededException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public QuotaExceededException withAttempts(List<Attempt> attempts) {
    return new QuotaExceededException(this, attempts);
  }
}
