/**
 * The OpenAI chat-completions wire code shared by every provider that speaks the protocol (the
 * OpenAI provider and the self-hosted one): the client that sends through an {@code
 * HttpTransport}, the request writer and its dialect, the response reader, the SSE stream decoder,
 * the embeddings exchange and the one error mapper. It depends on neither provider package; they
 * configure it. Stateless or immutable and thread-safe, except the stream decoder, which one
 * transport callback drives at a time. Not API: not exported, may change at any time.
 */
package dev.switchboard.providers.compat.internal;
