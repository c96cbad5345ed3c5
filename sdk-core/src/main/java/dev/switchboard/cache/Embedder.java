package dev.switchboard.cache;

import java.util.concurrent.CompletableFuture;

/**
 * Turns a question into a vector, so that a semantic cache can find stored questions that mean
 * the same: the built-in {@link LexicalEmbedder} (no dependency, robust to typos and word order),
 * an embedding model behind any {@code EmbeddingClient} ({@link #of}), or your own.
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
}
