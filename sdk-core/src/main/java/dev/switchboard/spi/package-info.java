/**
 * Extension points: {@link dev.switchboard.spi.ProviderAdapter} (a model provider), {@link
 * dev.switchboard.spi.Interceptor} with its {@link dev.switchboard.spi.Interceptor.Chain} and
 * {@link dev.switchboard.spi.CallContext} (routing, caching, retries, budgets), {@link
 * dev.switchboard.spi.Capabilities}, the injectable {@link dev.switchboard.spi.Ticker} and {@link
 * dev.switchboard.spi.Scheduler} every timer runs on, {@link dev.switchboard.spi.Futures} and
 * {@link dev.switchboard.spi.TokenEstimates}. The built-in interceptors and providers use these and
 * nothing internal. Implementations must be thread-safe.
 */
package dev.switchboard.spi;
