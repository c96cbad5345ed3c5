/**
 * What a provider adapter needs to speak HTTP the way Switchboard's own adapters do: streamed
 * exchanges into a {@link dev.switchboard.stream.PushChatStream} ({@link
 * dev.switchboard.spi.http.HttpTransport}, shared threads, timeouts and deadlines), bounded body collection, the byte-level SSE reader
 * and NDJSON line splitter, an SSE decoder skeleton, {@code Retry-After} parsing, error-message
 * redaction and excerpts, deadlines on an injected scheduler, the shared HTTP settings and the
 * bounded Jackson setup. Everything here is used by the built-in providers through this package
 * only, so a provider of your own can do all that they do.
 */
package dev.switchboard.spi.http;
