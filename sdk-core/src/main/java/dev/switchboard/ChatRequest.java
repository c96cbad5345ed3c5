package dev.switchboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider-neutral chat request. Immutable and thread-safe; build with {@link #builder()} or
 * {@link #of(String, String)}, change with {@link #toBuilder()}.
 *
 * <p>{@link #model()} is a model string: {@code "provider/model"} (split at the first {@code /}),
 * an alias, or a route name; see {@link Switchboard}.
 *
 * <p>Per-call extras are typed tags: {@code builder.tag(Tenant.class, tenant)} and later {@code
 * request.tag(Tenant.class)}. Provider-specific options travel the same way.
 */
public final class ChatRequest {
  private final String model;
  private final List<Message> messages;
  private final List<ToolSpec> tools;
  private final ToolChoice toolChoice;
  private final ResponseFormat responseFormat;
  private final Double temperature;
  private final Double topP;
  private final Integer maxOutputTokens;
  private final List<String> stop;
  private final Long seed;
  private final int choices;
  private final Boolean parallelToolCalls;
  private final Duration timeout;
  private final Map<Class<?>, Object> tags;

  private ChatRequest(Builder b) {
    this.model = b.model;
    this.messages = List.copyOf(b.messages);
    this.tools = List.copyOf(b.tools);
    this.toolChoice = b.toolChoice;
    this.responseFormat = b.responseFormat;
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.maxOutputTokens = b.maxOutputTokens;
    this.stop = List.copyOf(b.stop);
    this.seed = b.seed;
    this.choices = b.choices;
    this.parallelToolCalls = b.parallelToolCalls;
    this.timeout = b.timeout;
    this.tags = b.tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.tags));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This request for {@code model}; shares everything else (messages, tools, tags) without a copy. */
  public ChatRequest withModel(String model) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(
          "ChatRequest.model is required: a \"provider/model\" string, an alias or a route name");
    }
    return model.equals(this.model) ? this : new ChatRequest(this, model);
  }

  private ChatRequest(ChatRequest from, String model) {
    this.model = model;
    this.messages = from.messages;
    this.tools = from.tools;
    this.toolChoice = from.toolChoice;
    this.responseFormat = from.responseFormat;
    this.temperature = from.temperature;
    this.topP = from.topP;
    this.maxOutputTokens = from.maxOutputTokens;
    this.stop = from.stop;
    this.seed = from.seed;
    this.choices = from.choices;
    this.parallelToolCalls = from.parallelToolCalls;
    this.timeout = from.timeout;
    this.tags = from.tags;
  }

  /** One user message to {@code model}. */
  public static ChatRequest of(String model, String userText) {
    return builder().model(model).addMessage(Message.user(userText)).build();
  }

  public String model() {
    return model;
  }

  public List<Message> messages() {
    return messages;
  }

  public List<ToolSpec> tools() {
    return tools;
  }

  public Optional<ToolChoice> toolChoice() {
    return Optional.ofNullable(toolChoice);
  }

  public Optional<ResponseFormat> responseFormat() {
    return Optional.ofNullable(responseFormat);
  }

  public Optional<Double> temperature() {
    return Optional.ofNullable(temperature);
  }

  public Optional<Double> topP() {
    return Optional.ofNullable(topP);
  }

  public Optional<Integer> maxOutputTokens() {
    return Optional.ofNullable(maxOutputTokens);
  }

  public List<String> stop() {
    return stop;
  }

  public Optional<Long> seed() {
    return Optional.ofNullable(seed);
  }

  /**
   * How many alternative answers to generate (OpenAI's {@code n}); 1 by default. With more,
   * {@link ChatResponse#choices()} holds them all and the response's own text is choice 0.
   */
  public int choices() {
    return choices;
  }

  public Optional<Boolean> parallelToolCalls() {
    return Optional.ofNullable(parallelToolCalls);
  }

  /**
   * The deadline of the whole call, overriding {@code Switchboard.builder().callTimeout}: the
   * Switchboard enforces it across every retry and fallback; a provider adapter called directly
   * applies it to its one exchange instead of its own default.
   */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** The tag of this type, if one was set. */
  public <T> Optional<T> tag(Class<T> type) {
    return Optional.ofNullable(type.cast(tags.get(type)));
  }

  /** All tags, by type; for interceptors that pass them on. */
  public Map<Class<?>, Object> tags() {
    return tags;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.messages.addAll(messages);
    b.tools.addAll(tools);
    b.toolChoice = toolChoice;
    b.responseFormat = responseFormat;
    b.temperature = temperature;
    b.topP = topP;
    b.maxOutputTokens = maxOutputTokens;
    b.stop.addAll(stop);
    b.seed = seed;
    b.choices = choices;
    b.parallelToolCalls = parallelToolCalls;
    b.timeout = timeout;
    b.tags.putAll(tags);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatRequest r
        && model.equals(r.model)
        && messages.equals(r.messages)
        && tools.equals(r.tools)
        && Objects.equals(toolChoice, r.toolChoice)
        && Objects.equals(responseFormat, r.responseFormat)
        && Objects.equals(temperature, r.temperature)
        && Objects.equals(topP, r.topP)
        && Objects.equals(maxOutputTokens, r.maxOutputTokens)
        && stop.equals(r.stop)
        && Objects.equals(seed, r.seed)
        && choices == r.choices
        && Objects.equals(parallelToolCalls, r.parallelToolCalls)
        && Objects.equals(timeout, r.timeout)
        && tags.equals(r.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, messages, tools, toolChoice, responseFormat, temperature, topP,
        maxOutputTokens, stop, seed, choices, parallelToolCalls, timeout, tags);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ChatRequest[model=").append(model)
        .append(", messages=").append(messages.size());
    if (!tools.isEmpty()) {
      sb.append(", tools=").append(tools.size());
    }
    if (choices > 1) {
      sb.append(", choices=").append(choices);
    }
    if (responseFormat != null) {
      sb.append(", ").append(responseFormat);
    }
    if (maxOutputTokens != null) {
      sb.append(", maxOutputTokens=").append(maxOutputTokens);
    }
    if (!tags.isEmpty()) {
      sb.append(", tags=");
      List<String> names = new ArrayList<>();
      for (Class<?> c : tags.keySet()) {
        names.add(c.getSimpleName());
      }
      sb.append(names);
    }
    return sb.append(']').toString();
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String model;
    private final List<Message> messages = new ArrayList<>();
    private final List<ToolSpec> tools = new ArrayList<>();
    private ToolChoice toolChoice;
    private ResponseFormat responseFormat;
    private Double temperature;
    private Double topP;
    private Integer maxOutputTokens;
    private final List<String> stop = new ArrayList<>();
    private Long seed;
    private int choices = 1;
    private Boolean parallelToolCalls;
    private Duration timeout;
    private final Map<Class<?>, Object> tags = new LinkedHashMap<>();

    private Builder() {}

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder messages(List<Message> messages) {
      this.messages.clear();
      messages.forEach(this::addMessage);
      return this;
    }

    public Builder addMessage(Message message) {
      this.messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    public Builder system(String text) {
      return addMessage(Message.system(text));
    }

    public Builder user(String text) {
      return addMessage(Message.user(text));
    }

    public Builder tools(List<ToolSpec> tools) {
      this.tools.clear();
      tools.forEach(this::addTool);
      return this;
    }

    public Builder addTool(ToolSpec tool) {
      this.tools.add(Objects.requireNonNull(tool, "tool"));
      return this;
    }

    public Builder toolChoice(ToolChoice toolChoice) {
      this.toolChoice = toolChoice;
      return this;
    }

    public Builder responseFormat(ResponseFormat responseFormat) {
      this.responseFormat = responseFormat;
      return this;
    }

    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    public Builder topP(Double topP) {
      this.topP = topP;
      return this;
    }

    public Builder maxOutputTokens(Integer maxOutputTokens) {
      this.maxOutputTokens = maxOutputTokens;
      return this;
    }

    public Builder stop(List<String> stop) {
      this.stop.clear();
      stop.forEach(s -> this.stop.add(Objects.requireNonNull(s, "stop")));
      return this;
    }

    public Builder seed(Long seed) {
      this.seed = seed;
      return this;
    }

    /** How many alternative answers to generate (OpenAI's {@code n}), 1 to 128; default 1. */
    public Builder choices(int choices) {
      this.choices = choices;
      return this;
    }

    public Builder parallelToolCalls(Boolean parallelToolCalls) {
      this.parallelToolCalls = parallelToolCalls;
      return this;
    }

    /** The call's deadline; positive ({@link #build()} checks), or {@code null} for the default. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Sets (or with {@code null}, removes) the tag of this type. */
    public <T> Builder tag(Class<T> type, T value) {
      Objects.requireNonNull(type, "type");
      if (value == null) {
        tags.remove(type);
      } else {
        tags.put(type, type.cast(value));
      }
      return this;
    }

    public ChatRequest build() {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException(
            "ChatRequest.model is required: a \"provider/model\" string, an alias or a route name");
      }
      if (messages.isEmpty()) {
        throw new IllegalArgumentException("ChatRequest.messages is empty: add at least one message");
      }
      if (temperature != null && (temperature < 0 || temperature > 2 || temperature.isNaN())) {
        throw new IllegalArgumentException("ChatRequest.temperature must be within [0, 2], got " + temperature);
      }
      if (choices < 1 || choices > 128) {
        throw new IllegalArgumentException("ChatRequest.choices must be within [1, 128], got " + choices);
      }
      if (topP != null && (topP <= 0 || topP > 1 || topP.isNaN())) {
        throw new IllegalArgumentException("ChatRequest.topP must be within (0, 1], got " + topP);
      }
      if (maxOutputTokens != null && maxOutputTokens <= 0) {
        throw new IllegalArgumentException("ChatRequest.maxOutputTokens must be > 0, got " + maxOutputTokens);
      }
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException("ChatRequest.timeout must be positive, got " + timeout);
      }
      if (toolChoice != null && toolChoice.mode() != ToolChoice.Mode.AUTO
          && toolChoice.mode() != ToolChoice.Mode.NONE && tools.isEmpty()) {
        throw new IllegalArgumentException("ChatRequest.toolChoice " + toolChoice + " needs at least one tool");
      }
      return new ChatRequest(this);
    }
  }
}
