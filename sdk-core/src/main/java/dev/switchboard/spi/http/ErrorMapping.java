package dev.switchboard.spi.http;

import dev.switchboard.Secret;
import dev.switchboard.spi.http.WireJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The provider-neutral pieces of turning a failed call into a message: body excerpts, redaction
 * of keys and bearer tokens, retry-hint wording. Which status or error type becomes which
 * exception stays in each provider's error mapper. Stateless and thread-safe.
 */
public final class ErrorMapping {
  private static final Pattern KEY_LIKE = Pattern.compile("\\b(sk|rk|pk)-[A-Za-z0-9_\\-]{12,}");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=\\-]{8,}");

  private ErrorMapping() {}

  /**
   * {@code text} without {@code apiKey} (when not null), key-like tokens ({@code sk-...}, {@code
   * rk-...}, {@code pk-...}) and bearer tokens; null for null.
   */
  public static String redact(String text, Secret apiKey) {
    String out = redactKeyAndBearer(text, apiKey);
    return out == null ? null : KEY_LIKE.matcher(out).replaceAll("$1-****");
  }

  /**
   * How a message names where {@code apiKey} came from, never its value: {@code "the API key in the
   * environment variable OPENAI_API_KEY"}, or {@code "the API key given to
   * OpenAiProvider.builder().apiKey(...)"} for a literal ({@code owner} names the builder).
   */
  public static String describeKey(Secret apiKey, String owner) {
    String source = apiKey.description();
    if (source.startsWith("env:")) {
      return "the API key in the environment variable " + source.substring(4);
    }
    if (source.equals("value")) {
      return "the API key given to " + owner + ".builder().apiKey(...)";
    }
    return "the API key (" + source + ")";
  }

  private static final java.util.Set<String> CREDENTIAL_HEADERS =
      java.util.Set.of("authorization", "api-key", "x-api-key", "proxy-authorization");
  private static final java.util.Set<String> CREDENTIAL_PARAMS =
      java.util.Set.of("api-key", "api_key", "apikey", "key", "token", "access_token", "sig");

  /**
   * Where credentials set other than as the API key went, for the advice of 401 and 403 messages:
   * {@code "the 'api-key' header"} or {@code "the 'key' query parameter"}; {@code null} if nowhere.
   */
  public static String credentialsIn(java.util.Map<String, String> headers, java.util.Map<String, String> queryParams) {
    for (String h : headers.keySet()) {
      if (CREDENTIAL_HEADERS.contains(h.toLowerCase(Locale.ROOT))) {
        return "the '" + h + "' header";
      }
    }
    for (String q : queryParams.keySet()) {
      if (CREDENTIAL_PARAMS.contains(q.toLowerCase(Locale.ROOT))) {
        return "the '" + q + "' query parameter";
      }
    }
    return null;
  }

  /** {@code text} without {@code apiKey} (when not null) and bearer tokens; null for null. */
  public static String redactKeyAndBearer(String text, Secret apiKey) {
    if (text == null) {
      return null;
    }
    String out = apiKey == null ? text : apiKey.redact(text);
    return BEARER.matcher(out).replaceAll("$1****");
  }

  /** The start of a UTF-8 body on one line, at most {@code max} characters plus an ellipsis. */
  public static String excerpt(byte[] body, int max) {
    if (body == null || body.length == 0) {
      return "";
    }
    // Decode a little more than needed: whitespace collapses and multi-byte characters shrink.
    int n = Math.min(body.length, max * 4 + 16);
    return WireJson.excerpt(new String(body, 0, n, StandardCharsets.UTF_8), max);
  }

  /** A transport failure as {@code SimpleClassName: message excerpt}, or the class name alone. */
  public static String describe(Throwable t, int maxMessageChars) {
    String msg = t.getMessage();
    return msg == null || msg.isBlank() ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + WireJson.excerpt(msg, maxMessageChars);
  }

  /** {@code " after 3s"} for a hint, else {@code " later"}: the tail of "Retry...". */
  public static String after(Optional<Duration> retryAfter) {
    return retryAfter.map(d -> " after " + human(d)).orElse(" later");
  }

  /** {@code 250ms}, {@code 42s}, {@code 3m}, {@code 3m5s}. */
  public static String human(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    return s < 120 ? s + "s" : (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
  }

  /** Whether {@code text}, lower-cased, contains any of the lower-case {@code needles}. */
  public static boolean containsAny(String text, String... needles) {
    if (text == null) {
      return false;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    for (String n : needles) {
      if (lower.contains(n)) {
        return true;
      }
    }
    return false;
  }
}
