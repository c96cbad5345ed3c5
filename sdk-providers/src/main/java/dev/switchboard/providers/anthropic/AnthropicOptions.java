package dev.switchboard.providers.anthropic;

import dev.switchboard.spi.http.WireJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Request fields of Anthropic's Messages API that have no provider-neutral counterpart in {@link
 * dev.switchboard.ChatRequest}. Attach them as a typed tag; {@link AnthropicProvider} reads it and
 * other providers ignore it:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *     .model("anthropic/claude-sonnet-4-5")
 *     .system(longSharedInstructions)
 *     .user("Rank these ...")
 *     .tag(AnthropicOptions.class, AnthropicOptions.builder()
 *         .thinkingBudgetTokens(2048)
 *         .cacheSystem(true)
 *         .userId("tenant-42")
 *         .build())
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li>{@link Builder#thinkingBudgetTokens(int)}: extended thinking ({@code "thinking": {"type":
 *       "enabled", "budget_tokens": n}}, at least 1024); the thinking comes back as {@link
 *       dev.switchboard.ChatResponse#reasoning()}. Without an explicit {@code maxOutputTokens} the
 *       adapter sends {@code max_tokens} = budget + its default, so the answer has room after the
 *       thinking. Anthropic does not allow thinking together with a forced tool, so it cannot be
 *       combined with a JSON-schema response format or a required/named tool choice.
 *   <li>{@link Builder#topK(int)}: {@code top_k}.
 *   <li>{@link Builder#userId(String)}: {@code metadata.user_id}, an opaque id of the end user for
 *       Anthropic's abuse detection (no names or e-mail addresses).
 *   <li>Prompt-caching hints, each adding {@code "cache_control": {"type": "ephemeral"}} at one
 *       breakpoint: {@link Builder#cacheTools} (the last tool), {@link Builder#cacheSystem} (the last
 *       system block) and {@link Builder#cacheConversation} (the last block of the last message, so
 *       a growing conversation reuses its prefix). What was read from or written to the cache shows
 *       in {@link dev.switchboard.Usage#cachedInputTokens()} and {@link
 *       dev.switchboard.Usage#cacheWriteInputTokens()}.
 *   <li>{@link Builder#extraField(String, String)}: any other top-level body field as JSON text
 *       (e.g. {@code service_tier}); it replaces a field of the same name Switchboard would write,
 *       and the JSON value {@code null} removes that field.
 * </ul>
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}, change with {@link #toBuilder()}.
 */
public final class AnthropicOptions {
  /** The smallest thinking budget Anthropic accepts. */
  public static final int MIN_THINKING_BUDGET_TOKENS = 1024;

  /** Fields an extra field may not replace, since the adapter depends on them. */
  private static final Set<String> RESERVED = Set.of("model", "messages", "stream");

  private final Integer thinkingBudgetTokens;
  private final Integer topK;
  private final String userId;
  private final boolean cacheTools;
  private final boolean cacheSystem;
  private final boolean cacheConversation;
  private final Map<String, String> extraFields;

  private AnthropicOptions(Builder b) {
    this.thinkingBudgetTokens = b.thinkingBudgetTokens;
    this.topK = b.topK;
    this.userId = b.userId;
    this.cacheTools = b.cacheTools;
    this.cacheSystem = b.cacheSystem;
    this.cacheConversation = b.cacheConversation;
    this.extraFields = Collections.unmodifiableMap(new LinkedHashMap<>(b.extraFields));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The extended-thinking budget in tokens, if thinking is on. */
  public OptionalInt thinkingBudgetTokens() {
    return thinkingBudgetTokens == null ? OptionalInt.empty() : OptionalInt.of(thinkingBudgetTokens);
  }

  /** {@code top_k}: sample only from the k most likely tokens. */
  public OptionalInt topK() {
    return topK == null ? OptionalInt.empty() : OptionalInt.of(topK);
  }

  /** The end-user id sent as {@code metadata.user_id}. */
  public Optional<String> userId() {
    return Optional.ofNullable(userId);
  }

  /** Whether the last tool definition is a cache breakpoint. */
  public boolean cacheTools() {
    return cacheTools;
  }

  /** Whether the last system block is a cache breakpoint. */
  public boolean cacheSystem() {
    return cacheSystem;
  }

  /** Whether the last block of the last message is a cache breakpoint. */
  public boolean cacheConversation() {
    return cacheConversation;
  }

  /** Extra top-level body fields, name to JSON text, in the order they were added. */
  public Map<String, String> extraFields() {
    return extraFields;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.thinkingBudgetTokens = thinkingBudgetTokens;
    b.topK = topK;
    b.userId = userId;
    b.cacheTools = cacheTools;
    b.cacheSystem = cacheSystem;
    b.cacheConversation = cacheConversation;
    b.extraFields.putAll(extraFields);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnthropicOptions x
        && Objects.equals(thinkingBudgetTokens, x.thinkingBudgetTokens)
        && Objects.equals(topK, x.topK)
        && Objects.equals(userId, x.userId)
        && cacheTools == x.cacheTools
        && cacheSystem == x.cacheSystem
        && cacheConversation == x.cacheConversation
        && extraFields.equals(x.extraFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(thinkingBudgetTokens, topK, userId, cacheTools, cacheSystem, cacheConversation, extraFields);
  }

  /** Names the fields that are set; values only where they are not user data. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("AnthropicOptions[");
    String sep = "";
    if (thinkingBudgetTokens != null) {
      sb.append("thinkingBudgetTokens=").append(thinkingBudgetTokens);
      sep = ", ";
    }
    if (topK != null) {
      sb.append(sep).append("topK=").append(topK);
      sep = ", ";
    }
    if (userId != null) {
      sb.append(sep).append("userId=set");
      sep = ", ";
    }
    if (cacheTools || cacheSystem || cacheConversation) {
      sb.append(sep).append("cache=").append(cacheTools ? "tools " : "").append(cacheSystem ? "system " : "")
          .append(cacheConversation ? "conversation " : "");
      sb.setLength(sb.length() - 1);
      sep = ", ";
    }
    if (!extraFields.isEmpty()) {
      sb.append(sep).append("extraFields=").append(extraFields.keySet());
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. {@link #build()} checks the values and names the field at fault. */
  public static final class Builder {
    private Integer thinkingBudgetTokens;
    private Integer topK;
    private String userId;
    private boolean cacheTools;
    private boolean cacheSystem;
    private boolean cacheConversation;
    private final Map<String, String> extraFields = new LinkedHashMap<>();

    private Builder() {}

    /** Turns extended thinking on with this budget (at least {@value #MIN_THINKING_BUDGET_TOKENS}). */
    public Builder thinkingBudgetTokens(int budgetTokens) {
      if (budgetTokens < MIN_THINKING_BUDGET_TOKENS) {
        throw new IllegalArgumentException("AnthropicOptions.thinkingBudgetTokens must be >= "
            + MIN_THINKING_BUDGET_TOKENS + " (Anthropic's minimum), got " + budgetTokens);
      }
      this.thinkingBudgetTokens = budgetTokens;
      return this;
    }

    public Builder topK(int topK) {
      if (topK < 1) {
        throw new IllegalArgumentException("AnthropicOptions.topK must be >= 1, got " + topK);
      }
      this.topK = topK;
      return this;
    }

    public Builder userId(String userId) {
      this.userId = userId;
      return this;
    }

    public Builder cacheTools(boolean cacheTools) {
      this.cacheTools = cacheTools;
      return this;
    }

    public Builder cacheSystem(boolean cacheSystem) {
      this.cacheSystem = cacheSystem;
      return this;
    }

    public Builder cacheConversation(boolean cacheConversation) {
      this.cacheConversation = cacheConversation;
      return this;
    }

    /**
     * Adds the top-level body field {@code name} with the JSON text {@code json} (e.g. {@code
     * "\"auto\""}); repeatable, the last value of a name wins. It replaces a field Switchboard
     * writes itself; {@code "null"} removes that field.
     */
    public Builder extraField(String name, String json) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(json, "json");
      if (name.isBlank()) {
        throw new IllegalArgumentException("AnthropicOptions.extraField name must not be blank");
      }
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("AnthropicOptions.extraField cannot replace '" + name
            + "': the adapter writes it from the ChatRequest (reserved: " + RESERVED + ")");
      }
      var node = WireJson.parse(json, "AnthropicOptions.extraField '" + name + "'");
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("AnthropicOptions.extraField '" + name + "' needs a JSON value, got: '"
            + json + "'");
      }
      extraFields.put(name, json);
      return this;
    }

    public AnthropicOptions build() {
      if (userId != null && userId.isBlank()) {
        throw new IllegalArgumentException("AnthropicOptions.userId must not be blank; leave it unset instead");
      }
      return new AnthropicOptions(this);
    }
  }
}
