package dev.switchboard;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One exchange with one provider model, successful or not, as listed on a response or an
 * exception. {@code statusCode} is 0 when no HTTP status was received; {@code failure} names the
 * exception type when the attempt failed; {@code cost} is what its usage cost at the {@code
 * Switchboard}'s prices, empty when the model has no price. Immutable and thread-safe.
 */
public record Attempt(String provider, String model, int statusCode, Duration latency, Usage usage,
    Optional<String> failure, Optional<Cost> cost) {
  public Attempt {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(cost, "cost");
  }

  /** An attempt not priced (yet). */
  public Attempt(String provider, String model, int statusCode, Duration latency, Usage usage,
      Optional<String> failure) {
    this(provider, model, statusCode, latency, usage, failure, Optional.empty());
  }

  /** What {@link #failure()} says of an exchange the caller or a hedge cancelled. */
  public static final String CANCELLED = "Cancelled";

  public boolean succeeded() {
    return failure.isEmpty();
  }

  /** Cancelled before it ended (a hedge's loser, a caller's cancel or early close); its usage is estimated. */
  public boolean cancelled() {
    return failure.isPresent() && failure.get().equals(CANCELLED);
  }

  /** {@code "provider/model"}. */
  public String target() {
    return provider + "/" + model;
  }

  /** This attempt, costing {@code cost}. */
  public Attempt withCost(Cost cost) {
    return new Attempt(provider, model, statusCode, latency, usage, failure, Optional.of(cost));
  }
}
