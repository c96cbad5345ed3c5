package dev.switchboard.bench.semantic;

import dev.switchboard.spi.Embedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.cache.LearnedGuard;
import dev.switchboard.cache.SemanticGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link LearnedGuard} on QQP's tuning split ({@code pair_id % 5 == 0}) and reports it on
 * the held-out rest and on GPTCache's 999, beside the embedder alone and with {@link
 * SemanticGuard#keyTerms()}.
 *
 * <p>Training is deterministic: the pairs of the tuning split whose similarity reaches {@code
 * floor} (the cache threshold the guard will sit behind), features as {@link
 * LearnedGuard#features}, standardized; an L2-regularized logistic regression ({@code l2=1.0}) by
 * Newton's method from zero weights. The cut (the probability from which a pair is allowed) is
 * chosen on out-of-fold probabilities of a 5-fold split of the tuning part (fold = {@code
 * (pair_id / 5) % 5}): the highest cut (step 0.005) whose recall still reaches {@code
 * recall=0.40}, the recall goal, so the precision there is the best this matcher offers
 * at that recall. Then the final weights are fitted on the whole tuning part; nothing of the
 * held-out part is looked at until the report.
 *
 * <p>With {@code keyTermsFirst=true}, the pairs {@link SemanticGuard#keyTerms()} rejects are
 * rejected outright, and the model is trained on and ranks the rest.
 *
 * <p>Arguments ({@code key=value}): {@code embedder=minilm-q} ({@code minilm}, {@code lexical}),
 * {@code embedderId=<the Embedder#id() written into the JSON>}, {@code keyTermsFirst=false},
 * {@code floor=0.70}, {@code recall=0.40}, {@code l2=1.0}, {@code vectorCache=<dir>}, {@code
 * out=<file>} (writes the weights JSON that {@link LearnedGuard#fromJson} reads, e.g. into
 * {@code sdk-core/src/main/resources/dev/switchboard/cache/}).
 */
public final class LearnedGuardTrainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchData.args(args);
    String name = a.getOrDefault("embedder", "minilm-q");
    double floor = Double.parseDouble(a.getOrDefault("floor", "0.70"));
    double targetRecall = Double.parseDouble(a.getOrDefault("recall", "0.40"));
    double l2 = Double.parseDouble(a.getOrDefault("l2", "1.0"));
    boolean gate = Boolean.parseBoolean(a.getOrDefault("keyTermsFirst", "false"));
    List<BenchData.Pair> pairs = BenchData.qqp(a.get("data")).pairs;
    JsonNode rows = JSON.readTree(BenchData.cacheData("gptcache_qqp/mock_data.json").toFile());
    Map<String, float[]> vec = ModelVectors.vectors(name, BenchData.allTexts(pairs, rows), a.get("vectorCache"));
    SemanticGuard keyTerms = SemanticGuard.keyTerms();

    int n = pairs.size();
    double[][] x = new double[n][];
    double[] sim = new double[n];
    boolean[] guardAllows = new boolean[n];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      BenchData.Pair p = pairs.get(i);
      sim[i] = QualityEval.dot(vec.get(p.a()), vec.get(p.b()));
      x[i] = LearnedGuard.features(p.b(), p.a(), sim[i]);
      guardAllows[i] = keyTerms.allows(p.b(), p.a());
    }
    System.out.printf("%s: features of %d pairs in %.1f s (%.1f us per pair)%n", name, n, (System.nanoTime() - t0) / 1e9,
        (System.nanoTime() - t0) / 1e3 / n);

    // Out-of-fold probabilities on the tuning split, to choose the cut.
    double[] oof = new double[n];
    java.util.Arrays.fill(oof, Double.NaN);
    for (int fold = 0; fold < 5; fold++) {
      List<Integer> train = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        BenchData.Pair p = pairs.get(i);
        if (p.id() % 5 == 0 && (p.id() / 5) % 5 != fold && sim[i] >= floor && (!gate || guardAllows[i])) {
          train.add(i);
        }
      }
      Model m = Model.fit(x, pairs, train, l2);
      for (int i = 0; i < n; i++) {
        BenchData.Pair p = pairs.get(i);
        if (p.id() % 5 == 0 && (p.id() / 5) % 5 == fold) {
          oof[i] = gate && !guardAllows[i] ? 0 : m.probability(x[i]);
        }
      }
    }
    double cut = chooseCut(pairs, sim, oof, floor, targetRecall);
    List<Integer> tuning = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (pairs.get(i).id() % 5 == 0 && sim[i] >= floor && (!gate || guardAllows[i])) {
        tuning.add(i);
      }
    }
    Model model = Model.fit(x, pairs, tuning, l2);
    double[] prob = new double[n];
    for (int i = 0; i < n; i++) {
      prob[i] = gate && !guardAllows[i] ? 0 : model.probability(x[i]);
    }
    System.out.printf("trained on %d tuning pairs with similarity >= %.2f; l2 %.2f; cut %.3f (highest with 5-fold out-of-fold recall >= %.2f)%n",
        tuning.size(), floor, l2, cut, targetRecall);
    for (int f = 0; f < model.weights.length; f++) {
      System.out.printf("  %-12s %+.4f%n", LearnedGuard.FEATURES.get(f), model.weights[f]);
    }
    System.out.printf("  %-12s %+.4f%n", "bias", model.bias);
    System.out.printf("ROC-AUC held-out: similarity %.4f, learned (all pairs) %.4f%n",
        auc(pairs, sim, false), auc(pairs, prob, false));

    double[] oofScore = score(pairs, sim, oof, floor, cut, true);
    double[] tuneScore = score(pairs, sim, prob, floor, cut, true);
    double[] heldOut = score(pairs, sim, prob, floor, cut, false);
    System.out.printf("at the cut: tuning out-of-fold P %.3f R %.3f; tuning in-sample P %.3f R %.3f; held-out P %.3f R %.3f false-hit %.3f F1 %.3f%n",
        oofScore[0], oofScore[1], tuneScore[0], tuneScore[1], heldOut[0], heldOut[1], heldOut[2], heldOut[3]);

    System.out.println();
    System.out.println("QQP held-out, learned guard behind similarity >= " + floor);
    System.out.println("| cut | P | R | false-hit | F1 | tuning out-of-fold P | R |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (double c : new double[] {0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, cut}) {
      double[] h = score(pairs, sim, prob, floor, c, false);
      double[] o = score(pairs, sim, oof, floor, c, true);
      System.out.printf("| %.3f%s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", c, c == cut ? " (chosen)" : "",
          h[0], h[1], h[2], h[3], o[0], o[1]);
    }

    // GPTCache's 999 at the same settings: exact top-1 over all origins, then floor and the guard.
    int m = rows.size();
    String[] origins = BenchData.origins(rows);
    int[] best = new int[m];
    double[] bestSim = new double[m];
    double[] bestProb = new double[m];
    boolean[] bestKeyTerms = new boolean[m];
    for (int q = 0; q < m; q++) {
      String similar = rows.get(q).get("similar").asText();
      float[] v = vec.get(similar);
      bestSim[q] = -2;
      for (int i = 0; i < m; i++) {
        double s = QualityEval.dot(v, vec.get(origins[i]));
        if (s > bestSim[q]) {
          bestSim[q] = s;
          best[q] = i;
        }
      }
      bestKeyTerms[q] = keyTerms.allows(similar, origins[best[q]]);
      bestProb[q] = gate && !bestKeyTerms[q] ? 0 : model.probability(LearnedGuard.features(similar, origins[best[q]], bestSim[q]));
    }
    if (a.containsKey("showWrong")) {
      for (int q = 0; q < m; q++) {
        if (bestSim[q] >= floor && !origins[best[q]].equals(origins[q]) && bestProb[q] >= 0.5) {
          System.out.printf("WRONG sim %.3f p %.3f%n  asked:  %s%n  stored: %s%n  own:    %s%n", bestSim[q], bestProb[q],
              rows.get(q).get("similar").asText(), origins[best[q]], origins[q]);
        }
      }
    }
    System.out.println();
    System.out.println("GPTCache 999: | setting | right | wrong | miss | wrong, strict |");
    for (double t : new double[] {0.70, 0.75, 0.80, 0.85, 0.86, 0.88, 0.90, 0.92, 0.95}) {
      print999("similarity >= " + t, origins, best, bestSim, q -> bestSim[q] >= t);
      print999("similarity >= " + t + " + keyTerms", origins, best, bestSim, q -> bestSim[q] >= t && bestKeyTerms[q]);
    }
    for (double c : new double[] {0.3, 0.5, 0.6, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, cut}) {
      print999("similarity >= " + floor + " + learned cut " + String.format("%.3f", c), origins, best, bestSim,
          q -> bestSim[q] >= floor && bestProb[q] >= c);
    }

    int nearSame = 0;
    int wrongAtCut = 0;
    for (int q = 0; q < m; q++) {
      if (bestSim[q] >= floor && bestProb[q] >= cut && !origins[best[q]].equals(origins[q])) {
        wrongAtCut++;
        if (QualityEval.dot(vec.get(origins[best[q]]), vec.get(origins[q])) >= 0.9) {
          nearSame++;
        }
      }
    }
    System.out.printf("of the %d wrong hits at the cut, %d land on an origin whose similarity to the query's own origin is >= 0.90%n",
        wrongAtCut, nearSame);

    if (a.containsKey("out")) {
      ObjectNode root = JSON.createObjectNode();
      root.put("format", LearnedGuard.FORMAT);
      root.put("embedder", a.getOrDefault("embedderId", name));
      ArrayNode names = root.putArray("features");
      LearnedGuard.FEATURES.forEach(names::add);
      ArrayNode w = root.putArray("weights");
      for (double d : model.weights) {
        w.add(round(d));
      }
      root.put("bias", round(model.bias));
      root.put("cut", round(cut));
      root.put("keyTermsFirst", gate);
      root.put("similarityFloor", floor);
      ObjectNode how = root.putObject("trainedBy");
      how.put("main", LearnedGuardTrainer.class.getName());
      how.put("args", String.join(" ", args).replaceAll("(vectorCache|out)=\\S+ ?", "").trim());
      how.put("data", "QQP pairs (GPTCache qqp_pairs_dev.jsonl), pair_id % 5 == 0, similarity >= floor: "
          + tuning.size() + " pairs");
      how.put("model", "logistic regression on standardized features, L2 " + l2 + ", Newton's method; cut: highest "
          + "with 5-fold out-of-fold recall >= " + targetRecall);
      how.put("tuningOutOfFold", String.format("precision %.3f, recall %.3f", oofScore[0], oofScore[1]));
      how.put("heldOut", String.format("precision %.3f, recall %.3f, false-hit rate %.3f", heldOut[0], heldOut[1], heldOut[2]));
      Files.writeString(Path.of(a.get("out")), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
      System.out.println("weights written to " + a.get("out"));
    }
  }

  private static double round(double d) {
    return Math.round(d * 1e6) / 1e6;
  }

  private static void print999(String label, String[] origins, int[] best, double[] bestSim,
      java.util.function.IntPredicate hit) {
    int right = 0;
    int wrong = 0;
    int strict = 0;
    for (int q = 0; q < origins.length; q++) {
      if (hit.test(q)) {
        if (origins[best[q]].equals(origins[q])) {
          right++;
        } else {
          wrong++;
        }
        if (best[q] != q) {
          strict++;
        }
      }
    }
    System.out.printf("| %s | %d | %d | %d | %d |%n", label, right, wrong, origins.length - right - wrong, strict);
  }

  /** The highest cut at which the out-of-fold recall on the tuning split still reaches the target. */
  private static double chooseCut(List<BenchData.Pair> pairs, double[] sim, double[] oof, double floor, double target) {
    for (int c = 990; c >= 5; c -= 5) {
      if (score(pairs, sim, oof, floor, c / 1000.0, true)[1] >= target) {
        return c / 1000.0;
      }
    }
    throw new IllegalStateException("no cut reaches recall " + target + " behind similarity " + floor);
  }

  static double[] score(List<BenchData.Pair> pairs, double[] sim, double[] prob, double floor, double cut, boolean tune) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < sim.length; i++) {
      BenchData.Pair p = pairs.get(i);
      if ((p.id() % 5 == 0) != tune) {
        continue;
      }
      boolean hit = sim[i] >= floor && prob[i] >= cut;
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

  static double auc(List<BenchData.Pair> pairs, double[] score, boolean tune) {
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < score.length; i++) {
      if ((pairs.get(i).id() % 5 == 0) == tune) {
        xs.add(new double[] {score[i], pairs.get(i).duplicate() ? 1 : 0});
      }
    }
    xs.sort((p, q) -> Double.compare(p[0], q[0]));
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

  /** Logistic regression in raw feature space (standardization folded into the weights). */
  static final class Model {
    final double[] weights;
    final double bias;

    Model(double[] weights, double bias) {
      this.weights = weights;
      this.bias = bias;
    }

    double probability(double[] x) {
      double z = bias;
      for (int i = 0; i < x.length; i++) {
        z += weights[i] * x[i];
      }
      return 1 / (1 + Math.exp(-z));
    }

    /** Newton's method on standardized features with an L2 penalty (not on the intercept). */
    static Model fit(double[][] x, List<BenchData.Pair> pairs, List<Integer> rows, double l2) {
      int d = x[0].length;
      double[] mean = new double[d];
      double[] sd = new double[d];
      for (int i : rows) {
        for (int j = 0; j < d; j++) {
          mean[j] += x[i][j];
        }
      }
      for (int j = 0; j < d; j++) {
        mean[j] /= rows.size();
      }
      for (int i : rows) {
        for (int j = 0; j < d; j++) {
          sd[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]);
        }
      }
      for (int j = 0; j < d; j++) {
        sd[j] = Math.sqrt(sd[j] / rows.size());
        if (sd[j] == 0) {
          sd[j] = 1;
        }
      }
      int k = d + 1; // index d is the intercept
      double[] beta = new double[k];
      for (int iter = 0; iter < 50; iter++) {
        double[] grad = new double[k];
        double[][] hess = new double[k][k];
        double[] z = new double[k];
        for (int i : rows) {
          for (int j = 0; j < d; j++) {
            z[j] = (x[i][j] - mean[j]) / sd[j];
          }
          z[d] = 1;
          double eta = 0;
          for (int j = 0; j < k; j++) {
            eta += beta[j] * z[j];
          }
          double p = 1 / (1 + Math.exp(-eta));
          double y = pairs.get(i).duplicate() ? 1 : 0;
          double w = p * (1 - p);
          for (int j = 0; j < k; j++) {
            grad[j] += (p - y) * z[j];
            for (int l = 0; l <= j; l++) {
              hess[j][l] += w * z[j] * z[l];
            }
          }
        }
        for (int j = 0; j < k; j++) {
          for (int l = 0; l < j; l++) {
            hess[l][j] = hess[j][l];
          }
          if (j < d) {
            grad[j] += l2 * beta[j];
            hess[j][j] += l2;
          }
        }
        double[] step = solve(hess, grad);
        double change = 0;
        for (int j = 0; j < k; j++) {
          beta[j] -= step[j];
          change = Math.max(change, Math.abs(step[j]));
        }
        if (change < 1e-9) {
          break;
        }
      }
      double[] weights = new double[d];
      double bias = beta[d];
      for (int j = 0; j < d; j++) {
        weights[j] = beta[j] / sd[j];
        bias -= beta[j] * mean[j] / sd[j];
      }
      return new Model(weights, bias);
    }

    /** Gaussian elimination with partial pivoting. */
    private static double[] solve(double[][] a0, double[] b0) {
      int n = b0.length;
      double[][] a = new double[n][];
      for (int i = 0; i < n; i++) {
        a[i] = a0[i].clone();
      }
      double[] b = b0.clone();
      for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++) {
          if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
            piv = r;
          }
        }
        double[] t = a[c];
        a[c] = a[piv];
        a[piv] = t;
        double tb = b[c];
        b[c] = b[piv];
        b[piv] = tb;
        for (int r = c + 1; r < n; r++) {
          double f = a[r][c] / a[c][c];
          for (int j = c; j < n; j++) {
            a[r][j] -= f * a[c][j];
          }
          b[r] -= f * b[c];
        }
      }
      double[] xs = new double[n];
      for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int j = r + 1; j < n; j++) {
          s -= a[r][j] * xs[j];
        }
        xs[r] = s / a[r][r];
      }
      return xs;
    }
  }
}
