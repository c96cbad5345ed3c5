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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's chat-completions protocol ({@code POST /v1/chat/completions}, {@code GET /v1/models},
 * and {@code POST /v1/embeddings}, which takes queued replies like chat: errors, raw bodies, faults):
 * JSON completions, server-sent-event chunk streams ending in {@code data: [DONE]}, and OpenAI's
 * error bodies and statuses. Stateless and thread-safe.
 */
public final class OpenAiWire implements WireRenderer {
  static final String CHAT_PATH = "/v1/chat/completions";
  static final String EMBEDDINGS_PATH = "/v1/embeddings";
  /** The vector size of emulated embeddings when the request asks for none. */
  static final int DEFAULT_EMBEDDING_DIMENSIONS = 64;
  static final String MODELS_PATH = "/v1/models";
  /** A fixed creation time, so rendered bodies are deterministic. */
  static final long CREATED = 1_735_689_600L;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String JSON = "application/json";

  private final List<String> models;

  public OpenAiWire(List<String> models) {
    this.models = List.copyOf(models);
  }

  @Override
  public String protocolName() {
    return "OpenAI";
  }

  @Override
  public String basePath() {
    return "/v1";
  }

  @Override
  public RecordedRequest read(String method, String path, Map<String, List<String>> headers, byte[] body) {
    return new OpenAiRecordedRequest(method, path, headers, body);
  }

  @Override
  public boolean isChat(RecordedRequest request) {
    return request.method().equals("POST")
        && (pathOnly(request.path()).equals(CHAT_PATH) || pathOnly(request.path()).equals(EMBEDDINGS_PATH));
  }

  @Override
  public WireResponse renderOther(RenderContext context) {
    RecordedRequest request = context.request();
    String path = pathOnly(request.path());
    if (request.method().equals("GET") && path.equals(MODELS_PATH)) {
      ObjectNode list = MAPPER.createObjectNode();
      list.put("object", "list");
      ArrayNode data = list.putArray("data");
      for (String id : models) {
        data.addObject().put("id", id).put("object", "model").put("created", CREATED).put("owned_by", "switchboard");
      }
      return WireResponse.of(200, headers(context, JSON), list.toString());
    }
    if (path.equals(CHAT_PATH) || path.equals(MODELS_PATH)) {
      return error(context, 405, "invalid_request_error", null, null,
          "Method " + request.method() + " is not allowed on " + path + ".");
    }
    return error(context, 404, "invalid_request_error", null, null,
        "Invalid URL (" + request.method() + " " + path + ")");
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
    if (!context.request().hasJsonBody()) {
      return error(context, 400, "invalid_request_error", null, null,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
              + "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
    }
    OpenAiRecordedRequest request = (OpenAiRecordedRequest) context.request();
    Fault fault = reply.fault().orElse(null);
    if (fault == Fault.CONNECTION_RESET || fault == Fault.EMPTY_RESPONSE) {
      return WireResponse.fault(fault);
    }
    if (fault == Fault.MID_STREAM_ERROR && !request.streamRequested()) {
      return error(context, 500, "server_error", null, null,
          "The server had an error while processing your request. Sorry about that!");
    }
    if (pathOnly(request.path()).equals(EMBEDDINGS_PATH)) {
      return embeddings(reply, context, fault);
    }
    if (request.streamRequested()) {
      return stream(reply, context, request.includeUsageRequested(), fault);
    }
    String completion = completion(reply, context).toString();
    if (fault != null) {
      // A 200 whose JSON stops half-way: MALFORMED_CHUNK cuts inside an object, TRUNCATED_STREAM at half length.
      int cut = fault == Fault.MALFORMED_CHUNK ? completion.indexOf("\"choices\"") + 12 : completion.length() / 2;
      return WireResponse.of(200, headers(context, JSON), completion.substring(0, Math.max(1, cut)));
    }
    return WireResponse.of(200, headers(context, JSON), completion);
  }

  // ---- answers ----

  private static ObjectNode completion(Reply reply, RenderContext context) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", id(context));
    root.put("object", "chat.completion");
    root.put("created", CREATED);
    root.put("model", context.model());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    boolean textless = reply.text().isEmpty() && (!reply.toolCalls().isEmpty() || reply.refusal().isPresent());
    if (textless) {
      message.putNull("content");
    } else {
      message.put("content", reply.text());
    }
    if (reply.refusal().isPresent()) {
      message.put("refusal", reply.refusal().get());
    } else {
      message.putNull("refusal");
    }
    reply.reasoning().ifPresent(r -> message.put("reasoning_content", r));
    if (!reply.toolCalls().isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (ToolCall call : reply.toolCalls()) {
        ObjectNode c = calls.addObject();
        c.put("id", call.id());
        c.put("type", "function");
        c.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
      }
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishWord(reply));
    root.set("usage", usage(context.usage()));
    root.put("system_fingerprint", "fp_emulator");
    return root;
  }

