package dev.switchboard.spi.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Jackson setup Switchboard reads and writes provider JSON with: unknown fields are ignored,
 * big numbers stay exact, and input is bounded (string length, number length, nesting) so hostile
 * bodies cannot exhaust memory. Providers of your own can use it the same way. Thread-safe.
 */
public final class WireJson {
  /** Large enough for multi-megabyte tool arguments; bounded so hostile input cannot exhaust memory. */
  public static final int MAX_STRING_LENGTH = 64 * 1024 * 1024;

  public static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(MAX_STRING_LENGTH)
                  .maxNumberLength(1000)
                  .maxNestingDepth(500)
                  .build())
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .build();

  public static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private WireJson() {}

  /** Parses a JSON text or throws IllegalArgumentException naming {@code what} and the reason. */
  public static JsonNode parse(String json, String what) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not valid JSON: " + firstLine(e.getMessage()), e);
    }
  }

  /** Parses a JSON text that must be an object. */
  public static JsonNode parseObject(String json, String what) {
    JsonNode node = parse(json, what);
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, got: " + excerpt(json, 80));
    }
    return node;
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
    return FACTORY.createParser(bytes, offset, length);
  }

  public static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** At most {@code max} characters of {@code s}, whitespace collapsed, with an ellipsis when cut. */
  public static String excerpt(String s, int max) {
    if (s == null) {
      return "";
    }
    String collapsed = s.replaceAll("\\s+", " ").trim();
    return collapsed.length() <= max ? collapsed : collapsed.substring(0, max) + "…";
  }
}
