package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import dev.switchboard.route.ComplexityScorer.Score;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Routes each request to a tier by how hard it looks: a {@link ComplexityScorer} scores the request
 * in [0, 1] and the request goes to the highest tier whose {@link Tier#minScore()} the score
 * reaches. Each tier is a model string and its fallbacks ({@link Candidates}). When the scorer's
 * confidence is below {@link Builder#minConfidence(double)}, or the scorer throws, the request goes
 * to the default tier instead: {@link #decide} never throws and never blocks.
 *
 * <pre>{@code
 * TieredRouter router = TieredRouter.builder()
 *     .scorer(ComplexityScorer.heuristic())
 *     .tier("simple", 0, "openai/gpt-4o-mini")
 *     .tier("medium", 0.35, "deepseek/deepseek-chat", "openai/gpt-4o-mini")
 *     .tier("complex", 0.6, "openai/gpt-4o", "anthropic/claude-sonnet-4-5")
 *     .defaultTier("medium")
 *     .build();
 * }</pre>
 *
 * <p>The {@link Router.Decision#reason() reason} names the router, the tier and the score, e.g.
 * {@code "tiered: complex (score 0.81)"} or {@code "tiered: medium (abstained: confidence 0.20 <
 * 0.50)"}; {@link #choose} gives the same as typed values. Thresholds for a wanted share of
 * premium traffic come from {@link #calibrate(double[], double)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TieredRouter implements Router {
  private static final int PERCENT = 100;

  private final String name;
  private final ComplexityScorer scorer;
  private final List<Tier> tiers;
  private final Tier defaultTier;
  private final double minConfidence;
  /** [tier][score in hundredths]: a request's decision is one of these, so deciding allocates none. */
  private final Decision[][] decisions;

  private TieredRouter(Builder b) {
    this.name = b.name;
    this.scorer = b.scorer;
    this.tiers = List.copyOf(b.tiers);
    this.defaultTier = tiers.stream().filter(t -> t.name().equals(b.defaultTier)).findFirst().orElseThrow();
    this.minConfidence = b.minConfidence;
    this.decisions = new Decision[tiers.size()][PERCENT + 1];
    for (int t = 0; t < tiers.size(); t++) {
      for (int p = 0; p <= PERCENT; p++) {
        decisions[t][p] = new Decision(tiers.get(t).candidates(),
            name + ": " + tiers.get(t).name() + " (score " + hundredths(p) + ")",
            java.util.Optional.of(tiers.get(t).name()), java.util.OptionalDouble.of(p / (double) PERCENT));
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * One tier: requests scoring at least {@code minScore} (and below the next tier's) go to its
   * {@code candidates}, the first of them primary. Immutable.
   */
  public record Tier(String name, double minScore, Candidates candidates) {
    public Tier {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(candidates, "candidates");
    }
  }

  /**
   * What {@link #choose} decided for one request: the {@code tier}, the scorer's {@code score} and
   * {@code confidence} ({@code NaN} when the scorer failed), whether the router {@code abstained} to
   * its default tier, and the {@code reason} the decision carries. Immutable.
   */
  public record Choice(Tier tier, double score, double confidence, boolean abstained, String reason) {}

  @Override
  public Decision decide(ChatRequest request) {
    Score score;
    try {
      score = scorer.score(request);
    } catch (RuntimeException e) {
      return abstained(abstainReason("scorer failed: " + e.getClass().getSimpleName()));
    }
    if (score == null) {
      return abstained(abstainReason("no score"));
    }
    if (score.confidence() < minConfidence) {
      return abstained(abstainReason(lowConfidence(score)));
    }
    return decisions[tierIndex(score.value())][(int) Math.round(score.value() * PERCENT)];
  }

  private Decision abstained(String reason) {
    return new Decision(defaultTier.candidates(), reason, java.util.Optional.of(defaultTier.name()),
        java.util.OptionalDouble.empty());
  }

  /** The same decision as {@link #decide}, with the tier, score and confidence as values. */
  public Choice choose(ChatRequest request) {
    Score score;
    try {
      score = scorer.score(request);
    } catch (RuntimeException e) {
      return new Choice(defaultTier, Double.NaN, Double.NaN, true,
          abstainReason("scorer failed: " + e.getClass().getSimpleName()));
    }
    if (score == null) {
      return new Choice(defaultTier, Double.NaN, Double.NaN, true, abstainReason("no score"));
    }
    if (score.confidence() < minConfidence) {
      return new Choice(defaultTier, score.value(), score.confidence(), true, abstainReason(lowConfidence(score)));
    }
    int t = tierIndex(score.value());
    return new Choice(tiers.get(t), score.value(), score.confidence(), false,
        decisions[t][(int) Math.round(score.value() * PERCENT)].reason());
  }

  public String name() {
    return name;
  }

  public ComplexityScorer scorer() {
    return scorer;
  }

  /** The tiers, lowest first. */
  public List<Tier> tiers() {
    return tiers;
  }

  public Tier defaultTier() {
    return defaultTier;
  }

  public double minConfidence() {
    return minConfidence;
  }

  /**
   * The threshold that sends {@code premiumShare} of requests scored like {@code scores} to a tier
   * starting at it: the share of {@code scores} at or above the result is {@code premiumShare}
   * rounded to whole scores, as RouteLLM calibrates its routers. The result lies halfway between
   * the last score in and the first one out, so scores that land near the line on new traffic
   * split as they did here. Where scores tie at the line, all the tied ones are in and the share is
   * higher. 0 sends everything to the tier; above 1 (when {@code premiumShare} is 0) nothing.
   *
   * @param scores scores of a calibration sample (traffic like the one to route, not the data a
   *     scorer was trained on); not changed
   * @param premiumShare the wanted share, in [0, 1]
   */
  public static double calibrate(double[] scores, double premiumShare) {
    if (!(premiumShare >= 0 && premiumShare <= 1)) {
      throw new IllegalArgumentException("premiumShare must be within [0, 1], got " + premiumShare);
    }
    if (scores.length == 0) {
      throw new IllegalArgumentException("calibrate needs at least one score");
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    int premium = (int) Math.round(premiumShare * n);
    if (premium == 0) {
      return Math.nextUp(Math.max(1, sorted[n - 1]));
    }
    if (premium == n) {
      return Math.min(0, sorted[0]);
    }
    double in = sorted[n - premium];
    double out = sorted[n - premium - 1];
    return in == out ? in : (in + out) / 2;
  }

  /**
   * {@link #calibrate(double[], double)} over what {@code scorer} gives {@code sample}; a request
   * the scorer fails on is left out.
   */
  public static double calibrate(ComplexityScorer scorer, List<ChatRequest> sample, double premiumShare) {
    double[] scores = new double[sample.size()];
    int n = 0;
    for (ChatRequest request : sample) {
      try {
        Score s = scorer.score(request);
        if (s != null) {
          scores[n++] = s.value();
        }
      } catch (RuntimeException e) {
        // left out, as the router would abstain on it
      }
    }
    return calibrate(Arrays.copyOf(scores, n), premiumShare);
  }

  private int tierIndex(double score) {
    int t = tiers.size() - 1;
    while (t > 0 && score < tiers.get(t).minScore()) {
      t--;
    }
    return t;
  }

  private String abstainReason(String why) {
    return name + ": " + defaultTier.name() + " (abstained: " + why + ")";
  }

  private String lowConfidence(Score score) {
    return String.format(Locale.ROOT, "confidence %.2f < %.2f", score.confidence(), minConfidence);
  }

  private static String hundredths(int p) {
    return p == PERCENT ? "1.00" : "0." + (p < 10 ? "0" : "") + p;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TieredRouter[").append(name).append(", ").append(scorer);
    for (Tier t : tiers) {
      sb.append(", ").append(t.name()).append(" >= ").append(t.minScore()).append(' ')
          .append(t.candidates().modelStrings());
    }
    return sb.append(", default ").append(defaultTier.name()).append(']').toString();
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String name = "tiered";
    private ComplexityScorer scorer;
    private final List<Tier> tiers = new ArrayList<>();
    private String defaultTier;
    private double minConfidence = 0.5;

    private Builder() {}

    /** The name that starts each decision's reason; {@code "tiered"} by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The scorer; required. */
    public Builder scorer(ComplexityScorer scorer) {
      this.scorer = scorer;
      return this;
    }

    /**
     * Adds a tier above the ones added before: requests scoring {@code minScore} or more go to
     * {@code model}, then to {@code fallbacks} in order. The first tier starts at 0; each next one
     * higher than the one before.
     */
    public Builder tier(String name, double minScore, String model, String... fallbacks) {
      List<String> candidates = new ArrayList<>();
      candidates.add(model);
      candidates.addAll(Arrays.asList(fallbacks));
      for (String c : candidates) {
        if (c == null || c.isBlank()) {
          throw new IllegalArgumentException("TieredRouter.tier(\"" + name + "\"): a model string is blank");
        }
      }
      tiers.add(new Tier(name, minScore, new Candidates(candidates)));
      return this;
    }

    /** The tier a request goes to when the scorer abstains or fails; required. */
    public Builder defaultTier(String name) {
      this.defaultTier = name;
      return this;
    }

    /** Below this confidence the router abstains to the default tier; 0.5 by default. */
    public Builder minConfidence(double minConfidence) {
      this.minConfidence = minConfidence;
      return this;
    }

    public TieredRouter build() {
      if (name == null || name.isBlank()) {
        throw new IllegalStateException("TieredRouter.name is blank: give the name decisions' reasons start with");
      }
      if (scorer == null) {
        throw new IllegalStateException("TieredRouter.scorer is required: e.g. ComplexityScorer.heuristic() or a "
            + "ComplexityModel");
      }
      if (tiers.isEmpty()) {
        throw new IllegalStateException("TieredRouter.tier is required: add at least one tier, the first from 0");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < tiers.size(); i++) {
        Tier t = tiers.get(i);
        if (t.name().isBlank() || !names.add(t.name())) {
          throw new IllegalStateException("TieredRouter.tier(\"" + t.name() + "\"): tier names must be unique and "
              + "not blank");
        }
        if (i == 0 && t.minScore() != 0) {
          throw new IllegalStateException("TieredRouter.tier(\"" + t.name() + "\", " + t.minScore()
              + "): the first tier starts at 0");
        }
        if (i > 0 && !(t.minScore() > tiers.get(i - 1).minScore())) {
          throw new IllegalStateException("TieredRouter.tier(\"" + t.name() + "\", " + t.minScore()
              + "): each tier starts above the one before (\"" + tiers.get(i - 1).name() + "\" starts at "
              + tiers.get(i - 1).minScore() + ")");
        }
      }
      if (defaultTier == null || !names.contains(defaultTier)) {
        throw new IllegalStateException("TieredRouter.defaultTier " + (defaultTier == null ? "is required"
            : "\"" + defaultTier + "\" is not a tier") + ": the tier a request goes to when the scorer abstains "
            + "or fails, one of " + tiers.stream().map(Tier::name).toList());
      }
      if (!(minConfidence >= 0 && minConfidence <= 1)) {
        throw new IllegalStateException("TieredRouter.minConfidence must be within [0, 1], got " + minConfidence);
      }
      return new TieredRouter(this);
    }
  }
}
