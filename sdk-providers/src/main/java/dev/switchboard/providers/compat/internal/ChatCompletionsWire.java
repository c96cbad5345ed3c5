package dev.switchboard.providers.compat.internal;

import dev.switchboard.spi.http.ErrorMapping;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.FinishReason;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.http.HttpHeaders;

/**
 * Small tolerant readers for OpenAI-compatible JSON, shared by the response reader and the stream
 * decoder. Every reader accepts what it does not expect (missing fields, wrong types, numbers too
 * big for a {@code long} or a {@code double}) and falls back to "absent". Stateless and
 * thread-safe. Not API.
 */
public final class ChatCompletionsWire {
  /** The response header carrying the provider's request id. */
  public static final String REQUEST_ID_HEADER = "x-request-id";

  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private ChatCompletionsWire() {}

  /** The request id from the headers, or {@code null}. */
  public static String requestId(HttpHeaders headers) {
    return headers == null ? null : headers.firstValue(REQUEST_ID_HEADER).filter(s -> !s.isBlank()).orElse(null);
  }

  /** The field as a string if it is a JSON string, else {@code null}. */
  public static String string(JsonNode parent, String field) {
    JsonNode n = parent == null ? null : parent.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /**
   * Message text: a string as is; an array of parts (some servers send {@code [{"type":"text",
   * "text":...}]}) joined; anything else {@code null}.
   */
  public static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : node) {
        if (part.isTextual()) {
          sb.append(part.textValue());
        } else {
          String t = string(part, "text");
          if (t != null) {
            sb.append(t);
          }
        }
      }
      return sb.toString();
    }
    return null;
  }

  /**
   * Tool-call arguments as JSON text. OpenAI sends a string; some servers send the object itself,
   * which is written back as JSON text. Absent arguments are {@code ""}.
   */
  public static String arguments(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "";
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    return WireJson.write(node);
  }

  /** A token count: a non-negative integer that fits a {@code long}; anything else counts as 0. */
  public static long count(JsonNode node) {
    if (node == null || !node.isNumber()) {
      return 0;
    }
    if (node.isIntegralNumber()) {
      if (node.canConvertToLong()) {
        return Math.max(0, node.longValue());
      }
      BigInteger v = node.bigIntegerValue();
      return v.signum() < 0 || v.compareTo(LONG_MAX) > 0 ? 0 : v.longValue();
    }
    BigDecimal d = node.decimalValue();
    if (d.signum() < 0 || d.compareTo(new BigDecimal(LONG_MAX)) > 0) {
      return 0;
    }
    return d.longValue();
  }

  /**
   * Normalized usage of an OpenAI {@code usage} object: {@code prompt_tokens} (which includes cached
   * tokens) to input, {@code prompt_tokens_details.cached_tokens} to cached input, {@code
   * completion_tokens} to output, {@code completion_tokens_details.reasoning_tokens} to reasoning.
   *
   * <p>Quirks: DeepSeek reports cache hits as {@code prompt_cache_hit_tokens} (and the input as
   * hits plus {@code prompt_cache_miss_tokens} where {@code prompt_tokens} is missing); some servers
   * use {@code input_tokens}/{@code output_tokens}; OpenRouter adds {@code cost} and {@code
   * cost_details}, which are ignored. Parts larger than their whole are cut to it, so a server's
   * arithmetic slip never fails the call. Returns {@code null} if {@code node} is not an object.
   */
  public static Usage usage(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    long input;
    if (node.has("prompt_tokens")) {
      input = count(node.get("prompt_tokens"));
    } else if (node.has("input_tokens")) {
      input = count(node.get("input_tokens"));
    } else {
      long sum = count(node.get("prompt_cache_hit_tokens")) + count(node.get("prompt_cache_miss_tokens"));
      input = sum < 0 ? Long.MAX_VALUE : sum;
    }
    long output = node.has("completion_tokens")
        ? count(node.get("completion_tokens")) : count(node.get("output_tokens"));
    // A part the server did not report stays unreported (Usage.reported), a reported 0 stays a 0.
    JsonNode cachedNode = node.path("prompt_tokens_details").get("cached_tokens");
    if (cachedNode == null || cachedNode.isNull() || count(cachedNode) == 0 && node.has("prompt_cache_hit_tokens")) {
      cachedNode = node.get("prompt_cache_hit_tokens");
    }
    JsonNode reasoningNode = node.path("completion_tokens_details").get("reasoning_tokens");
    Usage.Builder b = Usage.builder().inputTokens(input).outputTokens(output);
    if (cachedNode != null && cachedNode.isNumber()) {
      b.cachedInputTokens(Math.min(count(cachedNode), input));
    }
    if (reasoningNode != null && reasoningNode.isNumber()) {
      b.reasoningTokens(Math.min(count(reasoningNode), output));
    }
    return b.build();
  }

  /**
   * The normalized finish reason. Quirks: a missing word (some servers send none before {@code
   * [DONE]}) counts as a natural stop; {@code "stop"} with tool calls (Ollama, some vLLM versions)
   * counts as {@link FinishReason#TOOL_CALLS}. The raw word is kept separately.
   */
  public static FinishReason finishReason(String raw, boolean hasToolCalls) {
    if (raw == null || raw.isEmpty()) {
      return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }
    FinishReason reason = FinishReason.fromProviderWord(raw);
    return reason == FinishReason.STOP && hasToolCalls ? FinishReason.TOOL_CALLS : reason;
  }

  /** A single-line excerpt of at most {@code max} characters of a body, decoded as UTF-8. */
  public static String excerpt(byte[] body, int max) {
    return ErrorMapping.excerpt(body, max);
  }
}
