package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void tQuantiles_matchTheTables() {
    assertThat(Stats.tQuantile975(1)).isCloseTo(12.706205, within(1e-5));
    assertThat(Stats.tQuantile975(2)).isCloseTo(4.302653, within(1e-5));
    assertThat(Stats.tQuantile975(3)).isCloseTo(3.182446, within(1e-5));
    assertThat(Stats.tQuantile975(10)).isCloseTo(2.228139, within(1e-5));
    assertThat(Stats.tQuantile975(30)).isCloseTo(2.042272, within(1e-5));
    assertThat(Stats.tQuantile975(1000)).isCloseTo(1.962339, within(1e-5));
  }

  @Test
  void wilson_staysInsideZeroOne() {
    // 0 of 10: [0, z²/(n + z²)] = [0, 3.841459 / 13.841459] = [0, 0.277533].
    ConfidenceInterval none = Stats.wilson(0, 10);
    assertThat(none.low()).isEqualTo(0);
    assertThat(none.high()).isCloseTo(0.277533, within(1e-6));
    ConfidenceInterval all = Stats.wilson(10, 10);
    assertThat(all.high()).isEqualTo(1);
    assertThat(all.low()).isCloseTo(1 - 0.277533, within(1e-6));
  }

  @Test
  void interval_picksTheMethodByTheScores() {
    assertThat(Stats.interval(new double[] {1, 0, 1}).method()).isEqualTo(ConfidenceInterval.Method.WILSON);
    assertThat(Stats.interval(new double[] {1, 0.5}).method()).isEqualTo(ConfidenceInterval.Method.STUDENT_T);
    assertThat(Stats.interval(new double[] {0.5}).low()).isNaN(); // one value: no spread to estimate
    assertThat(Stats.interval(new double[0]).method()).isEqualTo(ConfidenceInterval.Method.NONE);
    // Scores within [0, 1] keep their interval within it; others are not clipped.
    assertThat(Stats.interval(new double[] {0.9, 1.0, 0.95}).high()).isEqualTo(1);
    // {2, 4}: mean 3, s = √2, t(0.975, 1) = 12.706205: 3 ± 12.706205 · √2 / √2 = [-9.706205, 15.706205].
    ConfidenceInterval wide = Stats.interval(new double[] {2, 4});
    assertThat(wide.low()).isCloseTo(-9.706205, within(1e-5));
    assertThat(wide.high()).isCloseTo(15.706205, within(1e-5));
    ConfidenceInterval flat = Stats.interval(new double[] {0.5, 0.5, 0.5});
    assertThat(flat.low()).isEqualTo(0.5);
    assertThat(flat.high()).isEqualTo(0.5);
  }

  @Test
  void percentile_isNearestRank() {
    double[] ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    assertThat(Stats.percentile(ten, 50)).isEqualTo(5); // ceil(5) = 5th
    assertThat(Stats.percentile(ten, 90)).isEqualTo(9);
    assertThat(Stats.percentile(ten, 99)).isEqualTo(10); // ceil(9.9) = 10th
    assertThat(Stats.percentile(ten, 0)).isEqualTo(1);
    assertThat(Stats.percentile(new double[] {7}, 50)).isEqualTo(7);
    assertThat(Stats.percentile(new double[0], 50)).isNaN();
  }
}
