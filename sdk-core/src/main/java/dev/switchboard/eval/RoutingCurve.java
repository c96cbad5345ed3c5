package dev.switchboard.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What a two-model router achieves as its threshold sweeps from "nothing to the strong model" to
 * "everything to it": one {@link Point} per distinct score, each with the share of prompts sent to
 * the strong model (the premium share), the mean quality and the mean cost per prompt. Prompts that
 * tie on a score cross the threshold together; between two points the curve is a straight line,
 * which is what breaking the tie at random gives on average, so every figure read off the curve
 * ({@link #qualityAt}, {@link #premiumShareFor}) is that expectation.
 *
 * <p>PGR (performance gap recovered) is {@code (quality - weak) / (strong - weak)}, with weak and
 * strong the mean quality of always choosing one model; APGR is the area under PGR against the
 * premium share, from 0 to 1 (random routing: 0.5); CPT(x) is the premium share at which PGR first
 * reaches x. These are RouteLLM's definitions. Immutable and thread-safe.
 */
public final class RoutingCurve {

  /**
   * The router at one threshold: prompts scoring {@code threshold} or more go to the strong model
   * ({@code threshold} is {@code +∞} for the first point and {@code NaN} where no score stands
   * behind a point), {@code premiumShare} of them; the mean quality and cost per prompt.
   */
  public record Point(double threshold, double premiumShare, double quality, double cost) {}

  /**
   * A curve's figures: {@code apgr}; {@code cpt50} and {@code cpt80}, the premium shares for PGR
   * 50% and 80%; {@code share95} and {@code share99}, the premium shares for 95% and 99% of the
   * strong model's quality, and {@code costCut95} and {@code costCut99}, how much cheaper than
   * always choosing the strong model the router is there (0.6 = 60% cheaper). {@code NaN} where the
   * curve never gets there, or where PGR is undefined (the strong model no better than the weak).
   */
  public record Summary(double apgr, double cpt50, double cpt80, double share95, double costCut95, double share99,
      double costCut99) {}

  private final List<Point> points;
  private final double weakQuality;
  private final double strongQuality;
  private final double strongCost;

  private RoutingCurve(List<Point> points, double weakQuality, double strongQuality, double strongCost) {
    this.points = List.copyOf(points);
    this.weakQuality = weakQuality;
    this.strongQuality = strongQuality;
    this.strongCost = strongCost;
  }

  /**
   * The curve of a router that sends prompt {@code i} to the strong model when {@code scores[i]}
   * reaches the threshold, given each prompt's quality and cost with either model. All arrays
   * have one entry per prompt and at least one prompt; none may hold {@code NaN}.
   */
  public static RoutingCurve sweep(double[] scores, double[] strongQuality, double[] weakQuality,
      double[] strongCost, double[] weakCost) {
    int n = scores.length;
    if (n == 0 || strongQuality.length != n || weakQuality.length != n || strongCost.length != n
        || weakCost.length != n) {
      throw new IllegalArgumentException("sweep needs one score, two qualities and two costs per prompt, at least "
          + "one prompt; got " + n + " scores, " + strongQuality.length + " and " + weakQuality.length
          + " qualities, " + strongCost.length + " and " + weakCost.length + " costs");
    }
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i]) || Double.isNaN(strongQuality[i]) || Double.isNaN(weakQuality[i])
          || Double.isNaN(strongCost[i]) || Double.isNaN(weakCost[i])) {
        throw new IllegalArgumentException("sweep: prompt " + i + " has a NaN score, quality or cost");
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
    double quality = sum(weakQuality);
    double cost = sum(weakCost);
    List<Point> points = new ArrayList<>();
    points.add(new Point(Double.POSITIVE_INFINITY, 0, quality / n, cost / n));
    int k = 0;
    while (k < n) {
      double threshold = scores[order[k]];
      while (k < n && scores[order[k]] == threshold) {
        int i = order[k++];
        quality += strongQuality[i] - weakQuality[i];
        cost += strongCost[i] - weakCost[i];
      }
      points.add(new Point(threshold, k / (double) n, quality / n, cost / n));
    }
    return new RoutingCurve(points, mean(weakQuality), mean(strongQuality), mean(strongCost));
  }

  /**
   * Random routing: the strong model for a share s of prompts picked at random, whose expected
   * quality and cost are the straight line between the two models.
   */
  public static RoutingCurve random(double[] strongQuality, double[] weakQuality, double[] strongCost,
      double[] weakCost) {
    return new RoutingCurve(List.of(
        new Point(Double.NaN, 0, mean(weakQuality), mean(weakCost)),
        new Point(Double.NaN, 1, mean(strongQuality), mean(strongCost))),
        mean(weakQuality), mean(strongQuality), mean(strongCost));
  }

  /**
   * The oracle: it knows each prompt's outcomes and sends to the strong model the prompts where it
   * gains the most first, so it stops gaining once only ties and losses are left: the point at the
   * share of prompts the strong model wins is "strong only where it wins".
   */
  public static RoutingCurve oracle(double[] strongQuality, double[] weakQuality, double[] strongCost,
      double[] weakCost) {
    double[] gain = new double[strongQuality.length];
    for (int i = 0; i < gain.length; i++) {
      gain[i] = strongQuality[i] - weakQuality[i];
    }
    RoutingCurve sweep = sweep(gain, strongQuality, weakQuality, strongCost, weakCost);
    List<Point> points = new ArrayList<>();
    for (Point p : sweep.points) {
      points.add(new Point(Double.NaN, p.premiumShare(), p.quality(), p.cost()));
    }
    return new RoutingCurve(points, sweep.weakQuality, sweep.strongQuality, sweep.strongCost);
  }

  /** The points, premium share rising from 0 to 1. */
  public List<Point> points() {
    return points;
  }

  public double weakQuality() {
    return weakQuality;
  }

  public double strongQuality() {
    return strongQuality;
  }

  /** PGR at {@code quality}; {@code NaN} when the strong model is no better than the weak one. */
  public double pgr(double quality) {
    double gap = strongQuality - weakQuality;
    return gap > 0 ? (quality - weakQuality) / gap : Double.NaN;
  }

  /** The area under PGR against the premium share over [0, 1], by the trapezoid rule between points. */
  public double apgr() {
    if (!(strongQuality > weakQuality)) {
      return Double.NaN;
    }
    double area = 0;
    for (int i = 1; i < points.size(); i++) {
      Point a = points.get(i - 1);
      Point b = points.get(i);
      area += (b.premiumShare() - a.premiumShare()) * (pgr(a.quality()) + pgr(b.quality())) / 2;
    }
    return area;
  }

  /** CPT: the smallest premium share at which PGR reaches {@code pgr}; {@code NaN} if it never does. */
  public double cpt(double pgr) {
    if (!(strongQuality > weakQuality)) {
      return Double.NaN;
    }
    return premiumShareFor(weakQuality + pgr * (strongQuality - weakQuality));
  }

  /** The smallest premium share at which the mean quality reaches {@code quality}; {@code NaN} if it never does. */
  public double premiumShareFor(double quality) {
    // a hair of tolerance so that a target computed as a fraction of a mean is met by that mean
    double target = quality - 1e-12 * Math.max(1, Math.abs(quality));
    Point previous = null;
    for (Point p : points) {
      if (p.quality() >= target) {
        if (previous == null) {
          return p.premiumShare();
        }
        double f = (target - previous.quality()) / (p.quality() - previous.quality());
        return previous.premiumShare() + Math.max(0, f) * (p.premiumShare() - previous.premiumShare());
      }
      previous = p;
    }
    return Double.NaN;
  }

  /** The mean quality at premium share {@code share}, on the line between the points around it. */
  public double qualityAt(double share) {
    return at(share, true);
  }

  /** The mean cost per prompt at premium share {@code share}, on the line between the points around it. */
  public double costAt(double share) {
    return at(share, false);
  }

  /**
   * The point of a router whose threshold is {@code threshold}: every prompt scoring at least it
   * goes to the strong model. Only for curves from {@link #sweep}.
   */
  public Point atThreshold(double threshold) {
    Point chosen = points.get(0);
    for (Point p : points) {
      if (p.threshold() >= threshold) {
        chosen = p;
      }
    }
    return chosen;
  }

  /** How much cheaper than always choosing the strong model {@code cost} is: 1 - cost / strong cost. */
  public double costCut(double cost) {
    return 1 - cost / strongCost;
  }

  public Summary summary() {
    double share95 = premiumShareFor(0.95 * strongQuality);
    double share99 = premiumShareFor(0.99 * strongQuality);
    return new Summary(apgr(), cpt(0.5), cpt(0.8), share95, cutAt(share95), share99, cutAt(share99));
  }

  private double cutAt(double share) {
    return Double.isNaN(share) ? Double.NaN : costCut(costAt(share));
  }

  private double at(double share, boolean quality) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be within [0, 1], got " + share);
    }
    for (int i = 1; i < points.size(); i++) {
      Point a = points.get(i - 1);
      Point b = points.get(i);
      if (share <= b.premiumShare()) {
        double f = b.premiumShare() == a.premiumShare() ? 1 : (share - a.premiumShare())
            / (b.premiumShare() - a.premiumShare());
        double from = quality ? a.quality() : a.cost();
        double to = quality ? b.quality() : b.cost();
        return from + f * (to - from);
      }
    }
    Point last = points.get(points.size() - 1);
    return quality ? last.quality() : last.cost();
  }

  private static double sum(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }

  private static double mean(double[] values) {
    return sum(values) / values.length;
  }

  @Override
  public String toString() {
    return "RoutingCurve[" + points.size() + " points, APGR " + apgr() + "]";
  }
}
