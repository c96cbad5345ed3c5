package dev.switchboard.providers.selfhosted.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A small parser for the Prometheus text exposition format (version 0.0.4, and the parts of
 * OpenMetrics text that servers such as vLLM also emit), enough to read the gauges of a model
 * server's {@code /metrics}:
 *
 * <ul>
 *   <li>{@code # HELP name text} and {@code # TYPE name type} are kept per metric name; other
 *       comments and {@code # EOF} are skipped.
 *   <li>A sample is {@code name[{labels}] value [timestamp]}; label values may contain escaped
 *       quotes, backslashes and newlines ({@code \"}, {@code \\}, {@code \n}), commas and braces;
 *       a trailing comma in the label set is allowed.
 *   <li>Values are Go floats: {@code 3}, {@code 3.0}, {@code 1.5e+06}, {@code NaN}, {@code +Inf},
 *       {@code -Inf}. The optional timestamp (milliseconds) is kept; an OpenMetrics exemplar after
 *       {@code #} is ignored.
 *   <li>One name may have many samples, one per label set (vLLM labels each gauge with {@code
 *       model_name} and, with data parallelism, {@code engine}; SGLang adds {@code tp_rank} etc.).
 *       {@link #sum} adds them up, for counts such as running requests; {@link #max} takes the
 *       largest, for ratios such as KV-cache usage.
 * </ul>
 *
 * Tolerant of what it does not understand: a malformed line is skipped and counted ({@link
 * #malformedLines()}), never fatal, since one odd series must not hide the load of a replica.
 * {@code \r\n} line ends are accepted. Immutable and thread-safe once parsed. Not API.
 */
public final class PrometheusText {

  /** One sample: metric name, labels in order of appearance, value and optional timestamp. */
  public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMillis) {
    public Sample {
      Objects.requireNonNull(name, "name");
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
      Objects.requireNonNull(timestampMillis, "timestampMillis");
    }
  }

  private final Map<String, List<Sample>> samples;
  private final Map<String, String> types;
  private final Map<String, String> helps;
  private final int malformed;

  private PrometheusText(Map<String, List<Sample>> samples, Map<String, String> types, Map<String, String> helps,
      int malformed) {
    this.samples = samples;
    this.types = types;
    this.helps = helps;
    this.malformed = malformed;
  }

  /** Parses a whole exposition; never throws for malformed content. */
  public static PrometheusText parse(String text) {
    Objects.requireNonNull(text, "text");
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    int malformed = 0;
    int at = 0;
    int n = text.length();
    while (at < n) {
      int end = text.indexOf('\n', at);
      if (end < 0) {
        end = n;
      }
      String line = text.substring(at, end);
      at = end + 1;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.charAt(0) == '#') {
        comment(trimmed, types, helps);
        continue;
      }
      Sample sample = sample(trimmed);
      if (sample == null) {
        malformed++;
      } else {
        samples.computeIfAbsent(sample.name(), k -> new ArrayList<>()).add(sample);
      }
    }
    samples.replaceAll((k, v) -> List.copyOf(v));
    return new PrometheusText(Collections.unmodifiableMap(samples), Collections.unmodifiableMap(types),
        Collections.unmodifiableMap(helps), malformed);
  }

  /** All samples of {@code name}, in order; empty if there are none. */
  public List<Sample> samples(String name) {
    return samples.getOrDefault(name, List.of());
  }

  /** Whether any sample of {@code name} was read. */
  public boolean has(String name) {
    return samples.containsKey(name);
  }

  /** The metric names that have samples, in order of first appearance. */
  public List<String> names() {
    return List.copyOf(samples.keySet());
  }

  /** The sum over all label sets of {@code name}, skipping NaN and infinite values; empty if none is finite. */
  public OptionalDouble sum(String name) {
    double total = 0;
    boolean any = false;
    for (Sample s : samples(name)) {
      if (Double.isFinite(s.value())) {
        total += s.value();
        any = true;
      }
    }
    return any ? OptionalDouble.of(total) : OptionalDouble.empty();
  }

  /** The largest finite value over all label sets of {@code name}; empty if none is finite. */
  public OptionalDouble max(String name) {
    double best = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (Sample s : samples(name)) {
      if (Double.isFinite(s.value()) && s.value() > best) {
        best = s.value();
        any = true;
      }
    }
    return any ? OptionalDouble.of(best) : OptionalDouble.empty();
  }

  /** The {@code # TYPE} of {@code name} ({@code gauge}, {@code counter}, ...), if declared. */
  public Optional<String> type(String name) {
    return Optional.ofNullable(types.get(name));
  }

  /** The {@code # HELP} text of {@code name}, unescaped, if declared. */
  public Optional<String> help(String name) {
    return Optional.ofNullable(helps.get(name));
  }

  /** How many non-comment lines could not be read and were skipped. */
  public int malformedLines() {
    return malformed;
  }

  @Override
  public String toString() {
    int count = 0;
    for (List<Sample> list : samples.values()) {
      count += list.size();
    }
    return "PrometheusText[" + samples.size() + " names, " + count + " samples"
        + (malformed == 0 ? "" : ", " + malformed + " malformed lines") + "]";
  }

  // ---- parsing ----

  private static void comment(String line, Map<String, String> types, Map<String, String> helps) {
    String body = line.substring(1).stripLeading();
    boolean help = body.startsWith("HELP ") || body.startsWith("HELP\t");
    boolean type = body.startsWith("TYPE ") || body.startsWith("TYPE\t");
    if (!help && !type) {
      return; // a plain comment, or # EOF
    }
    String rest = body.substring(4).stripLeading();
    int space = indexOfWhitespace(rest);
    String name = space < 0 ? rest : rest.substring(0, space);
    String text = space < 0 ? "" : rest.substring(space + 1).strip();
    if (!isMetricName(name)) {
      return;
    }
    if (help) {
      helps.putIfAbsent(name, unescapeHelp(text));
    } else {
      types.putIfAbsent(name, text);
    }
  }

  /** One sample line, or null when it is malformed. */
  private static Sample sample(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      return null;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
      if (i < 0) {
        return null;
      }
    }
    // value
    i = skipSpaces(line, i);
    int start = i;
    while (i < n && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    if (start == i) {
      return null;
    }
    Double value = parseValue(line.substring(start, i));
    if (value == null) {
      return null;
    }
    // optional timestamp, then an optional exemplar ("# {...} v") that is ignored
    i = skipSpaces(line, i);
    OptionalLong timestamp = OptionalLong.empty();
    if (i < n && line.charAt(i) != '#') {
      start = i;
      while (i < n && !Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      String ts = line.substring(start, i);
      try {
        timestamp = OptionalLong.of(Long.parseLong(ts));
      } catch (NumberFormatException e) {
        // OpenMetrics allows fractional seconds as timestamps
        Double seconds = parseValue(ts);
        if (seconds == null || !Double.isFinite(seconds)) {
          return null;
        }
        timestamp = OptionalLong.of(Math.round(seconds * 1000));
      }
      i = skipSpaces(line, i);
      if (i < n && line.charAt(i) != '#') {
        return null;
      }
    }
    return new Sample(name, labels, value, timestamp);
  }

  /** Reads {@code name="value",...}} from {@code i}; returns the index after '}' or -1. */
  private static int labels(String line, int i, Map<String, String> out) {
    int n = line.length();
    while (true) {
      i = skipSpaces(line, i);
      if (i >= n) {
        return -1;
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int start = i;
      while (i < n && isLabelNameChar(line.charAt(i), i == start)) {
        i++;
      }
      if (i == start) {
        return -1;
      }
      String label = line.substring(start, i);
      i = skipSpaces(line, i);
      if (i >= n || line.charAt(i) != '=') {
        return -1;
      }
      i = skipSpaces(line, i + 1);
      if (i >= n || line.charAt(i) != '"') {
        return -1;
      }
      i++;
      StringBuilder value = new StringBuilder();
      boolean closed = false;
      while (i < n) {
        char c = line.charAt(i++);
        if (c == '\\') {
          if (i >= n) {
            return -1;
          }
          char e = line.charAt(i++);
          switch (e) {
            case 'n' -> value.append('\n');
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            default -> value.append('\\').append(e); // unknown escape: kept as written
          }
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.append(c);
        }
      }
      if (!closed) {
        return -1;
      }
      out.put(label, value.toString());
      i = skipSpaces(line, i);
      if (i < n && line.charAt(i) == ',') {
        i++;
      } else if (i >= n || line.charAt(i) != '}') {
        return -1;
      }
    }
  }

  /** A Go-style float, or null. */
  static Double parseValue(String s) {
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (s.isEmpty() || s.length() > 64) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
        return null; // keeps out Java-only spellings such as "Infinity", "0x1p3" or "1d"
      }
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String unescapeHelp(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char e = text.charAt(++i);
        if (e == 'n') {
          sb.append('\n');
        } else if (e == '\\') {
          sb.append('\\');
        } else {
          sb.append('\\').append(e);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isMetricName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isNameChar(s.charAt(i), i == 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
  }

  private static boolean isLabelNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }
}
