package dev.switchboard.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The second seed's figures, exactly. */
class CrossoverTest {
  private final ModelPrice gpt4o = PriceCatalog.bundled().price("openai/gpt-4o").orElseThrow();

  @Test
  void fiveHundredMillionInputAndOneHundredMillionOutput_atGpt4oPrices_is2250AMonth() {
    assertThat(Crossover.apiMonthly(500_000_000L, 100_000_000L, gpt4o)).isEqualByComparingTo("2250");
  }

  @Test
  void tenBillionInputTokensAMonth_is25000() {
    assertThat(Crossover.apiMonthly(10_000_000_000L, 0, gpt4o)).isEqualByComparingTo("25000");
  }

  @Test
  void twoGpusRunningAllYear_cost140160To245280() {
    assertThat(Crossover.gpuYearly(2, 8.0)).isEqualByComparingTo("140160");
    assertThat(Crossover.gpuYearly(2, 14.0)).isEqualByComparingTo("245280");
  }

  @Test
  void theCrossoverVolume_isWhereBothCostTheSame() {
    BigDecimal ownMonthly = Crossover.selfHostedMonthly(2, 8.0, 0, 0, 12); // 140,160 / 12 = 11,680
    assertThat(ownMonthly).isEqualByComparingTo("11680");
    long volume = Crossover.crossoverTokensPerMonth(gpt4o, 1.0, ownMonthly); // all input at $2.50
    assertThat(volume).isEqualTo(4_672_000_000L);
    assertThat(Crossover.apiMonthly(volume, 0, gpt4o)).isEqualByComparingTo(ownMonthly);
    assertThat(Crossover.selfHostedMonthly(2, 8.0, 5_000, 24_000, 24)).isEqualByComparingTo("17680");
  }

  @Test
  void theCrossoverAtAnExactMix_ofFiveHundredMillionInAndOneHundredMillionOut() {
    // the mix costs $2,250 per 600M tokens = $3.75 per million; $11,680 / $3.75 per million = 3,114,666,666.67
    assertThat(Crossover.crossoverTokensPerMonth(gpt4o, 500_000_000L, 100_000_000L, new BigDecimal("11680")))
        .isEqualTo(3_114_666_667L);
  }
}
