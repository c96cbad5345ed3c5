package dev.switchboard.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Turns a question into a vector, so that a semantic cache can find stored questions that mean
 * the same: the built-in {@link dev.switchboard.cache.LexicalEmbedder} (no dependency, robust to typos and word order),
 * {@link MiniLmEmbedder} (a local model, optional dependency), an embedding model behind any
 * {@code EmbeddingClient} ({@link #of}), or your own.
 * Implementations must be thread-safe.
 */
public interface Embedder {

  /** A unit-length vector (L2 norm 1) of {@link #dimensions()} floats for {@code text}. */
  CompletableFuture<float[]> embed(String text);

  int dimensions();

  /**
   * A stable name that changes whenever the vectors would (model, dimensions, version): stored
   * beside shared entries, so that vectors of two different embedders are never compared.
   */
  String id();

  /**
   * An embedder that asks {@code model} through {@code client} (a {@code Switchboard}: OpenAI,
   * Ollama, vLLM or TEI embeddings, with the client's retries and budgets), and normalizes the
   * vectors it returns to unit length. {@code dimensions} is what the model returns; a vector of
   * another size fails the lookup, which then counts as a miss.
   */
  static Embedder of(dev.switchboard.EmbeddingClient client, String model, int dimensions) {
    java.util.Objects.requireNonNull(client, "client");
    java.util.Objects.requireNonNull(model, "model");
    if (dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be >= 1, got " + dimensions);
    }
    return new Embedder() {
      @Override
      public CompletableFuture<float[]> embed(String text) {
        return client.embedAsync(dev.switchboard.EmbeddingRequest.of(model, text)).thenApply(r -> {
          float[] v = r.embeddings().get(0).toArray();
          if (v.length != dimensions) {
            throw new IllegalStateException("embedding model '" + model + "' returned " + v.length
                + " dimensions; this embedder was built for " + dimensions);
          }
          double norm = 0;
          for (float f : v) {
            norm += (double) f * f;
          }
          float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
          float[] unit = new float[v.length];
          for (int i = 0; i < v.length; i++) {
            unit[i] = v[i] * scale;
          }
          return unit;
        });
      }

      @Override
      public int dimensions() {
        return dimensions;
      }

      @Override
      public String id() {
        return "model:" + model + ":" + dimensions;
      }

      @Override
      public String toString() {
        return "Embedder[" + model + "]";
      }
    };
  }
}
