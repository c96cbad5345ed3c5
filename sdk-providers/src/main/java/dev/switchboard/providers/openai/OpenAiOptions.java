package dev.switchboard.providers.openai;

import dev.switchboard.providers.compat.ChatCompletionsOptions;
import dev.switchboard.spi.http.WireJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Request fields of the OpenAI chat-completions API that have no provider-neutral counterpart in
 * {@link dev.switchboard.ChatRequest}. Attach them as a typed tag; the providers that speak the
 * protocol ({@link OpenAiProvider}, and {@code SelfHostedProvider} for vLLM, SGLang, TGI and
 * llama.cpp) read it through the {@link ChatCompletionsOptions} interface it implements, and other
 * providers ignore it:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *     .model("openai/o4-mini")
 *     .user("Rank these ...")
 *     .tag(OpenAiOptions.class, OpenAiOptions.builder()
 *         .reasoningEffort("low")
 *         .user("tenant-42")
 *         .extraField("metadata", "{\"job\":\"ranking\"}")
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>{@link Builder#extraField(String, String)} adds any other top-level body field as JSON text,
 * for servers with their own extensions (vLLM {@code top_k}, {@code guided_json}, ...). An extra
 * field replaces the field of the same name that Switchboard would have written, and the JSON
 * value {@code null} removes that field from the body altogether, e.g. {@code
 * extraField("stream_options", "null")} for a server that rejects {@code stream_options}.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, change with {@link #toBuilder()}.
 */
public final class OpenAiOptions implements ChatCompletionsOptions {
  /** Fields an extra field may not replace, since the adapter depends on them. */
  private static final Set<String> RESERVED = Set.of("model", "messages", "stream");

  private final String user;
  private final String serviceTier;
  private final String reasoningEffort;
  private final Boolean thinking;
  private final Map<Integer, Integer> logitBias;
  private final Map<String, String> extraFields;

  private OpenAiOptions(Builder b) {
    this.user = b.user;
    this.serviceTier = b.serviceTier;
    this.reasoningEffort = b.reasoningEffort;
    this.thinking = b.thinking;
    this.logitBias = Collections.unmodifiableMap(new TreeMap<>(b.logitBias));
    this.extraFields = Collections.unmodifiableMap(new LinkedHashMap<>(b.extraFields));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The end-user id sent as {@code user}, for the provider's abuse monitoring. */
  @Override
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  /** {@code service_tier}, e.g. {@code "auto"}, {@code "default"}, {@code "flex"}. */
  @Override
  public Optional<String> serviceTier() {
    return Optional.ofNullable(serviceTier);
  }

  /** {@code reasoning_effort} for reasoning models, e.g. {@code "low"}, {@code "medium"}, {@code "high"}. */
  @Override
  public Optional<String> reasoningEffort() {
    return Optional.ofNullable(reasoningEffort);
  }

  /**
   * Whether a hybrid model should think before it answers, for vendors with such a switch. Each
   * {@link Vendor} writes it its own way ({@link Quirk#THINKING_AS_ENABLE_THINKING}, {@link
   * Quirk#THINKING_AS_TYPE_OBJECT}, {@link Quirk#THINKING_AS_REASONING_OBJECT}, {@link
   * Quirk#THINKING_AS_CHAT_TEMPLATE_KWARGS}); a request that sets it to a vendor without a switch
   * (OpenAI, Azure, Groq, Together) fails with an {@link dev.switchboard.InvalidRequestException}
   * naming {@link #reasoningEffort()} and {@link Builder#extraField} as the alternatives.
   */
  @Override
  public Optional<Boolean> thinking() {
    return Optional.ofNullable(thinking);
  }

  /** {@code logit_bias}: token id to bias in [-100, 100], in token-id order. */
  @Override
  public Map<Integer, Integer> logitBias() {
    return logitBias;
  }

  /** Extra top-level body fields, name to JSON text, in the order they were added. */
  @Override
  public Map<String, String> extraFields() {
    return extraFields;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.user = user;
    b.serviceTier = serviceTier;
    b.reasoningEffort = reasoningEffort;
    b.thinking = thinking;
    b.logitBias.putAll(logitBias);
    b.extraFields.putAll(extraFields);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpenAiOptions x
        && Objects.equals(user, x.user)
        && Objects.equals(serviceTier, x.serviceTier)
        && Objects.equals(reasoningEffort, x.reasoningEffort)
        && Objects.equals(thinking, x.thinking)
        && logitBias.equals(x.logitBias)
        && extraFields.equals(x.extraFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, serviceTier, reasoningEffort, thinking, logitBias, extraFields);
  }

  /** Names the fields that are set; values only where they are not user data. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("OpenAiOptions[");
    String sep = "";
    if (user != null) {
      sb.append("user=set");
      sep = ", ";
    }
    if (serviceTier != null) {
      sb.append(sep).append("serviceTier=").append(serviceTier);
      sep = ", ";
    }
    if (reasoningEffort != null) {
      sb.append(sep).append("reasoningEffort=").append(reasoningEffort);
      sep = ", ";
    }
    if (thinking != null) {
      sb.append(sep).append("thinking=").append(thinking);
      sep = ", ";
    }
    if (!logitBias.isEmpty()) {
      sb.append(sep).append("logitBias=").append(logitBias.size()).append(" tokens");
      sep = ", ";
    }
    if (!extraFields.isEmpty()) {
      sb.append(sep).append("extraFields=").append(extraFields.keySet());
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. {@link #build()} checks the values and names the field at fault. */
  public static final class Builder {
    private String user;
    private String serviceTier;
    private String reasoningEffort;
    private Boolean thinking;
    private final Map<Integer, Integer> logitBias = new TreeMap<>();
    private final Map<String, String> extraFields = new LinkedHashMap<>();

    private Builder() {}

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder serviceTier(String serviceTier) {
      this.serviceTier = serviceTier;
      return this;
    }

    public Builder reasoningEffort(String reasoningEffort) {
      this.reasoningEffort = reasoningEffort;
      return this;
    }

    /** Turns a hybrid model's thinking on or off ({@code null}: the model's default); see {@link OpenAiOptions#thinking()}. */
    public Builder thinking(Boolean thinking) {
      this.thinking = thinking;
      return this;
    }

    /** Biases one token id by {@code bias} in [-100, 100]; repeatable. */
    public Builder logitBias(int tokenId, int bias) {
      if (tokenId < 0) {
        throw new IllegalArgumentException("OpenAiOptions.logitBias tokenId must be >= 0, got " + tokenId);
      }
      if (bias < -100 || bias > 100) {
        throw new IllegalArgumentException(
            "OpenAiOptions.logitBias bias must be in [-100, 100], got " + bias + " for token " + tokenId);
      }
      logitBias.put(tokenId, bias);
      return this;
    }

    /**
     * Adds the top-level body field {@code name} with the JSON text {@code json} (e.g. {@code
     * "40"}, {@code "\"text\""}, {@code "{\"a\":1}"}); repeatable, the last value of a name wins.
     * It replaces a field Switchboard writes itself; {@code "null"} removes that field.
     */
    public Builder extraField(String name, String json) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(json, "json");
      if (name.isBlank()) {
        throw new IllegalArgumentException("OpenAiOptions.extraField name must not be blank");
      }
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("OpenAiOptions.extraField cannot replace '" + name
            + "': the adapter writes it from the ChatRequest (reserved: " + RESERVED + ")");
      }
      var node = WireJson.parse(json, "OpenAiOptions.extraField '" + name + "'");
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("OpenAiOptions.extraField '" + name + "' needs a JSON value, got: '"
            + json + "'");
      }
      extraFields.put(name, json);
      return this;
    }

    public OpenAiOptions build() {
      requireNotBlank("user", user);
      requireNotBlank("serviceTier", serviceTier);
      requireNotBlank("reasoningEffort", reasoningEffort);
      return new OpenAiOptions(this);
    }

    private static void requireNotBlank(String field, String value) {
      if (value != null && value.isBlank()) {
        throw new IllegalArgumentException("OpenAiOptions." + field + " must not be blank; leave it unset instead");
      }
    }
  }
}
