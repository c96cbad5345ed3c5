package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.switchboard.testkit.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request in Anthropic's Messages wire format ({@code POST /v1/messages}), read leniently.
 * Immutable.
 *
 * <p>Neutral views: the top-level {@code system} (a string or text blocks) is {@link
 * #systemText()}; each {@code tool_result} block of a user turn is a {@code tool} turn (its text
 * content), and the turn's other text blocks one {@code user} turn after them; an assistant turn's
 * text blocks are joined. Anthropic has no response-format field, so a JSON schema is read from the
 * tool the request forces with {@code "tool_choice": {"type": "tool", "name": ...}}: its name and
 * {@code input_schema}, since forcing a tool is how the protocol makes the answer follow a schema.
 */
final class AnthropicRecordedRequest extends RecordedRequest {
  private final JsonNode body;
  private final List<Turn> turns;
  private final String system;

  AnthropicRecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    super(method, path, headers, body);
    this.body = hasJsonBody() ? json() : null;
    List<Turn> out = new ArrayList<>();
    if (this.body != null) {
      for (JsonNode m : this.body.path("messages")) {
        readTurn(m, out);
      }
    }
    this.turns = List.copyOf(out);
    String s = this.body == null ? null : text(this.body.path("system"), "\n");
    this.system = s == null || s.isEmpty() ? null : s;
  }

  private static void readTurn(JsonNode m, List<Turn> out) {
    String role = m.path("role").asText("");
    JsonNode content = m.path("content");
    if (!content.isArray()) {
      out.add(new Turn(role, content.asText("")));
      return;
    }
    StringBuilder text = new StringBuilder();
    boolean other = false;
    for (JsonNode block : content) {
      String type = block.path("type").asText("");
      if (type.equals("tool_result")) {
        out.add(new Turn("tool", text(block.path("content"), "")));
      } else {
        other = true;
        if (type.equals("text")) {
          text.append(block.path("text").asText(""));
        }
      }
    }
    if (other || !role.equals("user")) {
      out.add(new Turn(role, text.toString()));
    }
  }

  /** A string, or the text of an array of blocks joined with {@code separator}; null if neither. */
  static String text(JsonNode node, String separator) {
    if (node.isTextual()) {
      return node.asText();
    }
    if (!node.isArray()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode block : node) {
      if (block.isTextual()) {
        parts.add(block.asText());
      } else if (block.path("text").isTextual()) {
        parts.add(block.path("text").asText());
      }
    }
    return String.join(separator, parts);
  }

  @Override
  public boolean streamRequested() {
    return body != null && body.path("stream").asBoolean(false);
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
        if (tool.path("name").isTextual()) {
          names.add(tool.path("name").asText());
        }
      }
    }
    return List.copyOf(names);
  }

  /** The name of the tool {@code tool_choice} forces, if it forces one. */
  Optional<String> forcedTool() {
    if (body == null) {
      return Optional.empty();
    }
    JsonNode choice = body.path("tool_choice");
    return "tool".equals(choice.path("type").asText()) && choice.path("name").isTextual()
        ? Optional.of(choice.path("name").asText()) : Optional.empty();
  }

  @Override
  public Optional<String> jsonSchemaName() {
    return forcedToolNode().isMissingNode() ? Optional.empty() : forcedTool();
  }

  @Override
  public Optional<JsonNode> jsonSchema() {
    JsonNode schema = forcedToolNode().path("input_schema");
    return schema.isObject() ? Optional.of(schema.deepCopy()) : Optional.empty();
  }

  private JsonNode forcedToolNode() {
    Optional<String> name = forcedTool();
    if (name.isEmpty()) {
      return MissingNode.getInstance();
    }
    for (JsonNode tool : body.path("tools")) {
      if (name.get().equals(tool.path("name").asText(null))) {
        return tool;
      }
    }
    return MissingNode.getInstance();
  }
}
