package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One example pair per rule of {@link SemanticGuard#keyTerms()}. */
class KeyTermsGuardTest {
  private final SemanticGuard guard = SemanticGuard.keyTerms();

  @Test
  void rejects_aDifferentNumber() {
    assertThat(guard.allows("Which is better, the iPhone 6 or the iPhone 7?", "Which is better, the iPhone 7 or the iPhone 8?")).isFalse();
    assertThat(guard.allows("What happened in 2019?", "What happened in 2020?")).isFalse();
    assertThat(guard.allows("Top 10 movies of all time?", "Top ten movies of all time?")).isTrue();
  }

  @Test
  void rejects_aNegationOnOneSideOnly_alsoAsAContraction() {
    assertThat(guard.allows("Why can I sleep at night?", "Why can't I sleep at night?")).isFalse();
    assertThat(guard.allows("Can I live with diabetes?", "Can I live without diabetes?")).isFalse();
    assertThat(guard.allows("Why can't I sleep at night?", "Why cannot I sleep at night?")).isTrue();
  }

  @Test
  void rejects_aDifferentWhy_when_where_or_who() {
    assertThat(guard.allows("Why were digital cameras invented?", "When were digital cameras invented?")).isFalse();
    assertThat(guard.allows("What is the capital of France?", "Which is the capital of France?")).isTrue();
  }

  @Test
  void rejects_aSwappedName() {
    assertThat(guard.allows("How do I learn Python quickly?", "How do I learn Java quickly?")).isFalse();
    assertThat(guard.allows("Is the iPhone better than a Pixel?", "Is the iPhone better than a Galaxy?")).isFalse();
  }

  @Test
  void rejects_whenMostContentWordsDiffer_butAllowsAFewInALongQuestion() {
    assertThat(guard.allows("How do I cook rice?", "How do I clean a rice cooker?")).isFalse();
    assertThat(guard.allows("how do i cook rice", "how do i cook pasta")).as("one word of two: allowed").isTrue();
    assertThat(guard.allows("What is the fastest way to learn to play the acoustic guitar as an adult beginner?",
        "What is the quickest way to learn to play the acoustic guitar as an adult beginner?")).isTrue();
  }

  @Test
  void allows_typos() {
    assertThat(guard.allows("How do I learn Python quickly?", "How do I lern Pyhton quickly?")).isTrue();
    assertThat(guard.allows("What is photosynthesis?", "What is photosyntesis?")).isTrue();
  }

  @Test
  void allows_pluralsAndOtherSimpleVariants() {
    assertThat(guard.allows("What are the best books on history?", "What is the best book on history?")).isTrue();
    assertThat(guard.allows("How do I start programming?", "How do I start to program?")).isTrue();
  }

  @Test
  void allows_differencesInStopWordsAndCaseAlone() {
    assertThat(guard.allows("How can I learn the guitar?", "How do I learn the GUITAR?")).isTrue();
  }
}
