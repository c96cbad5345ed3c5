/**
 * Ollama's native API ({@code /api/chat}, NDJSON streaming, discovery, embeddings): {@link
 * dev.switchboard.providers.ollama.OllamaProvider} and its per-request {@link
 * dev.switchboard.providers.ollama.OllamaOptions}; the wire mapping lives in {@code internal} and is
 * not API.
 *
 * <p>Thread-safety: the provider is thread-safe and serves any number of concurrent calls; options
 * and the model descriptions it returns are immutable; builders are not thread-safe.
 */
package dev.switchboard.providers.ollama;
