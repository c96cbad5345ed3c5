package dev.switchboard;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The root of Switchboard's unchecked exceptions. Every call ends in exactly one response or one
 * {@code ChatException}. Subtypes say what went wrong; {@link #isRetryable()} says whether the same
 * request may succeed later (decided by the provider's error mapper); {@link #retryAfter()} is the
 * provider's hint of when. Messages name the provider and model and never contain secrets.
 */
public class ChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorDetails details;
  private transient volatile List<Attempt> attempts = List.of();

  public ChatException(String message, ErrorDetails details) {
    this(message, details, null);
  }

  public ChatException(String message, ErrorDetails details, Throwable cause) {
    super(message, cause);
    this.details = Objects.requireNonNull(details, "details");
  }

  public ErrorDetails details() {
    return details;
  }

  public String provider() {
    return details.provider();
  }

  public String model() {
    return details.model();
  }

  public OptionalInt statusCode() {
    return details.statusCode();
  }

  public Optional<String> requestId() {
    return details.requestId();
  }

  public boolean isRetryable() {
    return details.retryable();
  }

  public Optional<Duration> retryAfter() {
    return details.retryAfter();
  }

  /**
   * Every exchange this call made before it failed, in order (retries, fallbacks, hedges), as far
   * as the layers that made them recorded them; empty when none was made.
   */
  public List<Attempt> attempts() {
    return attempts;
  }

  /**
   * Replaces the recorded attempts. For interceptors that make several attempts (retries,
   * fallbacks) and report the whole story on the exception they finally throw.
   */
  public ChatException withAttempts(List<Attempt> attempts) {
    this.attempts = List.copyOf(attempts);
    return this;
  }
}
