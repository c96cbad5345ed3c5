package dev.switchboard.route;

import java.util.List;

/**
 * The models a call may try, in order, carried on the request as a tag: a router that decided on
 * a primary and its fallbacks sets it, and {@code Fallback} walks it instead of the chain
 * configured for the request's model string. Each entry is a model string (alias or {@code
 * "provider/model"}). Immutable.
 */
public record Candidates(List<String> modelStrings) {
  public Candidates {
    modelStrings = List.copyOf(modelStrings);
    if (modelStrings.isEmpty()) {
      throw new IllegalArgumentException("Candidates needs at least one model string");
    }
  }

  public static Candidates of(String... modelStrings) {
    return new Candidates(List.of(modelStrings));
  }
}
