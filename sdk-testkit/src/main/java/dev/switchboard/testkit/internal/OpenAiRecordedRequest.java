package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.switchboard.testkit.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A request in OpenAI's chat-completions wire format, read leniently. Immutable. */
final class OpenAiRecordedRequest extends RecordedRequest {
  private final JsonNode body;
  private final List<Turn> turns;
  private final String system;

  OpenAiRecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    super(method, path, headers, body);
    this.body = hasJsonBody() ? json() : null;
    List<Turn> out = new ArrayList<>();
    List<String> systemParts = new ArrayList<>();
    if (this.body != null) {
      for (JsonNode m : this.body.path("messages")) {
        String role = m.path("role").asText("");
        String text = text(m.path("content"));
        switch (role) {
          case "system":
          case "developer":
            systemParts.add(text);
            break;
          case "function":
            out.add(new Turn("tool", text));
            break;
          default:
            out.add(new Turn(role, text));
            break;
        }
      }
    }
    this.turns = List.copyOf(out);
    this.system = systemParts.isEmpty() ? null : String.join("\n", systemParts);
  }

  /** A content field: a string, or an array of parts whose text parts are joined. */
  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.isTextual()) {
          sb.append(part.asText());
        } else if (part.path("text").isTextual()) {
          sb.append(part.path("text").asText());
        }
      }
    }
    return sb.toString();
  }

  @Override
  public boolean streamRequested() {
    return body != null && body.path("stream").asBoolean(false);
  }

  /** Whether a streamed answer should end with a usage chunk. */
  boolean includeUsageRequested() {
    return body != null && body.path("stream_options").path("include_usage").asBoolean(false);
  }

  @Override
  public Optional<String> model() {
    return body != null && body.path("model").isTextual() ? Optional.of(body.path("model").asText()) : Optional.empty();
  }

  @Override
  public Optional<String> systemText() {
    return Optional.ofNullable(system);
  }

  @Override
  public List<Turn> messages() {
    return turns;
  }

  @Override
  public List<String> toolNames() {
    List<String> names = new ArrayList<>();
    if (body != null) {
      for (JsonNode tool : body.path("tools")) {
        JsonNode name = tool.path("function").path("name");
        if (name.isTextual()) {
          names.add(name.asText());
        }
      }
    }
    return List.copyOf(names);
  }

  @Override
  public Optional<String> jsonSchemaName() {
    JsonNode name = schemaFormat().path("name");
    return name.isTextual() ? Optional.of(name.asText()) : Optional.empty();
  }

  @Override
  public Optional<JsonNode> jsonSchema() {
    JsonNode schema = schemaFormat().path("schema");
    return schema.isObject() ? Optional.of(schema.deepCopy()) : Optional.empty();
  }

  private JsonNode schemaFormat() {
    if (body == null) {
      return MissingNode.getInstance();
    }
    JsonNode format = body.path("response_format");
    return "json_schema".equals(format.path("type").asText()) ? format.path("json_schema")
        : MissingNode.getInstance();
  }
}
