/**
 * Observation, kept apart from interception: {@link dev.switchboard.observe.ChatListener} (every
 * event of a call, one terminal event each; per call through {@link
 * dev.switchboard.observe.ChatListener.Factory}), {@link dev.switchboard.observe.CallInfo}, and
 * the {@link dev.switchboard.observe.TimeoutKind} and {@link dev.switchboard.observe.CircuitState}
 * they report. Cost ledgers, metrics and tracing are listeners. Listeners must be thread-safe.
 */
package dev.switchboard.observe;
