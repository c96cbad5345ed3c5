package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request in Ollama's native wire format ({@code /api/chat}, {@code /api/embed}, ...), read
 * leniently. Ollama streams unless the body says {@code "stream": false}, so {@link
 * #streamRequested()} is true when the field is missing. Ollama's {@code format} carries a bare
 * JSON schema without a name, so {@link #jsonSchemaName()} is always empty. Immutable.
 */
final class OllamaRecordedRequest extends RecordedRequest {
  private final JsonNode body;
  private final List<Turn> turns;
  private final String system;

  OllamaRecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    super(method, path, headers, body);
    JsonNode json = hasJsonBody() ? json() : null;
    this.body = json != null && json.isObject() ? json : null;
    List<Turn> out = new ArrayList<>();
    List<String> systemParts = new ArrayList<>();
    if (this.body != null) {
      for (JsonNode m : this.body.path("messages")) {
        String role = m.path("role").asText("");
        String text = m.path("content").isTextual() ? m.path("content").asText() : "";
        if (role.equals("system")) {
          systemParts.add(text);
        } else {
          out.add(new Turn(role, text));
        }
      }
    }
    this.turns = List.copyOf(out);
    this.system = systemParts.isEmpty() ? null : String.join("\n", systemParts);
  }

  @Override
  public boolean streamRequested() {
    return body == null || body.path("stream").asBoolean(true);
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

  /** Always empty: Ollama's {@code format} is a bare schema without a name. */
  @Override
  public Optional<String> jsonSchemaName() {
    return Optional.empty();
  }

  /** The {@code format} field when it is a JSON schema object (not {@code "json"}). */
  @Override
  public Optional<JsonNode> jsonSchema() {
    JsonNode format = body == null ? null : body.get("format");
    return format != null && format.isObject() ? Optional.of(format.deepCopy()) : Optional.empty();
  }

  /** The texts of an {@code /api/embed} request: {@code input} as a string or an array of strings. */
  List<String> embedInputs() {
    List<String> inputs = new ArrayList<>();
    JsonNode input = body == null ? null : body.get("input");
    if (input == null) {
      return inputs;
    }
    if (input.isTextual()) {
      inputs.add(input.asText());
    } else if (input.isArray()) {
      for (JsonNode i : input) {
        inputs.add(i.asText(""));
      }
    }
    return inputs;
  }

  /** The {@code dimensions} of an {@code /api/embed} request, or 0. */
  int embedDimensions() {
    JsonNode d = body == null ? null : body.get("dimensions");
    return d != null && d.canConvertToInt() ? d.intValue() : 0;
  }
}
