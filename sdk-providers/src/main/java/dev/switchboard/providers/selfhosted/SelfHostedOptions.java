package dev.switchboard.providers.selfhosted;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sampling and constrained-decoding options that self-hosted servers offer beyond the OpenAI
 * protocol. Attach them as a typed tag; {@link SelfHostedProvider} (or {@link Backend#adapt}) turns
 * them into the fields the configured {@link Backend} understands, and other providers ignore them:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *     .model("vllm/Qwen/Qwen3-32B")
 *     .user("Is this review positive or negative? ...")
 *     .tag(SelfHostedOptions.class, SelfHostedOptions.builder()
 *         .topK(40)
 *         .minP(0.05)
 *         .guidedChoice(List.of("positive", "negative"))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>The same option has different names, and sometimes no counterpart, on each server; the table
 * in {@link Backend} lists them. An option the backend cannot honour fails the call with an {@link
 * dev.switchboard.InvalidRequestException} naming the backend and the option, instead of being
 * dropped silently. At most one of {@link #guidedRegex()}, {@link #guidedChoice()} and {@link
 * #guidedGrammar()} may be set, and none of them together with a JSON {@link
 * dev.switchboard.ResponseFormat}, since each constrains the whole output.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, change with {@link #toBuilder()}.
 */
public final class SelfHostedOptions {
  private final Integer topK;
  private final Double minP;
  private final Double repetitionPenalty;
  private final String guidedRegex;
  private final List<String> guidedChoice;
  private final String guidedGrammar;

  private SelfHostedOptions(Builder b) {
    this.topK = b.topK;
    this.minP = b.minP;
    this.repetitionPenalty = b.repetitionPenalty;
    this.guidedRegex = b.guidedRegex;
    this.guidedChoice = b.guidedChoice == null ? List.of() : List.copyOf(b.guidedChoice);
    this.guidedGrammar = b.guidedGrammar;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sample only from the {@code k} most likely tokens ({@code top_k}). */
  public Optional<Integer> topK() {
    return Optional.ofNullable(topK);
  }

  /** Drop tokens less likely than {@code minP} times the most likely one ({@code min_p}), in [0, 1]. */
  public Optional<Double> minP() {
    return Optional.ofNullable(minP);
  }

  /**
   * Penalise tokens already in the prompt or output; 1 is neutral, above 1 discourages repetition
   * ({@code repetition_penalty}, llama.cpp {@code repeat_penalty}).
   */
  public Optional<Double> repetitionPenalty() {
    return Optional.ofNullable(repetitionPenalty);
  }

  /** The whole output must match this regular expression. */
  public Optional<String> guidedRegex() {
    return Optional.ofNullable(guidedRegex);
  }

  /** The whole output must be exactly one of these strings; empty when unset. */
  public List<String> guidedChoice() {
    return guidedChoice;
  }

  /**
   * The whole output must follow this context-free grammar, in the backend's own dialect: EBNF as
   * xgrammar/llguidance read it for vLLM and SGLang, GBNF for llama.cpp.
   */
  public Optional<String> guidedGrammar() {
    return Optional.ofNullable(guidedGrammar);
  }

  /** Whether one of the guided-decoding constraints is set. */
  public boolean hasGuidedDecoding() {
    return guidedRegex != null || !guidedChoice.isEmpty() || guidedGrammar != null;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.topK = topK;
    b.minP = minP;
    b.repetitionPenalty = repetitionPenalty;
    b.guidedRegex = guidedRegex;
    b.guidedChoice = guidedChoice.isEmpty() ? null : new ArrayList<>(guidedChoice);
    b.guidedGrammar = guidedGrammar;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SelfHostedOptions x
        && Objects.equals(topK, x.topK)
        && Objects.equals(minP, x.minP)
        && Objects.equals(repetitionPenalty, x.repetitionPenalty)
        && Objects.equals(guidedRegex, x.guidedRegex)
        && guidedChoice.equals(x.guidedChoice)
        && Objects.equals(guidedGrammar, x.guidedGrammar);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topK, minP, repetitionPenalty, guidedRegex, guidedChoice, guidedGrammar);
  }

  /** Sampling values and which constraint is set; not the regex, choices or grammar themselves. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("SelfHostedOptions[");
    String sep = "";
    if (topK != null) {
      sb.append("topK=").append(topK);
      sep = ", ";
    }
    if (minP != null) {
      sb.append(sep).append("minP=").append(minP);
      sep = ", ";
    }
    if (repetitionPenalty != null) {
      sb.append(sep).append("repetitionPenalty=").append(repetitionPenalty);
      sep = ", ";
    }
    if (guidedRegex != null) {
      sb.append(sep).append("guidedRegex=set");
      sep = ", ";
    }
    if (!guidedChoice.isEmpty()) {
      sb.append(sep).append("guidedChoice=").append(guidedChoice.size()).append(" choices");
      sep = ", ";
    }
    if (guidedGrammar != null) {
      sb.append(sep).append("guidedGrammar=set");
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. {@link #build()} checks the values and names the field at fault. */
  public static final class Builder {
    private Integer topK;
    private Double minP;
    private Double repetitionPenalty;
    private String guidedRegex;
    private List<String> guidedChoice;
    private String guidedGrammar;

    private Builder() {}

    /** {@code top_k}, at least 1; leave unset for no limit. */
    public Builder topK(Integer topK) {
      this.topK = topK;
      return this;
    }

    /** {@code min_p}, in [0, 1]. */
    public Builder minP(Double minP) {
      this.minP = minP;
      return this;
    }

    /** {@code repetition_penalty}, greater than 0; 1 is neutral. */
    public Builder repetitionPenalty(Double repetitionPenalty) {
      this.repetitionPenalty = repetitionPenalty;
      return this;
    }

    /** A regular expression the whole output must match. */
    public Builder guidedRegex(String guidedRegex) {
      this.guidedRegex = guidedRegex;
      return this;
    }

    /** The strings the output must be exactly one of; {@code null} or empty unsets it. */
    public Builder guidedChoice(List<String> guidedChoice) {
      if (guidedChoice == null || guidedChoice.isEmpty()) {
        this.guidedChoice = null;
      } else {
        List<String> copy = new ArrayList<>(guidedChoice.size());
        for (String choice : guidedChoice) {
          copy.add(Objects.requireNonNull(choice, "SelfHostedOptions.guidedChoice element"));
        }
        this.guidedChoice = copy;
      }
      return this;
    }

    /** A context-free grammar in the backend's dialect. */
    public Builder guidedGrammar(String guidedGrammar) {
      this.guidedGrammar = guidedGrammar;
      return this;
    }

    public SelfHostedOptions build() {
      if (topK != null && topK < 1) {
        throw new IllegalArgumentException("SelfHostedOptions.topK must be >= 1 (leave it unset for no limit), got "
            + topK);
      }
      if (minP != null && (minP.isNaN() || minP < 0 || minP > 1)) {
        throw new IllegalArgumentException("SelfHostedOptions.minP must be within [0, 1], got " + minP);
      }
      if (repetitionPenalty != null && (repetitionPenalty.isNaN() || repetitionPenalty.isInfinite()
          || repetitionPenalty <= 0)) {
        throw new IllegalArgumentException("SelfHostedOptions.repetitionPenalty must be > 0 (1 is neutral), got "
            + repetitionPenalty);
      }
      if (guidedRegex != null && guidedRegex.isEmpty()) {
        throw new IllegalArgumentException("SelfHostedOptions.guidedRegex must not be empty; leave it unset instead");
      }
      if (guidedGrammar != null && guidedGrammar.isBlank()) {
        throw new IllegalArgumentException("SelfHostedOptions.guidedGrammar must not be blank; leave it unset instead");
      }
      int constraints = (guidedRegex != null ? 1 : 0) + (guidedChoice != null ? 1 : 0)
          + (guidedGrammar != null ? 1 : 0);
      if (constraints > 1) {
        throw new IllegalArgumentException("SelfHostedOptions: set at most one of guidedRegex, guidedChoice and "
            + "guidedGrammar; each constrains the whole output");
      }
      return new SelfHostedOptions(this);
    }
  }
}
