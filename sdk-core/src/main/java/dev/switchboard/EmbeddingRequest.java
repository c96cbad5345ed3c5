package dev.switchboard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Texts to embed with one model. Immutable and thread-safe. {@link #model()} is a model string, as
 * for chat: {@code "provider/model"} or an alias.
 */
public final class EmbeddingRequest {
  private final String model;
  private final List<String> inputs;
  private final Integer dimensions;
  private final Map<Class<?>, Object> tags;

  private EmbeddingRequest(Builder b) {
    this.model = b.model;
    this.inputs = List.copyOf(b.inputs);
    this.dimensions = b.dimensions;
    this.tags = b.tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.tags));
  }

  public static Builder builder() {
    return new Builder();
  }

  public static EmbeddingRequest of(String model, String... inputs) {
    return builder().model(model).inputs(List.of(inputs)).build();
  }

  public String model() {
    return model;
  }

  public List<String> inputs() {
    return inputs;
  }

  /** The vector size to ask for, for models that can shorten their output. */
  public Optional<Integer> dimensions() {
    return Optional.ofNullable(dimensions);
  }

  public <T> Optional<T> tag(Class<T> type) {
    return Optional.ofNullable(type.cast(tags.get(type)));
  }

  public Map<Class<?>, Object> tags() {
    return tags;
  }

  public Builder toBuilder() {
    Builder b = new Builder().model(model).inputs(inputs).dimensions(dimensions);
    b.tags.putAll(tags);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingRequest r && model.equals(r.model) && inputs.equals(r.inputs)
        && Objects.equals(dimensions, r.dimensions) && tags.equals(r.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, inputs, dimensions, tags);
  }

  @Override
  public String toString() {
    return "EmbeddingRequest[model=" + model + ", inputs=" + inputs.size()
        + (dimensions == null ? "" : ", dimensions=" + dimensions) + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String model;
    private final List<String> inputs = new ArrayList<>();
    private Integer dimensions;
    private final Map<Class<?>, Object> tags = new LinkedHashMap<>();

    private Builder() {}

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder inputs(List<String> inputs) {
      this.inputs.clear();
      inputs.forEach(this::addInput);
      return this;
    }

    public Builder addInput(String input) {
      this.inputs.add(Objects.requireNonNull(input, "input"));
      return this;
    }

    public Builder dimensions(Integer dimensions) {
      this.dimensions = dimensions;
      return this;
    }

    public <T> Builder tag(Class<T> type, T value) {
      Objects.requireNonNull(type, "type");
      if (value == null) {
        tags.remove(type);
      } else {
        tags.put(type, type.cast(value));
      }
      return this;
    }

    public EmbeddingRequest build() {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("EmbeddingRequest.model is required: a \"provider/model\" string or an alias");
      }
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("EmbeddingRequest.inputs is empty: add at least one text");
      }
      if (dimensions != null && dimensions <= 0) {
        throw new IllegalArgumentException("EmbeddingRequest.dimensions must be > 0, got " + dimensions);
      }
      return new EmbeddingRequest(this);
    }
  }
}
