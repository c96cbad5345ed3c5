package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Usage;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenAI emulator on the wire, seen through a plain {@code java.net.http} client. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpenAiEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static OpenAiEmulator emulator;

  @BeforeAll
  static void start() {
    emulator = OpenAiEmulator.start();
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @BeforeEach
  void reset() {
    emulator.reset();
  }

  // ---- helpers

  private static ObjectNode body(String userText, boolean stream) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", "gpt-test");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "user").put("content", userText);
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  private static ObjectNode streamWithUsage(String userText) {
    ObjectNode body = body(userText, true);
    body.putObject("stream_options").put("include_usage", true);
    return body;
  }

  private static HttpResponse<String> post(JsonNode body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer sk-emulator")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The data lines of an SSE body, in order. */
  private static List<String> dataLines(String sse) {
    List<String> out = new ArrayList<>();
    for (String event : sse.split("\n\n")) {
      if (event.startsWith("data: ")) {
        out.add(event.substring("data: ".length()));
      }
    }
    return out;
  }

  private static List<JsonNode> chunks(String sse) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : dataLines(sse)) {
      if (!line.equals("[DONE]")) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  private static String deltaText(List<JsonNode> chunks, String field) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode chunk : chunks) {
      JsonNode value = chunk.path("choices").path(0).path("delta").path(field);
      if (value.isTextual()) {
        sb.append(value.asText());
      }
    }
    return sb.toString();
  }

  // ---- JSON completions

  @Test
  void jsonCompletion_rendersTextModelUsageAndIds() throws Exception {
    emulator.enqueue(Reply.builder().text("Hello!").model("gpt-test-2025")
        .usage(Usage.builder().inputTokens(100).cachedInputTokens(80).outputTokens(20).reasoningTokens(5).build()).build());

    HttpResponse<String> response = post(body("Hi", false));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith(
        "application/json"));
    assertThat(response.headers().firstValue("x-request-id")).contains("req_emu_1");
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.path("id").asText()).isEqualTo("chatcmpl-emu-1");
    assertThat(json.path("object").asText()).isEqualTo("chat.completion");
    assertThat(json.path("model").asText()).isEqualTo("gpt-test-2025");
    JsonNode choice = json.path("choices").path(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello!");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = json.path("usage");
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(100);
    assertThat(usage.path("completion_tokens").asLong()).isEqualTo(20);
    assertThat(usage.path("total_tokens").asLong()).isEqualTo(120);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(80);
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong()).isEqualTo(5);
  }

  @Test
  void jsonCompletion_rendersToolCallsWithNullContent() throws Exception {
    emulator.enqueue(Reply.toolCalls(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}"),
        ToolCall.of("call_2", "get_time", "{}")));

    JsonNode message = JSON.readTree(post(body("Weather?", false)).body()).path("choices").path(0);

    assertThat(message.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(message.path("message").path("content").isNull()).isTrue();
    JsonNode calls = message.path("message").path("tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.path(0).path("id").asText()).isEqualTo("call_1");
    assertThat(calls.path(0).path("type").asText()).isEqualTo("function");
    assertThat(calls.path(0).path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(calls.path(0).path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(calls.path(1).path("function").path("arguments").asText()).isEqualTo("{}");
  }

  @Test
  void jsonCompletion_rendersReasoningRefusalAndFinishWords() throws Exception {
    emulator.enqueue(Reply.builder().reasoning("thinking...").text("42").finishReason(FinishReason.LENGTH).build());
    emulator.enqueue(Reply.builder().refusal("No.").build());
    emulator.enqueue(Reply.builder().text("x").finishReason(FinishReason.OTHER, "eos").build());
    emulator.enqueue(Reply.builder().text("x").finishReason(FinishReason.CONTENT_FILTER).build());

    JsonNode first = JSON.readTree(post(body("q", false)).body()).path("choices").path(0);
    JsonNode second = JSON.readTree(post(body("q", false)).body()).path("choices").path(0);
    JsonNode third = JSON.readTree(post(body("q", false)).body()).path("choices").path(0);
    JsonNode fourth = JSON.readTree(post(body("q", false)).body()).path("choices").path(0);

    assertThat(first.path("message").path("reasoning_content").asText()).isEqualTo("thinking...");
    assertThat(first.path("finish_reason").asText()).isEqualTo("length");
    assertThat(second.path("message").path("refusal").asText()).isEqualTo("No.");
    assertThat(second.path("message").path("content").isNull()).isTrue();
    assertThat(third.path("finish_reason").asText()).isEqualTo("eos");
    assertThat(fourth.path("finish_reason").asText()).isEqualTo("content_filter");
  }

  // ---- SSE streams

  @Test
  void stream_rendersChunksEndingInDone_withoutUsageUnlessAsked() throws Exception {
    emulator.enqueue(Reply.text("Hello there, streaming world"));

    HttpResponse<String> response = post(body("Hi", true));

    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith(
        "text/event-stream"));
    List<String> lines = dataLines(response.body());
    assertThat(lines.get(lines.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = chunks(response.body());
    assertThat(chunks.get(0).path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.path("id").asText()).isEqualTo("chatcmpl-emu-1");
      assertThat(c.has("usage")).isFalse();
    });
    assertThat(deltaText(chunks, "content")).isEqualTo("Hello there, streaming world");
    assertThat(chunks).filteredOn(c -> c.path("choices").path(0).path("delta").has("content")).hasSizeGreaterThan(3);
    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void stream_withIncludeUsage_endsWithAUsageChunkWithEmptyChoices() throws Exception {
    emulator.enqueue(Reply.builder().text("Hi")
        .usage(Usage.builder().inputTokens(10).cachedInputTokens(4).outputTokens(2).build()).build());

    List<JsonNode> chunks = chunks(post(streamWithUsage("Hi")).body());

    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("choices")).isEmpty();
    assertThat(last.path("usage").path("prompt_tokens").asLong()).isEqualTo(10);
    assertThat(last.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(4);
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.path("usage").isNull()).isTrue());
    assertThat(chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("stop");
  }

  @Test
  void stream_splitsToolArgumentsAcrossChunks_keyedByIndex() throws Exception {
    String args = "{\"city\":\"Paris\",\"units\":\"metric\"}";
    emulator.enqueue(Reply.builder().addToolCall("call_1", "get_weather", args).addToolCall("call_2", "get_time", "{}")
        .streamPieces(5).build());

    List<JsonNode> chunks = chunks(post(body("q", true)).body());

    StringBuilder first = new StringBuilder();
    StringBuilder second = new StringBuilder();
    int argumentChunks = 0;
    for (JsonNode chunk : chunks) {
      for (JsonNode call : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
        (call.path("index").asInt() == 0 ? first : second).append(call.path("function").path("arguments").asText());
        if (call.has("id")) {
          assertThat(call.path("function").path("name").asText()).isIn("get_weather", "get_time");
        } else {
          argumentChunks++;
        }
      }
    }
    assertThat(first.toString()).isEqualTo(args);
    assertThat(second.toString()).isEqualTo("{}");
    assertThat(argumentChunks).isEqualTo(5 + 2);
    assertThat(chunks.get(chunks.size() - 1).path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void stream_rendersReasoningAndRefusalDeltas() throws Exception {
    emulator.enqueue(Reply.builder().reasoning("step one, step two").refusal("I won't.").streamPieces(3).build());

    List<JsonNode> chunks = chunks(post(body("q", true)).body());

    assertThat(deltaText(chunks, "reasoning_content")).isEqualTo("step one, step two");
    assertThat(deltaText(chunks, "refusal")).isEqualTo("I won't.");
    assertThat(deltaText(chunks, "content")).isEmpty();
  }

  // ---- errors

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(ErrorKind.CONTEXT_LENGTH, 400, "context_length_exceeded"),
        Arguments.of(ErrorKind.CONTENT_FILTER, 400, "content_filter"),
        Arguments.of(ErrorKind.INVALID_REQUEST, 400, "invalid_value"),
        Arguments.of(ErrorKind.AUTHENTICATION, 401, "invalid_api_key"),
        Arguments.of(ErrorKind.PERMISSION, 403, "model_not_permitted"),
        Arguments.of(ErrorKind.MODEL_NOT_FOUND, 404, "model_not_found"),
        Arguments.of(ErrorKind.REQUEST_TIMEOUT, 408, "request_timeout"),
        Arguments.of(ErrorKind.CONFLICT, 409, "conflict"),
        Arguments.of(ErrorKind.RATE_LIMIT, 429, "rate_limit_exceeded"),
        Arguments.of(ErrorKind.QUOTA, 429, "insufficient_quota"),
        Arguments.of(ErrorKind.SERVER_ERROR, 500, null),
        Arguments.of(ErrorKind.SERVICE_UNAVAILABLE, 503, "service_unavailable"),
        Arguments.of(ErrorKind.OVERLOADED, 529, "overloaded"));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("errors")
  void errors_renderAsOpenAiErrorJson_withTheirStatus(ErrorKind kind, int status, String code) throws Exception {
    emulator.enqueue(Reply.error(kind));
    emulator.enqueue(Reply.error(kind));

    HttpResponse<String> plain = post(body("q", false));
    HttpResponse<String> streamed = post(body("q", true));

    for (HttpResponse<String> response : List.of(plain, streamed)) {
      assertThat(response.statusCode()).isEqualTo(status);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith(
          "application/json"));
      JsonNode error = JSON.readTree(response.body()).path("error");
      assertThat(error.path("message").asText()).isNotBlank();
      assertThat(error.path("type").asText()).isNotBlank();
      if (code == null) {
        assertThat(error.path("code").isNull()).isTrue();
      } else {
        assertThat(error.path("code").asText()).isEqualTo(code);
      }
      assertThat(response.headers().firstValue("retry-after")).isEmpty();
    }
  }

  @Test
  void quota_hasInsufficientQuotaAsTypeAndCode() throws Exception {
    emulator.enqueue(Reply.error(ErrorKind.QUOTA));

    JsonNode error = JSON.readTree(post(body("q", false)).body()).path("error");

    assertThat(error.path("type").asText()).isEqualTo("insufficient_quota");
    assertThat(error.path("code").asText()).isEqualTo("insufficient_quota");
  }

  @Test
  void rateLimit_withRetryAfter_sendsRetryAfterHeaders() throws Exception {
    emulator.enqueue(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(7)));
    emulator.enqueue(Reply.error(ErrorKind.SERVICE_UNAVAILABLE, Duration.ofMillis(1500)));

    HttpResponse<String> limited = post(body("q", false));
    HttpResponse<String> unavailable = post(body("q", false));

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).contains("7");
    assertThat(limited.headers().firstValue("retry-after-ms")).contains("7000");
    assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
    assertThat(unavailable.headers().firstValue("retry-after")).contains("2");
    assertThat(unavailable.headers().firstValue("retry-after-ms")).contains("1500");
  }

  @Test
  void badGatewayHtml_isA502HtmlPage() throws Exception {
    emulator.enqueue(Reply.error(ErrorKind.BAD_GATEWAY_HTML));

    HttpResponse<String> response = post(body("q", false));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith(
        "text/html"));
    assertThat(response.body()).startsWith("<html>").contains("502 Bad Gateway").hasSizeGreaterThan(2000);
  }

  @Test
  void raw_isSentExactlyAsGiven() throws Exception {
    emulator.enqueue(Reply.raw(418, Map.of("content-type", "text/plain", "x-teapot", "yes"), "short and stout"));

    HttpResponse<String> response = post(body("q", false));

    assertThat(response.statusCode()).isEqualTo(418);
    assertThat(response.headers().firstValue("x-teapot")).contains("yes");
    assertThat(response.body()).isEqualTo("short and stout");
  }

  // ---- faults and delays

  @Test
  void connectionReset_andEmptyResponse_failTheClientWithIoErrors() {
    emulator.enqueue(Reply.fault(Fault.CONNECTION_RESET));
    emulator.enqueue(Reply.fault(Fault.EMPTY_RESPONSE));

    assertThatThrownBy(() -> post(body("q", false))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> post(body("q", true))).isInstanceOf(IOException.class);
    assertThat(emulator.requestCount()).isEqualTo(2);
  }

  @Test
  void truncatedStream_sendsTheTextThenEndsWithoutFinishOrDone() throws Exception {
    emulator.enqueue(Reply.builder().text("partial answer here").fault(Fault.TRUNCATED_STREAM).build());

    HttpResponse<String> response = post(streamWithUsage("q"));

    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> chunks = chunks(response.body());
    assertThat(deltaText(chunks, "content")).isEqualTo("partial answer here");
    assertThat(dataLines(response.body())).doesNotContain("[DONE]");
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.path("choices").path(0).path("finish_reason").isNull()).isTrue();
      assertThat(c.path("usage").isNull()).isTrue();
    });
  }

  @Test
  void malformedChunk_sendsGoodChunksThenALineThatIsNotJson() throws Exception {
    emulator.enqueue(Reply.builder().text("good part").fault(Fault.MALFORMED_CHUNK).build());

    List<String> lines = dataLines(post(body("q", true)).body());

    int bad = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).equals("[DONE]")) {
        try {
          JSON.readTree(lines.get(i));
        } catch (IOException e) {
          bad = i;
          break;
        }
      }
    }
    assertThat(bad).as("index of the malformed line").isGreaterThan(1);
    assertThat(deltaText(chunks(String.join("\n\n", lines.subList(0, bad).stream().map(l -> "data: " + l)
        .toList()) + "\n\n"), "content")).isEqualTo("good part");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("[DONE]");
  }

  @Test
  void bodyFaults_withoutStreaming_areA200WithBrokenJson() throws Exception {
    emulator.enqueue(Reply.builder().text("x").fault(Fault.TRUNCATED_STREAM).build());
    emulator.enqueue(Reply.builder().text("x").fault(Fault.MALFORMED_CHUNK).build());

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = post(body("q", false));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> JSON.readTree(response.body())).isInstanceOf(IOException.class);
    }
  }

  @Test
  void delay_holdsTheResponseBack() {
    emulator.enqueue(Reply.builder().text("late").delay(Duration.ofSeconds(2)).build());
    HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions"))
        .timeout(Duration.ofMillis(200))
        .POST(HttpRequest.BodyPublishers.ofString(body("q", false).toString())).build();

    assertThatThrownBy(() -> send(request)).isInstanceOf(HttpTimeoutException.class);
  }

  // ---- queue, records, simulated model

  @Test
  void queueOrder_isExact_underConcurrentRequests() throws Exception {
    int n = 40;
    for (int i = 0; i < n; i++) {
      emulator.enqueue(Reply.text("reply-" + i));
    }
    Map<String, String> answers = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String marker = "request-" + i;
      HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString(body(marker, i % 2 == 0).toString())).build();
      calls.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
        try {
          String text = r.body().startsWith("data:") ? deltaText(chunks(r.body()), "content")
              : JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText();
          answers.put(marker, text);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get(8, TimeUnit.SECONDS);

    assertThat(emulator.requestCount()).isEqualTo(n);
    for (int k = 0; k < n; k++) {
      String marker = emulator.takeRequest().lastUserText();
      assertThat(answers.get(marker)).as("answer to the %s-th recorded request", k).isEqualTo("reply-" + k);
    }
  }

  @Test
  void recordedRequest_exposesRawExchangeAndNeutralView() throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", "gpt-test");
    body.put("stream", true);
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", "Be brief.");
    messages.addObject().put("role", "developer").put("content", "Use metric units.");
    ArrayNode parts = messages.addObject().put("role", "user").putArray("content");
    parts.addObject().put("type", "text").put("text", "Weather in ");
    parts.addObject().put("type", "image_url").putObject("image_url").put("url", "https://example.com/a.png");
    parts.addObject().put("type", "text").put("text", "Paris?");
    ObjectNode assistant = messages.addObject().put("role", "assistant");
    assistant.putNull("content");
    assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function")
        .putObject("function").put("name", "get_weather").put("arguments", "{}");
    messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "18C");
    body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "get_weather");
    ObjectNode format = body.putObject("response_format").put("type", "json_schema");
    format.putObject("json_schema").put("name", "weather").putObject("schema").put("type", "object");

    send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions?api-version=1"))
        .header("X-Custom-Header", "v1")
        .header("Authorization", "Bearer sk-emulator")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    RecordedRequest sent = emulator.takeRequest();

    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/chat/completions?api-version=1");
    assertThat(sent.header("x-custom-header")).contains("v1");
    assertThat(sent.header("AUTHORIZATION")).contains("Bearer sk-emulator");
    assertThat(sent.headers().get("x-CUSTOM-header")).containsExactly("v1");
    assertThat(sent.json().path("model").asText()).isEqualTo("gpt-test");
    assertThat(sent.bodyText()).isEqualTo(body.toString());
    assertThat(sent.streamRequested()).isTrue();
    assertThat(sent.model()).contains("gpt-test");
    assertThat(sent.systemText()).contains("Be brief.\nUse metric units.");
    assertThat(sent.messages()).containsExactly(
        new RecordedRequest.Turn("user", "Weather in Paris?"),
        new RecordedRequest.Turn("assistant", ""),
        new RecordedRequest.Turn("tool", "18C"));
    assertThat(sent.toolNames()).containsExactly("get_weather");
    assertThat(sent.jsonSchemaName()).contains("weather");
    assertThat(sent.jsonSchema()).map(s -> s.path("type").asText()).contains("object");
    assertThat(sent.lastUserText()).isEqualTo("Weather in Paris?");
  }

  @Test
  void nonJsonBody_getsA400_andJsonAccessFailsClearly() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString("not json")).build());

    assertThat(response.statusCode()).isEqualTo(400);
    RecordedRequest sent = emulator.takeRequest();
    assertThat(sent.hasJsonBody()).isFalse();
    assertThat(sent.messages()).isEmpty();
    assertThatThrownBy(sent::json).isInstanceOf(AssertionError.class).hasMessageContaining("not JSON")
        .hasMessageContaining("not json");
  }

  @Test
  void simulatedModel_answersDeterministically_whenNothingIsQueued() throws Exception {
    JsonNode hello = JSON.readTree(post(body("Say hello", false)).body());
    JsonNode again = JSON.readTree(post(body("Say hello", false)).body());
    JsonNode quoted = JSON.readTree(post(body("Say \"pong\"", false)).body());
    String streamed = deltaText(chunks(post(streamWithUsage("What is the capital of France?")).body()), "content");

    String text = hello.path("choices").path(0).path("message").path("content").asText();
    assertThat(text).isEqualTo("Hello! This is gpt-test, a simulated model answering offline.");
    assertThat(again.path("choices").path(0).path("message").path("content").asText()).isEqualTo(text);
    assertThat(hello.path("usage").path("prompt_tokens").asLong()).isPositive();
    assertThat(hello.path("usage").path("completion_tokens").asLong()).isEqualTo((text.length() + 3) / 4);
    assertThat(quoted.path("choices").path(0).path("message").path("content").asText()).isEqualTo("pong");
    assertThat(streamed).contains("gpt-test").contains("capital of France");
  }

  @Test
  void simulatedModel_fillsARequestedJsonSchema() throws Exception {
    ObjectNode body = body("Give me a city", false);
    ObjectNode schema = body.putObject("response_format").put("type", "json_schema").putObject("json_schema")
        .put("name", "city").putObject("schema");
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    properties.putObject("name").put("type", "string");
    properties.putObject("population").put("type", "integer");
    properties.putObject("capital").put("type", "boolean");
    properties.putObject("size").putArray("enum").add("small").add("large");

    String text = JSON.readTree(post(body).body()).path("choices").path(0).path("message").path("content").asText();

    JsonNode answer = JSON.readTree(text);
    assertThat(answer.path("name").isTextual()).isTrue();
    assertThat(answer.path("population").isInt()).isTrue();
    assertThat(answer.path("capital").asBoolean()).isTrue();
    assertThat(answer.path("size").asText()).isEqualTo("small");
  }

  @Test
  void modelsEndpoint_listsModels_andUnknownPathsGetOpenAi404() throws Exception {
    HttpResponse<String> models = send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/models")).GET().build());
    HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/audio/speech"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

    assertThat(models.statusCode()).isEqualTo(200);
    JsonNode list = JSON.readTree(models.body());
    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("data").findValuesAsText("id")).containsExactlyElementsOf(OpenAiEmulator.DEFAULT_MODELS);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").path("message").asText())
        .isEqualTo("Invalid URL (POST /v1/audio/speech)");
    assertThat(emulator.requestCount()).isEqualTo(2);
  }

  @Test
  void nonChatRequests_doNotTakeQueuedReplies() throws Exception {
    emulator.enqueue(Reply.text("for the chat"));

    send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/models")).GET().build());

    assertThat(emulator.pendingReplies()).isEqualTo(1);
    assertThat(JSON.readTree(post(body("q", false)).body()).path("choices").path(0).path("message").path("content")
        .asText()).isEqualTo("for the chat");
  }

  @Test
  void takeRequest_whenNothingArrives_failsWithACount() {
    assertThatThrownBy(() -> emulator.takeRequest(Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("no request reached the OpenAI emulator").hasMessageContaining("0 requests");
  }

  @Test
  void reset_forgetsRepliesRequestsAndCount() throws Exception {
    emulator.enqueue(Reply.text("a")).enqueue(Reply.text("b"));
    post(body("q", false));

    emulator.reset();

    assertThat(emulator.requestCount()).isZero();
    assertThat(emulator.pendingReplies()).isZero();
    assertThatThrownBy(() -> emulator.takeRequest(Duration.ofMillis(10))).isInstanceOf(AssertionError.class);
    assertThat(emulator.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
  }

  // ---- Reply values

  @Test
  void reply_derivesFinishReason_andValidatesItsKind() {
    assertThat(Reply.text("x").finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(Reply.toolCalls(ToolCall.of("c", "f", "{}")).finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(Reply.error(ErrorKind.QUOTA).kind()).isEqualTo(Reply.Kind.ERROR);
    assertThat(Reply.fault(Fault.CONNECTION_RESET).kind()).isEqualTo(Reply.Kind.FAULT);
    assertThat(Reply.text("x").toBuilder().build()).isEqualTo(Reply.text("x"));
    assertThatThrownBy(() -> Reply.builder().error(ErrorKind.QUOTA).fault(Fault.EMPTY_RESPONSE).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("error(QUOTA) and fault(EMPTY_RESPONSE)");
    assertThatThrownBy(() -> Reply.builder().error(ErrorKind.QUOTA).text("x").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Reply.text");
    assertThatThrownBy(() -> Reply.builder().text("x").retryAfter(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryAfter needs an error kind");
    assertThatThrownBy(() -> Reply.builder().text("x").streamPieces(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamPieces");
    assertThatThrownBy(() -> Reply.raw(99, Map.of(), "")).isInstanceOf(IllegalArgumentException.class);
  }
}
