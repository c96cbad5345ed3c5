package dev.switchboard.cost;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a request is expected to cost on a model before it is sent, and at most: for budgets that
 * reserve the worst case and for cost-aware routing. Token counts are estimates ({@link
 * dev.switchboard.spi.TokenEstimates}: about four characters a token, no tokenizer). Immutable and
 * thread-safe.
 *
 * @param inputTokens the estimated input
 * @param expectedOutputTokens the output expected: {@link ModelPrice#TYPICAL_OUTPUT_TOKENS}, or
 *     less when the request allows less
 * @param maxOutputTokens the most output the request allows: its {@code maxOutputTokens}, else the
 *     model's output limit, else {@link ModelPrice#UNBOUNDED_OUTPUT_TOKENS}
 * @param expected dollars for the input and the expected output
 * @param worstCase dollars for the input and the most output, at the dearer of the output and
 *     reasoning prices
 */
public record CostEstimate(long inputTokens, long expectedOutputTokens, long maxOutputTokens, BigDecimal expected,
    BigDecimal worstCase) {
  public CostEstimate {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(worstCase, "worstCase");
  }
}
