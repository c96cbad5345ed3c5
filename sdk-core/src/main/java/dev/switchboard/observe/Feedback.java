package dev.switchboard.observe;

import java.util.Objects;
import java.util.Set;

/**
 * A judgement of one answer, given after the call ({@code Switchboard.feedback}): the response it
 * is about, the provider and model that answered, the model string the caller used, a score
 * (the caller's scale, e.g. 0..1 or -1/+1) and free tags ({@code "wrong-language"}). Listeners
 * turn it into per-model quality beside cost and latency. Immutable.
 */
public record Feedback(String responseId, String provider, String model, String route, double score,
    Set<String> tags) {
  public Feedback {
    Objects.requireNonNull(responseId, "responseId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(route, "route");
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("feedback score must be a finite number, got " + score);
    }
    tags = Set.copyOf(tags);
  }
}
