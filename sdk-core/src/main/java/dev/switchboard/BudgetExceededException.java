package dev.switchboard;

import java.util.List;

/** A configured spending budget would be exceeded by this call; it was not sent. Not retryable until the budget resets. */
public class BudgetExceededException extends ChatException {
  private static final long serialVersionUID = 1L;

  public BudgetExceededException(String message, ErrorDetails details) {
    super(message, details);
  }

  public BudgetExceededException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected BudgetExceededException(BudgetExceededException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public BudgetExceededException withAttempts(List<Attempt> attempts) {
    return new BudgetExceededException(this, attempts);
  }
}
