package dev.switchboard;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one usage cost, in US dollars, by kind of token: plain input, input read from the prompt
 * cache, input written to it, plain output and reasoning output. {@link #estimated()} when the
 * usage was estimated rather than reported. Immutable and thread-safe.
 */
public record Cost(BigDecimal input, BigDecimal cachedInput, BigDecimal cacheWriteInput, BigDecimal output,
    BigDecimal reasoning, boolean estimated) {

  public static final Cost ZERO = new Cost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
      BigDecimal.ZERO, false);

  public Cost {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(cachedInput, "cachedInput");
    Objects.requireNonNull(cacheWriteInput, "cacheWriteInput");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(reasoning, "reasoning");
  }

  /** The whole cost in dollars. */
  public BigDecimal total() {
    return input.add(cachedInput).add(cacheWriteInput).add(output).add(reasoning);
  }

  /** What {@code dollars} of plain input cost, unsplit: for totals read back from a store. */
  public static Cost of(BigDecimal dollars, boolean estimated) {
    return new Cost(dollars, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, estimated);
  }

  public boolean isZero() {
    return total().signum() == 0;
  }

  /** Both added up, for attempts of one call or a ledger; estimated if either is. */
  public Cost plus(Cost other) {
    return new Cost(input.add(other.input), cachedInput.add(other.cachedInput),
        cacheWriteInput.add(other.cacheWriteInput), output.add(other.output), reasoning.add(other.reasoning),
        estimated || other.estimated);
  }

  @Override
  public String toString() {
    return "Cost[$" + total().stripTrailingZeros().toPlainString() + (estimated ? ", estimated" : "") + "]";
  }
}
