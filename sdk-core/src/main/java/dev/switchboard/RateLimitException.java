package dev.switchboard;

import java.util.List;

/** 429 rate limit: too many requests or tokens per minute. Retryable; {@link #retryAfter()} carries the provider's hint. */
public class RateLimitException extends ChatException {
  private static final long serialVersionUID = 1L;

  public RateLimitException(String message, ErrorDetails details) {
    super(message, details);
  }

  public RateLimitException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected RateLimitException(RateLimitException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public RateLimitException withAttempts(List<Attempt> attempts) {
    return new RateLimitException(this, attempts);
  }

  @Override
  protected boolean retryableByDefault() {
    return true;
  }
}
