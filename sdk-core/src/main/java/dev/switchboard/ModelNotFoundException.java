package dev.switchboard;

import java.util.List;
import java.util.Optional;

/**
 * The model string names no known provider, alias or route, or the provider does not serve that
 * model (404). Not retryable. When raised locally, {@link #known()} lists the names that do exist
 * and {@link #suggestion()} the closest of them.
 */
public class ModelNotFoundException extends ChatException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> known;
  private final String suggestion;

  public ModelNotFoundException(String message, ErrorDetails details) {
    this(message, details, List.of(), null);
  }

  public ModelNotFoundException(String message, ErrorDetails details, List<String> known, String suggestion) {
    super(message, details);
    this.known = List.copyOf(known);
    this.suggestion = suggestion;
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ModelNotFoundException(ModelNotFoundException original, List<Attempt> attempts) {
    super(original, attempts);
    this.known = original.known;
    this.suggestion = original.suggestion;
  }

  @Override
  public ModelNotFoundException withAttempts(List<Attempt> attempts) {
    return new ModelNotFoundException(this, attempts);
  }

  public List<String> known() {
    return known;
  }

  public Optional<String> suggestion() {
    return Optional.ofNullable(suggestion);
  }
}
