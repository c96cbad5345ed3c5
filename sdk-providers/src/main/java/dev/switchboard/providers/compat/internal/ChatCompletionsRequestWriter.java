package dev.switchboard.providers.compat.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.compat.ChatCompletionsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a {@link ChatRequest} as an OpenAI {@code POST /chat/completions} body, with a Jackson
 * {@link JsonGenerator} straight to bytes.
 *
 * <p>Choices worth knowing:
 *
 * <ul>
 *   <li>The output limit goes out as {@code max_tokens} unless {@code maxCompletionTokens} is set:
 *       OpenAI deprecated {@code max_tokens} and its reasoning models accept only {@code
 *       max_completion_tokens}, but most OpenAI-compatible servers (vLLM, llama.cpp, TGI, many
 *       aggregators) know only {@code max_tokens}. The OpenAI provider turns the newer name on for
 *       {@code api.openai.com} by default.
 *   <li>{@code tool_choice} and {@code parallel_tool_calls} are sent only together with tools:
 *       OpenAI rejects them without {@code tools}.
 *   <li>User content is a plain string when it is a single text part, and a parts array ({@code
 *       text} / {@code image_url}) otherwise, since many servers accept only the string form.
 *   <li>Tool parameter schemas and extra fields are copied token by token, so they are valid JSON in
 *       the body whatever their text looked like, and their numbers keep every digit.
 *   <li>The request's {@link ChatCompletionsOptions} (found by {@link #options}) supply the
 *       protocol's extra fields; {@link ChatCompletionsOptions#extraFields()} replace fields of the
 *       same name, and a JSON {@code null} removes the field.
 *   <li>What differs between servers comes from the {@link ChatCompletionsDialect}: the output-limit name,
 *       {@code stream_options}, {@code messages[].name}, and where the thinking switch goes.
 *   <li>Assistant turns never carry reasoning ({@code reasoning_content}): DeepSeek rejects it in
 *       input messages, and no server needs it back from Switchboard.
 * </ul>
 *
 * Stateless and thread-safe. Not API.
 */
public final class ChatCompletionsRequestWriter {
  /** Fields an extra field may not replace, since the adapter depends on them. */
  private static final Set<String> RESERVED = Set.of("model", "messages", "stream");

  private ChatCompletionsRequestWriter() {}

  /**
   * The request's chat-completions options: the one tag whose value implements {@link
   * ChatCompletionsOptions}, whatever class it is keyed by (usually {@code OpenAiOptions.class}).
   *
   * @throws IllegalArgumentException if two tags implement it
   */
  public static Optional<ChatCompletionsOptions> options(ChatRequest request) {
    ChatCompletionsOptions found = null;
    List<String> keys = new ArrayList<>();
    for (Map.Entry<Class<?>, Object> tag : request.tags().entrySet()) {
      if (tag.getValue() instanceof ChatCompletionsOptions options) {
        found = options;
        keys.add(tag.getKey().getSimpleName());
      }
    }
    if (keys.size() > 1) {
      throw new IllegalArgumentException("the request carries " + keys.size() + " chat-completions option tags "
          + keys + "; their fields would collide, so merge them into one");
    }
    return Optional.ofNullable(found);
  }

  /**
   * The body for {@code request} to a generic server; {@code stream} adds {@code "stream":true} and
   * {@code stream_options.include_usage}, so the last chunk reports usage.
   */
  public static byte[] write(ChatRequest request, boolean stream, boolean maxCompletionTokens) {
    return write(request, stream, ChatCompletionsDialect.generic(maxCompletionTokens));
  }

