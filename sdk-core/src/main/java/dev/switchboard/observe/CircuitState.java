package dev.switchboard.observe;

/** The state of a circuit breaker for one provider model. */
public enum CircuitState {
  /** Calls flow; failures are counted. */
  CLOSED,
  /** Calls are skipped until the cool-down ends. */
  OPEN,
  /** The cool-down ended; a few probe calls decide between CLOSED and OPEN. */
  HALF_OPEN
}
