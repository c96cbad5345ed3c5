package dev.switchboard.spi;

import dev.switchboard.Secret;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One provider's settings from a configuration file, as plain values (strings, numbers, booleans,
 * lists, maps), read by a {@link ProviderFactory}. Accessors throw {@link IllegalArgumentException}
 * naming the setting ({@code "timeout: not a duration like 30s or PT30S: soon"}); the caller adds
 * where the provider sits in the file. An API key is never a setting: {@link #secret} reads the
 * environment variable a setting names. Immutable.
 */
public final class ProviderSettings {
  private final Map<String, Object> values;

  public ProviderSettings(Map<String, Object> values) {
    this.values = Map.copyOf(values);
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public Optional<String> string(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(key + ": expected text, got " + v);
    }
    return Optional.of(s);
  }

  public Optional<Integer> integer(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException(key + ": expected a whole number, got " + v);
    }
    return Optional.of(n.intValue());
  }

  /** A duration written {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
  public Optional<Duration> duration(String key) {
    return string(key).map(s -> parseDuration(key, s));
  }

  public List<String> strings(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list) || !list.stream().allMatch(x -> x instanceof String)) {
      throw new IllegalArgumentException(key + ": expected a list of text, got " + v);
    }
    List<String> out = new ArrayList<>();
    list.forEach(x -> out.add((String) x));
    return List.copyOf(out);
  }

  public Map<String, String> map(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m) || !m.values().stream().allMatch(x -> x instanceof String)) {
      throw new IllegalArgumentException(key + ": expected an object of text values, got " + v);
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, x) -> out.put(String.valueOf(k), (String) x));
    return out;
  }

  /**
   * The secret in the environment variable named by setting {@code key} (e.g. {@code apiKeyEnv:
   * "DEEPSEEK_API_KEY"}); empty when the setting is absent. Read when used, never stored here.
   */
  public Optional<Secret> secret(String key) {
    return string(key).map(Secret::fromEnv);
  }

  public static Duration parseDuration(String key, String text) {
    Objects.requireNonNull(text, key);
    String s = text.trim();
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return Duration.parse(s);
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1).trim());
      switch (s.charAt(s.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        default:
          break;
      }
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(key + ": not a duration like 30s, 500ms, 2m, 1h or PT30S: " + text);
  }

  @Override
  public String toString() {
    return "ProviderSettings" + values.keySet();
  }
}
