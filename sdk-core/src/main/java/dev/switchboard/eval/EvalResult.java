package dev.switchboard.eval;

import dev.switchboard.Usage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one model did with one example: its {@link #answer()}, the {@link #score()}, the {@link
 * #usage()} of the answering call, the {@link #cost()} of all its attempts, the {@link #latency()}
 * from sending the request to the end of the answer, the {@link #timeToFirstToken()} of a stream,
 * and, for a call that failed, the {@link #error()} type (the exception's simple class name, such as
 * {@code RateLimitException}). A scorer's failure is {@link #scoreError()}; the answer stands.
 *
 * <p>One line of an evaluation's run file. Immutable and thread-safe.
 */
public final class EvalResult {
  private final String id;
  private final String model;
  private final String answer;
  private final Double score;
  private final String scoreError;
  private final Usage usage;
  private final BigDecimal cost;
  private final Duration latency;
  private final Duration timeToFirstToken;
  private final String error;
  private final String errorMessage;

  private EvalResult(Builder b) {
    this.id = b.id;
    this.model = b.model;
    this.answer = b.answer;
    this.score = b.score;
    this.scoreError = b.scoreError;
    this.usage = b.usage;
    this.cost = b.cost;
    this.latency = b.latency;
    this.timeToFirstToken = b.timeToFirstToken;
    this.error = b.error;
    this.errorMessage = b.errorMessage;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The example's id. */
  public String id() {
    return id;
  }

  /** The model string asked. */
  public String model() {
    return model;
  }

  /** The answer's text; empty when the call failed. */
  public String answer() {
    return answer;
  }

  /** The scorer's score; empty when the call or the scorer failed. */
  public OptionalDouble score() {
    return score == null ? OptionalDouble.empty() : OptionalDouble.of(score);
  }

  /** Why the scorer could not score the answer ({@code "ScoringException: ..."}), if it could not. */
  public Optional<String> scoreError() {
    return Optional.ofNullable(scoreError);
  }

  /** The answering call's usage; for a failed call, what its attempts reported (usually nothing). */
  public Usage usage() {
    return usage;
  }

  /**
   * What the call cost in US dollars, every attempt included (failed ones too); empty when no
   * attempt had a price (the model is not in the price catalog, or no provider was reached).
   */
  public Optional<BigDecimal> cost() {
    return Optional.ofNullable(cost);
  }

  /** From sending the request to the whole answer (or the failure); waits for a rate limit not included. */
  public Duration latency() {
    return latency;
  }

  /** For a streamed call, from sending the request to the first piece of content. */
  public Optional<Duration> timeToFirstToken() {
    return Optional.ofNullable(timeToFirstToken);
  }

  /** The failed call's exception type, e.g. {@code RateLimitException}; empty when the call succeeded. */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /** The failed call's message. */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(errorMessage);
  }

  public boolean succeeded() {
    return error == null;
  }

  public Builder toBuilder() {
    Builder b = new Builder().id(id).model(model).answer(answer).usage(usage).latency(latency);
    b.score = score;
    b.scoreError = scoreError;
    b.cost = cost;
    b.timeToFirstToken = timeToFirstToken;
    b.error = error;
    b.errorMessage = errorMessage;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvalResult r
        && id.equals(r.id)
        && model.equals(r.model)
        && answer.equals(r.answer)
        && Objects.equals(score, r.score)
        && Objects.equals(scoreError, r.scoreError)
        && usage.equals(r.usage)
        && (cost == null ? r.cost == null : r.cost != null && cost.compareTo(r.cost) == 0)
        && latency.equals(r.latency)
        && Objects.equals(timeToFirstToken, r.timeToFirstToken)
        && Objects.equals(error, r.error)
        && Objects.equals(errorMessage, r.errorMessage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, model, answer, score, latency, error);
  }

  @Override
  public String toString() {
    return "EvalResult[" + id + ", " + model
        + (error != null ? ", error=" + error : ", answer=" + (answer.length() > 40 ? answer.substring(0, 40) + "…"
            : answer))
        + (score != null ? ", score=" + score : "")
        + (scoreError != null ? ", scoreError=" + scoreError : "")
        + ", " + usage + (cost != null ? ", $" + cost.stripTrailingZeros().toPlainString() : "")
        + ", " + latency.toMillis() + " ms"
        + (timeToFirstToken != null ? ", ttft " + timeToFirstToken.toMillis() + " ms" : "") + "]";
  }

  /** Not thread-safe. {@link #build()} requires the id and the model. */
  public static final class Builder {
    private String id;
    private String model;
    private String answer = "";
    private Double score;
    private String scoreError;
    private Usage usage = Usage.ZERO;
    private BigDecimal cost;
    private Duration latency = Duration.ZERO;
    private Duration timeToFirstToken;
    private String error;
    private String errorMessage;

    private Builder() {}

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder answer(String answer) {
      this.answer = Objects.requireNonNull(answer, "answer");
      return this;
    }

    /** The score; must be a finite number. */
    public Builder score(double score) {
      if (!Double.isFinite(score)) {
        throw new IllegalArgumentException("EvalResult.score must be a finite number, got " + score);
      }
      this.score = score;
      return this;
    }

    /** No score, for a failed call or scorer. */
    public Builder noScore() {
      this.score = null;
      return this;
    }

    public Builder scoreError(String scoreError) {
      this.scoreError = scoreError;
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = Objects.requireNonNull(usage, "usage");
      return this;
    }

    /** Dollars; {@code null}: not priced. */
    public Builder cost(BigDecimal cost) {
      this.cost = cost;
      return this;
    }

    public Builder latency(Duration latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    public Builder timeToFirstToken(Duration timeToFirstToken) {
      this.timeToFirstToken = timeToFirstToken;
      return this;
    }

    /** The failed call's exception type ({@code null}: it succeeded). */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    public Builder errorMessage(String errorMessage) {
      this.errorMessage = errorMessage;
      return this;
    }

    public EvalResult build() {
      if (id == null || model == null) {
        throw new IllegalArgumentException("EvalResult needs the example's id and the model, got " + id + " and "
            + model);
      }
      if (latency.isNegative()) {
        throw new IllegalArgumentException("EvalResult.latency must not be negative, got " + latency);
      }
      return new EvalResult(this);
    }
  }
}
