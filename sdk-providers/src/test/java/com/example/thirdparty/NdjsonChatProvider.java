package com.example.thirdparty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContentPart;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Role;
import dev.switchboard.Secret;
import dev.switchboard.OverloadedException;
import dev.switchboard.ServerException;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.ByteStreamConsumer;
import dev.switchboard.spi.http.ErrorMapping;
import dev.switchboard.spi.http.HttpErrorMapper;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.spi.http.LineSplitter;
import dev.switchboard.spi.http.PageBody;
import dev.switchboard.spi.http.RetryAfter;
import dev.switchboard.spi.http.StreamFailures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.stream.ResponseAccumulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small provider speaking Ollama's native chat protocol ({@code POST {baseUrl}/api/chat}), written
 * the way a third party would write one: outside Switchboard's packages, on the public SPI only
 * ({@link HttpTransport}, {@link HttpErrorMapper}, {@link LineSplitter}, {@link StreamFailures},
 * {@link PushChatStream}, {@link ResponseAccumulator}, {@link WireJson}).
 *
 * <ul>
 *   <li>Request: {@code {"model","messages":[{"role","content","images"?,"tool_calls"?,"tool_name"?}],
 *       "stream","tools"?,"format"?,"options"?}}. Inline images travel as base64 {@code images};
 *       image URLs are rejected, as Ollama cannot fetch them. A JSON schema goes out as the bare
 *       {@code format} object, {@link ResponseFormat#JSON_OBJECT} as {@code "json"}.
 *   <li>Answer: one JSON object, or NDJSON lines whose last one has {@code "done": true} with
 *       {@code done_reason}, {@code prompt_eval_count} and {@code eval_count}. {@code
 *       message.thinking} is reasoning; tool calls come whole, one or more per line.
 *   <li>Errors: {@code {"error":"..."}} with an HTTP status, or as a line inside a 200 stream.
 * </ul>
 *
 * <p>Thread-safe; holds no thread per call. The transport is {@link HttpTransport#shared()} unless
 * one is given, and is never closed by this provider.
 */
public final class NdjsonChatProvider implements ProviderAdapter {
  private static final Logger log = LoggerFactory.getLogger(NdjsonChatProvider.class);
  private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
  private static final int MAX_ERROR_BYTES = 64 * 1024;
  private static final int EXCERPT = 200;
  private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title>(.*?)</title>");

  private final String name;
  private final URI chatUri;
  private final Secret apiKey;
  private final Duration timeout;
  private final HttpTransport transport;
  private final HttpTransport.Limits limits;
  private final Errors errors;

  private NdjsonChatProvider(Builder b) {
    this.name = b.name;
    String base = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
    this.chatUri = URI.create(base + "/api/chat");
    this.apiKey = b.apiKey;
    this.timeout = b.timeout;
    this.transport = b.transport != null ? b.transport : HttpTransport.shared();
    this.limits = new HttpTransport.Limits(MAX_BODY_BYTES, MAX_ERROR_BYTES, "a larger NdjsonChatProvider limit");
    this.errors = new Errors(apiKey, base, b.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    String model = request.model();
    Duration limit = limitOf(request);
    HttpRequest http;
    try {
      http = httpRequest(request, false, limit);
    } catch (ChatException e) {
      return CompletableFuture.failedFuture(e);
    }
    return transport.exchange(http, limit, limits, (status, headers, body) -> readAnswer(model, status, headers, body),
        HttpErrorMapper.bind(errors, name, model));
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    String model = request.model();
    PushChatStream out = new PushChatStream();
    HttpRequest http;
    try {
      http = httpRequest(request, true, limitOf(request));
    } catch (ChatException e) {
      out.fail(e);
      return out;
    }
    transport.stream(http, out, info -> new Decoder(out, model, info.statusCode(), info.headers()),
        HttpErrorMapper.bind(errors, name, model), MAX_ERROR_BYTES);
    return out;
  }

  @Override
  public Capabilities capabilities(String model) {
    return Capabilities.builder().tools(true).jsonSchema(true).streamingUsage(true).build();
  }

  @Override
  public String toString() {
    return "NdjsonChatProvider[name=" + name + ", chat=" + chatUri
        + (apiKey == null ? "" : ", apiKey=" + apiKey.description()) + "]";
  }

  // ---- request ----

  private Duration limitOf(ChatRequest request) {
    return request.timeout().filter(t -> !t.isZero() && !t.isNegative()).orElse(timeout);
  }

  private HttpRequest httpRequest(ChatRequest request, boolean stream, Duration limit) {
    byte[] body = requestBody(request, stream);
    HttpRequest.Builder b = HttpRequest.newBuilder(chatUri)
        .timeout(limit) // for a stream: the wait for the headers, which includes loading the model
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "application/x-ndjson" : "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if ("http".equalsIgnoreCase(chatUri.getScheme())) {
      b.version(HttpClient.Version.HTTP_1_1); // Ollama does not speak h2c
    }
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key == null || key.isBlank()) {
        throw new AuthenticationException("the API key of " + name + " (" + apiKey.description()
            + ") is empty; set it to call model '" + request.model() + "'", ErrorDetails.of(name, request.model()));
      }
      b.header("Authorization", "Bearer " + key.trim());
    }
    return b.build();
  }

  private byte[] requestBody(ChatRequest request, boolean stream) {
    ObjectNode root = WireJson.MAPPER.createObjectNode();
    root.put("model", request.model());
    ArrayNode messages = root.putArray("messages");
    Map<String, String> toolNameById = new HashMap<>();
    for (Message m : request.messages()) {
      ObjectNode wire = messages.addObject();
      wire.put("role", m.role().name().toLowerCase(Locale.ROOT));
      wire.put("content", m.text());
      if (m.hasImages()) {
        ArrayNode images = wire.putArray("images");
        for (ContentPart part : m.parts()) {
          if (part instanceof ContentPart.Image image) {
            if (image.base64Data() == null) {
              throw invalid(request, "Ollama takes inline images only (ContentPart.imageBytes), not the URL "
                  + WireJson.excerpt(image.url(), 80));
            }
            images.add(image.base64Data());
          }
        }
      }
      if (!m.toolCalls().isEmpty()) {
        ArrayNode calls = wire.putArray("tool_calls");
        for (ToolCall call : m.toolCalls()) {
          toolNameById.put(call.id(), call.name());
          ObjectNode function = calls.addObject().put("id", call.id()).putObject("function");
          function.put("name", call.name());
          function.set("arguments", json(request, call.argumentsJson(), "the arguments of tool call " + call.id()));
        }
      }
      if (m.role() == Role.TOOL) {
        m.toolCallId().map(toolNameById::get).ifPresent(toolName -> wire.put("tool_name", toolName));
      }
    }
    root.put("stream", stream);
    boolean toolsOff = request.toolChoice().map(c -> c.mode() == ToolChoice.Mode.NONE).orElse(false);
    if (!request.tools().isEmpty() && !toolsOff) {
      ArrayNode tools = root.putArray("tools");
      for (ToolSpec tool : request.tools()) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.name());
        if (tool.description() != null) {
          function.put("description", tool.description());
        }
        function.set("parameters", json(request, tool.parametersJsonSchema(), "the schema of tool " + tool.name()));
      }
    }
    request.responseFormat().ifPresent(format -> {
      if (format.type() == ResponseFormat.Type.JSON_OBJECT) {
        root.put("format", "json");
      } else if (format.type() == ResponseFormat.Type.JSON_SCHEMA) {
        root.set("format", json(request, format.jsonSchema().orElseThrow(), "the response schema"));
      }
    });
    ObjectNode options = WireJson.MAPPER.createObjectNode();
    request.temperature().ifPresent(t -> options.put("temperature", t));
    request.topP().ifPresent(p -> options.put("top_p", p));
    request.maxOutputTokens().ifPresent(n -> options.put("num_predict", n));
    request.seed().ifPresent(s -> options.put("seed", s));
    if (!request.stop().isEmpty()) {
      ArrayNode stop = options.putArray("stop");
      request.stop().forEach(stop::add);
    }
    if (!options.isEmpty()) {
      root.set("options", options);
    }
    try {
      return WireJson.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw invalid(request, "the request could not be written as JSON: " + e.getMessage());
    }
  }

  private JsonNode json(ChatRequest request, String text, String what) {
    try {
      JsonNode node = WireJson.MAPPER.readTree(text);
      // Ollama wants objects for arguments and schemas; anything else is passed on as text.
      return node != null && node.isObject() ? node : WireJson.MAPPER.getNodeFactory().textNode(text);
    } catch (IOException e) {
      throw invalid(request, what + " is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")");
    }
  }

  private InvalidRequestException invalid(ChatRequest request, String why) {
    return new InvalidRequestException(errors.redact("cannot send the request to " + name + " model '"
        + request.model() + "': " + why), ErrorDetails.of(name, request.model()));
  }

  // ---- answer ----

  private ChatResponse readAnswer(String model, int status, HttpHeaders headers, byte[] body) {
    JsonNode root;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw new DecodingException(errors.redact(name + " sent an answer for model '" + model
          + "' that is not valid JSON (" + WireJson.firstLine(e.getMessage()) + "): '"
          + ErrorMapping.excerpt(body, EXCERPT) + "'"), details(model, status, false), e);
    }
    if (root == null || !root.isObject()) {
      throw new DecodingException(errors.redact(name + " sent an answer for model '" + model
          + "' that is not a JSON object: '" + ErrorMapping.excerpt(body, EXCERPT) + "'"),
          details(model, status, false));
    }
    if (root.hasNonNull("error")) {
      throw errors.inBody(status, headers, root, name, model);
    }
    Turn turn = new Turn(model);
    turn.read(root);
    turn.usage(root);
    return turn.response(root);
  }

  private ErrorDetails details(String model, int status, boolean retryable) {
    return ErrorDetails.builder().provider(name).model(model).statusCode(status).retryable(retryable).build();
  }

  /** One answer as it arrives: the deltas of each object, and the whole response at the {@code done} object. */
  private final class Turn {
    private final String requestedModel;
    private final ResponseAccumulator acc = new ResponseAccumulator();
    private String answeredBy;
    private int nextToolIndex;

    Turn(String requestedModel) {
      this.requestedModel = requestedModel;
    }

    /** The deltas of one object ({@code message.thinking}, {@code message.content}, {@code message.tool_calls}). */
    List<ChatEvent> read(JsonNode object) {
      List<ChatEvent> events = new ArrayList<>(2);
      if (answeredBy == null && object.path("model").isTextual() && !object.path("model").asText().isEmpty()) {
        answeredBy = object.path("model").asText();
      }
      JsonNode message = object.path("message");
      String thinking = message.path("thinking").asText("");
      if (!thinking.isEmpty()) {
        events.add(new ChatEvent.ReasoningDelta(thinking));
      }
      String content = message.path("content").asText("");
      if (!content.isEmpty()) {
        events.add(new ChatEvent.TextDelta(content));
      }
      for (JsonNode call : message.path("tool_calls")) {
        int index = nextToolIndex++;
        JsonNode function = call.path("function");
        JsonNode arguments = function.path("arguments");
        String id = call.path("id").asText("");
        String argumentsJson = arguments.isTextual() ? arguments.textValue()
            : arguments.isMissingNode() ? "{}" : WireJson.write(arguments);
        events.add(new ChatEvent.ToolCallDelta(index, id.isEmpty() ? "call_" + index : id,
            function.path("name").asText(""), argumentsJson));
      }
      events.forEach(acc::add);
      return events;
    }

    /** The usage report of the {@code done} object, if it has counts, already added to the answer. */
    Optional<ChatEvent> usage(JsonNode done) {
      if (!done.has("prompt_eval_count") && !done.has("eval_count")) {
        return Optional.empty();
      }
      ChatEvent report = new ChatEvent.UsageReport(Usage.of(done.path("prompt_eval_count").asLong(0),
          done.path("eval_count").asLong(0)));
      acc.add(report);
      return Optional.of(report);
    }

    ChatResponse response(JsonNode done) {
      String raw = done.path("done_reason").isTextual() ? done.path("done_reason").asText() : null;
      boolean calledTools = !acc.toolCalls().isEmpty();
      FinishReason reason = raw == null || raw.equals("stop")
          ? (calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP)
          : FinishReason.fromProviderWord(raw);
      if (log.isDebugEnabled()) {
        long evalNanos = done.path("eval_duration").asLong(0);
        String speed = evalNanos == 0 ? "?"
            : String.format(Locale.ROOT, "%.1f", done.path("eval_count").asLong(0) * 1e9 / evalNanos);
        log.debug("{} {}: total {} ms, load {} ms, {} tokens/s", name, model(),
            done.path("total_duration").asLong(0) / 1_000_000, done.path("load_duration").asLong(0) / 1_000_000, speed);
      }
      return acc.toResponseBuilder().provider(name).model(model()).finishReason(reason).rawFinishReason(raw).build();
    }

    int eventCount() {
      return acc.eventCount();
    }

    ChatResponse partial() {
      return acc.partial(name, model());
    }

    private String model() {
      return answeredBy != null ? answeredBy : requestedModel;
    }
  }

  // ---- stream ----

  /** NDJSON body → events; driven by one transport callback at a time. */
  private final class Decoder implements ByteStreamConsumer {
    private final PushChatStream out;
    private final String model;
    private final int status;
    private final HttpHeaders headers;
    private final Turn turn;
    private final LineSplitter lines = new LineSplitter(this::onLine, MAX_BODY_BYTES);
    private final boolean pageBody;
    private final PageBody page = new PageBody();
    private boolean ended;

    Decoder(PushChatStream out, String model, int status, HttpHeaders headers) {
      this.out = out;
      this.model = model;
      this.status = status;
      this.headers = headers;
      this.turn = new Turn(model);
      this.pageBody = PageBody.isPage(headers);
    }

    @Override
    public void onBytes(ByteBuffer chunk) {
      if (ended) {
        chunk.position(chunk.limit());
        return;
      }
      if (pageBody) {
        page.keep(chunk);
        chunk.position(chunk.limit());
        return;
      }
      lines.feed(chunk);
    }

    @Override
    public void onComplete() {
      if (pageBody && !ended) {
        ended = true;
        out.fail(page.failure(name, model, status, headers, EXCERPT, "Check the base URL.", details(model, status,
            false), errors::redact));
        return;
      }
      if (!ended) {
        lines.finish();
      }
      if (!ended) {
        ended = true;
        out.fail(broken("the body ended without the final \"done\": true line", null, true));
      }
    }

    @Override
    public void onError(Throwable error) {
      if (ended) {
        return;
      }
      ended = true;
      if (error instanceof ChatException e) {
        out.fail(e); // what onLine threw
      } else if (error instanceof LineSplitter.LineTooLongException) {
        out.fail(broken(error.getMessage(), error, false));
      } else if (turn.eventCount() == 0) {
        out.fail(errors.mapFailure(error, name, model));
      } else {
        out.fail(StreamFailures.connectionBroke(error, name, model, turn.eventCount(), errors::redact,
            details(model, status, true), turn.partial()));
      }
    }

    private void onLine(String line) {
      if (ended) {
        return;
      }
      JsonNode object;
      try {
        object = WireJson.MAPPER.readTree(line);
      } catch (IOException | RuntimeException e) {
        throw broken("a line is not valid JSON: '" + WireJson.excerpt(line, EXCERPT) + "'", e, false);
      }
      if (object == null || !object.isObject()) {
        throw broken("a line is not a JSON object: '" + WireJson.excerpt(line, EXCERPT) + "'", null, false);
      }
      if (object.hasNonNull("error")) {
        throw StreamFailures.midStreamError(errors.inBody(status, headers, object, name, model), name, model,
            turn.eventCount(), turn::partial);
      }
      turn.read(object).forEach(out::emit);
      if (object.path("done").asBoolean(false)) {
        ended = true;
        turn.usage(object).ifPresent(out::emit);
        out.emit(new ChatEvent.Completed(turn.response(object)));
        out.complete();
      }
    }

    /** Undecodable before any event: a DecodingException; after: a ChatStreamException with the partial answer. */
    private ChatException broken(String detail, Throwable cause, boolean retryable) {
      if (turn.eventCount() == 0) {
        return new DecodingException(errors.redact(name + " sent a stream for model '" + model
            + "' that could not be decoded: " + detail), details(model, status, retryable), cause);
      }
      return StreamFailures.brokenAfterEvents(detail, name, model, turn.eventCount(), errors::redact,
          details(model, status, retryable), turn.partial(), cause);
    }
  }

  // ---- errors ----

  /**
   * Status and error text → typed exception. Ollama's body is {@code {"error":"..."}}; gateways in
   * front of it may send other JSON or HTML, of which only a short excerpt (or the page title) is
   * quoted. An error inside a 200 body has its kind guessed from the text, its status stays 200.
   */
  static final class Errors implements HttpErrorMapper {
    private final Secret apiKey;
    private final String baseUrl;
    private final Clock clock;

    Errors(Secret apiKey, String baseUrl, Clock clock) {
      this.apiKey = apiKey;
      this.baseUrl = baseUrl;
      this.clock = clock;
    }

    @Override
    public String redact(String text) {
      return ErrorMapping.redact(text, apiKey);
    }

    @Override
    public ChatException map(int status, HttpHeaders headers, byte[] body, String provider, String model) {
      return classify(status, status, headers, messageOf(body), provider, model);
    }

    ChatException inBody(int status, HttpHeaders headers, JsonNode object, String provider, String model) {
      String text = textOf(object);
      return classify(guessStatus(text), status, headers, text, provider, model);
    }

    @Override
    public ChatException mapFailure(Throwable failure, String provider, String model) {
      Throwable t = Futures.unwrap(failure);
      if (t instanceof ChatException e) {
        return e;
      }
      String cause = ErrorMapping.describe(t, EXCERPT);
      ErrorDetails retryable = ErrorDetails.builder().provider(provider).model(model).retryable(true).build();
      if (t instanceof HttpTimeoutException) {
        return new ChatTimeoutException(redact(provider + " at " + baseUrl + " did not answer for model '" + model
            + "' in time (" + cause + "); retrying may help"), retryable, t);
      }
      if (t instanceof CancellationException) {
        return new ChatException(provider + " call for model '" + model + "' was cancelled",
            ErrorDetails.of(provider, model), t);
      }
      if (t instanceof IOException) {
        return new TransportException(redact("the connection to " + provider + " at " + baseUrl + " failed for model '"
            + model + "' (" + cause + "); retrying may help"), retryable, t);
      }
      return new ChatException(redact("the call to " + provider + " for model '" + model + "' failed unexpectedly ("
          + cause + ")"), ErrorDetails.of(provider, model), t);
    }

    @Override
    public ChatTimeoutException timeout(Duration limit, String provider, String model) {
      return new ChatTimeoutException(provider + " at " + baseUrl + " did not answer for model '" + model + "' within "
          + ErrorMapping.human(limit) + "; retrying may help",
          ErrorDetails.builder().provider(provider).model(model).retryable(true).build());
    }

    /** Ollama sends no request id. */
    @Override
    public String requestId(HttpHeaders headers) {
      return null;
    }

    private ChatException classify(int kind, int status, HttpHeaders headers, String text, String provider,
        String model) {
      Optional<Duration> retryAfter = RetryAfter.fromHeaders(headers, clock);
      ErrorDetails.Builder d = ErrorDetails.builder().provider(provider).model(model).statusCode(status);
      ErrorDetails fatal = d.build();
      ErrorDetails retrying = d.retryable(true).retryAfter(retryAfter.orElse(null)).build();
      String what = redact(provider + " answered " + (kind == status ? "HTTP " + status : "an error in the body")
          + " for model '" + model + "': " + text);
      switch (kind) {
        case 400, 413, 422:
          if (mentions(text, "context length", "context window", "exceeds the context", "prompt is too long")) {
            return new ContextLengthExceededException(what + ". Shorten the prompt or use a larger context.", fatal);
          }
          if (mentions(text, "content filter", "content_filter", "content policy")) {
            return new ContentFilteredException(what + ". Change the prompt.", fatal);
          }
          return new InvalidRequestException(what + ". Fix the request.", fatal);
        case 401, 403:
          return new AuthenticationException(what + ". Check the API key"
              + (apiKey == null ? "" : " (" + apiKey.description() + ")") + ".", fatal);
        case 402:
          return new QuotaExceededException(what + ". Add credit.", fatal);
        case 404:
          boolean aboutModel = mentions(text, "model", "try pulling")
              || (!model.isEmpty() && mentions(text, model.toLowerCase(Locale.ROOT)));
          if (aboutModel) {
            return new ModelNotFoundException(what + ". Pull it with `ollama pull " + model + "`.", fatal);
          }
          return new ChatException(what + ". Check the base URL: the server root, without /api.", fatal);
        case 408:
          return new ChatTimeoutException(what + ". Retry" + ErrorMapping.after(retryAfter) + ".", retrying);
        case 429:
          if (mentions(text, "quota", "billing", "credit", "upgrade your plan")) {
            return new QuotaExceededException(what + ". Retrying will not help.", fatal);
          }
          return new RateLimitException(what + ". Retry" + ErrorMapping.after(retryAfter) + ".", retrying);
        default:
          if (kind == 503 || kind == 529) {
            return new OverloadedException(what + ". Retry" + ErrorMapping.after(retryAfter) + ".", retrying);
          }
          if (kind == 409 || (kind >= 500 && kind <= 599)) {
            return new ServerException(what + ". Retry" + ErrorMapping.after(retryAfter) + ".", retrying);
          }
          return new ChatException(what, fatal);
      }
    }

    private static int guessStatus(String text) {
      if (mentions(text, "not found", "try pulling")) {
        return 404;
      }
      if (mentions(text, "context length", "context window", "content filter", "does not support", "invalid")) {
        return 400;
      }
      if (mentions(text, "quota", "rate limit", "too many requests")) {
        return 429;
      }
      return mentions(text, "unauthorized") ? 401 : 500;
    }

    /** The error text of a body: Ollama's {@code error}, a gateway's JSON message, an HTML title, or an excerpt. */
    private static String messageOf(byte[] body) {
      if (body == null || body.length == 0) {
        return "empty body";
      }
      try {
        JsonNode root = WireJson.MAPPER.readTree(body);
        if (root != null && root.isObject()) {
          return textOf(root);
        }
      } catch (IOException | RuntimeException notJson) {
        // HTML from a gateway, plain text, or a cut body
      }
      String excerpt = ErrorMapping.excerpt(body, MAX_ERROR_BYTES);
      Matcher title = HTML_TITLE.matcher(excerpt);
      return title.find() ? WireJson.excerpt(title.group(1), EXCERPT) : WireJson.excerpt(excerpt, EXCERPT);
    }

    private static String textOf(JsonNode root) {
      JsonNode error = root.path("error");
      String text = error.isTextual() ? error.textValue()
          : error.path("message").isTextual() ? error.path("message").textValue()
          : root.path("message").isTextual() ? root.path("message").textValue()
          : WireJson.write(root);
      return WireJson.excerpt(text, EXCERPT);
    }

    private static boolean mentions(String text, String... needles) {
      return ErrorMapping.containsAny(text, needles);
    }
  }

  // ---- builder ----

  /** Not thread-safe. */
  public static final class Builder {
    private String name = "ndjson";
    private String baseUrl = "http://127.0.0.1:11434";
    private Secret apiKey;
    private Duration timeout = Duration.ofSeconds(120);
    private HttpTransport transport;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The prefix of model strings, e.g. {@code "ndjson"} in {@code "ndjson/llama3.2"}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The server root, without {@code /api}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /** Sent as a bearer token; a local Ollama needs none. */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The default limit of a call; {@link ChatRequest#timeout()} overrides it. Default 120 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The transport to send through; the caller keeps ownership. Default: {@link HttpTransport#shared()}. */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The clock {@code Retry-After} dates are measured against. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public NdjsonChatProvider build() {
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("NdjsonChatProvider.name must be letters, digits, '_', '.' or '-', got: '"
            + name + "'");
      }
      if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
        throw new IllegalArgumentException("NdjsonChatProvider.baseUrl must be an http(s) URL, got: '" + baseUrl + "'");
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("NdjsonChatProvider.timeout must be positive, got: " + timeout);
      }
      return new NdjsonChatProvider(this);
    }
  }
}
