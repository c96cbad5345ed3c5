package dev.switchboard;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Why a call went where it went: the router's reason ({@code "tiered: complex (0.81)"}), and for
 * routers that classify, the tier and the score that chose it. On responses ({@link
 * ChatResponse#routing()}) and in the {@code routed} listener event. Immutable.
 */
public record RouteChoice(String reason, Optional<String> tier, OptionalDouble score) {
  public RouteChoice {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(score, "score");
  }

  public static RouteChoice of(String reason) {
    return new RouteChoice(reason, Optional.empty(), OptionalDouble.empty());
  }
}
