package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ollama's native protocol: {@code POST /api/chat} (a JSON answer with {@code "stream": false},
 * else an {@code application/x-ndjson} stream of one JSON object per line whose last line has
 * {@code "done": true}, the {@code done_reason}, the token counts and the durations), {@code GET
 * /api/tags}, {@code GET /api/ps}, {@code POST /api/embed}, {@code GET /api/version} and {@code GET
 * /} ("Ollama is running"). Errors are Ollama's {@code {"error":"..."}} bodies.
 *
 * <p>{@link Fault#MID_STREAM_ERROR} streamed is the answer's lines, then an {@code {"error":"..."}}
 * line and the end of the body, as Ollama sends a runner failure after the 200; not streamed, a
 * 500 with the same error.
 *
 * <p>Like recent Ollama versions, tool calls carry an {@code id} (the reply's) and their arguments
 * as a JSON object. Ollama has no refusal field: a reply's refusal is sent as content. Embeddings
 * are deterministic: a hashed bag of words and character trigrams, L2-normalized, so texts that
 * share most words get vectors with a high cosine similarity.
 *
 * <p>Unlike other renderers this one keeps state: the models {@code /api/ps} lists, which a
 * successful chat or embed loads (with a context length of {@value #DEFAULT_CONTEXT_LENGTH}) and a
 * test may script with {@link #load}. Thread-safe.
 */
public final class OllamaWire implements WireRenderer {
  static final String CHAT_PATH = "/api/chat";
  static final String EMBED_PATH = "/api/embed";
  static final String TAGS_PATH = "/api/tags";
  static final String PS_PATH = "/api/ps";
  static final String VERSION_PATH = "/api/version";
  /** The version {@code /api/version} reports. */
  public static final String VERSION = "0.12.6";
  /** The context length of a model that a request loaded. */
  public static final int DEFAULT_CONTEXT_LENGTH = 4096;
  /** The vector size of {@code /api/embed} when the request asks for none. */
  public static final int DEFAULT_DIMENSIONS = 64;
  /** A fixed time, so rendered bodies are deterministic. */
  static final String CREATED_AT = "2025-01-01T00:00:00Z";
  static final String EXPIRES_AT = "2025-01-01T00:05:00Z";

  /** What the runner says when it dies mid-answer. */
  static final String MID_STREAM_ERROR = "llama runner process has terminated: signal: killed";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String JSON = "application/json; charset=utf-8";
  private static final String NDJSON = "application/x-ndjson";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final List<String> models;
  private final Map<String, Integer> loaded = new LinkedHashMap<>();

  /** @param models what {@code /api/tags} lists and {@code /api/embed} serves; names without a tag get {@code :latest} */
  public OllamaWire(List<String> models) {
    List<String> names = new ArrayList<>();
    for (String m : models) {
      names.add(withTag(m));
    }
    this.models = List.copyOf(names);
  }

  /** Lists {@code model} in {@code /api/ps} with this context length (replacing an earlier entry). */
  public void load(String model, int contextLength) {
    load(model, contextLength, true);
  }

  /** Empties {@code /api/ps}. */
  public void unloadAll() {
    synchronized (loaded) {
      loaded.clear();
    }
  }

  @Override
  public String protocolName() {
    return "Ollama";
  }

  @Override
  public String basePath() {
    return "";
  }

  @Override
  public RecordedRequest read(String method, String path, Map<String, List<String>> headers, byte[] body) {
    return new OllamaRecordedRequest(method, path, headers, body);
  }

  @Override
  public boolean isChat(RecordedRequest request) {
    return request.method().equals("POST") && pathOnly(request.path()).equals(CHAT_PATH);
  }

  @Override
  public WireResponse renderOther(RenderContext context) {
    RecordedRequest request = context.request();
    String path = pathOnly(request.path());
    String method = request.method();
    if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
      return WireResponse.of(200, Map.of("content-type", TEXT), "Ollama is running");
    }
    if (method.equals("GET") && path.equals(VERSION_PATH)) {
      return WireResponse.of(200, Map.of("content-type", JSON), MAPPER.createObjectNode().put("version", VERSION)
          .toString());
    }
    if (method.equals("GET") && path.equals(TAGS_PATH)) {
      return WireResponse.of(200, Map.of("content-type", JSON), tags().toString());
    }
    if (method.equals("GET") && path.equals(PS_PATH)) {
      return WireResponse.of(200, Map.of("content-type", JSON), ps().toString());
    }
    if (method.equals("POST") && path.equals(EMBED_PATH)) {
      return embed((OllamaRecordedRequest) request);
    }
    if (path.equals(CHAT_PATH) || path.equals(EMBED_PATH) || path.equals(TAGS_PATH) || path.equals(PS_PATH)) {
      return WireResponse.of(405, Map.of("content-type", TEXT), "405 method not allowed");
    }
    return WireResponse.of(404, Map.of("content-type", TEXT), "404 page not found");
  }

  @Override
  public WireResponse render(Reply reply, RenderContext context) {
    switch (reply.kind()) {
      case ERROR:
        return renderError(reply.errorKind().orElseThrow(), reply.retryAfter().orElse(null), context);
      case RAW: {
        Reply.Raw raw = reply.raw().orElseThrow();
        return WireResponse.of(raw.status(), raw.headers(), raw.body());
      }
      default:
        break;
    }
    OllamaRecordedRequest request = (OllamaRecordedRequest) context.request();
    if (!request.hasJsonBody()) {
      return error(400, "invalid character '" + firstChar(request.bodyText()) + "' looking for beginning of value");
    }
    if (request.model().isEmpty()) {
      return error(400, "model is required");
    }
    Fault fault = reply.fault().orElse(null);
    if (fault == Fault.CONNECTION_RESET || fault == Fault.EMPTY_RESPONSE) {
      return WireResponse.fault(fault);
    }
    if (fault == Fault.MID_STREAM_ERROR && !request.streamRequested()) {
      return error(500, MID_STREAM_ERROR);
    }
    if (fault == null) {
      load(context.model(), DEFAULT_CONTEXT_LENGTH, false);
    }
    if (request.streamRequested()) {
      return stream(reply, context, fault);
    }
    String answer = answer(reply, context).toString();
    if (fault != null) {
      // A 200 whose JSON stops half-way: MALFORMED_CHUNK cuts inside the message, TRUNCATED_STREAM at half length.
      int cut = fault == Fault.MALFORMED_CHUNK ? answer.indexOf("\"message\"") + 14 : answer.length() / 2;
      return WireResponse.of(200, Map.of("content-type", JSON), answer.substring(0, Math.max(1, cut)));
    }
    return WireResponse.of(200, Map.of("content-type", JSON), answer);
  }

  // ---- chat ----

  private static ObjectNode answer(Reply reply, RenderContext context) {
    ObjectNode root = envelope(context);
    ObjectNode message = root.putObject("message");
    message.put("role", "assistant");
    message.put("content", content(reply));
    reply.reasoning().ifPresent(r -> message.put("thinking", r));
    if (!reply.toolCalls().isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (int i = 0; i < reply.toolCalls().size(); i++) {
        calls.add(toolCall(reply.toolCalls().get(i), i));
      }
    }
    done(root, reply, context.usage());
    return root;
  }

  private static WireResponse stream(Reply reply, RenderContext context, Fault fault) {
    StringBuilder ndjson = new StringBuilder();
    reply.reasoning().ifPresent(reasoning -> {
      for (String piece : TextPieces.text(reasoning, reply.streamPieces())) {
        ObjectNode line = envelope(context);
        line.putObject("message").put("role", "assistant").put("content", "").put("thinking", piece);
        line.put("done", false);
        line(ndjson, line);
      }
    });
    for (String piece : TextPieces.text(content(reply), reply.streamPieces())) {
      ObjectNode line = envelope(context);
      line.putObject("message").put("role", "assistant").put("content", piece);
      line.put("done", false);
      line(ndjson, line);
    }
    // Ollama sends each tool call whole, once parsed: one line per call.
    List<ToolCall> calls = reply.toolCalls();
    for (int i = 0; i < calls.size(); i++) {
      ObjectNode line = envelope(context);
      ObjectNode message = line.putObject("message").put("role", "assistant").put("content", "");
      message.putArray("tool_calls").add(toolCall(calls.get(i), i));
      line.put("done", false);
      line(ndjson, line);
    }
    if (fault == Fault.TRUNCATED_STREAM) {
      return WireResponse.of(200, Map.of("content-type", NDJSON), ndjson.toString());
    }
    if (fault == Fault.MID_STREAM_ERROR) {
      // As Ollama does when the runner fails after the 200 went out: an error line, then the end.
      line(ndjson, MAPPER.createObjectNode().put("error", MID_STREAM_ERROR));
      return WireResponse.of(200, Map.of("content-type", NDJSON), ndjson.toString());
    }
    if (fault == Fault.MALFORMED_CHUNK) {
      ndjson.append("{\"model\":").append(MAPPER.getNodeFactory().textNode(context.model())).append(",\"created_at\":\"")
          .append(CREATED_AT).append("\",\"message\":{\"role\":\"assistant\",\"content\":\"and then the ch\n");
    }
    ObjectNode last = envelope(context);
    last.putObject("message").put("role", "assistant").put("content", "");
    done(last, reply, context.usage());
    line(ndjson, last);
    return WireResponse.of(200, Map.of("content-type", NDJSON), ndjson.toString());
  }

  private static ObjectNode envelope(RenderContext context) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("model", context.model());
    root.put("created_at", CREATED_AT);
    return root;
  }

  /** The fields of the last object: done_reason, done, counts and durations (nanoseconds). */
  private static void done(ObjectNode root, Reply reply, Usage usage) {
    root.put("done_reason", doneReason(reply));
    root.put("done", true);
    long promptNanos = usage.inputTokens() * 500_000L;
    long evalNanos = usage.outputTokens() * 20_000_000L;
    long loadNanos = 2_000_000L;
    root.put("total_duration", promptNanos + evalNanos + loadNanos + 1_000_000L);
    root.put("load_duration", loadNanos);
    root.put("prompt_eval_count", usage.inputTokens());
    root.put("prompt_eval_duration", promptNanos);
    root.put("eval_count", usage.outputTokens());
    root.put("eval_duration", evalNanos);
  }

  private static String content(Reply reply) {
    return reply.text() + reply.refusal().orElse("");
  }

  private static ObjectNode toolCall(ToolCall call, int index) {
    ObjectNode c = MAPPER.createObjectNode();
    c.put("id", call.id());
    ObjectNode function = c.putObject("function");
    function.put("index", index);
    function.put("name", call.name());
    JsonNode arguments = null;
    try {
      arguments = MAPPER.readTree(call.argumentsJson());
    } catch (IOException notJson) {
      // sent as a string below: real Ollama always sends an object
    }
    if (arguments != null && arguments.isObject()) {
      function.set("arguments", arguments);
    } else {
      function.put("arguments", call.argumentsJson());
    }
    return c;
  }

  /** Ollama's own words are stop, length, load and unload; other reasons pass through as gateways send them. */
  static String doneReason(Reply reply) {
    if (reply.rawFinishReason().isPresent()) {
      return reply.rawFinishReason().get();
    }
    FinishReason reason = reply.finishReason();
    switch (reason) {
      case LENGTH:
        return "length";
      case CONTENT_FILTER:
        return "content_filter";
      case OTHER:
        return "other";
      case STOP:
      case TOOL_CALLS: // Ollama says "stop" when the model called tools
      case REFUSAL:
      default:
        return "stop";
    }
  }

  private static void line(StringBuilder ndjson, ObjectNode object) {
    ndjson.append(object.toString()).append('\n');
  }

  // ---- errors ----

  private static WireResponse renderError(ErrorKind kind, Duration retryAfter, RenderContext context) {
    String model = context.model();
    WireResponse response;
    switch (kind) {
      case CONTEXT_LENGTH:
        response = error(400, "the input length exceeds the context length of " + DEFAULT_CONTEXT_LENGTH + " tokens");
        break;
      case CONTENT_FILTER:
        response = error(400, "the request was blocked by the content filter of the gateway in front of Ollama");
        break;
      case INVALID_REQUEST:
        response = error(400, "option \"temperature\" must be of type float32");
        break;
      case AUTHENTICATION:
        response = error(401, "unauthorized");
        break;
      case PERMISSION:
        response = error(403, "forbidden: this key may not use model \"" + model + "\"");
        break;
      case MODEL_NOT_FOUND:
        response = error(404, "model \"" + model + "\" not found, try pulling it first");
        break;
      case REQUEST_TIMEOUT:
        response = error(408, "request timed out");
        break;
      case CONFLICT:
        response = error(409, "conflict: model \"" + model + "\" is being modified, try again");
        break;
      case RATE_LIMIT:
        response = error(429, "too many requests, please slow down");
        break;
      case QUOTA:
        response = error(429, "you have exhausted your usage quota for this billing period, upgrade your plan "
            + "for more usage");
        break;
      case SERVER_ERROR:
        response = error(500, "llama runner process has terminated: exit status 2");
        break;
      case BAD_GATEWAY_HTML:
        response = WireResponse.of(502, Map.of("content-type", "text/html; charset=utf-8"),
            OpenAiWire.badGatewayPage());
        break;
      case SERVICE_UNAVAILABLE:
        response = error(503, "server busy, please try again.  maximum pending requests exceeded");
        break;
      case OVERLOADED:
        response = error(529, "overloaded");
        break;
      default:
        throw new IllegalStateException("unhandled error kind " + kind);
    }
    if (retryAfter == null) {
      return response;
    }
    Map<String, String> headers = new LinkedHashMap<>(response.headers());
    long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
    headers.put("retry-after", Long.toString(seconds));
    return new WireResponse(response.status(), headers, response.body(), null);
  }

  private static WireResponse error(int status, String message) {
    return WireResponse.of(status, Map.of("content-type", JSON), MAPPER.createObjectNode().put("error", message)
        .toString());
  }

  // ---- discovery ----

  private ObjectNode tags() {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode list = root.putArray("models");
    for (String name : models) {
      ObjectNode m = list.addObject();
      m.put("name", name);
      m.put("model", name);
      m.put("modified_at", "2024-12-06T09:32:18.757212583-08:00");
      m.put("size", size(name));
      m.put("digest", digest(name));
      m.set("details", details(name));
    }
    return root;
  }

  private ObjectNode ps() {
    Map<String, Integer> snapshot;
    synchronized (loaded) {
      snapshot = new LinkedHashMap<>(loaded);
    }
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode list = root.putArray("models");
    snapshot.forEach((name, contextLength) -> {
      ObjectNode m = list.addObject();
      m.put("name", name);
      m.put("model", name);
      m.put("size", size(name));
      m.put("digest", digest(name));
      m.set("details", details(name));
      m.put("expires_at", EXPIRES_AT);
      m.put("size_vram", size(name));
      m.put("context_length", contextLength);
    });
    return root;
  }

  private void load(String model, int contextLength, boolean replace) {
    synchronized (loaded) {
      if (replace || !loaded.containsKey(withTag(model))) {
        loaded.put(withTag(model), contextLength);
      }
    }
  }

  private static ObjectNode details(String name) {
    boolean embedding = isEmbeddingModel(name);
    ObjectNode d = MAPPER.createObjectNode();
    d.put("parent_model", "");
    d.put("format", "gguf");
    String family = embedding ? "nomic-bert" : "llama";
    d.put("family", family);
    d.putArray("families").add(family);
    d.put("parameter_size", embedding ? "137M" : "8.0B");
    d.put("quantization_level", embedding ? "F16" : "Q4_K_M");
    return d;
  }

  private static boolean isEmbeddingModel(String name) {
    return name.toLowerCase(Locale.ROOT).contains("embed");
  }

  private static long size(String name) {
    return (isEmbeddingModel(name) ? 274_302_450L : 4_920_753_328L) + Math.floorMod(name.hashCode(), 1000);
  }

  private static String digest(String name) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- embeddings ----

  private WireResponse embed(OllamaRecordedRequest request) {
    if (!request.hasJsonBody()) {
      return error(400, "invalid character '" + firstChar(request.bodyText()) + "' looking for beginning of value");
    }
    String model = request.model().orElse("");
    if (model.isEmpty()) {
      return error(400, "model is required");
    }
    if (!models.contains(withTag(model))) {
      return error(404, "model \"" + model + "\" not found, try pulling it first");
    }
    List<String> inputs = request.embedInputs();
    if (inputs.isEmpty()) {
      return error(400, "input is required");
    }
    int dimensions = request.embedDimensions() > 0 ? request.embedDimensions() : DEFAULT_DIMENSIONS;
    ObjectNode root = MAPPER.createObjectNode();
    root.put("model", model);
    ArrayNode embeddings = root.putArray("embeddings");
    long tokens = 0;
    for (String input : inputs) {
      ArrayNode vector = embeddings.addArray();
      for (float f : vector(input, dimensions)) {
        vector.add(f);
      }
      tokens += Math.max(1, words(input).size());
    }
    root.put("total_duration", 14_143_917L);
    root.put("load_duration", 1_019_500L);
    root.put("prompt_eval_count", tokens);
    load(model, DEFAULT_CONTEXT_LENGTH, false);
    return WireResponse.of(200, Map.of("content-type", JSON), root.toString());
  }

  /**
   * The deterministic embedding of {@code text}: each lower-cased word adds ±1 and each of its
   * character trigrams ±0.25 to a hashed dimension; the result is L2-normalized. Texts differing in
   * a word or two stay close; unrelated texts are nearly orthogonal.
   */
  public static float[] vector(String text, int dimensions) {
    double[] v = new double[dimensions];
    for (String word : words(text)) {
      add(v, word, 1.0);
      String padded = "#" + word + "#";
      for (int i = 0; i + 3 <= padded.length(); i++) {
        add(v, "3:" + padded.substring(i, i + 3), 0.25);
      }
    }
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    float[] out = new float[dimensions];
    if (norm == 0) {
      out[0] = 1f;
      return out;
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < dimensions; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  private static void add(double[] v, String feature, double weight) {
    int h = mix(feature.hashCode());
    v[Math.floorMod(h, v.length)] += (h & 0x4000_0000) == 0 ? weight : -weight;
  }

  /** The MurmurHash3 finalizer: spreads String.hashCode (which is fixed by the Java spec) over all bits. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85eb_ca6b;
    h ^= h >>> 13;
    h *= 0xc2b2_ae35;
    h ^= h >>> 16;
    return h;
  }

  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  // ---- helpers ----

  static String withTag(String model) {
    int slash = model.lastIndexOf('/');
    return model.indexOf(':', slash + 1) >= 0 ? model : model + ":latest";
  }

  private static String firstChar(String body) {
    return body.isEmpty() ? "" : body.substring(0, body.offsetByCodePoints(0, 1));
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
