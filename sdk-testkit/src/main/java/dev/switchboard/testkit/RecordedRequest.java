package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as a {@link ProviderEmulator} received it. Immutable and thread-safe.
 *
 * <p>Besides the raw exchange (method, path, headers, body, {@link #json()}), it offers
 * provider-neutral accessors that each emulator implements for its own wire protocol, so {@link
 * ProviderContractTest} can check what reached the wire without knowing the protocol: {@link
 * #streamRequested()}, {@link #model()}, {@link #systemText()}, {@link #messages()}, {@link
 * #toolNames()}, {@link #jsonSchemaName()}. Subclassed once per wire protocol.
 */
public abstract class RecordedRequest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One conversation turn as it went on the wire, with a neutral role. */
  public record Turn(String role, String text) {
    public Turn {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(text, "text");
    }
  }

  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final JsonNode json;
  private final String jsonError;

  /**
   * @param headers names are looked up case-insensitively; the values are copied
   */
  protected RecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), (a, b) -> {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return List.copyOf(all);
    }));
    this.headers = Collections.unmodifiableMap(copy);
    this.body = body.clone();
    JsonNode parsed = null;
    String error = null;
    if (this.body.length > 0) {
      try {
        parsed = MAPPER.readTree(this.body);
      } catch (IOException e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        error = newline < 0 ? message : message.substring(0, newline);
      }
    } else {
      error = "the body is empty";
    }
    this.json = parsed;
    this.jsonError = error;
  }

  /** {@code GET}, {@code POST}, ... */
  public String method() {
    return method;
  }

  /** The path with its query string, e.g. {@code /v1/chat/completions}. */
  public String path() {
    return path;
  }

  /** All headers; the map looks names up case-insensitively. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of the header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  public byte[] body() {
    return body.clone();
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** True if the body is a JSON document. */
  public boolean hasJsonBody() {
    return json != null;
  }

  /**
   * The body as JSON; a fresh copy per call, so callers may modify it.
   *
   * @throws AssertionError if the body is not JSON, with the reason and an excerpt
   */
  public JsonNode json() {
    if (json == null) {
      String text = bodyText();
      throw new AssertionError(method + " " + path + ": the request body is not JSON (" + jsonError + "): "
          + (text.length() > 200 ? text.substring(0, 200) + "…" : text));
    }
    return json.deepCopy();
  }

  /** Whether the client asked for a streamed answer. */
  public abstract boolean streamRequested();

  /** The model the request named, if any. */
  public abstract Optional<String> model();

  /** The system (or developer) instructions, joined with newlines; empty if there are none. */
  public abstract Optional<String> systemText();

  /**
   * The conversation turns other than system instructions, in wire order, with neutral roles
   * {@code user}, {@code assistant} or {@code tool} (a tool result, whatever the protocol calls
   * it) and their text parts joined.
   */
  public abstract List<Turn> messages();

  /** The names of the tools offered to the model, in wire order. */
  public abstract List<String> toolNames();

  /** The name of the JSON schema the answer must follow, if the request set one. */
  public abstract Optional<String> jsonSchemaName();

  /** The JSON schema the answer must follow, if the request set one. */
  public abstract Optional<JsonNode> jsonSchema();

  /** The text of the last {@code user} turn, or "" if there is none. */
  public String lastUserText() {
    List<Turn> turns = messages();
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (turns.get(i).role().equals("user")) {
        return turns.get(i).text();
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return "RecordedRequest[" + method + " " + path + ", " + body.length + " bytes]";
  }
}
