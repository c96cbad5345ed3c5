/**
 * What every provider speaking the OpenAI chat-completions protocol shares with its users: {@link
 * dev.switchboard.providers.compat.ChatCompletionsOptions}, the protocol's request fields that
 * {@link dev.switchboard.ChatRequest} has no provider-neutral counterpart for. Both the OpenAI
 * provider (hosted vendors) and the self-hosted provider (vLLM, SGLang, TGI, llama.cpp) read it; the
 * wire code itself lives in the non-exported {@code compat.internal}, which depends on neither of
 * them.
 *
 * <p>Thread-safety: the types here are interfaces; the implementations Switchboard ships are
 * immutable and thread-safe, and implementations of your own should be too, since a request may be
 * sent from several threads at once (retries, hedges, fallbacks).
 */
package dev.switchboard.providers.compat;
