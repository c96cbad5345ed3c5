package dev.switchboard.eval;

import java.util.Locale;

/**
 * A 95% confidence interval for a mean, and how it was computed. Immutable.
 *
 * @param low the lower bound ({@code NaN} when there are too few values)
 * @param high the upper bound ({@code NaN} when there are too few values)
 */
public record ConfidenceInterval(double low, double high, Method method) {

  /** How an interval was computed. */
  public enum Method {
    /**
     * For scores that are all 0 or 1 (a share of right answers): the Wilson score interval,
     * {@code (p + z²/2n ± z·√(p(1-p)/n + z²/4n²)) / (1 + z²/n)} with z = 1.959964. Unlike the
     * normal approximation it stays within [0, 1] and is sound for small n and for p near 0 or 1.
     */
    WILSON,
    /**
     * For other scores: Student's t, {@code mean ± t(0.975, n-1) · s / √n} with s the sample
     * standard deviation; needs at least two values. When every score lies in [0, 1] (NDCG, field
     * accuracy, a judge's grade), so must the mean, and the interval is clipped to [0, 1].
     */
    STUDENT_T,
    /** No values: no interval. */
    NONE
  }

  /** The width of the interval, {@code high - low}. */
  public double width() {
    return high - low;
  }

  @Override
  public String toString() {
    return Double.isNaN(low) ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f] (%s)", low, high,
        method == Method.WILSON ? "Wilson" : "Student t");
  }
}
