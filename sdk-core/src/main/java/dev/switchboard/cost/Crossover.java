package dev.switchboard.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The API-versus-self-hosted arithmetic: what a monthly token volume costs through an API, what
 * your own GPUs cost, and the volume at which they cost the same. Stateless; figures in US dollars.
 *
 * <pre>{@code
 * ModelPrice gpt4o = PriceCatalog.bundled().price("openai/gpt-4o").orElseThrow();
 * Crossover.apiMonthly(500_000_000L, 100_000_000L, gpt4o);   // 2250
 * Crossover.gpuYearly(2, 8.0);                              // 140160
 * Crossover.selfHostedMonthly(2, 8.0, 5_000, 2_000, 24)     // GPUs + overhead + amortized setup
 * }</pre>
 */
public final class Crossover {
  /** Hours in a (non-leap) year: GPUs that run all year. */
  public static final int HOURS_PER_YEAR = 8760;
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static final BigDecimal TWELVE = BigDecimal.valueOf(12);

  private Crossover() {}

  /** What {@code inputTokens} and {@code outputTokens} a month cost at {@code price}. */
  public static BigDecimal apiMonthly(long inputTokens, long outputTokens, ModelPrice price) {
    requireNonNegative("inputTokens", inputTokens);
    requireNonNegative("outputTokens", outputTokens);
    return price.input().multiply(BigDecimal.valueOf(inputTokens))
        .add(price.output().multiply(BigDecimal.valueOf(outputTokens)))
        .divide(MILLION, MathContext.DECIMAL64).stripTrailingZeros();
  }

  /** {@code gpus} running all year at {@code dollarsPerGpuHour}: gpus × rate × 8,760 hours. */
  public static BigDecimal gpuYearly(int gpus, double dollarsPerGpuHour) {
    if (gpus <= 0 || dollarsPerGpuHour < 0) {
      throw new IllegalArgumentException("gpuYearly needs gpus > 0 and dollarsPerGpuHour >= 0, got " + gpus + " and "
          + dollarsPerGpuHour);
    }
    return BigDecimal.valueOf(dollarsPerGpuHour).multiply(BigDecimal.valueOf((long) gpus * HOURS_PER_YEAR))
        .stripTrailingZeros();
  }

  /**
   * A month of self-hosting: the GPUs' yearly cost over 12, plus {@code engineeringPerMonth}
   * (operations, on-call), plus {@code setupCost} amortized over {@code amortizationMonths}.
   */
  public static BigDecimal selfHostedMonthly(int gpus, double dollarsPerGpuHour, double engineeringPerMonth,
      double setupCost, int amortizationMonths) {
    if (engineeringPerMonth < 0 || setupCost < 0 || amortizationMonths <= 0) {
      throw new IllegalArgumentException("selfHostedMonthly needs engineeringPerMonth >= 0, setupCost >= 0 and "
          + "amortizationMonths > 0");
    }
    return gpuYearly(gpus, dollarsPerGpuHour).divide(TWELVE, MathContext.DECIMAL64)
        .add(BigDecimal.valueOf(engineeringPerMonth))
        .add(BigDecimal.valueOf(setupCost).divide(BigDecimal.valueOf(amortizationMonths), MathContext.DECIMAL64))
        .stripTrailingZeros();
  }

  /**
   * The monthly token volume, with {@code inputShare} of it input (0..1), above which self-hosting
   * at {@code selfHostedMonthly} dollars costs less than the API at {@code price}.
   */
  public static long crossoverTokensPerMonth(ModelPrice price, double inputShare, BigDecimal selfHostedMonthly) {
    if (!(inputShare >= 0 && inputShare <= 1)) {
      throw new IllegalArgumentException("inputShare must be within [0, 1], got " + inputShare);
    }
    BigDecimal share = BigDecimal.valueOf(inputShare);
    BigDecimal blendedPerMillion = price.input().multiply(share)
        .add(price.output().multiply(BigDecimal.ONE.subtract(share)));
    if (blendedPerMillion.signum() == 0) {
      return Long.MAX_VALUE; // a free API never costs more
    }
    return selfHostedMonthly.multiply(MILLION).divide(blendedPerMillion, 0, RoundingMode.CEILING).longValueExact();
  }

  /**
   * {@link #crossoverTokensPerMonth(ModelPrice, double, BigDecimal)} at the mix of {@code
   * inputTokens} to {@code outputTokens}, exactly (no rounded share).
   */
  public static long crossoverTokensPerMonth(ModelPrice price, long inputTokens, long outputTokens,
      BigDecimal selfHostedMonthly) {
    requireNonNegative("inputTokens", inputTokens);
    requireNonNegative("outputTokens", outputTokens);
    if (inputTokens + outputTokens == 0) {
      throw new IllegalArgumentException("crossoverTokensPerMonth needs some tokens to take the mix from");
    }
    BigDecimal dollarsPerToken = apiMonthly(inputTokens, outputTokens, price)
        .divide(BigDecimal.valueOf(inputTokens + outputTokens), MathContext.DECIMAL128);
    if (dollarsPerToken.signum() == 0) {
      return Long.MAX_VALUE;
    }
    return selfHostedMonthly.divide(dollarsPerToken, 0, RoundingMode.CEILING).longValueExact();
  }

  private static void requireNonNegative(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, got " + v);
    }
  }
}
