package dev.switchboard.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a provider model can do. Each feature is known-yes, known-no or unknown (empty); routing
 * skips a model only on a known "no". Immutable and thread-safe.
 */
public final class Capabilities {
  public static final Capabilities UNKNOWN = builder().build();

  private final Boolean tools;
  private final Boolean jsonSchema;
  private final Boolean vision;
  private final Boolean streamingUsage;
  private final Integer maxContextTokens;
  private final Integer maxOutputTokens;

  private Capabilities(Builder b) {
    this.tools = b.tools;
    this.jsonSchema = b.jsonSchema;
    this.vision = b.vision;
    this.streamingUsage = b.streamingUsage;
    this.maxContextTokens = b.maxContextTokens;
    this.maxOutputTokens = b.maxOutputTokens;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<Boolean> tools() {
    return Optional.ofNullable(tools);
  }

  public Optional<Boolean> jsonSchema() {
    return Optional.ofNullable(jsonSchema);
  }

  public Optional<Boolean> vision() {
    return Optional.ofNullable(vision);
  }

  /** Whether usage is reported at the end of a stream. */
  public Optional<Boolean> streamingUsage() {
    return Optional.ofNullable(streamingUsage);
  }

  public OptionalInt maxContextTokens() {
    return maxContextTokens == null ? OptionalInt.empty() : OptionalInt.of(maxContextTokens);
  }

  public OptionalInt maxOutputTokens() {
    return maxOutputTokens == null ? OptionalInt.empty() : OptionalInt.of(maxOutputTokens);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.tools = tools;
    b.jsonSchema = jsonSchema;
    b.vision = vision;
    b.streamingUsage = streamingUsage;
    b.maxContextTokens = maxContextTokens;
    b.maxOutputTokens = maxOutputTokens;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Capabilities c
        && Objects.equals(tools, c.tools)
        && Objects.equals(jsonSchema, c.jsonSchema)
        && Objects.equals(vision, c.vision)
        && Objects.equals(streamingUsage, c.streamingUsage)
        && Objects.equals(maxContextTokens, c.maxContextTokens)
        && Objects.equals(maxOutputTokens, c.maxOutputTokens);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tools, jsonSchema, vision, streamingUsage, maxContextTokens, maxOutputTokens);
  }

  @Override
  public String toString() {
    return "Capabilities[tools=" + tools + ", jsonSchema=" + jsonSchema + ", vision=" + vision
        + ", streamingUsage=" + streamingUsage + ", maxContextTokens=" + maxContextTokens
        + ", maxOutputTokens=" + maxOutputTokens + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private Boolean tools;
    private Boolean jsonSchema;
    private Boolean vision;
    private Boolean streamingUsage;
    private Integer maxContextTokens;
    private Integer maxOutputTokens;

    private Builder() {}

    public Builder tools(boolean v) {
      this.tools = v;
      return this;
    }

    public Builder jsonSchema(boolean v) {
      this.jsonSchema = v;
      return this;
    }

    public Builder vision(boolean v) {
      this.vision = v;
      return this;
    }

    public Builder streamingUsage(boolean v) {
      this.streamingUsage = v;
      return this;
    }

    public Builder maxContextTokens(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("maxContextTokens must be > 0, got " + v);
      }
      this.maxContextTokens = v;
      return this;
    }

    public Builder maxOutputTokens(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("maxOutputTokens must be > 0, got " + v);
      }
      this.maxOutputTokens = v;
      return this;
    }

    public Capabilities build() {
      return new Capabilities(this);
    }
  }
}
