package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LearnedGuardTest {
  private final LexicalEmbedder lexical = LexicalEmbedder.create();

  private static ByteArrayInputStream json(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A guard that only looks at the similarity: probability 0.5 at similarity 0.8. */
  private static String bySimilarity(String embedder, boolean keyTermsFirst) {
    return "{\"format\":\"" + LearnedGuard.FORMAT + "\",\"embedder\":\"" + embedder + "\","
        + "\"features\":[\"similarity\",\"lexical\",\"numbers\",\"negations\",\"wh\",\"names\",\"oneSided\","
        + "\"lengthRatio\",\"jaccard\"],\"weights\":[10,0,0,0,0,0,0,0,0],\"bias\":-8,\"cut\":0.5,"
        + "\"keyTermsFirst\":" + keyTermsFirst + "}";
  }

  @Test
  void allows_fromTheCut_onTheGivenSimilarity() {
    LearnedGuard guard = LearnedGuard.fromJson(lexical, json(bySimilarity(lexical.id(), false)));
    assertThat(guard.probability("a b", "c d", 0.8)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(guard.allows("How do I learn Python?", "How do I learn Java?", 0.81)).isTrue();
    assertThat(guard.allows("How do I learn Python?", "How do I learn Python?", 0.79)).isFalse();
    assertThat(guard.cut()).isEqualTo(0.5);
  }

  @Test
  void keyTermsFirst_keepsTheVetoes() {
    LearnedGuard guard = LearnedGuard.fromJson(lexical, json(bySimilarity(lexical.id(), true)));
    assertThat(guard.probability("How do I learn Python?", "How do I learn Java?", 0.99)).isZero();
    assertThat(guard.allows("How do I learn Python?", "How do I learn Java?", 0.99)).isFalse();
    assertThat(guard.allows("How do I learn Python quickly?", "How can I learn Python fast?", 0.99)).isTrue();
  }

  @Test
  void withoutASimilarity_embedsBothQuestionsWithItsEmbedder() {
    LearnedGuard guard = LearnedGuard.fromJson(lexical, json(bySimilarity(lexical.id(), false)));
    String q = "What is the capital of France?";
    assertThat(guard.allows(q, q)).as("similarity 1").isTrue();
    assertThat(guard.allows(q, "How do I cook rice?")).as("similarity near 0").isFalse();
  }

  @Test
  void features_areInTheDocumentedOrder() {
    double[] f = LearnedGuard.features("Why can't I learn Python 3?", "How can I learn Python 3?", 0.9);
    assertThat(f).hasSize(LearnedGuard.FEATURES.size());
    assertThat(f[0]).isEqualTo(0.9);
    assertThat(f[1]).isBetween(0.3, 1.0);
    assertThat(f[2]).as("numbers").isZero();
    assertThat(f[3]).as("negations").isEqualTo(1);
    assertThat(f[4]).as("why on one side").isEqualTo(1);
    assertThat(f[5]).as("names").isZero();
    assertThat(f[6]).as("one-sided content words").isZero();
    assertThat(f[7]).as("length ratio").isEqualTo(6.0 / 7);
    assertThat(f[8]).as("jaccard").isBetween(0.5, 1.0);
  }

  @Test
  void fromJson_rejectsWeightsOfAnotherEmbedder_orAnotherShape() {
    assertThatThrownBy(() -> LearnedGuard.fromJson(lexical, json(bySimilarity("all-minilm-l6-v2-q", false))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("learned guard weights were trained for embedder 'all-minilm-l6-v2-q', not for 'lexical-v1-256': "
            + "train them for this embedder");
    assertThatThrownBy(() -> LearnedGuard.fromJson(lexical, json("{\"format\":\"v0\"}")))
        .hasMessageContaining("\"format\": \"" + LearnedGuard.FORMAT + "\"");
    assertThatThrownBy(() -> LearnedGuard.fromJson(lexical, json(bySimilarity(lexical.id(), false)
        .replace("[10,0,0,0,0,0,0,0,0]", "[10,0]")))).hasMessageContaining("must name the features");
    assertThatThrownBy(() -> LearnedGuard.fromJson(lexical, json(bySimilarity(lexical.id(), false)
        .replace("\"cut\":0.5", "\"cut\":1.5")))).hasMessageContaining("within (0, 1)");
    assertThatThrownBy(() -> LearnedGuard.fromJson(lexical, json("not json")))
        .hasMessageStartingWith("learned guard weights are not JSON");
  }

  @Test
  void theDefaultThreeArgumentDecision_ignoresTheSimilarity() {
    SemanticGuard plain = (asked, stored) -> asked.equals(stored);
    assertThat(plain.allows("a", "a", 0.1)).isTrue();
    assertThat(plain.allows("a", "b", 1.0)).isFalse();
  }
}
