package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LexicalEmbedderTest {
  private final LexicalEmbedder embedder = LexicalEmbedder.create();

  private float sim(String a, String b) {
    float[] x = embedder.vector(a);
    float[] y = embedder.vector(b);
    float s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  @Test
  void vectors_areUnitLength_evenForEmptyAndPunctuationOnlyText() {
    for (String text : new String[] {"How do I learn Python?", "", "?!", "a", "Ünïcödé naïve café",
        "x".repeat(5000)}) {
      float[] v = embedder.vector(text);
      double norm = 0;
      for (float f : v) {
        norm += f * f;
      }
      assertThat(v).hasSize(embedder.dimensions());
      assertThat(Math.sqrt(norm)).as(text).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void sameText_sameVector_acrossInstances_andEmbedIsTheSyncVector() {
    float[] a = embedder.vector("What is the capital of France?");
    assertThat(LexicalEmbedder.create().vector("What is the capital of France?")).containsExactly(a);
    assertThat(embedder.embed("What is the capital of France?").join()).containsExactly(a);
  }

  @Test
  void caseAccentsAndPunctuation_doNotChangeTheVector() {
    assertThat(embedder.vector("Where is the CAFÉ, in Zürich?!"))
        .containsExactly(embedder.vector("where is the cafe in zurich"));
  }

  @Test
  void typos_scoreHigh_andAboveASwappedKeyTermInLongerWords() {
    String asked = "How do I learn Python programming?";
    assertThat(sim(asked, "How do I learn Python programing?"))
        .isGreaterThan(sim(asked, "How do I learn Python progamming?"))
        .isGreaterThan(sim(asked, "How do I learn Java programming?"));
    // a typo in a short key term scores about as high as a swapped one: the guard tells them apart
    assertThat(sim(asked, "How do I learn Pyhton programming?")).isGreaterThan(0.8f);
    assertThat(SemanticGuard.keyTerms().allows(asked, "How do I learn Pyhton programming?")).isTrue();
    assertThat(SemanticGuard.keyTerms().allows(asked, "How do I learn Java programming?")).isFalse();
  }

  @Test
  void wordOrder_mattersLittle() {
    String asked = "best way to learn python for data science";
    assertThat(sim(asked, "for data science, the best way to learn python")).isGreaterThan(0.9f);
    assertThat(sim(asked, "best way to learn cooking for beginners")).isLessThan(0.6f);
  }

  @Test
  void unrelatedQuestions_scoreLow() {
    assertThat(sim("How do I bake sourdough bread?", "What is the tallest mountain on Earth?")).isLessThan(0.2f);
  }

  @Test
  void id_namesTheVersionAndDimensions() {
    assertThat(embedder.id()).isEqualTo("lexical-v1-" + embedder.dimensions());
    assertThat(LexicalEmbedder.create(1024).id()).isEqualTo("lexical-v1-1024");
    assertThat(LexicalEmbedder.create(1024).vector("hello")).hasSize(1024);
  }

  @Test
  void dimensions_mustBeAPowerOfTwo() {
    assertThatThrownBy(() -> LexicalEmbedder.create(300))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimensions must be a power of two from 16 to 65536, was 300");
  }
}