  /**
   * The body for {@code request} in {@code dialect}.
   *
   * @throws IllegalArgumentException if the request asks for something the dialect cannot say
   *     (a thinking switch for a vendor without one)
   */
  public static byte[] write(ChatRequest request, boolean stream, ChatCompletionsDialect dialect) {
    ChatCompletionsOptions options = options(request).orElse(null);
    Map<String, String> extras = options == null ? Map.of() : options.extraFields();
    for (String name : extras.keySet()) {
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("the extra field '" + name + "' cannot be sent: the adapter writes it "
            + "from the ChatRequest (reserved: " + RESERVED + ")");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.model());
      writeMessages(g, request.messages(), dialect.messageNames(), dialect.reasoningOnToolTurns());
      boolean hasTools = !request.tools().isEmpty();
      if (hasTools && !extras.containsKey("tools")) {
        writeTools(g, request.tools());
      }
      if (hasTools && request.toolChoice().isPresent() && !extras.containsKey("tool_choice")) {
        writeToolChoice(g, request.toolChoice().get());
      }
      if (hasTools && request.parallelToolCalls().isPresent() && !extras.containsKey("parallel_tool_calls")) {
        g.writeBooleanField("parallel_tool_calls", request.parallelToolCalls().get());
      }
      if (request.responseFormat().isPresent() && !extras.containsKey("response_format")) {
        writeResponseFormat(g, request.responseFormat().get());
      }
      if (request.temperature().isPresent() && !extras.containsKey("temperature")) {
        g.writeNumberField("temperature", request.temperature().get());
      }
      if (request.topP().isPresent() && !extras.containsKey("top_p")) {
        g.writeNumberField("top_p", request.topP().get());
      }
      String maxField = dialect.maxCompletionTokens() ? "max_completion_tokens" : "max_tokens";
      if (request.maxOutputTokens().isPresent() && !extras.containsKey(maxField)) {
        g.writeNumberField(maxField, request.maxOutputTokens().get());
      }
      if (!request.stop().isEmpty() && !extras.containsKey("stop")) {
        g.writeArrayFieldStart("stop");
        for (String s : request.stop()) {
          g.writeString(s);
        }
        g.writeEndArray();
      }
      if (request.choices() > 1 && !extras.containsKey("n")) {
        g.writeNumberField("n", request.choices());
      }
      if (request.seed().isPresent() && !extras.containsKey("seed")) {
        g.writeNumberField("seed", request.seed().get());
      }
      if (stream) {
        g.writeBooleanField("stream", true);
        if (dialect.streamUsageOption() && !extras.containsKey("stream_options")) {
          g.writeObjectFieldStart("stream_options");
          g.writeBooleanField("include_usage", true);
          g.writeEndObject();
        }
      }
      writeThinking(g, options == null ? null : options.thinking().orElse(null), stream, dialect, extras);
      if (options != null) {
        writeOptions(g, options, extras);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the chat-completions request body", e);
    }
    return out.toByteArray();
  }

  /** The readable reasoning of an assistant turn: its thinking blocks' text, redacted ones left out. */
  private static String thinkingText(Message m) {
    StringBuilder text = new StringBuilder();
    for (Message.Thinking t : m.thinking()) {
      if (!t.isRedacted()) {
        text.append(t.text());
      }
    }
    return text.toString();
  }

