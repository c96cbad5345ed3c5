/** Ollama's native API ({@code /api/chat}, NDJSON streaming, discovery, embeddings); wire mapping in {@code internal}. */
package dev.switchboard.providers.ollama;
