package dev.switchboard.providers.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ToolCall;
import dev.switchboard.spi.http.WireJson;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a non-streamed Messages answer: {@code id}, {@code model}, the {@code content} blocks
 * ({@code text} joined as the text, {@code tool_use} as tool calls with their {@code input} as JSON
 * text, {@code thinking} and {@code redacted_thinking} as the reasoning), {@code stop_reason} and
 * {@code usage} (normalized: cache reads and writes added to the input, see {@link
 * AnthropicWire.Counts#toUsage()}).
 *
 * <p>Quirk: the {@code tool_use} block of the adapter's JSON-answer tool (see {@link
 * AnthropicRequestWriter}) is not a tool call: its input becomes the text, and {@code tool_use} as
 * the stop reason then means a plain stop. Unknown block types (server tools, citations) are
 * skipped. A body that is not a JSON object or has no {@code content} array is a {@link
 * DecodingException} quoting a short excerpt; an error body with status 200 goes through the {@link
 * AnthropicErrorMapper}. Stateless and thread-safe. Not API.
 */
public final class AnthropicResponseReader {
  private AnthropicResponseReader() {}

  /**
   * The response in {@code body}, or throws the {@link ChatException} it stands for.
   *
   * @param schemaTool the name of the JSON-answer tool, or {@code null}
   */
  public static ChatResponse read(int status, HttpHeaders headers, byte[] body, String provider, String model,
      String schemaTool, AnthropicErrorMapper mapper) {
    JsonNode root;
    try {
      root = AnthropicWire.parse(body);
    } catch (IOException | RuntimeException e) {
      throw decoding("is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", status, headers, body, provider,
          model, mapper, e);
    }
    if (root == null || !root.isObject()) {
      throw decoding("is not a JSON object", status, headers, body, provider, model, mapper, null);
    }
    JsonNode content = root.get("content");
    if ("error".equals(AnthropicWire.string(root, "type")) || (content == null && root.path("error").isObject())) {
      throw mapper.mapBodyError(status, headers, root, provider, model, "an error object in an HTTP " + status + " body");
    }
    if (content == null || !content.isArray()) {
      throw decoding("has no content array", status, headers, body, provider, model, mapper, null);
    }
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    List<dev.switchboard.Message.Thinking> thinking = new ArrayList<>();
    for (JsonNode block : content) {
      String type = AnthropicWire.string(block, "type");
      if (type == null) {
        continue;
      }
      switch (type) {
        case "text" -> {
          String t = AnthropicWire.string(block, "text");
          text.append(t == null ? "" : t);
        }
        case "thinking", "redacted_thinking" -> {
          String t = type.equals("thinking") ? AnthropicWire.string(block, "thinking") : AnthropicWire.REDACTED_THINKING;
          if (t != null && !t.isEmpty()) {
            if (reasoning.length() > 0) {
              reasoning.append(AnthropicWire.THINKING_SEPARATOR);
            }
            reasoning.append(t);
          }
          thinking.add(type.equals("thinking")
              ? new dev.switchboard.Message.Thinking(orEmpty(AnthropicWire.string(block, "thinking")),
                  AnthropicWire.string(block, "signature"), null)
              : dev.switchboard.Message.Thinking.redacted(orEmpty(AnthropicWire.string(block, "data"))));
        }
        case "tool_use" -> {
          String name = AnthropicWire.string(block, "name");
          String input = AnthropicWire.input(block.get("input"));
          if (schemaTool != null && schemaTool.equals(name)) {
            text.append(input);
          } else {
            String id = AnthropicWire.string(block, "id");
            calls.add(new ToolCall(id == null || id.isEmpty() ? "toolu_" + calls.size() : id, name == null ? "" : name,
                input));
          }
        }
        default -> {
          // server_tool_use, web_search_tool_result, ...: executed by Anthropic, not the caller's business here
        }
      }
    }
    String rawStop = AnthropicWire.string(root, "stop_reason");
    String id = AnthropicWire.string(root, "id");
    String responseModel = AnthropicWire.string(root, "model");
    return ChatResponse.builder()
        .id(id == null ? "" : id)
        .provider(provider)
        .model(responseModel == null || responseModel.isEmpty() ? model : responseModel)
        .text(text.toString())
        .toolCalls(calls)
        .thinking(thinking)
        .reasoning(reasoning.length() == 0 ? null : reasoning.toString())
        .finishReason(AnthropicWire.finishReason(rawStop, !calls.isEmpty()))
        .rawFinishReason(rawStop)
        .usage(AnthropicWire.Counts.of(root.get("usage")).toUsage())
        .requestId(AnthropicWire.requestId(headers))
        .build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static DecodingException decoding(String what, int status, HttpHeaders headers, byte[] body,
      String provider, String model, AnthropicErrorMapper mapper, Throwable cause) {
    String excerpt = AnthropicWire.excerpt(body, AnthropicErrorMapper.EXCERPT_CHARS - 1);
    return new DecodingException(mapper.redact("the answer of " + provider + " for model '" + model + "' (HTTP "
        + status + ") " + what + ": " + (excerpt.isEmpty() ? "empty body" : "'" + excerpt + "'")
        + ". Check that the base URL points at Anthropic's Messages API (the adapter appends /v1/messages)."),
        ErrorDetails.builder().provider(provider).model(model).statusCode(status)
            .requestId(AnthropicWire.requestId(headers)).build(),
        cause);
  }
}