  private static WireResponse stream(Reply reply, RenderContext context, boolean includeUsage, Fault fault) {
    StringBuilder sse = new StringBuilder();
    ObjectNode first = MAPPER.createObjectNode();
    first.put("role", "assistant");
    first.put("content", "");
    first.putNull("refusal");
    event(sse, chunk(context, first, null, includeUsage));
    reply.reasoning().ifPresent(reasoning -> {
      for (String piece : TextPieces.text(reasoning, reply.streamPieces())) {
        event(sse, chunk(context, MAPPER.createObjectNode().put("reasoning_content", piece), null, includeUsage));
      }
    });
    for (String piece : TextPieces.text(reply.text(), reply.streamPieces())) {
      event(sse, chunk(context, MAPPER.createObjectNode().put("content", piece), null, includeUsage));
    }
    reply.refusal().ifPresent(refusal -> {
      for (String piece : TextPieces.text(refusal, reply.streamPieces())) {
        event(sse, chunk(context, MAPPER.createObjectNode().put("refusal", piece), null, includeUsage));
      }
    });
    List<ToolCall> calls = reply.toolCalls();
    for (int i = 0; i < calls.size(); i++) {
      ToolCall call = calls.get(i);
      ObjectNode start = MAPPER.createObjectNode();
      ObjectNode startCall = start.putArray("tool_calls").addObject();
      startCall.put("index", i);
      startCall.put("id", call.id());
      startCall.put("type", "function");
      startCall.putObject("function").put("name", call.name()).put("arguments", "");
      event(sse, chunk(context, start, null, includeUsage));
      for (String piece : TextPieces.arguments(call.argumentsJson(), reply.streamPieces())) {
        ObjectNode delta = MAPPER.createObjectNode();
        ObjectNode part = delta.putArray("tool_calls").addObject();
        part.put("index", i);
        part.putObject("function").put("arguments", piece);
        event(sse, chunk(context, delta, null, includeUsage));
      }
    }
    if (fault == Fault.TRUNCATED_STREAM) {
      return WireResponse.of(200, headers(context, "text/event-stream"), sse.toString());
    }
    if (fault == Fault.MID_STREAM_ERROR) {
      sse.append("data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry "
          + "about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
      return WireResponse.of(200, headers(context, "text/event-stream"), sse.toString());
    }
    if (fault == Fault.MALFORMED_CHUNK) {
      sse.append("data: {\"id\":\"").append(id(context)).append("\",\"object\":\"chat.completion.chunk\",")
          .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"and then the ch\n\n");
      sse.append("data: [DONE]\n\n");
      return WireResponse.of(200, headers(context, "text/event-stream"), sse.toString());
    }
    event(sse, chunk(context, MAPPER.createObjectNode(), finishWord(reply), includeUsage));
    if (includeUsage) {
      ObjectNode last = envelope(context);
      last.putArray("choices");
      last.set("usage", usage(context.usage()));
      event(sse, last);
    }
    sse.append("data: [DONE]\n\n");
    return WireResponse.of(200, headers(context, "text/event-stream"), sse.toString());
  }

