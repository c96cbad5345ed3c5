package dev.switchboard.bench.semantic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.cache.PairClassifier;
import dev.switchboard.spi.Embedder;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * Trains the {@link PairClassifier} of an embedder made of one or more models (vectors
 * concatenated, each scaled by 1/sqrt(models) so that their dot product is the models' mean
 * cosine), and reports it, and the same embedder with an ambiguity margin instead, on QQP's
 * held-out fold and GPTCache's 999.
 *
 * <p>Splits of the QQP pairs: training = {@code pair_id % 5} in 0..3 (32,341 pairs), held out =
 * {@code pair_id % 5 == 4} (8,086), never looked at before the report. The cut is chosen on
 * out-of-fold scores of the training pairs (4 folds by {@code pair_id % 5}, each scored by an
 * ensemble trained on the other three): the score at which their recall is {@code recall=0.42},
 * counting as misses the pairs whose mean cosine is below {@code floor=0.70} (the cache's threshold,
 * below which the classifier is never asked).
 * Then the final ensemble is trained on all training pairs, written to {@code out}, read back with
 * {@link PairClassifier#read} (so the report scores exactly what ships: bfloat16 hidden weights),
 * and reported. Deterministic: member {@code k} is seeded {@code k}.
 *
 * <p>Arguments ({@code key=value}): {@code models=minilm-q,bge-q}, {@code embedderId=<the
 * Embedder#id() written into the weights>}, {@code hidden=128}, {@code epochs=6}, {@code
 * members=5}, {@code recall=0.42}, {@code floor=0.70}, {@code vectorCache=<dir>}, {@code out=<file>};
 * {@code weights=<file>} skips training and reports the weights in that file.
 */
public final class PairClassifierTrainer {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchData.args(args);
    String[] models = a.getOrDefault("models", "minilm-q,bge-q").split(",");
    String embedderId = a.getOrDefault("embedderId", String.join("+", models));
    int hidden = Integer.parseInt(a.getOrDefault("hidden", "128"));
    int epochs = Integer.parseInt(a.getOrDefault("epochs", "6"));
    int members = Integer.parseInt(a.getOrDefault("members", "5"));
    double targetRecall = Double.parseDouble(a.getOrDefault("recall", "0.42"));
    double floor = Double.parseDouble(a.getOrDefault("floor", "0.70"));
    List<BenchData.Pair> pairs = BenchData.qqp(a.get("data")).pairs;
    JsonNode rows = new ObjectMapper().readTree(BenchData.cacheData("gptcache_qqp/mock_data.json").toFile());
    List<String> texts = BenchData.allTexts(pairs, rows);
    int[] segments = new int[models.length];
    List<Map<String, float[]>> perModel = new ArrayList<>();
    for (int m = 0; m < models.length; m++) {
      Map<String, float[]> v = ModelVectors.vectors(models[m], texts, a.get("vectorCache"));
      perModel.add(v);
      segments[m] = v.get(texts.get(0)).length;
    }
    int dims = Arrays.stream(segments).sum();
    Map<String, float[]> vector = new HashMap<>(texts.size() * 2);
    float scale = (float) (1 / Math.sqrt(models.length));
    for (String t : texts) {
      float[] out = new float[dims];
      int at = 0;
      for (Map<String, float[]> v : perModel) {
        float[] part = v.get(t);
        for (int i = 0; i < part.length; i++) {
          out[at + i] = part[i] * scale;
        }
        at += part.length;
      }
      vector.put(t, out);
    }

    int n = pairs.size();
    float[][] raw = new float[n][];
    boolean[] y = new boolean[n];
    long t0 = System.nanoTime();
    IntStream.range(0, n).parallel().forEach(i -> {
      BenchData.Pair p = pairs.get(i);
      raw[i] = PairClassifier.features(segments, p.b(), vector.get(p.b()), p.a(), vector.get(p.a()));
    });
    for (int i = 0; i < n; i++) {
      y[i] = pairs.get(i).duplicate();
    }
    System.out.printf("%s: %d inputs for %d pairs in %.1f s%n", embedderId, raw[0].length, n, (System.nanoTime() - t0) / 1e9);

    double[] sim = new double[n];
    for (int i = 0; i < n; i++) {
      sim[i] = QualityEval.dot(vector.get(pairs.get(i).a()), vector.get(pairs.get(i).b()));
    }
    int[] training = IntStream.range(0, n).filter(i -> pairs.get(i).id() % 5 != 4).toArray();
    int[] heldOut = IntStream.range(0, n).filter(i -> pairs.get(i).id() % 5 == 4).toArray();

    // with weights=<file>, report only: the weights an earlier run wrote
    byte[] weights = a.containsKey("weights") ? Files.readAllBytes(Path.of(a.get("weights"))) : null;
    double cut;
    double[] oof = new double[n];
    for (int fold = 0; weights == null && fold < 4; fold++) {
      final int f = fold;
      int[] in = Arrays.stream(training).filter(i -> pairs.get(i).id() % 5 != f).toArray();
      int[] out = Arrays.stream(training).filter(i -> pairs.get(i).id() % 5 == f).toArray();
      Ensemble e = Ensemble.train(raw, y, in, hidden, epochs, members);
      for (int i : out) {
        oof[i] = sim[i] >= floor ? e.logit(raw[i]) : Double.NEGATIVE_INFINITY;
      }
      System.out.printf("fold %d: trained on %d, scored %d (%.0f s so far)%n", fold, in.length, out.length,
          (System.nanoTime() - t0) / 1e9);
    }
    if (weights == null) {
      double cutLogit = scoreAtRecall(oof, y, training, targetRecall);
      cut = 1 / (1 + Math.exp(-cutLogit));
      double[] oofPr = precisionRecall(oof, y, training, cutLogit);
      System.out.printf("cut %.4f (logit %.3f): out-of-fold training P %.4f R %.4f%n", cut, cutLogit, oofPr[0], oofPr[1]);
      Ensemble finalModel = Ensemble.train(raw, y, training, hidden, epochs, members);
      weights = finalModel.write(embedderId, segments, cut);
      if (a.containsKey("out")) {
        Files.write(Path.of(a.get("out")), weights);
        System.out.printf("wrote %s (%d bytes)%n", a.get("out"), weights.length);
      }
    }
    Embedder lookup = new VectorLookup(embedderId, dims, vector);
    PairClassifier shipped = PairClassifier.read(lookup, new ByteArrayInputStream(weights));
    cut = shipped.cut();

    double[] prob = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      BenchData.Pair p = pairs.get(i);
      prob[i] = sim[i] >= floor ? shipped.probability(p.b(), vector.get(p.b()), p.a(), vector.get(p.a())) : 0;
    });
    System.out.printf("%nQQP held-out (%d pairs, %d duplicates), mean cosine >= %.2f: ROC-AUC mean cosine %.4f, classifier %.4f%n",
        heldOut.length, Arrays.stream(heldOut).filter(i -> y[i]).count(), floor, auc(sim, y, heldOut), auc(prob, y, heldOut));
    System.out.println("| classifier cut | P | R | false-hit | F1 |");
    System.out.println("|---|---|---|---|---|");
    for (double c : new double[] {0.5, 0.6, 0.7, 0.8, cut, 0.9, 0.95}) {
      double[] s = confusion(prob, y, heldOut, c);
      System.out.printf("| %s%.3f | %.3f | %.3f | %.3f | %.3f |%n", c == cut ? "**shipped** " : "", c, s[0], s[1], s[2], s[3]);
    }
    System.out.printf("mean cosine alone at R 0.40: P %.3f; classifier at R 0.40: P %.3f%n",
        precisionAtRecall(sim, y, heldOut, 0.40), precisionAtRecall(prob, y, heldOut, 0.40));

    gptCache999(rows, vector, shipped);
    gptCache999Distinct(rows, vector, floor);
  }

  /** GPTCache's 999 by exact search over all origins, with the classifier and with an ambiguity margin. */
  private static void gptCache999(JsonNode rows, Map<String, float[]> vector, PairClassifier classifier) {
    int m = rows.size();
    String[] origins = BenchData.origins(rows);
    int[] best = new int[m];
    float[] s1 = new float[m];
    float[] s2 = new float[m];
    double[] prob = new double[m];
    IntStream.range(0, m).parallel().forEach(q -> {
      String similar = rows.get(q).get("similar").asText();
      float[] v = vector.get(similar);
      float first = -2;
      float second = -2;
      int b = -1;
      for (int i = 0; i < m; i++) {
        float s = QualityEval.dot(v, vector.get(origins[i]));
        if (s > first) {
          second = first;
          first = s;
          b = i;
        } else if (s > second) {
          second = s;
        }
      }
      best[q] = b;
      s1[q] = first;
      s2[q] = second;
      prob[q] = classifier.probability(similar, v, origins[b], vector.get(origins[b]));
    });
    System.out.printf("%nGPTCache mock_data.json, %d queries: right / wrong (strict) / miss%n", m);
    System.out.println("| threshold | margin | classifier | right | wrong | wrong, strict | miss |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (double tau : new double[] {0.70, 0.80, 0.85}) {
      for (double margin : new double[] {0, 0.005, 0.01, 0.015, 0.02, 0.03}) {
        for (boolean useClassifier : new boolean[] {false, true}) {
          int right = 0;
          int wrong = 0;
          int strict = 0;
          for (int q = 0; q < m; q++) {
            boolean hit = s1[q] >= tau && s1[q] - s2[q] >= margin && (!useClassifier || prob[q] >= classifier.cut());
            if (!hit) {
              continue;
            }
            if (origins[best[q]].equals(origins[q])) {
              right++;
            } else {
              wrong++;
            }
            if (best[q] != q) {
              strict++;
            }
          }
          System.out.printf("| %.2f | %.3f | %s | %d (%.1f%%) | %d (%.1f%%) | %d | %d |%n", tau, margin, useClassifier ? "yes" : "no",
              right, 100.0 * right / m, wrong, 100.0 * wrong / m, strict, m - right - wrong);
        }
      }
    }
  }

  /**
   * The 999 as a ResponseCache sees them: one entry per distinct origin text (the cache keeps one
   * answer per question), a hit right when its text is the query's own origin's.
   */
  private static void gptCache999Distinct(JsonNode rows, Map<String, float[]> vector, double tau) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(
        java.util.stream.StreamSupport.stream(rows.spliterator(), false).map(r -> r.get("origin").asText()).toList()));
    System.out.printf("%nThe same, one entry per distinct origin (%d), as through the cache; threshold %.2f, no guard%n",
        distinct.size(), tau);
    System.out.println("| margin | right | wrong | miss |");
    System.out.println("|---|---|---|---|");
    for (double margin : new double[] {0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03}) {
      int right = 0;
      int wrong = 0;
      for (JsonNode row : rows) {
        float[] v = vector.get(row.get("similar").asText());
        float first = -2;
        float second = -2;
        String best = null;
        for (String o : distinct) {
          float s = QualityEval.dot(v, vector.get(o));
          if (s > first) {
            second = first;
            first = s;
            best = o;
          } else if (s > second) {
            second = s;
          }
        }
        if (first >= tau && first - second >= margin) {
          if (best.equals(row.get("origin").asText())) {
            right++;
          } else {
            wrong++;
          }
        }
      }
      System.out.printf("| %.3f | %d (%.1f%%) | %d (%.1f%%) | %d |%n", margin, right, 100.0 * right / rows.size(),
          wrong, 100.0 * wrong / rows.size(), rows.size() - right - wrong);
    }
  }

  private static double scoreAtRecall(double[] score, boolean[] y, int[] rows, double recall) {
    int[] positives = Arrays.stream(rows).filter(i -> y[i]).toArray();
    double[] s = Arrays.stream(positives).mapToDouble(i -> score[i]).sorted().toArray();
    return s[(int) Math.floor((1 - recall) * s.length)];
  }

  private static double[] precisionRecall(double[] score, boolean[] y, int[] rows, double cut) {
    double[] c = confusion(score, y, rows, cut);
    return new double[] {c[0], c[1]};
  }

  /** Precision, recall, false-hit rate, F1 of score >= cut over {@code rows}. */
  static double[] confusion(double[] score, boolean[] y, int[] rows, double cut) {
    long tp = 0;
    long fp = 0;
    long pos = 0;
    long neg = 0;
    for (int i : rows) {
      boolean hit = score[i] >= cut;
      if (y[i]) {
        pos++;
        tp += hit ? 1 : 0;
      } else {
        neg++;
        fp += hit ? 1 : 0;
      }
    }
    double p = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
    double r = (double) tp / pos;
    return new double[] {p, r, (double) fp / neg, p + r == 0 ? 0 : 2 * p * r / (p + r)};
  }

  static double precisionAtRecall(double[] score, boolean[] y, int[] rows, double recall) {
    return confusion(score, y, rows, scoreAtRecall(score, y, rows, recall))[0];
  }

  static double auc(double[] score, boolean[] y, int[] rows) {
    Integer[] order = Arrays.stream(rows).boxed().toArray(Integer[]::new);
    Arrays.sort(order, (i, j) -> Double.compare(score[i], score[j]));
    double rankSum = 0;
    long pos = 0;
    for (int r = 0; r < order.length; r++) {
      if (y[order[r]]) {
        rankSum += r + 1;
        pos++;
      }
    }
    long neg = order.length - pos;
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Members trained on the same standardized inputs with seeds 0..n-1; the mean of their logits. */
  static final class Ensemble {
    final float[] mean;
    final float[] scale;
    final Mlp[] members;

    private Ensemble(float[] mean, float[] scale, Mlp[] members) {
      this.mean = mean;
      this.scale = scale;
      this.members = members;
    }

    static Ensemble train(float[][] raw, boolean[] y, int[] rows, int hidden, int epochs, int count) {
      int d = raw[rows[0]].length;
      double[] sum = new double[d];
      double[] sq = new double[d];
      for (int i : rows) {
        for (int k = 0; k < d; k++) {
          sum[k] += raw[i][k];
          sq[k] += (double) raw[i][k] * raw[i][k];
        }
      }
      float[] mean = new float[d];
      float[] scale = new float[d];
      for (int k = 0; k < d; k++) {
        double mu = sum[k] / rows.length;
        double sd = Math.sqrt(Math.max(0, sq[k] / rows.length - mu * mu));
        mean[k] = (float) mu;
        scale[k] = (float) (1 / (sd + 1e-6));
      }
      float[][] x = new float[raw.length][];
      for (int i : rows) {
        x[i] = standardize(raw[i], mean, scale);
      }
      Mlp[] members = IntStream.range(0, count).parallel()
          .mapToObj(k -> Mlp.train(x, y, rows, hidden, epochs, k)).toArray(Mlp[]::new);
      return new Ensemble(mean, scale, members);
    }

    private static float[] standardize(float[] raw, float[] mean, float[] scale) {
      float[] x = new float[raw.length];
      for (int k = 0; k < x.length; k++) {
        x[k] = (raw[k] - mean[k]) * scale[k];
      }
      return x;
    }

    double logit(float[] raw) {
      float[] x = standardize(raw, mean, scale);
      double z = 0;
      for (Mlp m : members) {
        z += m.logit(x);
      }
      return z / members.length;
    }

    byte[] write(String embedderId, int[] segments, double cut) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes))) {
        out.writeUTF(PairClassifier.FORMAT);
        out.writeUTF(embedderId);
        out.writeInt(segments.length);
        for (int s : segments) {
          out.writeInt(s);
        }
        out.writeInt(members[0].hidden);
        out.writeInt(members.length);
        for (float f : mean) {
          out.writeFloat(f);
        }
        for (float f : scale) {
          out.writeFloat(f);
        }
        for (Mlp m : members) {
          for (float f : m.w1) {
            out.writeShort(PairClassifier.bfloat16(f));
          }
          for (float f : m.b1) {
            out.writeFloat(f);
          }
          for (float f : m.w2) {
            out.writeFloat(f);
          }
          out.writeFloat(m.b2);
        }
        out.writeDouble(cut);
      }
      return bytes.toByteArray();
    }
  }

  /** An embedder that looks up precomputed vectors, to read the weights back under the right id. */
  private record VectorLookup(String id, int dimensions, Map<String, float[]> vectors) implements Embedder {
    @Override
    public CompletableFuture<float[]> embed(String text) {
      float[] v = vectors.get(text);
      return v != null ? CompletableFuture.completedFuture(v)
          : CompletableFuture.failedFuture(new IllegalArgumentException("no precomputed vector"));
    }
  }
}
