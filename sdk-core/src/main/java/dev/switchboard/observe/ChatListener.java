package dev.switchboard.observe;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.route.ModelRef;
import java.time.Duration;

/**
 * Observes calls without changing them: start, each attempt, the first streamed event, retries,
 * fallbacks, hedges, timeouts, cache hits, breaker transitions, and the end. Every call ends in
 * exactly one {@link #callEnd}, {@link #embeddingEnd} or {@link #callFailed}, and no event of the
 * call follows it. Listeners must be
 * fast, thread-safe and must not throw (what they throw is logged and dropped). Cost accounting
 * and metrics are listeners; all methods do nothing by default.
 */
public interface ChatListener {

  default void callStart(CallInfo call) {}

  /**
   * Exchange {@code attemptId} of the call, with {@code target}, is about to start. Attempt ids
   * count from 1 within a call in the order exchanges start; they pair each start with its {@link
   * #attemptEnd}, also when attempts overlap (hedges).
   */
  default void attemptStart(CallInfo call, int attemptId, ModelRef target) {}

  /**
   * Exchange {@code attemptId} ended, successfully, failed or cancelled; its usage is what the
   * provider reported (estimated for a cancelled one). Exactly one per {@link #attemptStart}.
   */
  default void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {}

  /**
   * A router decided where the call goes: why (with the tier and score of a classifying router)
   * and the candidates in order.
   */
  default void routed(CallInfo call, dev.switchboard.RouteChoice choice, java.util.List<String> candidates) {}

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

  /**
   * The call was answered from a cache named {@code cache} without an exchange; {@code similarity}
   * is 1 for an exact hit, below 1 for a semantic one. A {@link #callEnd} follows as usual.
   */
  default void cacheHit(CallInfo call, String cache, double similarity) {}

  /**
   * One cache lookup of the call ended: {@code cache} is the kind ({@code "exact"}, {@code
   * "semantic"}), {@code hit} whether it found an answer it may serve, {@code latency} how long it
   * took. An exact miss followed by a semantic lookup is two events.
   */
  default void cacheLookup(CallInfo call, String cache, boolean hit, Duration latency) {}

  /**
   * A shared cache (Redis) failed or was too slow for this call; the call went on with the
   * in-process cache alone. {@code error} says why.
   */
  default void cacheUnavailable(CallInfo call, String cache, Throwable error) {}

  default void callEnd(CallInfo call, ChatResponse response) {}

  /** An embedding call ended with {@code response} (a failed one ends in {@link #callFailed}). */
  default void embeddingEnd(CallInfo call, EmbeddingResponse response) {}

  default void callFailed(CallInfo call, ChatException error) {}

  /**
   * The caller gave up before the call ended: closed its stream early, or cancelled its future.
   * Neither a success nor a failure, so that error rates count only real failures; the exchange in
   * flight ends as a cancelled attempt.
   */
  default void callCancelled(CallInfo call) {}

  /**
   * Someone judged an answer ({@code Switchboard.feedback}). Not part of any call: it reaches the
   * listeners registered with {@code Switchboard.Builder.listener}, not those made per call.
   */
  default void feedback(Feedback feedback) {}

  /**
   * Makes a listener for each call, for state that lives as long as the call (a trace span, a
   * timer sample). {@link #create} runs on the caller's thread as the call starts, before {@link
   * #callStart}; the listener it returns sees every event of that call and no other. Must be
   * thread-safe and must not throw.
   */
  @FunctionalInterface
  interface Factory {
    ChatListener create(CallInfo call);
  }
}
