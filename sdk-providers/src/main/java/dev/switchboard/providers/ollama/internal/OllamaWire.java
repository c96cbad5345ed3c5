package dev.switchboard.providers.ollama.internal;

import dev.switchboard.spi.http.ErrorMapping;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Small tolerant readers and writers for Ollama's native JSON, shared by the request writer, the
 * response reader and the stream decoder. Readers accept what they do not expect (missing fields,
 * wrong types, numbers too big for a {@code long}) and fall back to "absent". Stateless and
 * thread-safe. Not API.
 */
public final class OllamaWire {
  /** A {@code keep_alive} value: whole seconds as a number, or a Go duration such as {@code 5m} or {@code 1h30m}. */
  private static final Pattern KEEP_ALIVE =
      Pattern.compile("-?\\d+|-?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+");
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private OllamaWire() {}

  /** The field as a string if it is a JSON string, else {@code null}. */
  public static String string(JsonNode parent, String field) {
    JsonNode n = parent == null ? null : parent.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /** The field as a non-empty string, else {@code null}. */
  public static String nonEmpty(JsonNode parent, String field) {
    String s = string(parent, field);
    return s == null || s.isEmpty() ? null : s;
  }

  /** A count or size: a non-negative integer that fits a {@code long}; anything else counts as 0. */
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
   * Usage of a final ({@code "done": true}) object: {@code prompt_eval_count} to input, {@code
   * eval_count} (which includes thinking tokens; Ollama reports no breakdown) to output. Ollama
   * leaves {@code prompt_eval_count} out when the whole prompt came from its cache; that counts as
   * 0. Ollama reports no prompt-cache or reasoning figures.
   */
  public static Usage usage(JsonNode done) {
    return Usage.of(count(done.get("prompt_eval_count")), count(done.get("eval_count")));
  }

  /** Whether the object has at least one of the token counts. */
  public static boolean hasUsage(JsonNode done) {
    return done.has("prompt_eval_count") || done.has("eval_count");
  }

  /**
   * The normalized finish reason of {@code done_reason}: {@code stop} → STOP, {@code length} →
   * LENGTH, {@code load}/{@code unload} and unknown words → OTHER, others as {@link
   * FinishReason#fromProviderWord}. Quirks: Ollama says {@code stop} when the model called tools,
   * which counts as TOOL_CALLS; older versions send no {@code done_reason}, which counts as a natural
   * stop.
   */
  public static FinishReason finishReason(String raw, boolean hasToolCalls) {
    if (raw == null || raw.isEmpty()) {
      return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }
    FinishReason reason = FinishReason.fromProviderWord(raw);
    return reason == FinishReason.STOP && hasToolCalls ? FinishReason.TOOL_CALLS : reason;
  }

  /**
   * The tool calls of a {@code message.tool_calls} array, numbered from {@code firstIndex}. Ollama
   * sends each call whole, with its arguments as a JSON object (written back as compact JSON text;
   * a string is taken as is). Recent versions send an {@code id}; for older ones a stable {@code
   * call_<index>} is made up, so the same answer always gets the same ids.
   */
  public static List<ToolCall> toolCalls(JsonNode calls, int firstIndex) {
    if (calls == null || !calls.isArray()) {
      return List.of();
    }
    List<ToolCall> out = new ArrayList<>(calls.size());
    int index = firstIndex;
    for (JsonNode call : calls) {
      JsonNode function = call.path("function");
      String id = nonEmpty(call, "id");
      String name = string(function, "name");
      out.add(new ToolCall(id != null ? id : "call_" + index, name == null ? "" : name,
          arguments(function.get("arguments"))));
      index++;
    }
    return out;
  }

  /** Tool-call arguments as JSON text: an object written compactly, a string as is, nothing as {@code {}}. */
  public static String arguments(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "{}";
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    return WireJson.write(node);
  }

  /** An RFC 3339 time as Ollama writes it (nanoseconds, any offset), or {@code null}. */
  public static Instant instant(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Checks a {@code keep_alive} text: a whole number of seconds ({@code "-1"} keeps the model
   * loaded, {@code "0"} unloads it after the call) or a Go duration ({@code "5m"}, {@code "1h30m"},
   * {@code "500ms"}). Returns it trimmed.
   *
   * @throws IllegalArgumentException naming {@code field} if it is neither
   */
  public static String checkKeepAlive(String value, String field) {
    if (value == null || !KEEP_ALIVE.matcher(value.trim()).matches()) {
      throw new IllegalArgumentException(field + " must be a number of seconds (-1 keeps the model loaded, 0 unloads "
          + "it at once) or a duration such as \"5m\", \"1h30m\" or \"500ms\", got: "
          + (value == null ? "null" : "'" + value + "'"));
    }
    return value.trim();
  }

  /**
   * A {@code keep_alive} text for a duration: a negative one keeps the model loaded ({@code "-1"}),
   * zero unloads it at once ({@code "0"}), others as Go durations in seconds or milliseconds.
   */
  public static String keepAlive(Duration duration) {
    if (duration.isNegative()) {
      return "-1";
    }
    if (duration.isZero()) {
      return "0";
    }
    if (duration.getNano() == 0) {
      return duration.getSeconds() + "s";
    }
    if (duration.getNano() % 1_000_000 == 0) {
      return duration.toMillis() + "ms";
    }
    return duration.toNanos() + "ns";
  }

  /** Whether a checked {@code keep_alive} text goes on the wire as a number (else as a string). */
  public static boolean keepAliveIsNumber(String keepAlive) {
    return INTEGER.matcher(keepAlive).matches();
  }

  /**
   * Logs the timings of a final object at DEBUG: Ollama reports them (in nanoseconds) and nothing
   * else in Switchboard carries them, so they are kept here for whoever tunes {@code num_ctx} or
   * {@code keep_alive}: a large {@code load_duration} means the model was loaded for this call.
   */
  public static void logMetrics(Logger log, String provider, String model, JsonNode done) {
    if (!log.isDebugEnabled() || done == null) {
      return;
    }
    long total = count(done.get("total_duration"));
    long load = count(done.get("load_duration"));
    long prompt = count(done.get("prompt_eval_duration"));
    long eval = count(done.get("eval_duration"));
    long evalCount = count(done.get("eval_count"));
    String rate = eval > 0 ? String.format(Locale.ROOT, ", %.1f tokens/s", evalCount * 1e9 / eval) : "";
    log.debug("{} model '{}': total {} ms, load {} ms, prompt eval {} tokens in {} ms, eval {} tokens in {} ms{}",
        provider, model, millis(total), millis(load), count(done.get("prompt_eval_count")), millis(prompt),
        evalCount, millis(eval), rate);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /** A single-line excerpt of at most {@code max} characters of a body, decoded as UTF-8. */
  public static String excerpt(byte[] body, int max) {
    return ErrorMapping.excerpt(body, max);
  }

  /** {@code model:latest} for a name without a tag, as Ollama names models in {@code /api/ps}. */
  public static String withTag(String model) {
    int slash = model.lastIndexOf('/');
    return model.indexOf(':', slash + 1) >= 0 ? model : model + ":latest";
  }
}
