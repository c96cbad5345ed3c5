package dev.switchboard.bench.semantic;

import java.util.SplittableRandom;

/**
 * One hidden layer of rectified units and a logistic output, trained with Adam on standardized
 * inputs (minibatches, dropout on the hidden layer, weight decay), for {@code PairClassifierTrainer}.
 * Deterministic for a seed. Not thread-safe; train several on several threads.
 */
final class Mlp {
  final int inputs;
  final int hidden;
  final float[] w1; // input-major: w1[i * hidden + j]
  final float[] b1;
  final float[] w2;
  float b2;

  private Mlp(int inputs, int hidden, SplittableRandom random) {
    this.inputs = inputs;
    this.hidden = hidden;
    w1 = new float[inputs * hidden];
    b1 = new float[hidden];
    w2 = new float[hidden];
    double s1 = Math.sqrt(2.0 / inputs);
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) (gaussian(random) * s1);
    }
    double s2 = Math.sqrt(1.0 / hidden);
    for (int j = 0; j < hidden; j++) {
      w2[j] = (float) (gaussian(random) * s2);
    }
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  /** The logit of each row of {@code x} (standardized inputs). */
  double logit(float[] x) {
    float[] h = b1.clone();
    for (int i = 0; i < inputs; i++) {
      float xi = x[i];
      int row = i * hidden;
      for (int j = 0; j < hidden; j++) {
        h[j] += xi * w1[row + j];
      }
    }
    double z = b2;
    for (int j = 0; j < hidden; j++) {
      if (h[j] > 0) {
        z += h[j] * w2[j];
      }
    }
    return z;
  }

  static Mlp train(float[][] x, boolean[] y, int[] rows, int hidden, int epochs, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int d = x[rows[0]].length;
    Mlp m = new Mlp(d, hidden, random);
    final int batch = 128;
    final double lr = 1e-3;
    final double decay = 1e-4;
    final float drop = 0.2f;
    float[] mw1 = new float[m.w1.length];
    float[] vw1 = new float[m.w1.length];
    float[] mb1 = new float[hidden];
    float[] vb1 = new float[hidden];
    float[] mw2 = new float[hidden];
    float[] vw2 = new float[hidden];
    double mb2 = 0;
    double vb2 = 0;
    float[] gw1 = new float[m.w1.length];
    float[] gb1 = new float[hidden];
    float[] gw2 = new float[hidden];
    float[] pre = new float[hidden];
    float[] act = new float[hidden];
    float[] gh = new float[hidden];
    int[] order = rows.clone();
    long step = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int k = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[k];
        order[k] = t;
      }
      for (int start = 0; start < order.length; start += batch) {
        int end = Math.min(order.length, start + batch);
        java.util.Arrays.fill(gw1, 0);
        java.util.Arrays.fill(gb1, 0);
        java.util.Arrays.fill(gw2, 0);
        double gb2 = 0;
        float inv = 1f / (end - start);
        for (int r = start; r < end; r++) {
          float[] xr = x[order[r]];
          System.arraycopy(m.b1, 0, pre, 0, hidden);
          for (int i = 0; i < d; i++) {
            float xi = xr[i];
            int row = i * hidden;
            for (int j = 0; j < hidden; j++) {
              pre[j] += xi * m.w1[row + j];
            }
          }
          double z = m.b2;
          for (int j = 0; j < hidden; j++) {
            float a = pre[j] > 0 && random.nextDouble() >= drop ? pre[j] / (1 - drop) : 0;
            act[j] = a;
            z += a * m.w2[j];
          }
          double p = 1 / (1 + Math.exp(-z));
          float gz = (float) ((p - (y[order[r]] ? 1 : 0)) * inv);
          gb2 += gz;
          for (int j = 0; j < hidden; j++) {
            gw2[j] += gz * act[j];
            gh[j] = act[j] > 0 ? gz * m.w2[j] / (1 - drop) : 0;
            gb1[j] += gh[j];
          }
          for (int i = 0; i < d; i++) {
            float xi = xr[i];
            if (xi == 0) {
              continue;
            }
            int row = i * hidden;
            for (int j = 0; j < hidden; j++) {
              gw1[row + j] += xi * gh[j];
            }
          }
        }
        step++;
        double c1 = 1 - Math.pow(0.9, step);
        double c2 = 1 - Math.pow(0.999, step);
        float a1 = (float) (lr / c1);
        float a2 = (float) (1 / c2);
        adam(m.w1, gw1, mw1, vw1, a1, a2, (float) decay);
        adam(m.b1, gb1, mb1, vb1, a1, a2, (float) decay);
        adam(m.w2, gw2, mw2, vw2, a1, a2, (float) decay);
        mb2 = 0.9 * mb2 + 0.1 * gb2;
        vb2 = 0.999 * vb2 + 0.001 * gb2 * gb2;
        m.b2 -= (float) (lr / c1 * mb2 / (Math.sqrt(vb2 / c2) + 1e-8));
      }
    }
    return m;
  }

  private static void adam(float[] w, float[] g, float[] mo, float[] ve, float a1, float a2, float decay) {
    for (int i = 0; i < w.length; i++) {
      float gi = g[i] + decay * w[i];
      mo[i] = 0.9f * mo[i] + 0.1f * gi;
      ve[i] = 0.999f * ve[i] + 0.001f * gi * gi;
      w[i] -= a1 * mo[i] / ((float) Math.sqrt(ve[i] * a2) + 1e-8f);
    }
  }
}
