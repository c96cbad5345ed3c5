package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's answer when nothing is queued: short, deterministic, derived from the last user
 * message and naming the model that answered. Also the usage estimate (about four characters per
 * token) for replies that give none. Stateless.
 */
public final class SimulatedModel {
  /** The model name reported when the request names none. */
  public static final String DEFAULT_MODEL = "simulated-model";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** A greeting at the start of the message, or "say hello". */
  private static final Pattern GREETING = Pattern.compile(
      "^\\W*(say\\s+)?(hello|hi|hey|hallo|bonjour|hola|greetings|good (morning|afternoon|evening))\\b.*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern SAY_QUOTED = Pattern.compile(
      "^\\s*(say|repeat|echo|reply with)\\s*:?\\s*[\"“'`](.+?)[\"”'`]\\s*[.!]?\\s*$",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private SimulatedModel() {}

  /** The model name to report for {@code request}. */
  public static String modelFor(RecordedRequest request) {
    return request.model().filter(m -> !m.isBlank()).orElse(DEFAULT_MODEL);
  }

  /** The simulated answer to {@code request}. */
  public static Reply answer(RecordedRequest request) {
    String model = modelFor(request);
    List<RecordedRequest.Turn> turns = request.messages();
    RecordedRequest.Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
    if (last != null && last.role().equals("tool")) {
      return Reply.text("The tool returned " + quote(last.text(), 160) + ". That is the answer I have. ("
          + model + ", simulated)");
    }
    if (request.jsonSchema().isPresent()) {
      return Reply.text(sampleJson(request.jsonSchema().get(), request.lastUserText(), model));
    }
    return Reply.text(textAnswer(request.lastUserText().strip(), model));
  }

  static String textAnswer(String userText, String model) {
    if (userText.isEmpty()) {
      return "Hello from " + model + ", a simulated model. There was no user message to answer.";
    }
    Matcher say = SAY_QUOTED.matcher(userText);
    if (say.matches()) {
      return say.group(2);
    }
    if (GREETING.matcher(userText).matches()) {
      return "Hello! This is " + model + ", a simulated model answering offline.";
    }
    if (userText.endsWith("?")) {
      return "You asked " + quote(userText, 120) + ". This is " + model
          + ", a simulated model answering offline, so the answer is a deterministic stand-in.";
    }
    return "Received " + quote(userText, 120) + ". This is " + model
        + ", a simulated model answering offline, so the answer is a deterministic stand-in.";
  }

  /** A JSON object with a plausible value for each property of {@code schema}. */
  static String sampleJson(JsonNode schema, String userText, String model) {
    JsonNode value = sample(schema, userText, model, 0);
    if (!value.isObject() || value.isEmpty()) {
      ObjectNode answer = MAPPER.createObjectNode();
      answer.put("answer", excerpt(userText, 80));
      answer.put("model", model);
      return answer.toString();
    }
    return value.toString();
  }

  private static JsonNode sample(JsonNode schema, String userText, String model, int depth) {
    if (depth > 8) {
      return MAPPER.nullNode();
    }
    if (schema.has("enum") && schema.get("enum").isArray() && !schema.get("enum").isEmpty()) {
      return schema.get("enum").get(0);
    }
    if (schema.has("const")) {
      return schema.get("const");
    }
    String type = schema.path("type").isArray() ? schema.path("type").path(0).asText("")
        : schema.path("type").asText(schema.has("properties") ? "object" : "string");
    switch (type) {
      case "object": {
        ObjectNode out = MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> field : schema.path("properties").properties()) {
          out.set(field.getKey(), sample(field.getValue(), userText, model, depth + 1));
        }
        return out;
      }
      case "array": {
        ArrayNode out = MAPPER.createArrayNode();
        out.add(sample(schema.path("items"), userText, model, depth + 1));
        return out;
      }
      case "integer":
        return MAPPER.getNodeFactory().numberNode(1);
      case "number":
        return MAPPER.getNodeFactory().numberNode(0.5);
      case "boolean":
        return MAPPER.getNodeFactory().booleanNode(true);
      case "null":
        return MAPPER.nullNode();
      default:
        return MAPPER.getNodeFactory().textNode("simulated by " + model);
    }
  }

  /** About four characters per token, at least one token each way. */
  public static Usage estimateUsage(RecordedRequest request, Reply reply) {
    long inputChars = request.systemText().map(String::length).orElse(0);
    for (RecordedRequest.Turn turn : request.messages()) {
      inputChars += turn.text().length();
    }
    long reasoningChars = reply.reasoning().map(String::length).orElse(0);
    long outputChars = reply.text().length() + reply.refusal().map(String::length).orElse(0) + reasoningChars;
    for (ToolCall call : reply.toolCalls()) {
      outputChars += call.name().length() + call.argumentsJson().length();
    }
    long reasoning = tokens(reasoningChars);
    long output = Math.max(Math.max(1, tokens(outputChars)), reasoning);
    return Usage.builder()
        .inputTokens(Math.max(1, tokens(inputChars) + 3L * request.messages().size()))
        .outputTokens(output)
        .reasoningTokens(reasoning)
        .build();
  }

  private static long tokens(long chars) {
    return (chars + 3) / 4;
  }

  private static String quote(String text, int max) {
    return "\"" + excerpt(text, max) + "\"";
  }

  private static String excerpt(String text, int max) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    if (oneLine.length() <= max) {
      return oneLine;
    }
    int cut = oneLine.lastIndexOf(' ', max);
    return oneLine.substring(0, cut > max / 2 ? cut : max) + "…";
  }
}
