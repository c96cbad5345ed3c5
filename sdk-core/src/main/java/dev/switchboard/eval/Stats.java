package dev.switchboard.eval;

import java.util.Arrays;

/** The statistics of a report: means, confidence intervals, percentiles. Stateless. */
final class Stats {
  /** The 0.975 quantile of the standard normal distribution. */
  static final double Z95 = 1.959963984540054;

  private Stats() {}

  static double mean(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /**
   * Wilson when every value is 0 or 1, else Student's t, clipped to [0, 1] when every value lies
   * within it; see {@link ConfidenceInterval.Method}.
   */
  static ConfidenceInterval interval(double[] values) {
    if (values.length == 0) {
      return new ConfidenceInterval(Double.NaN, Double.NaN, ConfidenceInterval.Method.NONE);
    }
    boolean binary = true;
    int ones = 0;
    for (double v : values) {
      if (v == 1) {
        ones++;
      } else if (v != 0) {
        binary = false;
      }
    }
    if (binary) {
      return wilson(ones, values.length);
    }
    ConfidenceInterval t = studentT(values);
    double min = Arrays.stream(values).min().orElseThrow();
    double max = Arrays.stream(values).max().orElseThrow();
    if (min >= 0 && max <= 1 && !Double.isNaN(t.low())) {
      // Scores on a 0..1 scale (NDCG, field accuracy, a judge's grade): so is their mean.
      return new ConfidenceInterval(Math.max(0, t.low()), Math.min(1, t.high()), t.method());
    }
    return t;
  }

  static ConfidenceInterval wilson(int successes, int n) {
    double p = successes / (double) n;
    double z2 = Z95 * Z95;
    double denominator = 1 + z2 / n;
    double center = (p + z2 / (2.0 * n)) / denominator;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
    // At p = 0 or 1 the bound is exactly 0 or 1; rounding would leave it a hair inside.
    return new ConfidenceInterval(successes == 0 ? 0 : Math.max(0, center - half),
        successes == n ? 1 : Math.min(1, center + half), ConfidenceInterval.Method.WILSON);
  }

  static ConfidenceInterval studentT(double[] values) {
    int n = values.length;
    if (n < 2) {
      return new ConfidenceInterval(Double.NaN, Double.NaN, ConfidenceInterval.Method.STUDENT_T);
    }
    double mean = mean(values);
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(squares / (n - 1));
    double half = tQuantile975(n - 1) * sd / Math.sqrt(n);
    return new ConfidenceInterval(mean - half, mean + half, ConfidenceInterval.Method.STUDENT_T);
  }

  /**
   * The nearest-rank percentile: the smallest value with at least {@code p}% of the values at or
   * below it, {@code sorted[ceil(p/100 · n) - 1]}; always one of the values. NaN for none.
   */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  /** The 0.975 quantile of Student's t with {@code df} degrees of freedom, by bisection on its CDF. */
  static double tQuantile975(int df) {
    double lo = 0;
    double hi = 1000;
    for (int i = 0; i < 200; i++) {
      double mid = (lo + hi) / 2;
      if (tCdf(mid, df) < 0.975) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  /** P(T ≤ t) for t ≥ 0: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t²). */
  static double tCdf(double t, int df) {
    double x = df / (df + t * t);
    return 1 - 0.5 * regularizedBeta(x, df / 2.0, 0.5);
  }

  /** The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz). */
  static double regularizedBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    if (x < (a + 1) / (a + b + 2)) {
      return front * betaFraction(x, a, b) / a;
    }
    return 1 - front * betaFraction(1 - x, b, a) / b;
  }

  private static double betaFraction(double x, double a, double b) {
    final double tiny = 1e-300;
    double c = 1;
    double d = 1 - (a + b) * x / (a + 1);
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 300; m++) {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      c = Math.abs(c) < tiny ? tiny : c;
      h *= d * c;
      aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      c = Math.abs(c) < tiny ? tiny : c;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-15) {
        break;
      }
    }
    return h;
  }

  /** ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; about 15 significant digits). */
  static double lnGamma(double x) {
    final double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7};
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
    }
    x -= 1;
    double a = g[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += g[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }
}
