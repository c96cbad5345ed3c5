package dev.switchboard;

import java.util.concurrent.CompletableFuture;

/**
 * Embeds texts with any embedding model by its model string. The one implementation is {@link
 * Switchboard}. Implementations are thread-safe.
 */
public interface EmbeddingClient {

  EmbeddingResponse embed(EmbeddingRequest request);

  CompletableFuture<EmbeddingResponse> embedAsync(EmbeddingRequest request);

  /** One text; returns its vector. */
  default float[] embed(String model, String text) {
    return embed(EmbeddingRequest.of(model, text)).embeddings().get(0).toArray();
  }
}
