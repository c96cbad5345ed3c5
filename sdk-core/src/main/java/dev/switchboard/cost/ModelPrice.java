package dev.switchboard.cost;

import dev.switchboard.Cost;
import dev.switchboard.Usage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The price of one model in US dollars per million tokens of each kind, with its context window
 * and output limit when known, and where the figures come from. Cached-read, cache-write and
 * reasoning prices default to the input and output prices. Immutable and thread-safe.
 *
 * <p>{@link #cost(Usage)} follows {@link Usage}'s convention (input includes cache reads and
 * writes, output includes reasoning), so OpenAI-style and Anthropic-style usage are costed alike.
 */
public final class ModelPrice {
  /** The output a request is expected to produce when nothing says otherwise: a short answer. */
  public static final int TYPICAL_OUTPUT_TOKENS = 256;
  /** The worst-case output assumed when neither the request nor the model bounds it. */
  public static final int UNBOUNDED_OUTPUT_TOKENS = 4096;
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static final MathContext MATH = MathContext.DECIMAL64;

  private final BigDecimal input;
  private final BigDecimal cachedInput;
  private final BigDecimal cacheWriteInput;
  private final BigDecimal output;
  private final BigDecimal reasoning;
  private final int contextWindow;
  private final int maxOutput;
  private final String source;
  private final LocalDate asOf;

  private ModelPrice(Builder b) {
    this.input = b.input;
    this.cachedInput = b.cachedInput != null ? b.cachedInput : b.input;
    this.cacheWriteInput = b.cacheWriteInput != null ? b.cacheWriteInput : b.input;
    this.output = b.output;
    this.reasoning = b.reasoning != null ? b.reasoning : b.output;
    this.contextWindow = b.contextWindow;
    this.maxOutput = b.maxOutput;
    this.source = b.source;
    this.asOf = b.asOf;
  }

  /** A price of {@code input} and {@code output} dollars per million tokens; the rest by default. */
  public static ModelPrice of(double inputPerMillion, double outputPerMillion) {
    return builder().input(inputPerMillion).output(outputPerMillion).build();
  }

