package dev.switchboard.providers.ollama.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.ollama.OllamaOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Ollama's native request bodies ({@code POST /api/chat}, {@code POST /api/embed}) with a
 * Jackson {@link JsonGenerator} straight to bytes.
 *
 * <p>Choices worth knowing:
 *
 * <ul>
 *   <li>{@code stream} is always written: Ollama streams when it is missing.
 *   <li>Sampling goes into {@code options}: {@code temperature}, {@code top_p}, {@code num_predict}
 *       (from {@code maxOutputTokens}), {@code stop}, {@code seed}; then {@link OllamaOptions}
 *       ({@code num_ctx}, {@code top_k}, {@code repeat_penalty}, overrides, extra options), each
 *       replacing a value of the same name.
 *   <li>{@code format} is {@code "json"} for {@link ResponseFormat#JSON_OBJECT} and the bare schema
 *       for {@link ResponseFormat.Type#JSON_SCHEMA} (Ollama has no schema name or strict flag).
 *   <li>Images go as a base64 {@code images} list; a {@code data:} URL is unpacked, any other URL
 *       is an {@link InvalidRequestException}: Ollama does not fetch images.
 *   <li>Earlier tool calls go back with their arguments as a JSON object (Ollama rejects a string);
 *       a tool result names its tool in {@code tool_name}, found through the id of the call it
 *       answers.
 *   <li>Ollama has no {@code tool_choice}: {@link ToolChoice#NONE} sends no tools, a named choice
 *       sends only that tool, {@link ToolChoice#REQUIRED} cannot be enforced and sends them all.
 *       {@code parallelToolCalls} has no counterpart and is left out.
 *   <li>Schemas, arguments and extra options are copied token by token, numbers exactly.
 * </ul>
 *
 * Stateless and thread-safe. Not API.
 */
public final class OllamaRequestWriter {
  private OllamaRequestWriter() {}

  /**
   * The {@code /api/chat} body for {@code request}.
   *
   * @param defaultKeepAlive the provider's {@code keep_alive}, or {@code null}; the request's
   *     {@link OllamaOptions#keepAlive()} wins
   * @throws InvalidRequestException for what Ollama cannot take (an image by URL, tool arguments
   *     that are not a JSON object)
   */
  public static byte[] chat(ChatRequest request, boolean stream, String defaultKeepAlive, String provider) {
    if (request.choices() > 1) {
      throw new InvalidRequestException(provider + " cannot give several answers to one request for model '"
          + request.model() + "': Ollama's /api/chat has no n, so ChatRequest.choices(" + request.choices()
          + ") cannot be sent; make " + request.choices() + " requests instead",
          dev.switchboard.ErrorDetails.of(provider, request.model()));
    }
    OllamaOptions options = request.tag(OllamaOptions.class).orElse(null);
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.model());
      writeMessages(g, request, provider);
      List<ToolSpec> tools = toolsToSend(request);
      if (!tools.isEmpty()) {
        writeTools(g, tools);
      }
      if (request.responseFormat().isPresent()) {
        writeFormat(g, request.responseFormat().get());
      }
      ObjectNode sampling = sampling(request, options);
      if (!sampling.isEmpty()) {
        g.writeFieldName("options");
        WireJson.MAPPER.writeTree(g, sampling);
      }
      g.writeBooleanField("stream", stream);
      writeKeepAlive(g, options, defaultKeepAlive);
      if (options != null && options.think().isPresent()) {
        g.writeBooleanField("think", options.think().get());
      } else if (options != null && options.thinkLevel().isPresent()) {
        g.writeStringField("think", options.thinkLevel().get());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the Ollama chat request body", e);
    }
    return out.toByteArray();
  }

  /** The {@code /api/embed} body: {@code model}, {@code input} (always a list), {@code dimensions}, {@code options}, {@code keep_alive}. */
  public static byte[] embed(EmbeddingRequest request, String defaultKeepAlive) {
    OllamaOptions options = request.tag(OllamaOptions.class).orElse(null);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.model());
      g.writeArrayFieldStart("input");
      for (String input : request.inputs()) {
        g.writeString(input);
      }
      g.writeEndArray();
      if (request.dimensions().isPresent()) {
        g.writeNumberField("dimensions", request.dimensions().get());
      }
      if (options != null) {
        ObjectNode o = WireJson.MAPPER.createObjectNode();
        addOptions(o, options);
        if (!o.isEmpty()) {
          g.writeFieldName("options");
          WireJson.MAPPER.writeTree(g, o);
        }
      }
      writeKeepAlive(g, options, defaultKeepAlive);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the Ollama embed request body", e);
    }
    return out.toByteArray();
  }

  // ---- messages ----

  private static void writeMessages(JsonGenerator g, ChatRequest request, String provider) throws IOException {
    Map<String, String> toolNames = new HashMap<>();
    for (Message m : request.messages()) {
      for (ToolCall call : m.toolCalls()) {
        toolNames.put(call.id(), call.name());
      }
    }
    g.writeArrayFieldStart("messages");
    for (Message m : request.messages()) {
      g.writeStartObject();
      switch (m.role()) {
        case SYSTEM -> g.writeStringField("role", "system");
        case USER -> g.writeStringField("role", "user");
        case ASSISTANT -> g.writeStringField("role", "assistant");
        case TOOL -> g.writeStringField("role", "tool");
        default -> throw new IllegalStateException("unknown role " + m.role());
      }
      g.writeStringField("content", m.text());
      if (m.hasImages()) {
        writeImages(g, m, request.model(), provider);
      }
      if (!m.toolCalls().isEmpty()) {
        g.writeArrayFieldStart("tool_calls");
        for (ToolCall call : m.toolCalls()) {
          g.writeStartObject();
          g.writeObjectFieldStart("function");
          g.writeStringField("name", call.name());
          g.writeFieldName("arguments");
          writeArguments(g, call, request.model(), provider);
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      if (m.role() == dev.switchboard.Role.TOOL) {
        String name = m.name().orElseGet(() -> toolNames.get(m.toolCallId().orElse("")));
        if (name != null) {
          g.writeStringField("tool_name", name);
        }
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeImages(JsonGenerator g, Message m, String model, String provider) throws IOException {
    g.writeArrayFieldStart("images");
    for (ContentPart part : m.parts()) {
      if (part instanceof ContentPart.Image image) {
        g.writeString(base64(image, model, provider));
      }
    }
    g.writeEndArray();
  }

  private static String base64(ContentPart.Image image, String model, String provider) {
    if (image.base64Data() != null) {
      return image.base64Data();
    }
    String url = image.url();
    int comma = url.indexOf(',');
    if (url.regionMatches(true, 0, "data:", 0, 5) && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
      return url.substring(comma + 1);
    }
    throw new InvalidRequestException(provider + " cannot send an image by URL to model '" + model + "' ("
        + WireJson.excerpt(url, 80) + "): Ollama needs the image bytes inline and does not fetch URLs. Download the image "
        + "and pass ContentPart.imageBytes(bytes, mediaType) instead.", ErrorDetails.of(provider, model));
  }

  /** The arguments as a JSON object, copied exactly; "" is {@code {}}. */
  private static void writeArguments(JsonGenerator g, ToolCall call, String model, String provider)
      throws IOException {
    String json = call.argumentsJson();
    if (json.isBlank()) {
      g.writeStartObject();
      g.writeEndObject();
      return;
    }
    JsonNode parsed;
    try {
      parsed = WireJson.MAPPER.readTree(json);
    } catch (IOException | RuntimeException e) {
      parsed = null;
    }
    if (parsed == null || !parsed.isObject()) {
      throw new InvalidRequestException(provider + " cannot send the earlier tool call '" + call.name() + "' (id "
          + call.id() + ") back to model '" + model + "': Ollama needs its arguments as a JSON object, got: '"
          + WireJson.excerpt(json, 80) + "'. Repair the arguments in the conversation or drop that turn.",
          ErrorDetails.of(provider, model));
    }
    copyJson(g, json);
  }

  // ---- tools, format, options ----

  private static List<ToolSpec> toolsToSend(ChatRequest request) {
    List<ToolSpec> tools = request.tools();
    ToolChoice choice = request.toolChoice().orElse(ToolChoice.AUTO);
    switch (choice.mode()) {
      case NONE:
        return List.of();
      case NAMED: {
        String name = choice.toolName().orElseThrow();
        List<ToolSpec> named = tools.stream().filter(t -> t.name().equals(name)).toList();
        return named.isEmpty() ? tools : named;
      }
      default:
        return tools;
    }
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
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeFormat(JsonGenerator g, ResponseFormat format) throws IOException {
    switch (format.type()) {
      case JSON_OBJECT -> g.writeStringField("format", "json");
      case JSON_SCHEMA -> {
        g.writeFieldName("format");
        copyJson(g, format.jsonSchema().orElseThrow());
      }
      default -> {
        // TEXT: Ollama's default
      }
    }
  }

  private static ObjectNode sampling(ChatRequest request, OllamaOptions options) {
    ObjectNode o = WireJson.MAPPER.createObjectNode();
    request.temperature().ifPresent(t -> o.put("temperature", t));
    request.topP().ifPresent(p -> o.put("top_p", p));
    request.maxOutputTokens().ifPresent(n -> o.put("num_predict", n));
    if (!request.stop().isEmpty()) {
      var stop = o.putArray("stop");
      request.stop().forEach(stop::add);
    }
    request.seed().ifPresent(s -> o.put("seed", s));
    if (options != null) {
      addOptions(o, options);
    }
    return o;
  }

  private static void addOptions(ObjectNode o, OllamaOptions options) {
    options.numCtx().ifPresent(n -> o.put("num_ctx", n));
    options.temperature().ifPresent(t -> o.put("temperature", t));
    options.topK().ifPresent(k -> o.put("top_k", k));
    options.repeatPenalty().ifPresent(r -> o.put("repeat_penalty", r));
    options.numPredict().ifPresent(n -> o.put("num_predict", n));
    options.seed().ifPresent(s -> o.put("seed", s));
    options.options().forEach((name, json) -> o.set(name, WireJson.parse(json, "OllamaOptions.option '" + name + "'")));
  }

  private static void writeKeepAlive(JsonGenerator g, OllamaOptions options, String defaultKeepAlive)
      throws IOException {
    String keepAlive = options != null && options.keepAlive().isPresent() ? options.keepAlive().get()
        : defaultKeepAlive;
    if (keepAlive == null) {
      return;
    }
    if (OllamaWire.keepAliveIsNumber(keepAlive)) {
      g.writeFieldName("keep_alive");
      g.writeNumber(keepAlive);
    } else {
      g.writeStringField("keep_alive", keepAlive);
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
