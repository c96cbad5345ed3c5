package dev.switchboard;

import java.util.Objects;

/**
 * Token counts normalized across providers. Immutable and thread-safe.
 *
 * <p>Convention: {@link #inputTokens()} counts every input token the provider processed, including
 * those read from and written to its prompt cache; {@link #cachedInputTokens()} and {@link
 * #cacheWriteInputTokens()} are parts of it. Likewise {@link #outputTokens()} includes {@link
 * #reasoningTokens()}. OpenAI already reports this way; Anthropic reports cache tokens beside
 * {@code input_tokens}, so its adapter adds them up. {@link #estimated()} is true when any figure was
 * estimated rather than reported by the provider. The optional parts (cache reads, cache writes,
 * reasoning) read 0 when the provider did not report them; {@link #reported(Part)} tells a reported
 * 0 from an absent figure. Equality compares the counts.
 */
public final class Usage {
  public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, false, 0);

  /** The figures a provider may or may not report. */
  public enum Part {
    /** {@link Usage#cachedInputTokens()}. */
    CACHED_INPUT,
    /** {@link Usage#cacheWriteInputTokens()}. */
    CACHE_WRITE_INPUT,
    /** {@link Usage#reasoningTokens()}. */
    REASONING
  }

  private final long inputTokens;
  private final long cachedInputTokens;
  private final long cacheWriteInputTokens;
  private final long outputTokens;
  private final long reasoningTokens;
  private final boolean estimated;
  private final int reported; // bits of Part.ordinal()

  private Usage(long input, long cachedRead, long cacheWrite, long output, long reasoning, boolean estimated,
      int reported) {
    this.inputTokens = input;
    this.cachedInputTokens = cachedRead;
    this.cacheWriteInputTokens = cacheWrite;
    this.outputTokens = output;
    this.reasoningTokens = reasoning;
    this.estimated = estimated;
    this.reported = reported;
  }

  /** Whether the provider reported {@code part}, be it 0; an unreported part reads 0. */
  public boolean reported(Part part) {
    return (reported & (1 << part.ordinal())) != 0;
  }

  public static Usage of(long inputTokens, long outputTokens) {
    return builder().inputTokens(inputTokens).outputTokens(outputTokens).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public long inputTokens() {
    return inputTokens;
  }

  /** Input tokens read from the provider's prompt cache (a part of {@link #inputTokens()}). */
  public long cachedInputTokens() {
    return cachedInputTokens;
  }

  /** Input tokens written to the provider's prompt cache (a part of {@link #inputTokens()}). */
  public long cacheWriteInputTokens() {
    return cacheWriteInputTokens;
  }

  /** Input tokens billed at the plain input rate: neither read from nor written to a cache. */
  public long uncachedInputTokens() {
    return inputTokens - cachedInputTokens - cacheWriteInputTokens;
  }

  public long outputTokens() {
    return outputTokens;
  }

  /** Output tokens spent on reasoning (a part of {@link #outputTokens()}). */
  public long reasoningTokens() {
    return reasoningTokens;
  }

  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  public boolean estimated() {
    return estimated;
  }

  /** The sum of both, for adding up attempts; estimated if either is. */
  public Usage plus(Usage other) {
    return new Usage(
        inputTokens + other.inputTokens,
        cachedInputTokens + other.cachedInputTokens,
        cacheWriteInputTokens + other.cacheWriteInputTokens,
        outputTokens + other.outputTokens,
        reasoningTokens + other.reasoningTokens,
        estimated || other.estimated,
        reported | other.reported);
  }

  public Builder toBuilder() {
    Builder b = new Builder().inputTokens(inputTokens).outputTokens(outputTokens).estimated(estimated);
    b.cachedInputTokens = cachedInputTokens;
    b.cacheWriteInputTokens = cacheWriteInputTokens;
    b.reasoningTokens = reasoningTokens;
    b.reported = reported;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Usage u
        && inputTokens == u.inputTokens
        && cachedInputTokens == u.cachedInputTokens
        && cacheWriteInputTokens == u.cacheWriteInputTokens
        && outputTokens == u.outputTokens
        && reasoningTokens == u.reasoningTokens
        && estimated == u.estimated;
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, reasoningTokens, estimated);
  }

  @Override
  public String toString() {
    return "Usage[in=" + inputTokens
        + (cachedInputTokens > 0 ? ", cachedRead=" + cachedInputTokens : "")
        + (cacheWriteInputTokens > 0 ? ", cacheWrite=" + cacheWriteInputTokens : "")
        + ", out=" + outputTokens
        + (reasoningTokens > 0 ? ", reasoning=" + reasoningTokens : "")
        + (estimated ? ", estimated" : "")
        + "]";
  }

  /** Not thread-safe. {@code build()} checks that the parts fit in their wholes. */
  public static final class Builder {
    private long inputTokens;
    private long cachedInputTokens;
    private long cacheWriteInputTokens;
    private long outputTokens;
    private long reasoningTokens;
    private boolean estimated;
    private int reported;

    private Builder() {}

    public Builder inputTokens(long v) {
      this.inputTokens = v;
      return this;
    }

    /** Cache reads, as reported (also when 0): {@link Usage#reported(Part)} becomes true. */
    public Builder cachedInputTokens(long v) {
      this.cachedInputTokens = v;
      this.reported |= 1 << Part.CACHED_INPUT.ordinal();
      return this;
    }

    /** Cache writes, as reported (also when 0). */
    public Builder cacheWriteInputTokens(long v) {
      this.cacheWriteInputTokens = v;
      this.reported |= 1 << Part.CACHE_WRITE_INPUT.ordinal();
      return this;
    }

    public Builder outputTokens(long v) {
      this.outputTokens = v;
      return this;
    }

    /** Reasoning tokens, as reported (also when 0). */
    public Builder reasoningTokens(long v) {
      this.reasoningTokens = v;
      this.reported |= 1 << Part.REASONING.ordinal();
      return this;
    }

    public Builder estimated(boolean v) {
      this.estimated = v;
      return this;
    }

    public Usage build() {
      requireNonNegative("inputTokens", inputTokens);
      requireNonNegative("cachedInputTokens", cachedInputTokens);
      requireNonNegative("cacheWriteInputTokens", cacheWriteInputTokens);
      requireNonNegative("outputTokens", outputTokens);
      requireNonNegative("reasoningTokens", reasoningTokens);
      if (cachedInputTokens + cacheWriteInputTokens > inputTokens) {
        throw new IllegalArgumentException("cachedInputTokens (" + cachedInputTokens + ") + cacheWriteInputTokens ("
            + cacheWriteInputTokens + ") exceed inputTokens (" + inputTokens + "); inputTokens must include cache tokens");
      }
      if (reasoningTokens > outputTokens) {
        throw new IllegalArgumentException("reasoningTokens (" + reasoningTokens + ") exceed outputTokens ("
            + outputTokens + "); outputTokens must include reasoning tokens");
      }
      return new Usage(inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, reasoningTokens, estimated,
          reported);
    }

    private static void requireNonNegative(String field, long v) {
      if (v < 0) {
        throw new IllegalArgumentException("Usage." + field + " must be >= 0, got " + v);
      }
    }
  }
}
