package dev.switchboard.providers.compat.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a non-streamed {@code /chat/completions} answer: {@code id}, {@code model}, the first
 * choice's {@code message} ({@code content}, {@code refusal}, {@code reasoning_content} or {@code
 * reasoning}, {@code tool_calls}), {@code finish_reason} and {@code usage}.
 *
 * <p>Tolerant of unknown fields, of content sent as a parts array, of tool-call arguments sent as
 * an object, and of numbers too big for a {@code long} or a {@code double}. A body that is not a
 * JSON object or has no {@code choices} is a {@link DecodingException} quoting a short excerpt; a
 * body that is an error object ({@code {"error":...}}, which some servers send with status 200)
 * goes through the {@link ChatCompletionsErrorMapper}. Stateless and thread-safe. Not API.
 */
public final class ChatCompletionsResponseReader {
  private ChatCompletionsResponseReader() {}

  /** The response in {@code body}, or throws the {@link ChatException} it stands for. */
  public static ChatResponse read(int status, HttpHeaders headers, byte[] body, String provider, String model,
      ChatCompletionsErrorMapper mapper) {
    JsonNode root;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw decoding("is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", status, headers, body, provider,
          model, mapper, e);
    }
    if (root == null || !root.isObject()) {
      throw decoding("is not a JSON object", status, headers, body, provider, model, mapper, null);
    }
    JsonNode choices = root.get("choices");
    if (ChatCompletionsStreamDecoder.isError(root)) {
      throw mapper.mapBodyError(status, headers, root, provider, model, "an error object in an HTTP " + status + " body");
    }
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      throw decoding("has no choices", status, headers, body, provider, model, mapper, null);
    }
    JsonNode choice = firstChoice(choices);
    JsonNode message = choice.path("message");
    List<ToolCall> toolCalls = toolCalls(message.get("tool_calls"));
    String rawFinish = ChatCompletionsWire.string(choice, "finish_reason");
    ChatResponse.Builder b = ChatResponse.builder()
        .id(orEmpty(ChatCompletionsWire.string(root, "id")))
        .provider(provider)
        .model(orElse(ChatCompletionsWire.string(root, "model"), model))
        .text(orEmpty(ChatCompletionsWire.text(message.get("content"))))
        .toolCalls(toolCalls)
        .refusal(nonEmpty(ChatCompletionsWire.text(message.get("refusal"))))
        .reasoning(nonEmpty(reasoning(message)))
        .finishReason(ChatCompletionsWire.finishReason(rawFinish, !toolCalls.isEmpty()))
        .rawFinishReason(rawFinish)
        .requestId(ChatCompletionsWire.requestId(headers));
    String reasoningText = nonEmpty(reasoning(message));
    if (reasoningText != null) {
      b.addThinking(new dev.switchboard.Message.Thinking(reasoningText, null, null)); // for tool loops (DeepSeek)
    }
    Usage usage = ChatCompletionsWire.usage(root.get("usage"));
    if (usage != null) {
      b.usage(usage);
    }
    int position = 0;
    for (JsonNode other : choices) {
      if (other != choice) {
        position++;
        int index = indexOf(other);
        b.addChoice(choiceOf(other, index > 0 ? index : position));
      }
    }
    return b.build();
  }

  /** Choice {@code index} (1 and up) of a response with several. */
  private static ChatResponse.Choice choiceOf(JsonNode choice, int index) {
    JsonNode message = choice.path("message");
    List<ToolCall> toolCalls = toolCalls(message.get("tool_calls"));
    String rawFinish = ChatCompletionsWire.string(choice, "finish_reason");
    return new ChatResponse.Choice(index, dev.switchboard.Message.assistant(
        orEmpty(ChatCompletionsWire.text(message.get("content"))), toolCalls), nonEmpty(reasoning(message)),
        ChatCompletionsWire.finishReason(rawFinish, !toolCalls.isEmpty()));
  }

  /** A choice's {@code index}; -1 when it has none. */
  static int indexOf(JsonNode choice) {
    JsonNode index = choice.get("index");
    return index != null && index.isIntegralNumber() && index.canConvertToInt() ? index.intValue() : -1;
  }

  /** The choice with {@code index} 0, else the first. */
  static JsonNode firstChoice(JsonNode choices) {
    for (JsonNode c : choices) {
      JsonNode index = c.get("index");
      if (index != null && index.isIntegralNumber() && index.canConvertToInt() && index.intValue() == 0) {
        return c;
      }
    }
    return choices.get(0);
  }

  /** DeepSeek's {@code reasoning_content}, else the {@code reasoning} of vLLM and OpenRouter. */
  static String reasoning(JsonNode messageOrDelta) {
    String r = ChatCompletionsWire.text(messageOrDelta.get("reasoning_content"));
    return r != null && !r.isEmpty() ? r : ChatCompletionsWire.text(messageOrDelta.get("reasoning"));
  }

  private static List<ToolCall> toolCalls(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<ToolCall> calls = new ArrayList<>(node.size());
    for (JsonNode c : node) {
      JsonNode function = c.path("function");
      String id = ChatCompletionsWire.string(c, "id");
      calls.add(new ToolCall(id == null || id.isEmpty() ? "call_" + calls.size() : id,
          orEmpty(ChatCompletionsWire.string(function, "name")), ChatCompletionsWire.arguments(function.get("arguments"))));
    }
    return calls;
  }

  private static DecodingException decoding(String what, int status, HttpHeaders headers, byte[] body, String provider,
      String model, ChatCompletionsErrorMapper mapper, Throwable cause) {
    String excerpt = ChatCompletionsWire.excerpt(body, ChatCompletionsErrorMapper.EXCERPT_CHARS - 1);
    return new DecodingException(mapper.redact("the answer of " + provider + " for model '" + model + "' (HTTP "
        + status + ") " + what + ": " + (excerpt.isEmpty() ? "empty body" : "'" + excerpt + "'")
        + ". Check that the base URL points at an OpenAI-compatible /chat/completions endpoint."),
        ErrorDetails.builder().provider(provider).model(model).statusCode(status)
            .requestId(ChatCompletionsWire.requestId(headers)).build(),
        cause);
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String orElse(String s, String fallback) {
    return s == null || s.isEmpty() ? fallback : s;
  }
}
