/**
 * Observation, kept apart from interception: {@link dev.switchboard.observe.ChatListener} (every
 * event of a call, one terminal event each; per call through {@link
 * dev.switchboard.observe.ChatListener.Factory}), {@link dev.switchboard.observe.CallInfo}, and
 * the {@link dev.switchboard.observe.TimeoutKind} and {@link dev.switchboard.observe.CircuitState}
 * they report. Cost ledgers, metrics ({@link dev.switchboard.observe.MicrometerMetrics}) and tracing
 * ({@link dev.switchboard.observe.OpenTelemetryTracing}) are listeners; the last two need Micrometer
 * and the OpenTelemetry API, optional dependencies. Listeners must be thread-safe.
 */
package dev.switchboard.observe;
