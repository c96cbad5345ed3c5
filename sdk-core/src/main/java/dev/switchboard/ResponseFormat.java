package dev.switchboard;

import dev.switchboard.spi.http.WireJson;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape the output must take: free text, any JSON object, or JSON matching a schema.
 * Immutable and thread-safe.
 */
public final class ResponseFormat {
  public enum Type {
    TEXT,
    JSON_OBJECT,
    JSON_SCHEMA
  }

  public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null, false);
  public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, false);

  private final Type type;
  private final String schemaName;
  private final String jsonSchema;
  private final boolean strict;

  private ResponseFormat(Type type, String schemaName, String jsonSchema, boolean strict) {
    this.type = type;
    this.schemaName = schemaName;
    this.jsonSchema = jsonSchema;
    this.strict = strict;
  }

  /**
   * Output must be JSON matching {@code jsonSchema} (a JSON object text). {@code name} identifies
   * the schema to providers that require one (letters, digits, '_' and '-').
   */
  public static ResponseFormat jsonSchema(String name, String jsonSchema, boolean strict) {
    if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "ResponseFormat schema name must be 1-64 letters, digits, '_' or '-', got: " + name);
    }
    WireJson.parseObject(Objects.requireNonNull(jsonSchema, "jsonSchema"), "ResponseFormat '" + name + "' jsonSchema");
    return new ResponseFormat(Type.JSON_SCHEMA, name, jsonSchema, strict);
  }

  public static ResponseFormat jsonSchema(String name, String jsonSchema) {
    return jsonSchema(name, jsonSchema, true);
  }

  public Type type() {
    return type;
  }

  public Optional<String> schemaName() {
    return Optional.ofNullable(schemaName);
  }

  /** The schema as JSON text, for {@link Type#JSON_SCHEMA}. */
  public Optional<String> jsonSchema() {
    return Optional.ofNullable(jsonSchema);
  }

  public boolean strict() {
    return strict;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResponseFormat f
        && type == f.type
        && Objects.equals(schemaName, f.schemaName)
        && Objects.equals(jsonSchema, f.jsonSchema)
        && strict == f.strict;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, schemaName, jsonSchema, strict);
  }

  @Override
  public String toString() {
    return schemaName == null ? "ResponseFormat[" + type + "]" : "ResponseFormat[" + type + " " + schemaName + "]";
  }
}
