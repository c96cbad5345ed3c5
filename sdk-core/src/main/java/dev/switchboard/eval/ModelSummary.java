package dev.switchboard.eval;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One model's figures in an {@link EvalReport}; {@code docs/evaluation.md} says how each is
 * computed. Immutable and thread-safe.
 */
public final class ModelSummary {
  private final String model;
  private final int requests;
  private final int answered;
  private final int scored;
  private final double quality;
  private final ConfidenceInterval interval;
  private final BigDecimal costPerThousand;
  private final Duration latencyP50;
  private final Duration latencyP99;
  private final Duration timeToFirstTokenP50;
  private final double inputTokens;
  private final double outputTokens;
  private final Map<String, Integer> errors;
  private final int scoreErrors;
  private final boolean onFrontier;

  ModelSummary(String model, int requests, int answered, int scored, double quality, ConfidenceInterval interval,
      BigDecimal costPerThousand, Duration latencyP50, Duration latencyP99, Duration timeToFirstTokenP50,
      double inputTokens, double outputTokens, Map<String, Integer> errors, int scoreErrors, boolean onFrontier) {
    this.model = model;
    this.requests = requests;
    this.answered = answered;
    this.scored = scored;
    this.quality = quality;
    this.interval = interval;
    this.costPerThousand = costPerThousand;
    this.latencyP50 = latencyP50;
    this.latencyP99 = latencyP99;
    this.timeToFirstTokenP50 = timeToFirstTokenP50;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.errors = Map.copyOf(errors);
    this.scoreErrors = scoreErrors;
    this.onFrontier = onFrontier;
  }

  ModelSummary onFrontier(boolean onFrontier) {
    return new ModelSummary(model, requests, answered, scored, quality, interval, costPerThousand, latencyP50,
        latencyP99, timeToFirstTokenP50, inputTokens, outputTokens, errors, scoreErrors, onFrontier);
  }

  public String model() {
    return model;
  }

  /** The examples asked (one request each). */
  public int requests() {
    return requests;
  }

  /** The requests that got an answer. */
  public int answered() {
    return answered;
  }

  /** The requests in the quality mean: every request except those the scorer failed on. */
  public int scored() {
    return scored;
  }

  /** The mean score over {@link #scored()} requests, a failed call counting 0; NaN when none. */
  public double quality() {
    return quality;
  }

  /** The 95% confidence interval of {@link #quality()}. */
  public ConfidenceInterval interval() {
    return interval;
  }

  /**
   * What 1,000 such requests cost, in US dollars: the sum of every request's cost (failed attempts
   * included) / {@link #requests()} × 1,000; empty when no request had a price.
   */
  public Optional<BigDecimal> costPerThousand() {
    return Optional.ofNullable(costPerThousand);
  }

  /** The nearest-rank median latency of the answered requests; empty when none was answered. */
  public Optional<Duration> latencyP50() {
    return Optional.ofNullable(latencyP50);
  }

  /** The nearest-rank 99th percentile latency of the answered requests. */
  public Optional<Duration> latencyP99() {
    return Optional.ofNullable(latencyP99);
  }

  /** The nearest-rank median time to first token of the answered streamed requests; empty for plain calls. */
  public Optional<Duration> timeToFirstTokenP50() {
    return Optional.ofNullable(timeToFirstTokenP50);
  }

  /** Mean input tokens per answered request; NaN when none was answered. */
  public double inputTokens() {
    return inputTokens;
  }

  /** Mean output tokens per answered request; NaN when none was answered. */
  public double outputTokens() {
    return outputTokens;
  }

  /** Failed requests by exception type ({@code RateLimitException}), most frequent first in reports. */
  public Map<String, Integer> errors() {
    return errors;
  }

  /** The share of requests that failed. */
  public double errorRate() {
    return requests == 0 ? 0 : (requests - answered) / (double) requests;
  }

  /** Answers the scorer could not score (left out of the quality mean). */
  public int scoreErrors() {
    return scoreErrors;
  }

  /**
   * Whether no other model is at least as good and at most as costly, and better in one of the two:
   * the model is on the cost–quality Pareto frontier. False for a model without a cost or a quality.
   */
  public boolean onFrontier() {
    return onFrontier;
  }

  @Override
  public String toString() {
    return "ModelSummary[" + model + ", " + requests + " requests, quality " + quality + " " + interval
        + ", $/1k " + (costPerThousand == null ? "n/a" : costPerThousand.toPlainString())
        + ", p50 " + (latencyP50 == null ? "n/a" : latencyP50.toMillis() + " ms")
        + ", errors " + errors + (onFrontier ? ", on frontier" : "") + "]";
  }
}
