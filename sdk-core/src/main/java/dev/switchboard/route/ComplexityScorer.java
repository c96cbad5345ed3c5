package dev.switchboard.route;

import dev.switchboard.ChatRequest;

/**
 * How hard a request looks: a {@link Score} in [0, 1] (higher is harder) with the scorer's
 * confidence in it, for {@link TieredRouter} to pick a tier and for {@code dev.switchboard.eval}
 * to measure offline. A scorer is a pure function of the request and its own immutable state: it
 * calls no provider and never blocks. Implementations must be thread-safe.
 *
 * <p>Built in: {@link #heuristic()}, hand-set features with no training, and {@link
 * ComplexityModel}, a logistic regression trained on prompts labelled by which model did better.
 */
@FunctionalInterface
public interface ComplexityScorer {

  /** The score of {@code request}. May throw; {@link TieredRouter} then abstains to its default tier. */
  Score score(ChatRequest request);

  /**
   * A scorer that needs no training and no data: a noisy-or of hand-set features of the last user
   * message (length in tokens, code, math, multi-step and comparison cues, several questions,
   * conversation depth, non-Latin script), reading at most its first and last 512 characters.
   * Confidence is 1 when the last user message has text, 0 when it has none (an image or
   * nothing). See {@code docs/routing.md} for the features and weights. Stateless and
   * thread-safe.
   */
  static ComplexityScorer heuristic() {
    return HeuristicScorer.INSTANCE;
  }

  /**
   * A score {@code value} in [0, 1] (higher is harder) and the {@code confidence} in it, also in [0,
   * 1]: a router abstains to its default tier below its minimum confidence. Immutable.
   */
  record Score(double value, double confidence) {
    public Score {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("Score.value must be within [0, 1], got " + value);
      }
      if (!(confidence >= 0 && confidence <= 1)) {
        throw new IllegalArgumentException("Score.confidence must be within [0, 1], got " + confidence);
      }
    }

    /** {@code value} with full confidence. */
    public static Score of(double value) {
      return new Score(value, 1);
    }
  }
}
