/**
 * One policy per type — {@link dev.switchboard.resilience.RetryPolicy}, {@link
 * dev.switchboard.resilience.CircuitBreakers}, {@link dev.switchboard.resilience.ConcurrencyLimit},
 * {@link dev.switchboard.resilience.RateLimit}, {@link dev.switchboard.resilience.StreamTimeouts}
 * — composed per attempt by the {@link dev.switchboard.resilience.Resilience} interceptor, and
 * {@link dev.switchboard.resilience.Fallback} (candidates, hedges, breaker-aware order) outside it.
 * Policies are immutable or internally synchronized, and thread-safe; one instance serves all calls.
 */
package dev.switchboard.resilience;
