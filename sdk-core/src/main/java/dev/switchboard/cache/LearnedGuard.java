package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A second stage that weighs several signals of a candidate pair at once: a logistic regression
 * over the embedder's similarity, the {@link LexicalEmbedder} similarity, the {@link
 * SemanticGuard#keyTerms()} rules (a number, a negation, why/when/where/who or a name on one side
 * only; the share of content words on one side only), the two questions' length ratio and their
 * word overlap ({@link #FEATURES}). It allows a pair whose probability of being the same question
 * is at least its cut; weights trained with {@code "keyTermsFirst": true} also need the pair to
 * pass {@link SemanticGuard#keyTerms()} first (its vetoes stay vetoes, the model ranks the rest).
 *
 * <p>The weights and the cut are data, trained for one embedder on labelled pairs and read from
 * JSON ({@link #fromJson}); {@link MiniLmEmbedder#guard()} is the one trained on QQP's tuning
 * split for all-MiniLM-L6-v2 (docs/caching.md, "Semantic matching quality"). Weights trained for
 * one embedder mean nothing for another: {@link #fromJson} checks the embedder's {@link
 * Embedder#id()}.
 *
 * <p>A cache gives the guard the similarity it already computed ({@link #allows(String, String,
 * double)}, about 50 µs); {@link #allows(String, String)} embeds both questions first.
 *
 * <p>Immutable and thread-safe.
 */
public final class LearnedGuard implements SemanticGuard {
  /** The format this class reads; written into the JSON as {@code "format"}. */
  public static final String FORMAT = "switchboard-learned-guard-v1";

  /** The features, in the order of {@link #features} and of the JSON's {@code "weights"}. */
  public static final List<String> FEATURES = List.of(
      "similarity", "lexical", "numbers", "negations", "wh", "names", "oneSided", "lengthRatio", "jaccard");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LexicalEmbedder LEXICAL = LexicalEmbedder.create();

  private final Embedder embedder;
  private final double[] weights;
  private final double bias;
  private final double cut;
  private final boolean keyTermsFirst;

  private LearnedGuard(Embedder embedder, double[] weights, double bias, double cut, boolean keyTermsFirst) {
    this.embedder = embedder;
    this.weights = weights;
    this.bias = bias;
    this.cut = cut;
    this.keyTermsFirst = keyTermsFirst;
  }

  /**
   * A guard from trained weights: a JSON object with {@code "format"} ({@link #FORMAT}), {@code
   * "embedder"} (the {@link Embedder#id()} it was trained for; must be {@code embedder}'s), {@code
   * "features"} ({@link #FEATURES}), {@code "weights"} (one per feature), {@code "bias"} and {@code
   * "cut"} (the probability from which a pair is allowed), and optionally {@code "keyTermsFirst"}
   * (true: a pair {@link SemanticGuard#keyTerms()} rejects has probability 0). Other fields are
   * ignored.
   *
   * @throws IllegalArgumentException when the JSON is not such an object or was trained for another embedder
   */
  public static LearnedGuard fromJson(Embedder embedder, InputStream json) {
    Objects.requireNonNull(embedder, "embedder");
    JsonNode root;
    try {
      root = JSON.readTree(Objects.requireNonNull(json, "json"));
    } catch (IOException e) {
      throw new IllegalArgumentException("learned guard weights are not JSON: " + e.getMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException("learned guard weights must have \"format\": \"" + FORMAT + "\"");
    }
    String trainedFor = root.path("embedder").asText();
    if (!trainedFor.equals(embedder.id())) {
      throw new IllegalArgumentException("learned guard weights were trained for embedder '" + trainedFor
          + "', not for '" + embedder.id() + "': train them for this embedder");
    }
    JsonNode names = root.path("features");
    JsonNode w = root.path("weights");
    if (names.size() != FEATURES.size() || w.size() != FEATURES.size()) {
      throw new IllegalArgumentException("learned guard weights must name the features " + FEATURES);
    }
    double[] weights = new double[FEATURES.size()];
    for (int i = 0; i < weights.length; i++) {
      if (!FEATURES.get(i).equals(names.get(i).asText()) || !w.get(i).isNumber()) {
        throw new IllegalArgumentException("learned guard weights must name the features " + FEATURES
            + " with a number each, in that order");
      }
      weights[i] = w.get(i).asDouble();
    }
    if (!root.path("bias").isNumber() || !root.path("cut").isNumber()) {
      throw new IllegalArgumentException("learned guard weights need a numeric \"bias\" and \"cut\"");
    }
    double cut = root.path("cut").asDouble();
    if (!(cut > 0 && cut < 1)) {
      throw new IllegalArgumentException("learned guard \"cut\" is a probability within (0, 1), got " + cut);
    }
    return new LearnedGuard(embedder, weights, root.path("bias").asDouble(), cut,
        root.path("keyTermsFirst").asBoolean(false));
  }

  static LearnedGuard fromResource(Embedder embedder, String resource) {
    try (InputStream in = LearnedGuard.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the switchboard-core jar");
      }
      return fromJson(embedder, in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The features of a pair, in the order of {@link #FEATURES}: {@code similarity} as given; the
   * {@link LexicalEmbedder} similarity; 1 or 0 for a number, a negation count, why/when/where/who,
   * a name that differ; the share of content words found on one side only (0 to 1); the shorter
   * question's word count over the longer's; the Jaccard overlap of their word sets. Used to train
   * weights; the same for every embedder but {@code similarity}.
   */
  public static double[] features(String asked, String stored, double similarity) {
    return features(KeyTermsGuard.DEFAULT.signals(asked, stored), asked, stored, similarity);
  }

  private static double[] features(KeyTermsGuard.Signals s, String asked, String stored, double similarity) {
    List<String> a = Words.of(asked);
    List<String> b = Words.of(stored);
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    Set<String> common = new HashSet<>(a);
    common.retainAll(new HashSet<>(b));
    double lexical = dot(LEXICAL.vector(asked), LEXICAL.vector(stored));
    return new double[] {
      similarity,
      lexical,
      s.numbers() ? 1 : 0,
      s.negations() ? 1 : 0,
      s.wh() ? 1 : 0,
      s.names() ? 1 : 0,
      s.content() == 0 ? 0 : (double) s.unmatched() / s.content(),
      a.isEmpty() || b.isEmpty() ? 0 : (double) Math.min(a.size(), b.size()) / Math.max(a.size(), b.size()),
      union.isEmpty() ? 0 : (double) common.size() / union.size(),
    };
  }

  /**
   * The probability that the two questions are the same, by these weights ({@code similarity} is
   * the embedder's); 0 when the weights want {@code keyTerms()} first and it rejects the pair.
   */
  public double probability(String asked, String stored, double similarity) {
    KeyTermsGuard.Signals s = KeyTermsGuard.DEFAULT.signals(asked, stored);
    if (keyTermsFirst && !s.allowed()) {
      return 0;
    }
    double[] x = features(s, asked, stored, similarity);
    double z = bias;
    for (int i = 0; i < x.length; i++) {
      z += weights[i] * x[i];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** The probability from which a pair is allowed. */
  public double cut() {
    return cut;
  }

  @Override
  public boolean allows(String asked, String stored, double similarity) {
    return probability(asked, stored, similarity) >= cut;
  }

  /** Embeds both questions with the embedder the weights were trained for, then decides; a failed embedding rejects. */
  @Override
  public boolean allows(String asked, String stored) {
    try {
      double similarity = dot(embedder.embed(asked).join(), embedder.embed(stored).join());
      return allows(asked, stored, similarity);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static double dot(float[] x, float[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (double) x[i] * y[i];
    }
    return s;
  }

  @Override
  public String toString() {
    return "LearnedGuard[" + embedder.id() + ", cut " + cut + (keyTermsFirst ? ", keyTerms first" : "") + "]";
  }
}
