package dev.switchboard.providers.anthropic.internal;

import dev.switchboard.spi.http.ErrorMapping;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.switchboard.FinishReason;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import java.math.BigDecimal;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpHeaders;

/**
 * Small tolerant readers for Anthropic's JSON, shared by the response reader, the stream decoder and
 * the error mapper. Every reader accepts what it does not expect (missing fields, wrong types,
 * numbers too big for a {@code long}) and falls back to "absent". Stateless and thread-safe. Not API.
 */
public final class AnthropicWire {
  /** The response header carrying Anthropic's request id. */
  public static final String REQUEST_ID_HEADER = "request-id";

  /** What a {@code redacted_thinking} block contributes to the reasoning: its content is encrypted. */
  public static final String REDACTED_THINKING = "[redacted thinking]";

  /** Put between two thinking blocks, in streams and whole answers alike. */
  public static final String THINKING_SEPARATOR = "\n\n";

  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** Core's Jackson setup, but keeping decimals as written ({@code 1.50} stays {@code 1.50} in tool input). */
  private static final ObjectReader EXACT = WireJson.MAPPER.reader()
      .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

  private AnthropicWire() {}

  /** Parses a JSON text, keeping every digit of its numbers. */
  public static JsonNode parse(byte[] json) throws IOException {
    return EXACT.readTree(json);
  }

  /** Parses a JSON text, keeping every digit of its numbers. */
  public static JsonNode parse(String json) throws IOException {
    return EXACT.readTree(json);
  }

  /** The request id from the headers, or {@code null}. */
  public static String requestId(HttpHeaders headers) {
    return headers == null ? null
        : headers.firstValue(REQUEST_ID_HEADER).filter(s -> !s.isBlank()).orElse(null);
  }

  /** The field as a string if it is a JSON string, else {@code null}. */
  public static String string(JsonNode parent, String field) {
    JsonNode n = parent == null ? null : parent.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
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
    return d.signum() < 0 || d.compareTo(new BigDecimal(LONG_MAX)) > 0 ? 0 : d.longValue();
  }

  /**
   * Tool input as JSON text: the object written back compactly (numbers keep their digits), a
   * string as is (some proxies send the JSON text), nothing as {@code "{}"}.
   */
  public static String input(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "{}";
    }
    return node.isTextual() ? node.textValue() : WireJson.write(node);
  }

  /**
   * The token counts of a {@code usage} object as Anthropic reports them. {@code input_tokens}
   * there excludes the prompt cache, whose reads and writes come beside it; absent fields are
   * {@code -1}, so a later, partial report (a {@code message_delta}) can be merged over an earlier
   * one.
   */
  public record Counts(long input, long cacheRead, long cacheWrite, long output, long thinking) {
    public static final Counts NONE = new Counts(-1, -1, -1, -1, -1);

    public static Counts of(JsonNode usage) {
      if (usage == null || !usage.isObject()) {
        return NONE;
      }
      return new Counts(field(usage, "input_tokens"), field(usage, "cache_read_input_tokens"),
          field(usage, "cache_creation_input_tokens"), field(usage, "output_tokens"),
          field(usage.path("output_tokens_details"), "thinking_tokens"));
    }

    private static long field(JsonNode usage, String name) {
      JsonNode n = usage.get(name);
      return n == null || !n.isNumber() ? -1 : count(n);
    }

    /** These counts with every field {@code later} reports replacing this one's. */
    public Counts merge(Counts later) {
      return new Counts(later.input >= 0 ? later.input : input, later.cacheRead >= 0 ? later.cacheRead : cacheRead,
          later.cacheWrite >= 0 ? later.cacheWrite : cacheWrite, later.output >= 0 ? later.output : output,
          later.thinking >= 0 ? later.thinking : thinking);
    }

    public boolean isEmpty() {
      return input < 0 && cacheRead < 0 && cacheWrite < 0 && output < 0 && thinking < 0;
    }

    /**
     * Normalized usage: {@code inputTokens = input_tokens + cache_read_input_tokens +
     * cache_creation_input_tokens}, {@code cachedInputTokens = cache_read_input_tokens}, {@code
     * cacheWriteInputTokens = cache_creation_input_tokens}, {@code outputTokens = output_tokens}
     * (thinking included), {@code reasoningTokens = output_tokens_details.thinking_tokens}; a cache or
     * thinking figure that was not reported stays unreported ({@link Usage#reported}).
     */
    public Usage toUsage() {
      long read = Math.max(0, cacheRead);
      long write = Math.max(0, cacheWrite);
      long in = Math.max(0, input);
      long total = in > Long.MAX_VALUE - read - write ? Long.MAX_VALUE : in + read + write;
      Usage.Builder b = Usage.builder().inputTokens(total).outputTokens(Math.max(0, output));
      if (cacheRead >= 0) {
        b.cachedInputTokens(Math.min(read, total));
      }
      if (cacheWrite >= 0) {
        b.cacheWriteInputTokens(Math.min(write, total - Math.min(read, total)));
      }
      if (thinking >= 0) {
        b.reasoningTokens(Math.min(thinking, Math.max(0, output)));
      }
      return b.build();
    }
  }

  /**
   * The normalized finish reason of a {@code stop_reason}: {@code end_turn} and {@code stop_sequence}
   * stop, {@code max_tokens} (and {@code model_context_window_exceeded}) length, {@code tool_use}
   * tool calls, {@code refusal} refusal, others ({@code pause_turn}, new words) other. Quirk: {@code
   * tool_use} when every tool call was the adapter's JSON-schema tool is a plain stop, since the
   * caller sees text; a missing word counts as a stop (or tool calls, when there are some).
   */
  public static FinishReason finishReason(String raw, boolean hasToolCalls) {
    if (raw == null || raw.isEmpty()) {
      return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }
    FinishReason reason = FinishReason.fromProviderWord(raw);
    if (reason == FinishReason.TOOL_CALLS && !hasToolCalls) {
      return FinishReason.STOP;
    }
    return reason == FinishReason.STOP && hasToolCalls ? FinishReason.TOOL_CALLS : reason;
  }

  /** A single-line excerpt of at most {@code max} characters of a body, decoded as UTF-8. */
  public static String excerpt(byte[] body, int max) {
    return ErrorMapping.excerpt(body, max);
  }
}
