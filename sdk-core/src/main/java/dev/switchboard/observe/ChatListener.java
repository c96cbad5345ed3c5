package dev.switchboard.observe;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import java.time.Duration;

/**
 * Observes calls without changing them: start, each attempt, the first streamed event, and the
 * end. Every call ends in exactly one {@link #callEnd} or {@link #callFailed}. Listeners must be
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

  default void callEnd(CallInfo call, ChatResponse response) {}

  default void callFailed(CallInfo call, ChatException error) {}
}
