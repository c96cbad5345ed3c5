package dev.switchboard.providers.anthropic.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Role;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.anthropic.AnthropicOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ChatRequest} as an Anthropic {@code POST /v1/messages} body, with a Jackson
 * {@link JsonGenerator} straight to bytes.
 *
 * <ul>
 *   <li>System messages, wherever they stand, become the top-level {@code system}: a string for one,
 *       an array of text blocks for several (or when it is a cache breakpoint).
 *   <li>The other messages become alternating {@code user} / {@code assistant} turns: consecutive
 *       messages of one side are merged into one turn. A {@link Role#TOOL} message is a {@code
 *       tool_result} block (with its {@code tool_use_id}) of a user turn, placed before that turn's
 *       other content as Anthropic requires; an assistant's tool calls are {@code tool_use} blocks
 *       whose {@code input} is the parsed arguments object. Images are {@code image} blocks with a
 *       {@code base64} source (inline bytes and {@code data:} URLs) or a {@code url} source. Empty
 *       text parts are left out, since Anthropic rejects empty text blocks. A single text stays a
 *       plain string. Participant names and {@code seed} have no Anthropic counterpart and are not
 *       sent.
 *   <li>{@code max_tokens} is required by Anthropic: the request's {@code maxOutputTokens}, else
 *       the provider's default (plus the thinking budget when thinking is on).
 *   <li>Tools as {@code {name, description, input_schema}}; the tool choice as {@code auto}, {@code
 *       none}, {@code any} (required) or {@code {type: tool, name}}; {@code parallelToolCalls(false)}
 *       as {@code disable_parallel_tool_use}.
 *   <li><b>Quirk: JSON answers.</b> Anthropic's Messages API has no response-format field. A {@link
 *       ResponseFormat.Type#JSON_SCHEMA} format is sent as one more tool, named like the schema,
 *       whose {@code input_schema} is the schema, and the request forces it ({@code {type: tool}},
 *       or {@code any} when the caller's own tools are offered too, so the model may still call
 *       them); {@link ResponseFormat.Type#JSON_OBJECT} likewise with a tool {@value
 *       #JSON_OBJECT_TOOL} taking any object. The reader turns that tool's input back into the
 *       answer's text. It cannot be combined with a required or named tool choice, or with
 *       thinking (Anthropic does not allow a forced tool with thinking); both fail before sending.
 *   <li>{@link AnthropicOptions}: thinking, {@code top_k}, {@code metadata.user_id}, {@code
 *       cache_control} breakpoints and extra fields, which replace fields of the same name ({@code
 *       null} removes the field).
 * </ul>
 *
 * Requests Anthropic would reject for sure (temperature above 1, the combinations above, tool-call
 * arguments that are not a JSON object) fail with an {@link IllegalArgumentException} naming the
 * field, which the provider reports as an invalid request. Stateless and thread-safe. Not API.
 */
public final class AnthropicRequestWriter {
  /** The name of the tool that carries a {@link ResponseFormat.Type#JSON_OBJECT} answer. */
  public static final String JSON_OBJECT_TOOL = "json_object";

  private AnthropicRequestWriter() {}

  /**
   * The name of the tool through which the answer comes back as JSON text (see the quirk above),
   * or {@code null} when the request asks for no JSON format.
   */
  public static String schemaTool(ChatRequest request) {
    ResponseFormat format = request.responseFormat().orElse(null);
    if (format == null) {
      return null;
    }
    switch (format.type()) {
      case JSON_SCHEMA:
        return format.schemaName().orElseThrow();
      case JSON_OBJECT:
        return JSON_OBJECT_TOOL;
      default:
        return null;
    }
  }

  /** The body for {@code request}; {@code stream} adds {@code "stream": true}. */
  public static byte[] write(ChatRequest request, boolean stream, int defaultMaxTokens) {
    AnthropicOptions options = request.tag(AnthropicOptions.class).orElse(null);
    Map<String, String> extras = options == null ? Map.of() : options.extraFields();
    Integer thinking = options != null && options.thinkingBudgetTokens().isPresent()
        ? options.thinkingBudgetTokens().getAsInt() : null;
    String schemaTool = schemaTool(request);
    validate(request, schemaTool, thinking);
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.model());
      if (!extras.containsKey("max_tokens")) {
        int max = request.maxOutputTokens().orElse(thinking == null ? defaultMaxTokens : thinking + defaultMaxTokens);
        g.writeNumberField("max_tokens", max);
      }
      if (!extras.containsKey("system")) {
        writeSystem(g, request.messages(), options != null && options.cacheSystem());
      }
      writeMessages(g, request.messages(), options != null && options.cacheConversation());
      boolean cacheTools = options != null && options.cacheTools();
      if (schemaTool != null) {
        writeSchemaTools(g, request, schemaTool, extras, cacheTools);
      } else if (!request.tools().isEmpty()) {
        if (!extras.containsKey("tools")) {
          writeTools(g, request.tools(), null, cacheTools);
        }
        if (!extras.containsKey("tool_choice")) {
          writeToolChoice(g, request.toolChoice().orElse(null), request.parallelToolCalls().orElse(true));
        }
      }
      if (request.temperature().isPresent() && !extras.containsKey("temperature")) {
        g.writeNumberField("temperature", request.temperature().get());
      }
      if (request.topP().isPresent() && !extras.containsKey("top_p")) {
        g.writeNumberField("top_p", request.topP().get());
      }
      if (options != null && options.topK().isPresent() && !extras.containsKey("top_k")) {
        g.writeNumberField("top_k", options.topK().getAsInt());
      }
      if (!request.stop().isEmpty() && !extras.containsKey("stop_sequences")) {
        g.writeArrayFieldStart("stop_sequences");
        for (String s : request.stop()) {
          g.writeString(s);
        }
        g.writeEndArray();
      }
      if (options != null && options.userId().isPresent() && !extras.containsKey("metadata")) {
        g.writeObjectFieldStart("metadata");
        g.writeStringField("user_id", options.userId().get());
        g.writeEndObject();
      }
      if (thinking != null && !extras.containsKey("thinking")) {
        g.writeObjectFieldStart("thinking");
        g.writeStringField("type", "enabled");
        g.writeNumberField("budget_tokens", thinking);
        g.writeEndObject();
      }
      if (stream) {
        g.writeBooleanField("stream", true);
      }
      for (Map.Entry<String, String> e : extras.entrySet()) {
        if (e.getValue().trim().equals("null")) {
          continue; // removes the field
        }
        g.writeFieldName(e.getKey());
        copyJson(g, e.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the Anthropic request body", e);
    }
    return out.toByteArray();
  }

  private static void validate(ChatRequest request, String schemaTool, Integer thinking) {
    if (request.choices() > 1) {
      throw new IllegalArgumentException("Anthropic's Messages API gives one answer per request, so ChatRequest.choices("
          + request.choices() + ") cannot be sent; make " + request.choices() + " requests instead");
    }
    if (request.temperature().isPresent() && request.temperature().get() > 1) {
      throw new IllegalArgumentException("temperature must be within [0, 1] for Anthropic, got "
          + request.temperature().get());
    }
    ToolChoice.Mode choice = request.toolChoice().map(ToolChoice::mode).orElse(ToolChoice.Mode.AUTO);
    boolean forcedByCaller = !request.tools().isEmpty()
        && (choice == ToolChoice.Mode.REQUIRED || choice == ToolChoice.Mode.NAMED);
    if (schemaTool != null) {
      if (forcedByCaller) {
        throw new IllegalArgumentException("a JSON response format cannot be combined with toolChoice "
            + request.toolChoice().get() + " on Anthropic: the format is itself a forced tool. Use ToolChoice.AUTO, "
            + "or drop the response format");
      }
      for (ToolSpec tool : request.tools()) {
        if (tool.name().equals(schemaTool)) {
          throw new IllegalArgumentException("tool '" + schemaTool + "' has the name of the JSON response format, "
              + "which Anthropic receives as a tool of that name; rename the tool or the schema");
        }
      }
    }
    if (thinking != null) {
      if (schemaTool != null || forcedByCaller) {
        throw new IllegalArgumentException("thinking cannot be combined with "
            + (schemaTool != null ? "a JSON response format (a forced tool on Anthropic)" : "toolChoice "
            + request.toolChoice().get()) + ": Anthropic allows only tool choice auto or none with thinking");
      }
      if (request.maxOutputTokens().isPresent() && request.maxOutputTokens().get() <= thinking) {
        throw new IllegalArgumentException("maxOutputTokens (" + request.maxOutputTokens().get()
            + ") must exceed the thinking budget (" + thinking + "), since thinking counts towards it");
      }
    }
  }

  // ---- system and messages ----

  private static void writeSystem(JsonGenerator g, List<Message> messages, boolean cache) throws IOException {
    List<String> parts = new ArrayList<>();
    for (Message m : messages) {
      if (m.role() == Role.SYSTEM && !m.text().isEmpty()) {
        parts.add(m.text());
      }
    }
    if (parts.isEmpty()) {
      return;
    }
    if (parts.size() == 1 && !cache) {
      g.writeStringField("system", parts.get(0));
      return;
    }
    g.writeArrayFieldStart("system");
    for (int i = 0; i < parts.size(); i++) {
      g.writeStartObject();
      g.writeStringField("type", "text");
      g.writeStringField("text", parts.get(i));
      if (cache && i == parts.size() - 1) {
        writeCacheControl(g);
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** One content block of a turn. */
  private sealed interface Block permits Thought, Text, Image, ToolUse, ToolResult {}

  /** A reasoning block sent back as it came: thinking with its signature, or redacted_thinking. */
  private record Thought(Message.Thinking thinking) implements Block {}

  private record Text(String text) implements Block {}

  private record Image(ContentPart.Image image) implements Block {}

  private record ToolUse(ToolCall call) implements Block {}

  private record ToolResult(String toolUseId, String content) implements Block {}

  /** A turn of one side; a user turn's tool results go first. */
  private static final class Turn {
    final String role;
    final List<Block> results = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();

    Turn(String role) {
      this.role = role;
    }

    List<Block> all() {
      List<Block> all = new ArrayList<>(results);
      all.addAll(blocks);
      return all;
    }
  }

  private static List<Turn> turns(List<Message> messages) {
    List<Turn> turns = new ArrayList<>();
    for (Message m : messages) {
      if (m.role() == Role.SYSTEM) {
        continue;
      }
      String role = m.role() == Role.ASSISTANT ? "assistant" : "user";
      Turn turn = turns.isEmpty() ? null : turns.get(turns.size() - 1);
      if (turn == null || !turn.role.equals(role)) {
        turn = new Turn(role);
        turns.add(turn);
      }
      if (m.role() == Role.TOOL) {
        turn.results.add(new ToolResult(m.toolCallId().orElseThrow(), m.text()));
        continue;
      }
      for (Message.Thinking thinking : m.thinking()) {
        // Anthropic needs the signed thinking of the turn that called a tool back; unsigned text it would refuse
        if (thinking.isRedacted() || thinking.signature() != null) {
          turn.blocks.add(new Thought(thinking));
        }
      }
      for (ContentPart part : m.parts()) {
        if (part instanceof ContentPart.Text t) {
          if (!t.text().isEmpty()) {
            turn.blocks.add(new Text(t.text()));
          }
        } else if (part instanceof ContentPart.Image image) {
          turn.blocks.add(new Image(image));
        }
      }
      for (ToolCall call : m.toolCalls()) {
        turn.blocks.add(new ToolUse(call));
      }
    }
    return turns;
  }

  private static void writeMessages(JsonGenerator g, List<Message> messages, boolean cacheLast) throws IOException {
    List<Turn> turns = turns(messages);
    g.writeArrayFieldStart("messages");
    for (int t = 0; t < turns.size(); t++) {
      Turn turn = turns.get(t);
      boolean cache = cacheLast && t == turns.size() - 1;
      List<Block> blocks = turn.all();
      g.writeStartObject();
      g.writeStringField("role", turn.role);
      if (blocks.isEmpty()) {
        g.writeStringField("content", "");
      } else if (blocks.size() == 1 && blocks.get(0) instanceof Text text && !cache) {
        g.writeStringField("content", text.text());
      } else {
        g.writeArrayFieldStart("content");
        for (int i = 0; i < blocks.size(); i++) {
          writeBlock(g, blocks.get(i), cache && i == blocks.size() - 1);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeBlock(JsonGenerator g, Block block, boolean cache) throws IOException {
    g.writeStartObject();
    if (block instanceof Thought thought) {
      Message.Thinking t = thought.thinking();
      if (t.isRedacted()) {
        g.writeStringField("type", "redacted_thinking");
        g.writeStringField("data", t.redactedData());
      } else {
        g.writeStringField("type", "thinking");
        g.writeStringField("thinking", t.text());
        g.writeStringField("signature", t.signature());
      }
    } else if (block instanceof Text text) {
      g.writeStringField("type", "text");
      g.writeStringField("text", text.text());
    } else if (block instanceof Image image) {
      writeImage(g, image.image());
    } else if (block instanceof ToolUse use) {
      ToolCall call = use.call();
      g.writeStringField("type", "tool_use");
      g.writeStringField("id", call.id());
      g.writeStringField("name", call.name());
      g.writeFieldName("input");
      writeInput(g, call);
    } else if (block instanceof ToolResult result) {
      g.writeStringField("type", "tool_result");
      g.writeStringField("tool_use_id", result.toolUseId());
      g.writeStringField("content", result.content());
    }
    if (cache) {
      writeCacheControl(g);
    }
    g.writeEndObject();
  }

  private static void writeImage(JsonGenerator g, ContentPart.Image image) throws IOException {
    g.writeStringField("type", "image");
    g.writeObjectFieldStart("source");
    String url = image.url();
    String mediaType = image.mediaType();
    String data = image.base64Data();
    if (url != null && url.regionMatches(true, 0, "data:", 0, 5)) {
      // A data: URL is inline data, which Anthropic takes only as a base64 source.
      int comma = url.indexOf(',');
      String meta = comma < 0 ? "" : url.substring(5, comma);
      if (comma < 0 || !meta.toLowerCase(java.util.Locale.ROOT).endsWith(";base64")) {
        throw new IllegalArgumentException("image data URLs must be base64-encoded (data:<type>;base64,...) for "
            + "Anthropic, got one starting " + WireJson.excerpt(url, 40));
      }
      mediaType = meta.substring(0, meta.length() - ";base64".length());
      data = url.substring(comma + 1);
      url = null;
    }
    if (url != null) {
      g.writeStringField("type", "url");
      g.writeStringField("url", url);
    } else {
      g.writeStringField("type", "base64");
      g.writeStringField("media_type", mediaType);
      g.writeStringField("data", data);
    }
    g.writeEndObject();
  }

  /** The arguments object, copied exactly; blank arguments (a call without parameters) as {@code {}}. */
  private static void writeInput(JsonGenerator g, ToolCall call) throws IOException {
    String args = call.argumentsJson();
    if (args.isBlank()) {
      g.writeStartObject();
      g.writeEndObject();
      return;
    }
    JsonNode parsed;
    try {
      parsed = WireJson.MAPPER.readTree(args);
    } catch (IOException e) {
      parsed = null;
    }
    if (parsed == null || !parsed.isObject()) {
      throw new IllegalArgumentException("the arguments of tool call '" + call.id() + "' (" + call.name()
          + ") are not a JSON object, which Anthropic requires as tool_use input: '" + WireJson.excerpt(args, 80) + "'");
    }
    copyJson(g, args);
  }

  private static void writeCacheControl(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("cache_control");
    g.writeStringField("type", "ephemeral");
    g.writeEndObject();
  }

  // ---- tools ----

  private static void writeTools(JsonGenerator g, List<ToolSpec> tools, ToolSpec extra, boolean cache)
      throws IOException {
    g.writeArrayFieldStart("tools");
    int count = tools.size() + (extra == null ? 0 : 1);
    int i = 0;
    for (ToolSpec tool : tools) {
      writeTool(g, tool.name(), tool.description(), tool.parametersJsonSchema(), cache && ++i == count);
    }
    if (extra != null) {
      writeTool(g, extra.name(), extra.description(), extra.parametersJsonSchema(), cache);
    }
    g.writeEndArray();
  }

  private static void writeTool(JsonGenerator g, String name, String description, String schema, boolean cache)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    if (!description.isEmpty()) {
      g.writeStringField("description", description);
    }
    g.writeFieldName("input_schema");
    copyJson(g, schema);
    if (cache) {
      writeCacheControl(g);
    }
    g.writeEndObject();
  }

  private static void writeSchemaTools(JsonGenerator g, ChatRequest request, String schemaTool,
      Map<String, String> extras, boolean cache) throws IOException {
    ResponseFormat format = request.responseFormat().orElseThrow();
    String schema = format.type() == ResponseFormat.Type.JSON_SCHEMA ? format.jsonSchema().orElseThrow()
        : "{\"type\":\"object\"}";
    String description = format.type() == ResponseFormat.Type.JSON_SCHEMA
        ? "Give your final answer by calling this tool: its input is the answer, a JSON object matching the schema '"
            + schemaTool + "'."
        : "Give your final answer by calling this tool: its input is the answer, as a JSON object.";
    ToolSpec answer = ToolSpec.builder().name(schemaTool).description(description).parametersJsonSchema(schema)
        .build();
    boolean none = request.toolChoice().map(c -> c.mode() == ToolChoice.Mode.NONE).orElse(false);
    List<ToolSpec> own = none ? List.of() : request.tools();
    if (!extras.containsKey("tools")) {
      writeTools(g, own, answer, cache);
    }
    if (!extras.containsKey("tool_choice")) {
      g.writeObjectFieldStart("tool_choice");
      if (own.isEmpty()) {
        g.writeStringField("type", "tool");
        g.writeStringField("name", schemaTool);
        g.writeBooleanField("disable_parallel_tool_use", true);
      } else {
        // The caller's tools stay callable; the model must call some tool, the answer tool to answer.
        g.writeStringField("type", "any");
        if (!request.parallelToolCalls().orElse(true)) {
          g.writeBooleanField("disable_parallel_tool_use", true);
        }
      }
      g.writeEndObject();
    }
  }

  private static void writeToolChoice(JsonGenerator g, ToolChoice choice, boolean parallel) throws IOException {
    if (choice == null && parallel) {
      return;
    }
    ToolChoice.Mode mode = choice == null ? ToolChoice.Mode.AUTO : choice.mode();
    g.writeObjectFieldStart("tool_choice");
    switch (mode) {
      case NONE -> g.writeStringField("type", "none");
      case REQUIRED -> g.writeStringField("type", "any");
      case NAMED -> {
        g.writeStringField("type", "tool");
        g.writeStringField("name", choice.toolName().orElseThrow());
      }
      default -> g.writeStringField("type", "auto");
    }
    if (!parallel && mode != ToolChoice.Mode.NONE) {
      g.writeBooleanField("disable_parallel_tool_use", true);
    }
    g.writeEndObject();
  }

  /** Copies one JSON value from its text, token by token, numbers exactly. */
  private static void copyJson(JsonGenerator g, String json) throws IOException {
    try (JsonParser p = WireJson.FACTORY.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        g.writeNull();
        return;
      }
      g.copyCurrentStructureExact(p);
    }
  }
}
