package dev.switchboard.route;

import dev.switchboard.ChatRequest;

/**
 * {@link ComplexityScorer#heuristic()}: the noisy-or {@code 1 - Π(1 - wᵢ·fᵢ)} of the features {@link
 * PromptScan} reads, each {@code fᵢ} in [0, 1], so any one strong cue raises the score and several
 * raise it further, never past 1. The weights are set by hand, not fitted. Stateless and thread-safe.
 */
final class HeuristicScorer implements ComplexityScorer {
  static final HeuristicScorer INSTANCE = new HeuristicScorer();

  /** In {@link PromptScan#FEATURES} order: tokens, code, math, steps, comparison, questions, depth, nonLatin. */
  static final double[] WEIGHTS = {0.45, 0.5, 0.5, 0.4, 0.35, 0.25, 0.2, 0.25};

  private HeuristicScorer() {}

  @Override
  public Score score(ChatRequest request) {
    PromptScan scan = PromptScan.read(request, null);
    return new Score(combine(scan), scan.hasText() ? 1 : 0);
  }

  static double combine(PromptScan scan) {
    double none = 1;
    for (int i = 0; i < WEIGHTS.length; i++) {
      none *= 1 - WEIGHTS[i] * scan.feature(i);
    }
    return 1 - none;
  }

  @Override
  public String toString() {
    return "ComplexityScorer.heuristic()";
  }
}