  private static ObjectNode envelope(RenderContext context) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", id(context));
    root.put("object", "chat.completion.chunk");
    root.put("created", CREATED);
    root.put("model", context.model());
    root.put("system_fingerprint", "fp_emulator");
    return root;
  }

  private static ObjectNode chunk(RenderContext context, ObjectNode delta, String finish, boolean includeUsage) {
    ObjectNode root = envelope(context);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    if (includeUsage) {
      // As OpenAI does: every chunk but the last carries "usage": null when usage was asked for.
      root.putNull("usage");
    }
    return root;
  }

  private static void event(StringBuilder sse, ObjectNode data) {
    sse.append("data: ").append(data.toString()).append("\n\n");
  }

  private static ObjectNode usage(Usage usage) {
    ObjectNode u = MAPPER.createObjectNode();
    u.put("prompt_tokens", usage.inputTokens());
    u.put("completion_tokens", usage.outputTokens());
    u.put("total_tokens", usage.totalTokens());
    ObjectNode prompt = u.putObject("prompt_tokens_details");
    prompt.put("cached_tokens", usage.cachedInputTokens());
    prompt.put("audio_tokens", 0);
    ObjectNode completion = u.putObject("completion_tokens_details");
    completion.put("reasoning_tokens", usage.reasoningTokens());
    completion.put("audio_tokens", 0);
    completion.put("accepted_prediction_tokens", 0);
    completion.put("rejected_prediction_tokens", 0);
    return u;
  }

  static String finishWord(Reply reply) {
    if (reply.rawFinishReason().isPresent()) {
      return reply.rawFinishReason().get();
    }
    FinishReason reason = reply.finishReason();
    switch (reason) {
      case LENGTH:
        return "length";
      case TOOL_CALLS:
        return "tool_calls";
      case CONTENT_FILTER:
        return "content_filter";
      case OTHER:
        return "other";
      case STOP:
      case REFUSAL: // OpenAI reports refusals with "stop" and a separate refusal field
      default:
        return "stop";
    }
  }

  // ---- embeddings ----

  /**
   * Deterministic embeddings: a hashed bag of the lower-cased words of each input, L2-normalized, so
   * texts that share most words are close (cosine near 1) and unrelated ones are not. Usage counts
   * about four characters per token unless the reply gives usage.
   */
  private static WireResponse embeddings(Reply reply, RenderContext context, Fault fault) {
    JsonNode body = context.request().json();
    JsonNode input = body.path("input");
    List<String> texts = new ArrayList<>();
    if (input.isTextual()) {
      texts.add(input.textValue());
    } else if (input.isArray() && !input.isEmpty()) {
      for (JsonNode item : input) {
        if (!item.isTextual()) {
          return error(context, 400, "invalid_request_error", "input", null,
              "'input' must be a string or an array of strings.");
        }
        texts.add(item.textValue());
      }
    } else {
      return error(context, 400, "invalid_request_error", "input", null, "'input' is a required property.");
    }
    JsonNode dims = body.path("dimensions");
    int dimensions = dims.isIntegralNumber() ? dims.intValue() : DEFAULT_EMBEDDING_DIMENSIONS;
    if (dimensions < 1 || dimensions > 8192) {
      return error(context, 400, "invalid_request_error", "dimensions", null,
          "Invalid value for 'dimensions': expected an integer between 1 and 8192.");
    }
    ObjectNode root = MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    long tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      ArrayNode vector = item.putArray("embedding");
      for (float f : embed(texts.get(i), dimensions)) {
        vector.add(f);
      }
      tokens += Math.max(1, (texts.get(i).length() + 3) / 4);
    }
    root.put("model", context.model());
    long promptTokens = reply.usage().map(Usage::inputTokens).orElse(tokens);
    root.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
    String json = root.toString();
    if (fault != null) {
      return WireResponse.of(200, headers(context, JSON), json.substring(0, json.length() / 2));
    }
    return WireResponse.of(200, headers(context, JSON), json);
  }

  /** The hashed bag of words of {@code text}, L2-normalized; a fixed unit vector for text without words. */
  static float[] embed(String text, int dimensions) {
    float[] v = new float[dimensions];
    for (String word : text.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty()) {
        continue;
      }
      int h = 0x811c9dc5;
      for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (b & 0xff)) * 0x01000193;
      }
      v[Math.floorMod(h, dimensions)] += (h & 0x40000000) == 0 ? 1f : -1f;
    }
    double norm = 0;
    for (float f : v) {
      norm += (double) f * f;
    }
    if (norm == 0) {
      v[0] = 1f;
      return v;
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  // ---- errors ----

  private WireResponse renderError(ErrorKind kind, Duration retryAfter, RenderContext context) {
    String model = context.model();
    WireResponse response;
    switch (kind) {
      case CONTEXT_LENGTH:
        response = error(context, 400, "invalid_request_error", "messages", "context_length_exceeded",
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 "
                + "tokens. Please reduce the length of the messages.");
        break;
      case CONTENT_FILTER:
        response = error(context, 400, "invalid_request_error", "prompt", "content_filter",
            "The response was filtered due to the prompt triggering the content management policy. "
                + "Please modify your prompt and retry.");
        break;
      case INVALID_REQUEST:
        response = error(context, 400, "invalid_request_error", "temperature", "invalid_value",
            "Invalid value for 'temperature': expected a number between 0 and 2.");
        break;
      case AUTHENTICATION:
        response = error(context, 401, "invalid_request_error", null, "invalid_api_key",
            "Incorrect API key provided: sk-test****. You can find your API key at "
                + "https://platform.openai.com/account/api-keys.");
        break;
      case PERMISSION:
        response = error(context, 403, "invalid_request_error", null, "model_not_permitted",
            "Your organization is not allowed to use the model `" + model + "`.");
        break;
      case MODEL_NOT_FOUND:
        response = error(context, 404, "invalid_request_error", "model", "model_not_found",
            "The model `" + model + "` does not exist or you do not have access to it.");
        break;
      case REQUEST_TIMEOUT:
        response = error(context, 408, "timeout", null, "request_timeout", "Request timed out.");
        break;
      case CONFLICT:
        response = error(context, 409, "conflict", null, "conflict",
            "Another request is modifying this resource. Please retry.");
        break;
      case RATE_LIMIT:
        response = error(context, 429, "requests", null, "rate_limit_exceeded",
            "Rate limit reached for " + model + " in organization org-emulator on requests per min (RPM): "
                + "Limit 3, Used 3, Requested 1. Please try again in "
                + (retryAfter == null ? "20s" : seconds(retryAfter) + "s") + ".");
        break;
      case QUOTA:
        response = error(context, 429, "insufficient_quota", null, "insufficient_quota",
            "You exceeded your current quota, please check your plan and billing details.");
        break;
      case SERVER_ERROR:
        response = error(context, 500, "server_error", null, null,
            "The server had an error while processing your request. Sorry about that!");
        break;
      case BAD_GATEWAY_HTML:
        response = WireResponse.of(502, headers(context, "text/html; charset=utf-8"), badGatewayPage());
        break;
      case SERVICE_UNAVAILABLE:
        response = error(context, 503, "server_error", null, "service_unavailable",
            "The server is overloaded or not ready yet.");
        break;
      case OVERLOADED:
        response = error(context, 529, "overloaded_error", null, "overloaded", "Overloaded");
        break;
      default:
        throw new IllegalStateException("unhandled error kind " + kind);
    }
    if (retryAfter == null) {
      return response;
    }
    Map<String, String> headers = new LinkedHashMap<>(response.headers());
    headers.put("retry-after", Long.toString(seconds(retryAfter)));
    headers.put("retry-after-ms", Long.toString(retryAfter.toMillis()));
    if (kind == ErrorKind.RATE_LIMIT) {
      headers.put("x-ratelimit-limit-requests", "3");
      headers.put("x-ratelimit-remaining-requests", "0");
      headers.put("x-ratelimit-reset-requests", seconds(retryAfter) + "s");
    }
    return new WireResponse(response.status(), headers, response.body(), null);
  }

  private static long seconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  private static WireResponse error(RenderContext context, int status, String type, String param, String code,
      String message) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return WireResponse.of(status, headers(context, JSON), root.toPrettyString());
  }

  /** A gateway error page as CDNs send them: long, HTML, nothing an adapter should print whole. */
  static String badGatewayPage() {
    StringBuilder page = new StringBuilder()
        .append("<html>\n<head><title>502 Bad Gateway</title>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>\n");
    for (int i = 0; i < 40; i++) {
      page.append("  .cf-error-").append(i).append(" { margin: 0 auto; padding: ").append(i)
          .append("px; font-family: -apple-system, system-ui, sans-serif; }\n");
    }
    page.append("</style>\n</head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n")
        .append("<hr><center>switchboard-emulator gateway</center>\n")
        .append("<!-- a padding comment to make the page longer than any sensible message -->\n")
        .append("</body>\n</html>\n");
    return page.toString();
  }

  private static Map<String, String> headers(RenderContext context, String contentType) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", contentType.startsWith("text/event-stream") ? contentType
        : contentType.contains("charset") ? contentType : contentType + "; charset=utf-8");
    if (contentType.startsWith("text/event-stream")) {
      headers.put("cache-control", "no-cache");
    }
    headers.put("x-request-id", "req_emu_" + context.sequence());
    headers.put("openai-processing-ms", "1");
    return headers;
  }

  private static String id(RenderContext context) {
    return "chatcmpl-emu-" + context.sequence();
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
