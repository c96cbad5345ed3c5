package dev.switchboard;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The root of Switchboard's unchecked exceptions. Every call ends in exactly one response or one
 * {@code ChatException}. Subtypes say what went wrong; {@link #isRetryable()} says whether the same
 * request may succeed later (the type's default unless the details state otherwise, as a provider's
 * error mapper may); {@link #retryAfter()} is the
 * provider's hint of when. Messages name the provider and model and never contain secrets.
 * Immutable once thrown (apart from what {@link Throwable} itself allows): layers that add
 * attempts make a new exception with {@link #withAttempts}.
 */
public class ChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorDetails details;
  private final transient List<Attempt> attempts;

  public ChatException(String message, ErrorDetails details) {
    this(message, details, null);
  }

  public ChatException(String message, ErrorDetails details, Throwable cause) {
    super(message, cause);
    this.details = Objects.requireNonNull(details, "details");
    this.attempts = List.of();
  }

  /**
   * A copy of {@code original} that lists {@code attempts}: same message, details, cause, stack
   * trace and suppressed exceptions. Each subtype has one, so that {@link #withAttempts} keeps the
   * type.
   */
  protected ChatException(ChatException original, List<Attempt> attempts) {
    super(original.getMessage(), original.getCause());
    this.details = original.details;
    this.attempts = List.copyOf(attempts);
    setStackTrace(original.getStackTrace());
    for (Throwable suppressed : original.getSuppressed()) {
      addSuppressed(suppressed);
    }
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

  /**
   * Whether the same request may succeed later: what the {@linkplain ErrorDetails#retryable()
   * details} state, else {@link #retryableByDefault()} of this type.
   */
  public boolean isRetryable() {
    return details.retryable().orElseGet(this::retryableByDefault);
  }

  /**
   * Whether an exception of this type is retryable when its details do not say: false here; true
   * for rate limits, overload, server errors, timeouts and transport failures.
   */
  protected boolean retryableByDefault() {
    return false;
  }

  public Optional<Duration> retryAfter() {
    return details.retryAfter();
  }

  /**
   * Every exchange this call made before it failed, in order (retries, fallbacks, hedges), as far
   * as the layers that made them recorded them; empty when none was made.
   */
  public List<Attempt> attempts() {
    return attempts == null ? List.of() : attempts; // null after deserialization
  }

  /**
   * A new exception like this one (same type, message, details and cause) that lists {@code
   * attempts}. For interceptors that make several attempts (retries, fallbacks) and report the
   * whole story on the exception they finally throw; this one is left as it is. Subclasses of your
   * own override it (and add a copy constructor) to keep their type.
   */
  public ChatException withAttempts(List<Attempt> attempts) {
    return new ChatException(this, attempts);
  }
}
