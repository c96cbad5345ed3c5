package dev.switchboard;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One exchange with one provider model, successful or not, as listed on a response or an
 * exception. {@code statusCode} is 0 when no HTTP status was received; {@code failure} names the
 * exception type when the attempt failed. Immutable and thread-safe.
 */
public record Attempt(
    String provider, String model, int statusCode, Duration latency, Usage usage, Optional<String> failure) {
  public Attempt {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(failure, "failure");
  }

  public boolean succeeded() {
    return failure.isEmpty();
  }
}
