package dev.switchboard.providers.ollama;

import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.ollama.internal.OllamaWire;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Ollama request fields that have no provider-neutral counterpart in {@link
 * dev.switchboard.ChatRequest}: the model {@code options} ({@code num_ctx}, {@code top_k}, {@code
 * repeat_penalty}, ...), {@code keep_alive} and {@code think}. Attach them as a typed tag; {@link
 * OllamaProvider} reads it and other providers ignore it:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *     .model("ollama/qwen3:8b")
 *     .user("Rank these ...")
 *     .tag(OllamaOptions.class, OllamaOptions.builder()
 *         .numCtx(16384)
 *         .topK(20)
 *         .keepAlive(Duration.ofMinutes(30))
 *         .think(false)
 *         .option("min_p", "0.05")
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>The same tag on an {@link dev.switchboard.EmbeddingRequest} sets {@code options} and {@code
 * keep_alive} of {@code /api/embed} ({@code think} does not apply there).
 *
 * <p>Inside {@code options}, a value set here replaces the one Switchboard derives from the
 * request ({@link #temperature()} over {@code ChatRequest.temperature}, {@link #numPredict()} over
 * {@code maxOutputTokens}, {@link #seed()} over {@code seed}). {@link Builder#option(String, String)}
 * adds any other option as JSON text; an option may be set either typed or by name, not both.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, change with {@link #toBuilder()}.
 */
public final class OllamaOptions {
  /** Option names with a typed setter; {@link Builder#option} may not repeat them. */
  private static final Set<String> TYPED = Set.of("num_ctx", "temperature", "top_k", "repeat_penalty", "num_predict",
      "seed");

  private final Integer numCtx;
  private final Double temperature;
  private final Integer topK;
  private final Double repeatPenalty;
  private final Integer numPredict;
  private final Long seed;
  private final Map<String, String> options;
  private final String keepAlive;
  private final Boolean think;
  private final String thinkLevel;

  private OllamaOptions(Builder b) {
    this.numCtx = b.numCtx;
    this.temperature = b.temperature;
    this.topK = b.topK;
    this.repeatPenalty = b.repeatPenalty;
    this.numPredict = b.numPredict;
    this.seed = b.seed;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    this.keepAlive = b.keepAlive;
    this.think = b.think;
    this.thinkLevel = b.thinkLevel;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code num_ctx}: the context window in tokens (Ollama's default is small; raise it for long prompts). */
  public Optional<Integer> numCtx() {
    return Optional.ofNullable(numCtx);
  }

  /** {@code temperature}, replacing {@code ChatRequest.temperature}. */
  public Optional<Double> temperature() {
    return Optional.ofNullable(temperature);
  }

  /** {@code top_k}. */
  public Optional<Integer> topK() {
    return Optional.ofNullable(topK);
  }

  /** {@code repeat_penalty}. */
  public Optional<Double> repeatPenalty() {
    return Optional.ofNullable(repeatPenalty);
  }

  /** {@code num_predict}, replacing {@code ChatRequest.maxOutputTokens}; -1 is unlimited, -2 fills the context. */
  public Optional<Integer> numPredict() {
    return Optional.ofNullable(numPredict);
  }

  /** {@code seed}, replacing {@code ChatRequest.seed}. */
  public Optional<Long> seed() {
    return Optional.ofNullable(seed);
  }

  /** Other {@code options}, name to JSON text, in the order they were added. */
  public Map<String, String> options() {
    return options;
  }

  /**
   * {@code keep_alive}: how long the model stays loaded after this call, as seconds ({@code "-1"}
   * forever, {@code "0"} unload at once) or a duration such as {@code "30m"}; replaces the
   * provider's default.
   */
  public Optional<String> keepAlive() {
    return Optional.ofNullable(keepAlive);
  }

  /** {@code think} as a switch: whether a thinking model thinks (its thinking comes back as reasoning). */
  public Optional<Boolean> think() {
    return Optional.ofNullable(think);
  }

  /** {@code think} as a level, for models that take one (e.g. {@code "low"}, {@code "medium"}, {@code "high"}). */
  public Optional<String> thinkLevel() {
    return Optional.ofNullable(thinkLevel);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.numCtx = numCtx;
    b.temperature = temperature;
    b.topK = topK;
    b.repeatPenalty = repeatPenalty;
    b.numPredict = numPredict;
    b.seed = seed;
    b.options.putAll(options);
    b.keepAlive = keepAlive;
    b.think = think;
    b.thinkLevel = thinkLevel;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OllamaOptions x
        && Objects.equals(numCtx, x.numCtx)
        && Objects.equals(temperature, x.temperature)
        && Objects.equals(topK, x.topK)
        && Objects.equals(repeatPenalty, x.repeatPenalty)
        && Objects.equals(numPredict, x.numPredict)
        && Objects.equals(seed, x.seed)
        && options.equals(x.options)
        && Objects.equals(keepAlive, x.keepAlive)
        && Objects.equals(think, x.think)
        && Objects.equals(thinkLevel, x.thinkLevel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(numCtx, temperature, topK, repeatPenalty, numPredict, seed, options, keepAlive, think,
        thinkLevel);
  }

  /** Names the fields that are set, with their values (none of them is user data). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("OllamaOptions[");
    String sep = "";
    Object[][] fields = {{"numCtx", numCtx}, {"temperature", temperature}, {"topK", topK},
        {"repeatPenalty", repeatPenalty}, {"numPredict", numPredict}, {"seed", seed}, {"keepAlive", keepAlive},
        {"think", think}, {"thinkLevel", thinkLevel}};
    for (Object[] f : fields) {
      if (f[1] != null) {
        sb.append(sep).append(f[0]).append('=').append(f[1]);
        sep = ", ";
      }
    }
    if (!options.isEmpty()) {
      sb.append(sep).append("options=").append(options.keySet());
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. Setters check their own value; {@link #build()} checks how they combine. */
  public static final class Builder {
    private Integer numCtx;
    private Double temperature;
    private Integer topK;
    private Double repeatPenalty;
    private Integer numPredict;
    private Long seed;
    private final Map<String, String> options = new LinkedHashMap<>();
    private String keepAlive;
    private Boolean think;
    private String thinkLevel;

    private Builder() {}

    public Builder numCtx(Integer numCtx) {
      if (numCtx != null && numCtx <= 0) {
        throw new IllegalArgumentException("OllamaOptions.numCtx must be > 0, got " + numCtx);
      }
      this.numCtx = numCtx;
      return this;
    }

    public Builder temperature(Double temperature) {
      if (temperature != null && (temperature.isNaN() || temperature < 0)) {
        throw new IllegalArgumentException("OllamaOptions.temperature must be >= 0, got " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    public Builder topK(Integer topK) {
      if (topK != null && topK <= 0) {
        throw new IllegalArgumentException("OllamaOptions.topK must be > 0, got " + topK);
      }
      this.topK = topK;
      return this;
    }

    public Builder repeatPenalty(Double repeatPenalty) {
      if (repeatPenalty != null && (repeatPenalty.isNaN() || repeatPenalty < 0)) {
        throw new IllegalArgumentException("OllamaOptions.repeatPenalty must be >= 0, got " + repeatPenalty);
      }
      this.repeatPenalty = repeatPenalty;
      return this;
    }

    /** A positive token limit, -1 for no limit or -2 to fill the context. */
    public Builder numPredict(Integer numPredict) {
      if (numPredict != null && numPredict <= 0 && numPredict != -1 && numPredict != -2) {
        throw new IllegalArgumentException("OllamaOptions.numPredict must be > 0, -1 (no limit) or -2 (fill the "
            + "context), got " + numPredict);
      }
      this.numPredict = numPredict;
      return this;
    }

    public Builder seed(Long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Adds the option {@code name} with the JSON text {@code json} (e.g. {@code "0.05"}, {@code
     * "true"}, {@code "[\"\\n\\n\"]"}); repeatable, the last value of a name wins.
     */
    public Builder option(String name, String json) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(json, "json");
      if (name.isBlank()) {
        throw new IllegalArgumentException("OllamaOptions.option name must not be blank");
      }
      var node = WireJson.parse(json, "OllamaOptions.option '" + name + "'");
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("OllamaOptions.option '" + name + "' needs a JSON value, got: '" + json
            + "'");
      }
      options.put(name, json);
      return this;
    }

    /** {@code keep_alive} as a duration: negative keeps the model loaded, zero unloads it after the call. */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive == null ? null : OllamaWire.keepAlive(keepAlive);
      return this;
    }

    /** {@code keep_alive} as Ollama writes it: seconds ({@code "-1"}, {@code "0"}, {@code "300"}) or {@code "30m"}. */
    public Builder keepAlive(String keepAlive) {
      this.keepAlive = keepAlive == null ? null : OllamaWire.checkKeepAlive(keepAlive, "OllamaOptions.keepAlive");
      return this;
    }

    public Builder think(Boolean think) {
      this.think = think;
      return this;
    }

    public Builder thinkLevel(String thinkLevel) {
      if (thinkLevel != null && thinkLevel.isBlank()) {
        throw new IllegalArgumentException("OllamaOptions.thinkLevel must not be blank; leave it unset instead");
      }
      this.thinkLevel = thinkLevel;
      return this;
    }

    public OllamaOptions build() {
      if (think != null && thinkLevel != null) {
        throw new IllegalArgumentException("OllamaOptions.think and OllamaOptions.thinkLevel both set Ollama's "
            + "'think' field; set one of them");
      }
      for (String name : options.keySet()) {
        if (TYPED.contains(name) && typedValue(name) != null) {
          throw new IllegalArgumentException("OllamaOptions sets '" + name + "' twice: with its typed setter and "
              + "with option(\"" + name + "\", ...); keep one");
        }
      }
      return new OllamaOptions(this);
    }

    private Object typedValue(String name) {
      switch (name) {
        case "num_ctx":
          return numCtx;
        case "temperature":
          return temperature;
        case "top_k":
          return topK;
        case "repeat_penalty":
          return repeatPenalty;
        case "num_predict":
          return numPredict;
        case "seed":
          return seed;
        default:
          return null;
      }
    }
  }
}
