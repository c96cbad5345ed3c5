package dev.switchboard.observe;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.observe.CircuitState;
import dev.switchboard.observe.TimeoutKind;
import java.time.Duration;

/**
 * Observes calls without changing them: start, each attempt, the first streamed event, retries,
 * fallbacks, hedges, timeouts, breaker transitions, and the end. Every call ends in exactly one {@link #callEnd} or {@link #callFailed}. Listeners must be
 * fast, thread-safe and must not throw (what they throw is logged and dropped). Cost accounting
 * and metrics are listeners; all methods do nothing by default.
 */
public interface ChatListener {

  default void callStart(CallInfo call) {}

  /** An exchange with {@code provider}/{@code model} is about to start. */
  default void attemptStart(CallInfo call, String provider, String model) {}

  /** An exchange ended, successfully or not; its usage is what the provider reported. */
  default void attemptEnd(CallInfo call, Attempt attempt) {}

  /** The first event of a stream reached the caller, {@code latency} after the call started. */
  default void firstEvent(CallInfo call, Duration latency) {}

  /** A failed attempt will be tried again as attempt {@code nextAttempt} (1-based) after {@code delay}. */
  default void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {}

  /** The call moves on from {@code fromModel} to {@code toModel} because of {@code cause}. */
  default void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {}

  /** A hedge: a second attempt on {@code model} started {@code after} the first, which still runs. */
  default void hedgeStarted(CallInfo call, String model, Duration after) {}

  /** A time limit fired for the call or one of its attempts. */
  default void timeout(CallInfo call, TimeoutKind kind, Duration limit) {}

  /** A provider model's circuit breaker changed state (not tied to one call). */
  default void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {}

  default void callEnd(CallInfo call, ChatResponse response) {}

  /** An embedding call ended with {@code response} (a failed one ends in {@link #callFailed}). */
  default void embeddingEnd(CallInfo call, EmbeddingResponse response) {}

  default void callFailed(CallInfo call, ChatException error) {}
}
