package dev.switchboard.bench.semantic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.cache.LexicalEmbedder;
import dev.switchboard.cache.SemanticGuard;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The tables of docs/caching.md, "Semantic matching quality": QQP pairs scored pairwise
 * (precision, recall, false-hit rate, F1 per threshold, on the tuning part {@code pair_id % 5 == 0}
 * and the held-out rest), for the embedder alone and with {@link SemanticGuard#keyTerms()}; and
 * GPTCache's 999 (origin, similar) pairs by exact search over all origins (right, wrong, miss per
 * threshold; "strict" counts a hit on an identical origin stored under another index as wrong, as
 * GPTCache's script does).
 *
 * <p>Arguments ({@code key=value}): {@code dimensions=256}; {@code embedder=lexical} (default),
 * {@code minilm} or {@code minilm-q} (all-MiniLM-L6-v2 through ONNX, see {@link ModelVectors});
 * {@code vectorCache=<dir outside the project>} keeps model vectors between runs.
 */
public final class QualityEval {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchData.args(args);
    String name = a.getOrDefault("embedder", "lexical");
    LexicalEmbedder lexical = a.containsKey("dimensions")
        ? LexicalEmbedder.create(Integer.parseInt(a.get("dimensions"))) : LexicalEmbedder.create();
    SemanticGuard guard = SemanticGuard.keyTerms();
    List<BenchData.Pair> pairs = BenchData.qqp(a.get("data")).pairs;
    JsonNode rows = new ObjectMapper().readTree(BenchData.cacheData("gptcache_qqp/mock_data.json").toFile());
    Function<String, float[]> vector;
    String id;
    if (name.equals("lexical")) {
      vector = lexical::vector;
      id = lexical.id();
    } else {
      Map<String, float[]> vectors = ModelVectors.vectors(name, BenchData.allTexts(pairs, rows), a.get("vectorCache"));
      vector = vectors::get;
      id = name;
    }
    int n = pairs.size();
    float[] sim = new float[n];
    boolean[] allowed = new boolean[n];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      BenchData.Pair p = pairs.get(i);
      sim[i] = dot(vector.apply(p.a()), vector.apply(p.b()));
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      allowed[i] = guard.allows(pairs.get(i).b(), pairs.get(i).a());
    }
    long t2 = System.nanoTime();
    System.out.printf("%s, %d QQP pairs; embed %.1f us per question%s, guard %.1f us per pair (one pass, JIT included)%n",
        id, n, (t1 - t0) / 1e3 / (2 * n), name.equals("lexical") ? "" : " (vectors looked up)", (t2 - t1) / 1e3 / n);
    System.out.printf("ROC-AUC of the similarity alone: tuning %.4f, held-out %.4f%n", auc(pairs, sim, true), auc(pairs, sim, false));
    System.out.println();
    System.out.println("| threshold | split | P | R | false-hit | F1 | P +guard | R +guard | false-hit +guard | F1 +guard |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (int t = 50; t <= 98; t += 2) {
      for (boolean tune : new boolean[] {true, false}) {
        double[] bare = score(pairs, sim, allowed, t / 100f, tune, false);
        double[] withGuard = score(pairs, sim, allowed, t / 100f, tune, true);
        System.out.printf("| %.2f | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", t / 100.0,
            tune ? "tune" : "held-out", bare[0], bare[1], bare[2], bare[3], withGuard[0], withGuard[1], withGuard[2], withGuard[3]);
      }
    }

    int m = rows.size();
    String[] origins = new String[m];
    float[][] stored = new float[m][];
    for (int i = 0; i < m; i++) {
      origins[i] = rows.get(i).get("origin").asText();
      stored[i] = vector.apply(origins[i]);
    }
    int[] best = new int[m];
    float[] bestSim = new float[m];
    boolean[] bestAllowed = new boolean[m];
    for (int q = 0; q < m; q++) {
      String similar = rows.get(q).get("similar").asText();
      float[] v = vector.apply(similar);
      bestSim[q] = -2;
      for (int i = 0; i < m; i++) {
        float s = dot(v, stored[i]);
        if (s > bestSim[q]) {
          bestSim[q] = s;
          best[q] = i;
        }
      }
      bestAllowed[q] = guard.allows(similar, origins[best[q]]);
    }
    System.out.println();
    System.out.printf("GPTCache mock_data.json: %d queries%n", m);
    System.out.println("| threshold | right | wrong | miss | right +guard | wrong +guard | miss +guard | wrong +guard, strict |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int t = 50; t <= 95; t += 5) {
      float tau = t / 100f;
      int[] bare = new int[3];
      int[] g = new int[3];
      int strictWrong = 0;
      for (int q = 0; q < m; q++) {
        boolean hit = bestSim[q] >= tau;
        boolean right = origins[best[q]].equals(origins[q]);
        bare[hit ? (right ? 0 : 1) : 2]++;
        boolean gHit = hit && bestAllowed[q];
        g[gHit ? (right ? 0 : 1) : 2]++;
        if (gHit && best[q] != q) {
          strictWrong++;
        }
      }
      System.out.printf("| %.2f | %d | %d | %d | %d | %d | %d | %d |%n", tau, bare[0], bare[1], bare[2], g[0], g[1], g[2], strictWrong);
    }
  }

  private static double[] score(List<BenchData.Pair> pairs, float[] sim, boolean[] allowed, float tau, boolean tune, boolean guard) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < sim.length; i++) {
      BenchData.Pair p = pairs.get(i);
      if ((p.id() % 5 == 0) != tune) {
        continue;
      }
      boolean hit = sim[i] >= tau && (!guard || allowed[i]);
      if (hit && p.duplicate()) {
        tp++;
      } else if (hit) {
        fp++;
      } else if (p.duplicate()) {
        fn++;
      } else {
        tn++;
      }
    }
    double precision = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    return new double[] {precision, recall, (double) fp / (fp + tn), 2 * precision * recall / (precision + recall)};
  }

  private static double auc(List<BenchData.Pair> pairs, float[] sim, boolean tune) {
    java.util.List<float[]> xs = new java.util.ArrayList<>();
    for (int i = 0; i < sim.length; i++) {
      if ((pairs.get(i).id() % 5 == 0) == tune) {
        xs.add(new float[] {sim[i], pairs.get(i).duplicate() ? 1 : 0});
      }
    }
    xs.sort((x, y) -> Float.compare(x[0], y[0]));
    double rankSum = 0;
    long pos = 0;
    for (int i = 0; i < xs.size(); i++) {
      if (xs.get(i)[1] == 1) {
        rankSum += i + 1;
        pos++;
      }
    }
    long neg = xs.size() - pos;
    return (rankSum - pos * (pos + 1) / 2.0) / (pos * (double) neg);
  }

  static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
