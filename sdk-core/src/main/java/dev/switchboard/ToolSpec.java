package dev.switchboard;

import dev.switchboard.spi.http.WireJson;
import java.util.Objects;

/**
 * A tool the model may call: a name, a description and a JSON Schema for its parameters, kept as
 * JSON text. Immutable and thread-safe; {@link #builder()} validates at {@code build()}.
 */
public final class ToolSpec {
  private final String name;
  private final String description;
  private final String parametersJsonSchema;
  private final boolean strict;

  private ToolSpec(Builder b) {
    this.name = b.name;
    this.description = b.description;
    this.parametersJsonSchema = b.parametersJsonSchema;
    this.strict = b.strict;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A tool with the given name, description and parameter schema (a JSON object text). */
  public static ToolSpec of(String name, String description, String parametersJsonSchema) {
    return builder().name(name).description(description).parametersJsonSchema(parametersJsonSchema).build();
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The JSON Schema of the arguments, as JSON text; {@code {"type":"object","properties":{}}} when none was given. */
  public String parametersJsonSchema() {
    return parametersJsonSchema;
  }

  /** Whether the provider should enforce the schema exactly (OpenAI {@code strict}). */
  public boolean strict() {
    return strict;
  }

  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .description(description)
        .parametersJsonSchema(parametersJsonSchema)
        .strict(strict);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolSpec t
        && name.equals(t.name)
        && description.equals(t.description)
        && parametersJsonSchema.equals(t.parametersJsonSchema)
        && strict == t.strict;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, description, parametersJsonSchema, strict);
  }

  @Override
  public String toString() {
    return "ToolSpec[name=" + name + ", strict=" + strict + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String name;
    private String description = "";
    private String parametersJsonSchema = "{\"type\":\"object\",\"properties\":{}}";
    private boolean strict;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    public Builder parametersJsonSchema(String jsonSchema) {
      this.parametersJsonSchema = Objects.requireNonNull(jsonSchema, "parametersJsonSchema");
      return this;
    }

    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    public ToolSpec build() {
      if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException(
            "ToolSpec name must be 1-64 characters of letters, digits, '_', '.' or '-', got: " + name);
      }
      WireJson.parseObject(parametersJsonSchema, "ToolSpec '" + name + "' parametersJsonSchema");
      return new ToolSpec(this);
    }
  }
}
