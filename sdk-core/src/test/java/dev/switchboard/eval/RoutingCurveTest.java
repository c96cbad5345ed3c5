package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The metrics on a table small enough to compute by hand. Five prompts, strong costs $5 a prompt,
 * weak $1:
 *
 * <pre>
 * prompt  strong  weak  score  gain (strong - weak)
 *   1       1      0     0.9     +1
 *   2       1      1     0.8      0
 *   3       1      0     0.8     +1   (ties with 2)
 *   4       0      1     0.5     -1   (the weak model wins)
 *   5       1      0     0.2     +1
 * </pre>
 *
 * Always strong: quality 4/5 = 0.8, cost 5; always weak: 2/5 = 0.4, cost 1; the gap is 0.4.
 */
class RoutingCurveTest {
  private static final Offset<Double> EXACT = within(1e-9);
  private static final double[] STRONG = {1, 1, 1, 0, 1};
  private static final double[] WEAK = {0, 1, 0, 1, 0};
  private static final double[] STRONG_COST = {5, 5, 5, 5, 5};
  private static final double[] WEAK_COST = {1, 1, 1, 1, 1};
  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.5, 0.2};

  private final RoutingCurve router = RoutingCurve.sweep(SCORES, STRONG, WEAK, STRONG_COST, WEAK_COST);

  @Test
  void sweep_onePointPerDistinctScore_tiesCrossTogether() {
    // share 0: quality 0.4, cost 1
    // threshold 0.9: prompt 1 strong, gain +1: quality 3/5 = 0.6, cost (5 + 4) / 5 = 1.8
    // threshold 0.8: prompts 2 and 3 too, gains 0 and +1: quality 0.8, cost (15 + 2) / 5 = 3.4
    // threshold 0.5: prompt 4 too, gain -1: quality 0.6, cost 4.2
    // threshold 0.2: all strong: quality 0.8, cost 5
    assertThat(router.points()).extracting(RoutingCurve.Point::premiumShare).containsExactly(0.0, 0.2, 0.6, 0.8, 1.0);
    assertThat(router.points()).extracting(RoutingCurve.Point::threshold)
        .containsExactly(Double.POSITIVE_INFINITY, 0.9, 0.8, 0.5, 0.2);
    double[] quality = {0.4, 0.6, 0.8, 0.6, 0.8};
    double[] cost = {1, 1.8, 3.4, 4.2, 5};
    for (int i = 0; i < quality.length; i++) {
      assertThat(router.points().get(i).quality()).as("quality at point " + i).isCloseTo(quality[i], EXACT);
      assertThat(router.points().get(i).cost()).as("cost at point " + i).isCloseTo(cost[i], EXACT);
    }
  }

  @Test
  void pgrAndApgr() {
    // PGR at the points: 0, 0.5, 1, 0.5, 1
    // APGR by trapezoids: 0.2 × (0 + 0.5)/2 + 0.4 × (0.5 + 1)/2 + 0.2 × (1 + 0.5)/2 + 0.2 × (0.5 + 1)/2
    //                   = 0.05 + 0.3 + 0.15 + 0.15 = 0.65
    assertThat(router.pgr(0.6)).isCloseTo(0.5, EXACT);
    assertThat(router.apgr()).isCloseTo(0.65, EXACT);
  }

  @Test
  void cpt_isTheFirstShareReachingAPgr_onTheLineBetweenPoints() {
    // PGR 50% = quality 0.6, reached at the point of share 0.2
    assertThat(router.cpt(0.5)).isCloseTo(0.2, EXACT);
    // PGR 80% = quality 0.72: between (0.2, 0.6) and (0.6, 0.8): 0.2 + (0.12 / 0.2) × 0.4 = 0.44
    assertThat(router.cpt(0.8)).isCloseTo(0.44, EXACT);
    // PGR 120% = quality 0.88: never
    assertThat(router.cpt(1.2)).isNaN();
  }

  @Test
  void betweenPoints_isWhatATieBrokenAtRandomGivesOnAverage() {
    // share 0.4 = prompt 1 and one of the tied prompts 2 and 3, each half the time:
    // gain 1 + (0 + 1)/2 = 1.5 over 0.4 × 5 → quality 0.4 + 1.5/5 = 0.7, cost 1 + 2 × 4 / 5 = 2.6
    assertThat(router.qualityAt(0.4)).isCloseTo(0.7, EXACT);
    assertThat(router.costAt(0.4)).isCloseTo(2.6, EXACT);
  }

  @Test
  void summary_shareAndCostCutFor95And99PercentOfStrongQuality() {
    RoutingCurve.Summary s = router.summary();
    // 95% of 0.8 = 0.76: 0.2 + (0.16 / 0.2) × 0.4 = 0.52; cost there 1.8 + 0.8 × 1.6 = 3.08; cut 1 - 3.08/5 = 0.384
    assertThat(s.share95()).isCloseTo(0.52, EXACT);
    assertThat(s.costCut95()).isCloseTo(0.384, EXACT);
    // 99% of 0.8 = 0.792: 0.2 + 0.96 × 0.4 = 0.584; cost 1.8 + 0.96 × 1.6 = 3.336; cut 0.3328
    assertThat(s.share99()).isCloseTo(0.584, EXACT);
    assertThat(s.costCut99()).isCloseTo(0.3328, EXACT);
    assertThat(s.apgr()).isCloseTo(0.65, EXACT);
    assertThat(s.cpt50()).isCloseTo(0.2, EXACT);
    assertThat(s.cpt80()).isCloseTo(0.44, EXACT);
  }

  @Test
  void random_isTheStraightLine() {
    RoutingCurve.Summary s = RoutingCurve.random(STRONG, WEAK, STRONG_COST, WEAK_COST).summary();
    // quality 0.4 + 0.4 s, cost 1 + 4 s: PGR = s, so APGR 0.5, CPT(x) = x;
    // 0.76 at s = 0.9, cost 4.6, cut 0.08; 0.792 at s = 0.98, cost 4.92, cut 0.016
    assertThat(s.apgr()).isCloseTo(0.5, EXACT);
    assertThat(s.cpt50()).isCloseTo(0.5, EXACT);
    assertThat(s.cpt80()).isCloseTo(0.8, EXACT);
    assertThat(s.share95()).isCloseTo(0.9, EXACT);
    assertThat(s.costCut95()).isCloseTo(0.08, EXACT);
    assertThat(s.share99()).isCloseTo(0.98, EXACT);
    assertThat(s.costCut99()).isCloseTo(0.016, EXACT);
  }

  @Test
  void oracle_takesTheGainsFirst_andStopsGainingWhereTheStrongModelStopsWinning() {
    RoutingCurve oracle = RoutingCurve.oracle(STRONG, WEAK, STRONG_COST, WEAK_COST);
    // gains +1 (prompts 1, 3, 5) first: share 0.6, quality 0.4 + 3/5 = 1.0 (PGR 1.5), cost 1 + 12/5 = 3.4;
    // then gain 0 (prompt 2): share 0.8, quality 1.0, cost 4.2; then -1 (prompt 4): share 1, quality 0.8, cost 5
    assertThat(oracle.points()).extracting(RoutingCurve.Point::premiumShare).containsExactly(0.0, 0.6, 0.8, 1.0);
    assertThat(oracle.points().get(1).quality()).isCloseTo(1.0, EXACT);
    RoutingCurve.Summary s = oracle.summary();
    // APGR: 0.6 × (0 + 1.5)/2 + 0.2 × 1.5 + 0.2 × (1.5 + 1)/2 = 0.45 + 0.3 + 0.25 = 1.0
    assertThat(s.apgr()).isCloseTo(1.0, EXACT);
    // on the first segment quality = 0.4 + s: PGR 50% (0.6) at 0.2, 80% (0.72) at 0.32
    assertThat(s.cpt50()).isCloseTo(0.2, EXACT);
    assertThat(s.cpt80()).isCloseTo(0.32, EXACT);
    // 0.76 at 0.36, cost 1 + 0.36 × 4 = 2.44, cut 1 - 2.44/5 = 0.512
    assertThat(s.share95()).isCloseTo(0.36, EXACT);
    assertThat(s.costCut95()).isCloseTo(0.512, EXACT);
  }

  @Test
  void atThreshold_isThePointOfEveryPromptScoringAtLeastIt() {
    assertThat(router.atThreshold(0.95).premiumShare()).isZero();
    assertThat(router.atThreshold(0.85).premiumShare()).isCloseTo(0.2, EXACT);
    assertThat(router.atThreshold(0.8).premiumShare()).isCloseTo(0.6, EXACT);
    assertThat(router.atThreshold(0.0).premiumShare()).isEqualTo(1.0);
  }

  @Test
  void aPerfectScore_isTheOracle_andAnInvertedOne_isWorseThanRandom() {
    double[] perfect = {1, 0.5, 1, 0, 1};
    double[] inverted = {0, 0.5, 0, 1, 0};
    assertThat(RoutingCurve.sweep(perfect, STRONG, WEAK, STRONG_COST, WEAK_COST).apgr()).isCloseTo(1.0, EXACT);
    // inverted: share 0.2 quality 0.2 (PGR -0.5), 0.4 q 0.2 (-0.5), 1.0 q 0.8 (1):
    // 0.2 × (0 - 0.5)/2 + 0.2 × (-0.5) + 0.6 × (-0.5 + 1)/2 = -0.05 - 0.1 + 0.15 = 0
    assertThat(RoutingCurve.sweep(inverted, STRONG, WEAK, STRONG_COST, WEAK_COST).apgr()).isCloseTo(0.0, EXACT);
  }

  @Test
  void sweep_rejectsNaNsAndMismatchedLengths() {
    assertThatThrownBy(() -> RoutingCurve.sweep(new double[] {Double.NaN}, new double[] {1}, new double[] {0},
        new double[] {1}, new double[] {1})).hasMessage("sweep: prompt 0 has a NaN score, quality or cost");
    assertThatThrownBy(() -> RoutingCurve.sweep(new double[] {1, 2}, new double[] {1}, new double[] {0},
        new double[] {1}, new double[] {1})).hasMessageStartingWith("sweep needs one score");
  }
}
