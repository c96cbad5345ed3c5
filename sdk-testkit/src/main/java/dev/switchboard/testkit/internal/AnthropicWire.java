package dev.switchboard.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic's Messages protocol ({@code POST /v1/messages}, {@code GET /v1/models}): JSON messages,
 * server-sent-event streams ({@code message_start}, {@code content_block_start} / {@code _delta} /
 * {@code _stop}, {@code ping}, {@code message_delta}, {@code message_stop}), and Anthropic's error
 * bodies ({@code {"type":"error","error":{"type":...,"message":...},"request_id":...}}) and
 * statuses. Stateless and thread-safe.
 *
 * <p>How a {@link Reply} becomes Anthropic's wire format:
 *
 * <ul>
 *   <li>Content blocks in the order {@code thinking} (with a signature), {@code text}, the refusal
 *       as a further {@code text} block, then one {@code tool_use} block per tool call, its {@code
 *       input} the arguments object. Streamed, tool input arrives as {@code input_json_delta}s
 *       (the first one empty, as Anthropic sends it) and thinking as {@code thinking_delta}s
 *       followed by a {@code signature_delta}.
 *   <li>Usage in Anthropic's convention: {@code input_tokens} excludes the cache, which is reported
 *       beside it as {@code cache_read_input_tokens} and {@code cache_creation_input_tokens};
 *       reasoning tokens, part of {@code output_tokens}, also as {@code
 *       output_tokens_details.thinking_tokens} when there are any.
 *       Streamed, {@code message_start} carries the input side and {@code output_tokens: 1}, and
 *       {@code message_delta} the cumulative {@code output_tokens}.
 *   <li>Stop reasons: {@code end_turn}, {@code max_tokens}, {@code tool_use}; a refusal, and a
 *       {@link FinishReason#CONTENT_FILTER} finish, as {@code refusal} (Anthropic's streaming
 *       classifiers stop that way; it has no separate content-filter reason or refusal field); an
 *       unnamed {@link FinishReason#OTHER} as {@code pause_turn}.
 *   <li>A request that forces a tool ({@code "tool_choice": {"type": "tool", ...}}) and a reply
 *       without tool calls: the reply's text, if it is a JSON object, is the forced tool's input,
 *       since the model must call it. This is how JSON-schema answers look on this protocol.
 *   <li>Errors: see {@link #renderError}; {@link ErrorKind#QUOTA} as 400 "credit balance is too
 *       low", {@link ErrorKind#CONTENT_FILTER} as 400 "Output blocked by content filtering policy",
 *       {@link ErrorKind#REQUEST_TIMEOUT} as 504 {@code timeout_error}, {@link
 *       ErrorKind#OVERLOADED} as 529 {@code overloaded_error}.
 *   <li>{@link Fault#MID_STREAM_ERROR}: an {@code event: error} with {@code overloaded_error} after
 *       the text; not streamed, a 529.
 * </ul>
 */
public final class AnthropicWire implements WireRenderer {
  static final String CHAT_PATH = "/v1/messages";
  static final String MODELS_PATH = "/v1/models";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String JSON = "application/json";
  private static final String SSE = "text/event-stream; charset=utf-8";
  private static final String REDACTED_SIGNATURE = "RW11bGF0b3Igc2lnbmF0dXJl";

  private final List<String> models;

  public AnthropicWire(List<String> models) {
    this.models = List.copyOf(models);
  }

  @Override
  public String protocolName() {
    return "Anthropic";
  }

  /** Empty: Anthropic's base URL is the host; requests go to {@code /v1/messages} under it. */
  @Override
  public String basePath() {
    return "";
  }

  @Override
  public RecordedRequest read(String method, String path, Map<String, List<String>> headers, byte[] body) {
    return new AnthropicRecordedRequest(method, path, headers, body);
  }

  @Override
  public boolean isChat(RecordedRequest request) {
    return request.method().equals("POST") && pathOnly(request.path()).equals(CHAT_PATH);
  }

  @Override
  public WireResponse renderOther(RenderContext context) {
    RecordedRequest request = context.request();
    String path = pathOnly(request.path());
    if (request.method().equals("GET") && path.equals(MODELS_PATH)) {
      ObjectNode list = MAPPER.createObjectNode();
      ArrayNode data = list.putArray("data");
      for (String id : models) {
        data.addObject().put("type", "model").put("id", id).put("display_name", id)
            .put("created_at", "2025-01-01T00:00:00Z");
      }
      list.put("has_more", false);
      if (models.isEmpty()) {
        list.putNull("first_id");
        list.putNull("last_id");
      } else {
        list.put("first_id", models.get(0));
        list.put("last_id", models.get(models.size() - 1));
      }
      return WireResponse.of(200, headers(context, JSON), list.toString());
    }
    if (path.equals(CHAT_PATH) || path.equals(MODELS_PATH)) {
      return error(context, 405, "invalid_request_error", "Method Not Allowed");
    }
    return error(context, 404, "not_found_error", "Not Found");
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
      return error(context, 400, "invalid_request_error",
          "There was an issue with the format or content of your request: the body is not valid JSON.");
    }
    AnthropicRecordedRequest request = (AnthropicRecordedRequest) context.request();
    Fault fault = reply.fault().orElse(null);
    if (fault == Fault.CONNECTION_RESET || fault == Fault.EMPTY_RESPONSE) {
      return WireResponse.fault(fault);
    }
    if (fault == Fault.MID_STREAM_ERROR && !request.streamRequested()) {
      return overloaded(context);
    }
    List<Block> blocks = blocks(reply, request, context);
    if (request.streamRequested()) {
      return stream(reply, blocks, context, fault);
    }
    String message = message(reply, blocks, context).toString();
    if (fault != null) {
      // A 200 whose JSON stops half-way: MALFORMED_CHUNK cuts inside an object, TRUNCATED_STREAM at half length.
      int cut = fault == Fault.MALFORMED_CHUNK ? message.indexOf("\"content\"") + 14 : message.length() / 2;
      return WireResponse.of(200, headers(context, JSON), message.substring(0, Math.max(1, cut)));
    }
    return WireResponse.of(200, headers(context, JSON), message);
  }

  // ---- answers ----

  /** One content block to render: {@code thinking}, {@code text} or {@code tool_use}. */
  private record Block(String type, String text, String id, String name, String inputJson) {
    static Block thinking(String text) {
      return new Block("thinking", text, null, null, null);
    }

    static Block text(String text) {
      return new Block("text", text, null, null, null);
    }

    static Block toolUse(String id, String name, String inputJson) {
      return new Block("tool_use", null, id, name, inputJson);
    }
  }

  private static List<Block> blocks(Reply reply, AnthropicRecordedRequest request, RenderContext context) {
    List<Block> blocks = new ArrayList<>();
    reply.reasoning().ifPresent(r -> blocks.add(Block.thinking(r)));
    Optional<String> forced = request.forcedTool();
    if (forced.isPresent() && reply.toolCalls().isEmpty() && reply.refusal().isEmpty() && isObject(reply.text())) {
      // The model must call the forced tool: its text is the tool's input (a JSON-schema answer).
      blocks.add(Block.toolUse("toolu_emu_" + context.sequence() + "_0", forced.get(), reply.text()));
      return blocks;
    }
    if (!reply.text().isEmpty()) {
      blocks.add(Block.text(reply.text()));
    }
    reply.refusal().ifPresent(r -> blocks.add(Block.text(r)));
    for (ToolCall call : reply.toolCalls()) {
      blocks.add(Block.toolUse(call.id(), call.name(), call.argumentsJson()));
    }
    return blocks;
  }

  private static ObjectNode message(Reply reply, List<Block> blocks, RenderContext context) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", id(context));
    root.put("type", "message");
    root.put("role", "assistant");
    root.put("model", context.model());
    ArrayNode content = root.putArray("content");
    for (Block b : blocks) {
      ObjectNode block = content.addObject();
      block.put("type", b.type());
      switch (b.type()) {
        case "thinking":
          block.put("thinking", b.text());
          block.put("signature", REDACTED_SIGNATURE);
          break;
        case "text":
          block.put("text", b.text());
          break;
        default:
          block.put("id", b.id());
          block.put("name", b.name());
          putInput(block, b.inputJson());
          break;
      }
    }
    root.put("stop_reason", stopReason(reply, blocks));
    root.putNull("stop_sequence");
    root.set("usage", usage(context.usage(), false));
    return root;
  }

  private static WireResponse stream(Reply reply, List<Block> blocks, RenderContext context, Fault fault) {
    StringBuilder sse = new StringBuilder();
    ObjectNode start = MAPPER.createObjectNode();
    start.put("type", "message_start");
    ObjectNode message = start.putObject("message");
    message.put("id", id(context));
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", context.model());
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.set("usage", usage(context.usage(), true));
    event(sse, "message_start", start);
    boolean broken = fault == Fault.TRUNCATED_STREAM || fault == Fault.MALFORMED_CHUNK
        || fault == Fault.MID_STREAM_ERROR;
    int textIndex = -1;
    for (int i = 0; i < blocks.size() && textIndex < 0; i++) {
      textIndex = blocks.get(i).type().equals("text") ? i : -1;
    }
    if (broken && textIndex < 0) {
      // No text to send first: the fault comes before any content.
      return broken(sse, -1, context, fault, reply, blocks);
    }
    for (int index = 0; index < blocks.size(); index++) {
      Block b = blocks.get(index);
      ObjectNode blockStart = MAPPER.createObjectNode();
      blockStart.put("type", "content_block_start");
      blockStart.put("index", index);
      ObjectNode block = blockStart.putObject("content_block");
      block.put("type", b.type());
      switch (b.type()) {
        case "thinking":
          block.put("thinking", "");
          block.put("signature", "");
          break;
        case "text":
          block.put("text", "");
          break;
        default:
          block.put("id", b.id());
          block.put("name", b.name());
          block.putObject("input");
          break;
      }
      event(sse, "content_block_start", blockStart);
      if (index == 0) {
        sse.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
      }
      switch (b.type()) {
        case "thinking":
          for (String piece : TextPieces.text(b.text(), reply.streamPieces())) {
            event(sse, "content_block_delta", delta(index, "thinking_delta", "thinking", piece));
          }
          event(sse, "content_block_delta", delta(index, "signature_delta", "signature", REDACTED_SIGNATURE));
          break;
        case "text":
          for (String piece : TextPieces.text(b.text(), reply.streamPieces())) {
            event(sse, "content_block_delta", delta(index, "text_delta", "text", piece));
          }
          break;
        default:
          event(sse, "content_block_delta", delta(index, "input_json_delta", "partial_json", ""));
          for (String piece : TextPieces.arguments(b.inputJson(), reply.streamPieces())) {
            event(sse, "content_block_delta", delta(index, "input_json_delta", "partial_json", piece));
          }
          break;
      }
      if (broken && index == textIndex) {
        return broken(sse, index, context, fault, reply, blocks);
      }
      ObjectNode stop = MAPPER.createObjectNode();
      stop.put("type", "content_block_stop");
      stop.put("index", index);
      event(sse, "content_block_stop", stop);
    }
    end(sse, reply, blocks, context);
    return WireResponse.of(200, headers(context, SSE), sse.toString());
  }

  /** The stream after the text of block {@code index} (or -1 before any block) for a stream fault. */
  private static WireResponse broken(StringBuilder sse, int index, RenderContext context, Fault fault, Reply reply,
      List<Block> blocks) {
    if (fault == Fault.MID_STREAM_ERROR) {
      sse.append("event: error\ndata: ").append(errorBody(context, "overloaded_error", "Overloaded")).append("\n\n");
    } else if (fault == Fault.MALFORMED_CHUNK) {
      sse.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":")
          .append(Math.max(0, index)).append(",\"delta\":{\"type\":\"text_delta\",\"text\":\"and then the ch\n\n");
      if (index >= 0) {
        ObjectNode stop = MAPPER.createObjectNode();
        stop.put("type", "content_block_stop");
        stop.put("index", index);
        event(sse, "content_block_stop", stop);
      }
      end(sse, reply, blocks, context);
    }
    // TRUNCATED_STREAM: the body just ends.
    return WireResponse.of(200, headers(context, SSE), sse.toString());
  }

  private static void end(StringBuilder sse, Reply reply, List<Block> blocks, RenderContext context) {
    ObjectNode messageDelta = MAPPER.createObjectNode();
    messageDelta.put("type", "message_delta");
    ObjectNode delta = messageDelta.putObject("delta");
    delta.put("stop_reason", stopReason(reply, blocks));
    delta.putNull("stop_sequence");
    ObjectNode finalUsage = messageDelta.putObject("usage").put("output_tokens", context.usage().outputTokens());
    if (context.usage().reasoningTokens() > 0) {
      finalUsage.putObject("output_tokens_details").put("thinking_tokens", context.usage().reasoningTokens());
    }
    event(sse, "message_delta", messageDelta);
    sse.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  private static ObjectNode delta(int index, String type, String field, String value) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("type", "content_block_delta");
    root.put("index", index);
    root.putObject("delta").put("type", type).put(field, value);
    return root;
  }

  private static void event(StringBuilder sse, String name, ObjectNode data) {
    sse.append("event: ").append(name).append("\ndata: ").append(data.toString()).append("\n\n");
  }

  /** The input as the arguments' JSON text when it is an object, else as a string (never invalid JSON). */
  private static void putInput(ObjectNode block, String argumentsJson) {
    if (isObject(argumentsJson)) {
      block.putRawValue("input", new RawValue(argumentsJson));
    } else {
      block.put("input", argumentsJson);
    }
  }

  private static boolean isObject(String json) {
    if (json == null || json.isBlank()) {
      return false;
    }
    try {
      JsonNode node = MAPPER.readTree(json);
      return node != null && node.isObject();
    } catch (IOException e) {
      return false;
    }
  }

  /** Anthropic's convention: {@code input_tokens} without the cache, cache reads and writes beside it. */
  private static ObjectNode usage(Usage usage, boolean atStreamStart) {
    ObjectNode u = MAPPER.createObjectNode();
    u.put("input_tokens", usage.uncachedInputTokens());
    u.put("cache_creation_input_tokens", usage.cacheWriteInputTokens());
    u.put("cache_read_input_tokens", usage.cachedInputTokens());
    u.put("output_tokens", atStreamStart ? Math.min(1, usage.outputTokens()) : usage.outputTokens());
    if (!atStreamStart && usage.reasoningTokens() > 0) {
      u.putObject("output_tokens_details").put("thinking_tokens", usage.reasoningTokens());
    }
    u.put("service_tier", "standard");
    return u;
  }

  static String stopReason(Reply reply, List<Block> blocks) {
    if (reply.rawFinishReason().isPresent()) {
      return reply.rawFinishReason().get();
    }
    boolean toolUse = false;
    for (Block b : blocks) {
      toolUse |= b.type().equals("tool_use");
    }
    if (reply.refusal().isPresent()) {
      return "refusal";
    }
    switch (reply.finishReason()) {
      case LENGTH:
        return "max_tokens";
      case TOOL_CALLS:
        return "tool_use";
      case CONTENT_FILTER:
      case REFUSAL:
        return "refusal";
      case OTHER:
        return "pause_turn";
      case STOP:
      default:
        return toolUse ? "tool_use" : "end_turn";
    }
  }

  // ---- errors ----

  /** Each {@link ErrorKind} with the status, error type and message Anthropic sends for it. */
  private static WireResponse renderError(ErrorKind kind, Duration retryAfter, RenderContext context) {
    String model = context.model();
    WireResponse response;
    switch (kind) {
      case CONTEXT_LENGTH:
        response = error(context, 400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum");
        break;
      case CONTENT_FILTER:
        response = error(context, 400, "invalid_request_error", "Output blocked by content filtering policy");
        break;
      case INVALID_REQUEST:
        response = error(context, 400, "invalid_request_error", "temperature: Input should be less than or equal to 1");
        break;
      case AUTHENTICATION:
        response = error(context, 401, "authentication_error", "invalid x-api-key");
        break;
      case PERMISSION:
        response = error(context, 403, "permission_error",
            "Your API key does not have permission to use the specified resource.");
        break;
      case MODEL_NOT_FOUND:
        response = error(context, 404, "not_found_error", "model: " + model);
        break;
      case REQUEST_TIMEOUT:
        response = error(context, 504, "timeout_error", "Request timeout");
        break;
      case CONFLICT:
        response = error(context, 409, "conflict_error", "The request conflicts with the current state of a resource.");
        break;
      case RATE_LIMIT:
        response = error(context, 429, "rate_limit_error", "This request would exceed your organization's rate limit "
            + "of 50 requests per minute (model: " + model + "). For details, refer to: "
            + "https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for current usage. "
            + "Please try again later.");
        break;
      case QUOTA:
        response = error(context, 400, "invalid_request_error", "Your credit balance is too low to access the "
            + "Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.");
        break;
      case SERVER_ERROR:
        response = error(context, 500, "api_error", "Internal server error");
        break;
      case BAD_GATEWAY_HTML:
        response = WireResponse.of(502, headers(context, "text/html; charset=utf-8"), OpenAiWire.badGatewayPage());
        break;
      case SERVICE_UNAVAILABLE:
        response = error(context, 503, "api_error", "Service Unavailable");
        break;
      case OVERLOADED:
        response = overloaded(context);
        break;
      default:
        throw new IllegalStateException("unhandled error kind " + kind);
    }
    if (retryAfter == null) {
      return response;
    }
    Map<String, String> headers = new LinkedHashMap<>(response.headers());
    headers.put("retry-after", Long.toString(seconds(retryAfter)));
    if (kind == ErrorKind.RATE_LIMIT) {
      String reset = Instant.now().plus(retryAfter).truncatedTo(ChronoUnit.SECONDS).toString();
      headers.put("anthropic-ratelimit-requests-limit", "50");
      headers.put("anthropic-ratelimit-requests-remaining", "0");
      headers.put("anthropic-ratelimit-requests-reset", reset);
    }
    return new WireResponse(response.status(), headers, response.body(), null);
  }

  private static WireResponse overloaded(RenderContext context) {
    return error(context, 529, "overloaded_error", "Overloaded");
  }

  private static long seconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  private static WireResponse error(RenderContext context, int status, String type, String message) {
    return WireResponse.of(status, headers(context, JSON), errorBody(context, type, message));
  }

  private static String errorBody(RenderContext context, String type, String message) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    root.put("request_id", requestId(context));
    return root.toString();
  }

  private static Map<String, String> headers(RenderContext context, String contentType) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", contentType.contains("charset") ? contentType : contentType + "; charset=utf-8");
    if (contentType.startsWith("text/event-stream")) {
      headers.put("cache-control", "no-cache");
    }
    headers.put("request-id", requestId(context));
    headers.put("anthropic-organization-id", "org-emulator");
    return headers;
  }

  private static String requestId(RenderContext context) {
    return "req_emu_" + context.sequence();
  }

  private static String id(RenderContext context) {
    return "msg_emu_" + context.sequence();
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
