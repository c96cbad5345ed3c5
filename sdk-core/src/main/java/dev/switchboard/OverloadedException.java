package dev.switchboard;

import java.util.List;

/**
 * The provider is at capacity: Anthropic's 529 {@code overloaded_error}, an HTTP 503, a
 * self-hosted server whose queue is full (TGI {@code overloaded}, llama.cpp {@code
 * unavailable_error}). Retryable, after {@link #retryAfter()} when the provider gave one; apart
 * from {@link ServerException} (a failure on the provider's side) and {@link RateLimitException}
 * (this account's quota per minute), so that fallbacks and metrics can tell capacity from bugs and
 * quota.
 */
public class OverloadedException extends ChatException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(String message, ErrorDetails details) {
    super(message, details);
  }

  public OverloadedException(String message, ErrorDetails details, Throwable cause) {
    super(message, details, cause);
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected OverloadedException(OverloadedException original, List<Attempt> attempts) {
    super(original, attempts);
  }

  @Override
  public OverloadedException withAttempts(List<Attempt> attempts) {
    return new OverloadedException(this, attempts);
  }

  @Override
  protected boolean retryableByDefault() {
    return true;
  }
}
