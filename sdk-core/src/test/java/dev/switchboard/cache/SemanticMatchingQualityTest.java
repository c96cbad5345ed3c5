package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The semantic matcher's defaults ({@link LexicalEmbedder}, {@link LexicalEmbedder#DEFAULT_THRESHOLD},
 * {@link SemanticGuard#keyTerms()}) on the public data in {@code shared/data/cache} (see its
 * SOURCE.md; never copied into the project; skipped when absent). The floors are the figures in
 * {@code docs/caching.md}, "Semantic matching quality", less a small margin: a change that makes
 * matching worse fails here.
 *
 * <ul>
 *   <li>QQP pairs, scored pairwise on the held-out part ({@code pair_id % 5 != 0}; the threshold
 *       was chosen on the rest): every pair, about 32,000.
 *   <li>GPTCache's 999 (origin, similar) pairs: all origins stored, each similar looked up by exact
 *       search; a hit on the query's own origin (or on an identical origin stored under another
 *       index) is right, any other hit wrong, else a miss.
 * </ul>
 *
 * <p>The optional model matcher ({@link MiniLmEmbedder} with its learned guard) has its own check,
 * {@link MiniLmMatchingQualityTest}, which runs where the model artifact is on the class path.
 */
class SemanticMatchingQualityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // measured at the defaults (docs/caching.md), less a margin
  private static final double QQP_PRECISION_FLOOR = 0.69;
  private static final double QQP_RECALL_FLOOR = 0.25;
  private static final double QQP_FALSE_HIT_CEILING = 0.075;
  private static final int GPTCACHE_RIGHT_FLOOR = 320;
  private static final int GPTCACHE_WRONG_CEILING = 20;
  private final LexicalEmbedder embedder = LexicalEmbedder.create();
  private final SemanticGuard guard = SemanticGuard.keyTerms();
  private final float threshold = (float) LexicalEmbedder.DEFAULT_THRESHOLD;

  private static Path data(String file) {
    Path path = Path.of("..", "..", "shared", "data", "cache", file);
    if (!Files.exists(path)) {
      path = Path.of("..", "shared", "data", "cache", file);
    }
    assumeTrue(Files.exists(path), "../shared/data/cache/" + file + " is absent: the semantic matching quality check is skipped");
    return path;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void qqp_heldOut_precisionAndRecall_atTheDefaults() throws IOException {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    long tpBare = 0;
    long fpBare = 0;
    try (BufferedReader reader = Files.newBufferedReader(data("gptcache_qqp/qqp_pairs_dev.jsonl"))) {
      for (String line; (line = reader.readLine()) != null; ) {
        JsonNode row = JSON.readTree(line);
        if (row.get("pair_id").asInt() % 5 == 0) {
          continue; // the tuning part
        }
        String a = row.get("text_a").asText();
        String b = row.get("text_b").asText();
        boolean duplicate = row.get("label").asInt() == 1;
        boolean above = dot(embedder.vector(a), embedder.vector(b)) >= threshold;
        boolean hit = above && guard.allows(b, a);
        if (above) {
          if (duplicate) {
            tpBare++;
          } else {
            fpBare++;
          }
        }
        if (hit && duplicate) {
          tp++;
        } else if (hit) {
          fp++;
        } else if (duplicate) {
          fn++;
        } else {
          tn++;
        }
      }
    }
    double precision = (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    double falseHits = (double) fp / (fp + tn);
    double bare = (double) tpBare / (tpBare + fpBare);
    assertThat(precision).as("precision").isGreaterThanOrEqualTo(QQP_PRECISION_FLOOR);
    assertThat(recall).as("recall").isGreaterThanOrEqualTo(QQP_RECALL_FLOOR);
    assertThat(falseHits).as("false-hit rate").isLessThanOrEqualTo(QQP_FALSE_HIT_CEILING);
    assertThat(precision).as("the guard's gain in precision").isGreaterThan(bare + 0.05);
  }

  @Test
  void gptCache999_rightAndWrongHits_atTheDefaults() throws IOException {
    JsonNode rows = JSON.readTree(data("gptcache_qqp/mock_data.json").toFile());
    int n = rows.size();
    String[] origins = new String[n];
    float[][] stored = new float[n][];
    for (int i = 0; i < n; i++) {
      origins[i] = rows.get(i).get("origin").asText();
      stored[i] = embedder.vector(origins[i]);
    }
    int right = 0;
    int wrong = 0;
    for (int q = 0; q < n; q++) {
      String similar = rows.get(q).get("similar").asText();
      float[] v = embedder.vector(similar);
      int best = -1;
      float bestSim = -2;
      for (int i = 0; i < n; i++) {
        float s = dot(v, stored[i]);
        if (s > bestSim) {
          bestSim = s;
          best = i;
        }
      }
      if (bestSim >= threshold && guard.allows(similar, origins[best])) {
        if (origins[best].equals(origins[q])) {
          right++;
        } else {
          wrong++;
        }
      }
    }
    assertThat(n).isEqualTo(999);
    assertThat(right).as("right hits").isGreaterThanOrEqualTo(GPTCACHE_RIGHT_FLOOR);
    assertThat(wrong).as("wrong hits").isLessThanOrEqualTo(GPTCACHE_WRONG_CEILING);
  }
}
