package dev.switchboard;

/** A configured spending budget would be exceeded by this call; it was not sent. Not retryable until the budget resets. */
public class BudgetExceededException extends ChatException {
  private static final long serialVersionUID = 1L;

  public BudgetExceededException(String message, ErrorDetails details) {
    super(message, details);
  }

  public BudgetExceededException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }
}