  /**
   * The price of tokens served by your own GPUs: {@code gpus} × {@code dollarsPerGpuHour} over the
   * tokens they produce in that hour at {@code tokensPerSecond} and {@code utilization} (0..1], the
   * same for input and output. E.g. 2 GPUs at $2/h, 2,000 tokens/s at 50% = $1.11 per million.
   */
  public static ModelPrice selfHosted(double dollarsPerGpuHour, int gpus, double tokensPerSecond,
      double utilization) {
    if (dollarsPerGpuHour < 0 || gpus <= 0 || tokensPerSecond <= 0 || !(utilization > 0 && utilization <= 1)) {
      throw new IllegalArgumentException("selfHosted needs dollarsPerGpuHour >= 0, gpus > 0, tokensPerSecond > 0 and "
          + "utilization in (0, 1], got " + dollarsPerGpuHour + ", " + gpus + ", " + tokensPerSecond + ", "
          + utilization);
    }
    BigDecimal perHour = BigDecimal.valueOf(dollarsPerGpuHour).multiply(BigDecimal.valueOf(gpus));
    BigDecimal tokensPerHour = BigDecimal.valueOf(tokensPerSecond).multiply(BigDecimal.valueOf(utilization))
        .multiply(BigDecimal.valueOf(3600));
    BigDecimal perMillion = perHour.multiply(MILLION).divide(tokensPerHour, MATH);
    return builder().input(perMillion).output(perMillion).source("self-hosted: " + gpus + " GPU(s) at $"
        + dollarsPerGpuHour + "/h, " + tokensPerSecond + " tokens/s at " + utilization + " utilization").build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Dollars per million plain input tokens. */
  public BigDecimal input() {
    return input;
  }

  /** Dollars per million input tokens read from the prompt cache. */
  public BigDecimal cachedInput() {
    return cachedInput;
  }

  /** Dollars per million input tokens written to the prompt cache. */
  public BigDecimal cacheWriteInput() {
    return cacheWriteInput;
  }

  /** Dollars per million plain output tokens. */
  public BigDecimal output() {
    return output;
  }

  /** Dollars per million reasoning tokens. */
  public BigDecimal reasoning() {
    return reasoning;
  }

  public OptionalInt contextWindow() {
    return contextWindow > 0 ? OptionalInt.of(contextWindow) : OptionalInt.empty();
  }

  public OptionalInt maxOutput() {
    return maxOutput > 0 ? OptionalInt.of(maxOutput) : OptionalInt.empty();
  }

  /** Where the figures come from, e.g. the provider's price page. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** The day the figures were read. */
  public Optional<LocalDate> asOf() {
    return Optional.ofNullable(asOf);
  }

  /** What {@code usage} costs at this price. */
  public Cost cost(Usage usage) {
    long plainOutput = usage.outputTokens() - usage.reasoningTokens();
    return new Cost(dollars(usage.uncachedInputTokens(), input), dollars(usage.cachedInputTokens(), cachedInput),
        dollars(usage.cacheWriteInputTokens(), cacheWriteInput), dollars(plainOutput, output),
        dollars(usage.reasoningTokens(), reasoning), usage.estimated());
  }

  /**
   * What {@code request} is expected to cost at this price, and at most (see {@link CostEstimate});
   * its input counted with {@link dev.switchboard.spi.TokenEstimates}, all of it uncached.
   */
  public CostEstimate estimate(dev.switchboard.ChatRequest request) {
    return estimate(request, dev.switchboard.spi.TokenEstimates.input(request));
  }

  /**
   * {@link #estimate(dev.switchboard.ChatRequest)} with the input counted already, e.g. by a
   * {@link TokenCounter} with a real tokenizer.
   */
  public CostEstimate estimate(dev.switchboard.ChatRequest request, long in) {
    if (in < 0) {
      throw new IllegalArgumentException("input tokens must be >= 0, got " + in);
    }
    long most = request.maxOutputTokens().map(Integer::longValue)
        .orElse(maxOutput > 0 ? (long) maxOutput : UNBOUNDED_OUTPUT_TOKENS);
    long expected = Math.min(most, TYPICAL_OUTPUT_TOKENS);
    BigDecimal dearestOutput = output.max(reasoning);
    return new CostEstimate(in, expected, most, dollars(in, input).add(dollars(expected, output)),
        dollars(in, input).add(dollars(most, dearestOutput)));
  }

  private static BigDecimal dollars(long tokens, BigDecimal perMillion) {
    // exact and without a division: a price per million has few digits, so this is cheap on every attempt
    return tokens == 0 || perMillion.signum() == 0 ? BigDecimal.ZERO
        : perMillion.multiply(BigDecimal.valueOf(tokens)).movePointLeft(6);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.input = input;
    b.cachedInput = cachedInput;
    b.cacheWriteInput = cacheWriteInput;
    b.output = output;
    b.reasoning = reasoning;
    b.contextWindow = contextWindow;
    b.maxOutput = maxOutput;
    b.source = source;
    b.asOf = asOf;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelPrice p
        && input.compareTo(p.input) == 0 && cachedInput.compareTo(p.cachedInput) == 0
        && cacheWriteInput.compareTo(p.cacheWriteInput) == 0 && output.compareTo(p.output) == 0
        && reasoning.compareTo(p.reasoning) == 0 && contextWindow == p.contextWindow && maxOutput == p.maxOutput;
  }

  @Override
  public int hashCode() {
    return Objects.hash(input.stripTrailingZeros(), output.stripTrailingZeros(), contextWindow, maxOutput);
  }

  @Override
  public String toString() {
    return "ModelPrice[$" + input.stripTrailingZeros().toPlainString() + " in / $"
        + output.stripTrailingZeros().toPlainString() + " out per 1M"
        + (cachedInput.compareTo(input) != 0 ? ", cached $" + cachedInput.stripTrailingZeros().toPlainString() : "")
        + (contextWindow > 0 ? ", " + contextWindow + " context" : "") + "]";
  }

  /** Not thread-safe. {@link #build()} names a missing or negative price. */
  public static final class Builder {
    private BigDecimal input;
    private BigDecimal cachedInput;
    private BigDecimal cacheWriteInput;
    private BigDecimal output;
    private BigDecimal reasoning;
    private int contextWindow;
    private int maxOutput;
    private String source;
    private LocalDate asOf;

    private Builder() {}

    public Builder input(double perMillion) {
      return input(BigDecimal.valueOf(perMillion));
    }

    public Builder input(BigDecimal perMillion) {
      this.input = perMillion;
      return this;
    }

    public Builder cachedInput(double perMillion) {
      this.cachedInput = BigDecimal.valueOf(perMillion);
      return this;
    }

    public Builder cacheWriteInput(double perMillion) {
      this.cacheWriteInput = BigDecimal.valueOf(perMillion);
      return this;
    }

    public Builder output(double perMillion) {
      return output(BigDecimal.valueOf(perMillion));
    }

    public Builder output(BigDecimal perMillion) {
      this.output = perMillion;
      return this;
    }

    public Builder reasoning(double perMillion) {
      this.reasoning = BigDecimal.valueOf(perMillion);
      return this;
    }

    public Builder contextWindow(int tokens) {
      this.contextWindow = tokens;
      return this;
    }

    public Builder maxOutput(int tokens) {
      this.maxOutput = tokens;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder asOf(LocalDate asOf) {
      this.asOf = asOf;
      return this;
    }

    public ModelPrice build() {
      require("input", input);
      require("output", output);
      for (BigDecimal v : new BigDecimal[] {cachedInput, cacheWriteInput, reasoning}) {
        if (v != null && v.signum() < 0) {
          throw new IllegalArgumentException("ModelPrice prices must be >= 0, got " + v);
        }
      }
      if (contextWindow < 0 || maxOutput < 0) {
        throw new IllegalArgumentException("ModelPrice.contextWindow and maxOutput must be >= 0");
      }
      return new ModelPrice(this);
    }

    private static void require(String field, BigDecimal v) {
      if (v == null) {
        throw new IllegalArgumentException("ModelPrice." + field + " is required: dollars per million tokens");
      }
      if (v.signum() < 0) {
        throw new IllegalArgumentException("ModelPrice." + field + " must be >= 0, got " + v);
      }
    }
  }
}