  private static void writeMessages(JsonGenerator g, List<Message> messages, boolean names, boolean reasoningOnToolTurns)
      throws IOException {
    g.writeArrayFieldStart("messages");
    for (Message m : messages) {
      g.writeStartObject();
      switch (m.role()) {
        case SYSTEM -> {
          g.writeStringField("role", "system");
          g.writeStringField("content", m.text());
        }
        case USER -> {
          g.writeStringField("role", "user");
          writeContent(g, m);
        }
        case ASSISTANT -> {
          g.writeStringField("role", "assistant");
          if (m.hasImages()) {
            writeContent(g, m);
          } else if (!m.text().isEmpty() || m.toolCalls().isEmpty()) {
            // content may be left out only when tool_calls are present
            g.writeStringField("content", m.text());
          }
          if (reasoningOnToolTurns && !m.toolCalls().isEmpty()) {
            String reasoning = thinkingText(m);
            if (!reasoning.isEmpty()) {
              g.writeStringField("reasoning_content", reasoning);
            }
          }
          if (!m.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : m.toolCalls()) {
              g.writeStartObject();
              g.writeStringField("id", call.id());
              g.writeStringField("type", "function");
              g.writeObjectFieldStart("function");
              g.writeStringField("name", call.name());
              g.writeStringField("arguments", call.argumentsJson());
              g.writeEndObject();
              g.writeEndObject();
            }
            g.writeEndArray();
          }
        }
        case TOOL -> {
          g.writeStringField("role", "tool");
          g.writeStringField("tool_call_id", m.toolCallId().orElseThrow());
          g.writeStringField("content", m.text());
        }
        default -> throw new IllegalStateException("unknown role " + m.role());
      }
      if (names && m.name().isPresent() && m.role() != dev.switchboard.Role.TOOL) {
        g.writeStringField("name", m.name().get());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeContent(JsonGenerator g, Message m) throws IOException {
    List<ContentPart> parts = m.parts();
    if (!m.hasImages() && parts.size() <= 1) {
      g.writeStringField("content", m.text());
      return;
    }
    g.writeArrayFieldStart("content");
    for (ContentPart part : parts) {
      g.writeStartObject();
      if (part instanceof ContentPart.Text t) {
        g.writeStringField("type", "text");
        g.writeStringField("text", t.text());
      } else if (part instanceof ContentPart.Image image) {
        g.writeStringField("type", "image_url");
        g.writeObjectFieldStart("image_url");
        g.writeStringField("url", image.asUrl());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeTools(JsonGenerator g, List<ToolSpec> tools) throws IOException {
    g.writeArrayFieldStart("tools");
    for (ToolSpec tool : tools) {
      g.writeStartObject();
      g.writeStringField("type", "function");
      g.writeObjectFieldStart("function");
      g.writeStringField("name", tool.name());
      if (!tool.description().isEmpty()) {
        g.writeStringField("description", tool.description());
      }
      g.writeFieldName("parameters");
      copyJson(g, tool.parametersJsonSchema());
      if (tool.strict()) {
        g.writeBooleanField("strict", true);
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeToolChoice(JsonGenerator g, ToolChoice choice) throws IOException {
    switch (choice.mode()) {
      case AUTO -> g.writeStringField("tool_choice", "auto");
      case NONE -> g.writeStringField("tool_choice", "none");
      case REQUIRED -> g.writeStringField("tool_choice", "required");
      case NAMED -> {
        g.writeObjectFieldStart("tool_choice");
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", choice.toolName().orElseThrow());
        g.writeEndObject();
        g.writeEndObject();
      }
      default -> throw new IllegalStateException("unknown tool choice " + choice);
    }
  }

  private static void writeResponseFormat(JsonGenerator g, ResponseFormat format) throws IOException {
    g.writeObjectFieldStart("response_format");
    switch (format.type()) {
      case TEXT -> g.writeStringField("type", "text");
      case JSON_OBJECT -> g.writeStringField("type", "json_object");
      case JSON_SCHEMA -> {
        g.writeStringField("type", "json_schema");
        g.writeObjectFieldStart("json_schema");
        g.writeStringField("name", format.schemaName().orElseThrow());
        g.writeFieldName("schema");
        copyJson(g, format.jsonSchema().orElseThrow());
        g.writeBooleanField("strict", format.strict());
        g.writeEndObject();
      }
      default -> throw new IllegalStateException("unknown response format " + format);
    }
    g.writeEndObject();
  }

  private static void writeThinking(JsonGenerator g, Boolean thinking, boolean stream, ChatCompletionsDialect dialect,
      Map<String, String> extras) throws IOException {
    if (thinking == null) {
      if (dialect.noThinkingWithoutStream() && !stream && !extras.containsKey("enable_thinking")) {
        g.writeBooleanField("enable_thinking", false);
      }
      return;
    }
    switch (dialect.thinking()) {
      case ENABLE_THINKING -> {
        if (!extras.containsKey("enable_thinking")) {
          g.writeBooleanField("enable_thinking", thinking);
        }
      }
      case TYPE_OBJECT -> {
        if (!extras.containsKey("thinking")) {
          g.writeObjectFieldStart("thinking");
          g.writeStringField("type", thinking ? "enabled" : "disabled");
          g.writeEndObject();
        }
      }
      case REASONING_OBJECT -> {
        if (!extras.containsKey("reasoning")) {
          g.writeObjectFieldStart("reasoning");
          g.writeBooleanField("enabled", thinking);
          g.writeEndObject();
        }
      }
      case CHAT_TEMPLATE_KWARGS -> {
        if (!extras.containsKey("chat_template_kwargs")) {
          g.writeObjectFieldStart("chat_template_kwargs");
          g.writeBooleanField("enable_thinking", thinking);
          g.writeEndObject();
        }
      }
      default -> throw new IllegalArgumentException("OpenAiOptions.thinking is set, but " + dialect.vendor()
          + " has no switch for thinking; use OpenAiOptions.reasoningEffort(...) for reasoning models, or "
          + "OpenAiOptions.extraField(...) for a field the server documents");
    }
  }

  private static void writeOptions(JsonGenerator g, ChatCompletionsOptions options, Map<String, String> extras)
      throws IOException {
    if (options.user().isPresent() && !extras.containsKey("user")) {
      g.writeStringField("user", options.user().get());
    }
    if (options.serviceTier().isPresent() && !extras.containsKey("service_tier")) {
      g.writeStringField("service_tier", options.serviceTier().get());
    }
    if (options.reasoningEffort().isPresent() && !extras.containsKey("reasoning_effort")) {
      g.writeStringField("reasoning_effort", options.reasoningEffort().get());
    }
    if (!options.logitBias().isEmpty() && !extras.containsKey("logit_bias")) {
      g.writeObjectFieldStart("logit_bias");
      for (Map.Entry<Integer, Integer> e : options.logitBias().entrySet()) {
        g.writeNumberField(Integer.toString(e.getKey()), e.getValue());
      }
      g.writeEndObject();
    }
    for (Map.Entry<String, String> e : extras.entrySet()) {
      if (e.getValue().trim().equals("null")) {
        continue; // removes the field
      }
      g.writeFieldName(e.getKey());
      copyJson(g, e.getValue());
    }
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
