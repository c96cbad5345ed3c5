package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.DecodingException;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.OverloadedException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.ResponseFormat;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every provider adapter must meet (the TCK), checked against a {@link
 * ProviderEmulator} of the adapter's wire protocol. Every case runs twice, through {@link
 * Switchboard#chat} and through {@link Switchboard#stream} ({@link Mode}); in stream mode the
 * deltas must add up to the final {@link ChatEvent.Completed} response, which must be the one and
 * last Completed event.
 *
 * <pre>{@code
 * class OpenAiContractTest extends ProviderContractTest {
 *   @RegisterExtension
 *   static EmulatorExtension<OpenAiEmulator> openAi = EmulatorExtension.openAi();
 *
 *   protected ProviderEmulator emulator() { return openAi.emulator(); }
 *
 *   protected ProviderAdapter newAdapter(String baseUrl) {
 *     return OpenAiProvider.builder().name("openai").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test builds a fresh adapter and a {@link Switchboard} around it and calls the model
 * {@code "<adapter name>/test-model"}. Besides what each case checks, every failure must name the
 * provider and model, carry the HTTP status when there was one, never contain the API key, and
 * come from exactly one request (adapters never retry). An adapter that cannot support a case
 * overrides its method with JUnit's {@code Disabled} annotation and a reason (and the same test annotations).
 *
 * <p>Every test is bounded by a {@link Timeout}; nothing sleeps. Not thread-safe: JUnit runs the
 * cases of one class one at a time (the emulator is shared and reset before each).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
public abstract class ProviderContractTest {
  /** The provider's own model name every case calls. */
  private HttpTransport transport;
  protected static final String MODEL = "test-model";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
  private static final ToolSpec TIME = ToolSpec.of("get_time", "Current local time for a city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

  /** How a case calls the model. */
  public enum Mode {
    /** {@code Switchboard.chat(request)}. */
    CHAT,
    /** {@code Switchboard.stream(request)}, events collected. */
    STREAM
  }

  private ProviderAdapter adapter;
  private Switchboard switchboard;

  /** The running emulator the adapter talks to; usually from an {@link EmulatorExtension}. */
  protected abstract ProviderEmulator emulator();

  /** A new adapter for the emulator at {@code baseUrl}, configured with {@link #apiKey()} as its key. */
  protected abstract ProviderAdapter newAdapter(String baseUrl);

  /** The API key {@link #newAdapter} configures; checked never to appear in an exception message. */
  protected String apiKey() {
    return "test-key";
  }

  /**
   * The HTTP status this adapter's emulator answers {@code kind} with, which the failure must carry.
   * By default {@code usual}, the status most providers use (OpenAI's); override it for a provider
   * that really uses another one, e.g. Anthropic's 504 {@code timeout_error} for {@link
   * ErrorKind#REQUEST_TIMEOUT}.
   */
  protected int expectedStatus(ErrorKind kind, int usual) {
    return usual;
  }

  /** Whether the provider reports a refusal apart from the text (OpenAI {@code refusal}); Ollama has none. */
  protected boolean supportsRefusal() {
    return true;
  }

  /** Whether the provider reports prompt-cache reads in its usage; Ollama has no such count. */
  protected boolean reportsCachedInputTokens() {
    return true;
  }

  /** Whether the provider reports reasoning tokens apart from output tokens; Ollama has no such count. */
  protected boolean reportsReasoningTokens() {
    return true;
  }

  /** Whether the provider sends a request id with each response; Ollama sends none. */
  protected boolean sendsRequestId() {
    return true;
  }

  /** Whether the wire format names a JSON schema; Ollama's {@code format} is the bare schema. */
  protected boolean namesJsonSchema() {
    return true;
  }

  /**
   * A transport of this test's own, closed after it: pass it to the adapter ({@code
   * .transport(transport())}) so that no pooled connection outlives the test (an emulator's faults
   * close connections, and a later test must not reuse one the server already dropped).
   */
  protected final HttpTransport transport() {
    if (transport == null) {
      transport = HttpTransport.builder().build();
    }
    return transport;
  }

  @BeforeEach
  protected final void startContractAdapter() {
    emulator().reset();
    adapter = newAdapter(emulator().baseUrl());
    switchboard = Switchboard.builder().provider(adapter).build();
  }

  @AfterEach
  protected final void closeContractAdapter() {
    if (switchboard != null) {
      switchboard.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  // ---------------------------------------------------------------- answers

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsText_withModelUsageAndStreamFlagOnTheWire(Mode mode) {
    emulator().enqueue(Reply.builder().text("Paris is the capital of France.").model("test-model-2025-01-01")
        .usage(12, 8).build());

    ChatResponse response = send(mode, request().user("What is the capital of France?").build());

    assertThat(response.text()).isEqualTo("Paris is the capital of France.");
    assertThat(response.model()).isEqualTo("test-model-2025-01-01");
    assertThat(response.provider()).isEqualTo(adapter.name());
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.toolCalls()).isEmpty();
    assertThat(response.usage().inputTokens()).isEqualTo(12);
    assertThat(response.usage().outputTokens()).isEqualTo(8);
    RecordedRequest sent = takeOnlyRequest();
    assertThat(sent.model()).contains(MODEL);
    assertThat(sent.streamRequested()).as("stream requested on the wire").isEqualTo(mode == Mode.STREAM);
    assertThat(sent.messages()).containsExactly(new RecordedRequest.Turn("user", "What is the capital of France?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsSystemPrompt_onTheWire(Mode mode) {
    emulator().enqueue(Reply.text("Ok."));

    send(mode, request().system("You are terse. Answer in one word.").user("Ready?").build());

    RecordedRequest sent = takeOnlyRequest();
    assertThat(sent.systemText()).contains("You are terse. Answer in one word.");
    assertThat(sent.messages()).containsExactly(new RecordedRequest.Turn("user", "Ready?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsMultiTurnHistory_inOrder(Mode mode) {
    emulator().enqueue(Reply.text("Your name is Ada."));

    ChatResponse response = send(mode, request()
        .user("My name is Ada.")
        .addMessage(Message.assistant("Nice to meet you, Ada."))
        .user("What is my name?")
        .build());

    assertThat(response.text()).isEqualTo("Your name is Ada.");
    assertThat(takeOnlyRequest().messages()).containsExactly(
        new RecordedRequest.Turn("user", "My name is Ada."),
        new RecordedRequest.Turn("assistant", "Nice to meet you, Ada."),
        new RecordedRequest.Turn("user", "What is my name?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsToolCall_withIdNameAndArguments(Mode mode) {
    emulator().enqueue(Reply.toolCalls(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}")));

    ChatResponse response = send(mode, request().user("Weather in Paris?").addTool(WEATHER).addTool(TIME).build());

    assertThat(response.toolCalls()).containsExactly(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(response.message().toolCalls()).isEqualTo(response.toolCalls());
    assertThat(takeOnlyRequest().toolNames()).containsExactly("get_weather", "get_time");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsParallelToolCalls_inOrder(Mode mode) {
    List<ToolCall> calls = List.of(
        ToolCall.of("call_a", "get_weather", "{\"city\":\"Paris\"}"),
        ToolCall.of("call_b", "get_weather", "{\"city\":\"Tokyo\"}"),
        ToolCall.of("call_c", "get_time", "{\"city\":\"Lima\"}"));
    emulator().enqueue(Reply.builder().toolCalls(calls).build());

    ChatResponse response = send(mode, request().user("Weather in Paris and Tokyo, time in Lima?")
        .addTool(WEATHER).addTool(TIME).build());

    assertThat(response.toolCalls()).containsExactlyElementsOf(calls);
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reassemblesToolArguments_splitAcrossManyDeltas(Mode mode) {
    String arguments = "{\"city\":\"São Paulo\",\"units\":\"metric\",\"days\":[1,2,3],"
        + "\"note\":\"quotes \\\" and braces {} inside\",\"emoji\":\"☀️\"}";
    emulator().enqueue(Reply.builder().addToolCall("call_9", "get_weather", arguments).streamPieces(40).build());

    ChatResponse response = send(mode, request().user("Weather?").addTool(WEATHER).build());

    assertThat(response.toolCalls()).hasSize(1);
    assertThat(response.toolCalls().get(0).argumentsJson()).isEqualTo(arguments);
    assertThat(response.toolCalls().get(0).name()).isEqualTo("get_weather");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsToolResult_backAsToolTurn(Mode mode) {
    emulator().enqueue(Reply.text("It is 18°C and sunny in Paris."));
    ToolCall call = ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}");

    ChatResponse response = send(mode, request()
        .addTool(WEATHER)
        .user("Weather in Paris?")
        .addMessage(Message.assistant("", List.of(call)))
        .addMessage(Message.toolResult("call_1", "{\"temperature\":18,\"sky\":\"sunny\"}"))
        .build());

    assertThat(response.text()).isEqualTo("It is 18°C and sunny in Paris.");
    List<RecordedRequest.Turn> turns = takeOnlyRequest().messages();
    assertThat(turns).extracting(RecordedRequest.Turn::role).containsExactly("user", "assistant", "tool");
    assertThat(turns.get(2).text()).isEqualTo("{\"temperature\":18,\"sky\":\"sunny\"}");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsJsonSchema_andReturnsJsonText(Mode mode) throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
        + "\"population\":{\"type\":\"integer\"}},\"required\":[\"city\",\"population\"],"
        + "\"additionalProperties\":false}";
    emulator().enqueue(Reply.text("{\"city\":\"Paris\",\"population\":2102650}"));

    ChatResponse response = send(mode, request().user("Largest city of France as JSON")
        .responseFormat(ResponseFormat.jsonSchema("city_info", schema)).build());

    assertThat(JSON.readTree(response.text())).isEqualTo(JSON.readTree("{\"city\":\"Paris\",\"population\":2102650}"));
    RecordedRequest sent = takeOnlyRequest();
    if (namesJsonSchema()) {
      assertThat(sent.jsonSchemaName()).contains("city_info");
    }
    assertThat(sent.jsonSchema()).map(s -> s.path("properties").has("population")).contains(true);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsUsage_withCachedInputTokens(Mode mode) {
    Assumptions.assumeTrue(reportsCachedInputTokens(), "the provider reports no cached input tokens");
    emulator().enqueue(Reply.builder().text("Cached.")
        .usage(Usage.builder().inputTokens(1200).cachedInputTokens(1000).outputTokens(20).build()).build());

    Usage usage = send(mode, request().user("Long shared prefix ...").build()).usage();

    assertThat(usage.inputTokens()).isEqualTo(1200);
    assertThat(usage.cachedInputTokens()).isEqualTo(1000);
    assertThat(usage.uncachedInputTokens()).isEqualTo(200);
    assertThat(usage.outputTokens()).isEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsUsage_withReasoningTokens(Mode mode) {
    Assumptions.assumeTrue(reportsReasoningTokens(), "the provider reports no reasoning tokens");
    emulator().enqueue(Reply.builder().text("42")
        .usage(Usage.builder().inputTokens(50).outputTokens(300).reasoningTokens(256).build()).build());

    Usage usage = send(mode, request().user("Think hard: 6 x 7?").build()).usage();

    assertThat(usage.outputTokens()).isEqualTo(300);
    assertThat(usage.reasoningTokens()).isEqualTo(256);
    assertThat(usage.inputTokens()).isEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void surfacesReasoningText_apartFromTheAnswer(Mode mode) {
    emulator().enqueue(Reply.builder()
        .reasoning("Six times seven: 6 x 7 = 42. Double-check: 7 x 6 = 42.")
        .text("42")
        .build());

    ChatResponse response = send(mode, request().user("6 x 7?").build());

    assertThat(response.text()).isEqualTo("42");
    assertThat(response.reasoning()).contains("Six times seven: 6 x 7 = 42. Double-check: 7 x 6 = 42.");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonStop_forANaturalEnd(Mode mode) {
    emulator().enqueue(Reply.builder().text("Done.").finishReason(FinishReason.STOP).build());

    ChatResponse response = send(mode, request().user("Finish").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonLength_whenTheTokenLimitCutsTheAnswer(Mode mode) {
    emulator().enqueue(Reply.builder().text("Once upon a time, there was a").finishReason(FinishReason.LENGTH).build());

    ChatResponse response = send(mode, request().user("Tell a long story").maxOutputTokens(8).build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(response.text()).isEqualTo("Once upon a time, there was a");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonToolCalls_whenTheModelCallsATool(Mode mode) {
    emulator().enqueue(Reply.builder().text("Let me check.").addToolCall("call_7", "get_time", "{\"city\":\"Oslo\"}")
        .build());

    ChatResponse response = send(mode, request().user("Time in Oslo?").addTool(TIME).build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(response.text()).isEqualTo("Let me check.");
    assertThat(response.toolCalls()).containsExactly(ToolCall.of("call_7", "get_time", "{\"city\":\"Oslo\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonContentFilter_asAnAnswerNotAnError(Mode mode) {
    emulator().enqueue(Reply.builder().text("Here is the first part").finishReason(FinishReason.CONTENT_FILTER)
        .build());

    ChatResponse response = send(mode, request().user("Something borderline").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
    assertThat(response.text()).isEqualTo("Here is the first part");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void keepsUnknownFinishWord_asOtherWithTheRawWord(Mode mode) {
    emulator().enqueue(Reply.builder().text("Bye").finishReason(FinishReason.OTHER, "eos_token_reached").build());

    ChatResponse response = send(mode, request().user("Say bye").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.OTHER);
    assertThat(response.rawFinishReason()).contains("eos_token_reached");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsRefusal_apartFromTheText(Mode mode) {
    Assumptions.assumeTrue(supportsRefusal(), "the provider has no separate refusal");
    emulator().enqueue(Reply.builder().refusal("I can't help with that request.").build());

    ChatResponse response = send(mode, request().user("Something I must refuse").build());

    assertThat(response.refusal()).contains("I can't help with that request.");
    assertThat(response.text()).isEmpty();
    assertThat(response.toolCalls()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void preservesUnicodeAndEscapes_bothWays(Mode mode) {
    String text = "Grüße — 你好 👋 \"quoted\" back\\slash\nnew line\ttab \u2028 separator é";
    emulator().enqueue(Reply.builder().text(text).streamPieces(23).build());

    ChatResponse response = send(mode, request().user(text).build());

    assertThat(response.text()).isEqualTo(text);
    assertThat(takeOnlyRequest().lastUserText()).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void carriesProviderRequestId_onTheResponse(Mode mode) {
    Assumptions.assumeTrue(sendsRequestId(), "the provider sends no request id");
    emulator().enqueue(Reply.text("Tracked."));

    ChatResponse response = send(mode, request().user("Track me").build());

    assertThat(response.requestId()).hasValueSatisfying(id -> assertThat(id).isNotBlank());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void answersAsSimulatedModel_whenNothingIsQueued(Mode mode) {
    ChatResponse response = send(mode, request().user("Say hello").build());

    assertThat(response.text()).containsIgnoringCase("hello").contains(MODEL);
    assertThat(response.usage().inputTokens()).isPositive();
    assertThat(response.usage().outputTokens()).isPositive();
  }

  // ---------------------------------------------------------------- errors

  /** Each neutral error kind: the exception type, whether it is retryable, the HTTP status. */
  static Stream<Arguments> errorKinds() {
    List<Arguments> rows = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      rows.add(Arguments.of(mode, ErrorKind.CONTEXT_LENGTH, ContextLengthExceededException.class, false, 400));
      rows.add(Arguments.of(mode, ErrorKind.CONTENT_FILTER, ContentFilteredException.class, false, 400));
      rows.add(Arguments.of(mode, ErrorKind.INVALID_REQUEST, InvalidRequestException.class, false, 400));
      rows.add(Arguments.of(mode, ErrorKind.AUTHENTICATION, AuthenticationException.class, false, 401));
      rows.add(Arguments.of(mode, ErrorKind.PERMISSION, AuthenticationException.class, false, 403));
      rows.add(Arguments.of(mode, ErrorKind.MODEL_NOT_FOUND, ModelNotFoundException.class, false, 404));
      rows.add(Arguments.of(mode, ErrorKind.REQUEST_TIMEOUT, ChatTimeoutException.class, true, 408));
      rows.add(Arguments.of(mode, ErrorKind.CONFLICT, ServerException.class, true, 409));
      rows.add(Arguments.of(mode, ErrorKind.RATE_LIMIT, RateLimitException.class, true, 429));
      rows.add(Arguments.of(mode, ErrorKind.QUOTA, QuotaExceededException.class, false, 429));
      rows.add(Arguments.of(mode, ErrorKind.SERVER_ERROR, ServerException.class, true, 500));
      rows.add(Arguments.of(mode, ErrorKind.BAD_GATEWAY_HTML, ServerException.class, true, 502));
      rows.add(Arguments.of(mode, ErrorKind.SERVICE_UNAVAILABLE, OverloadedException.class, true, 503));
      rows.add(Arguments.of(mode, ErrorKind.OVERLOADED, OverloadedException.class, true, 529));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("errorKinds")
  protected void mapsErrorKind_toTypedExceptionAndRetryability(Mode mode, ErrorKind kind,
      Class<? extends ChatException> type, boolean retryable, int status) {
    emulator().enqueue(Reply.error(kind));

    ChatException error = sendExpectingFailure(mode, request().user("Trigger " + kind).build()).error();

    assertThat(error).as("%s in %s mode", kind, mode).isInstanceOf(type);
    if (kind == ErrorKind.INVALID_REQUEST) {
      assertThat(error).isNotInstanceOf(ContextLengthExceededException.class);
    }
    assertThat(error.isRetryable()).as("%s retryable", kind).isEqualTo(retryable);
    assertThat(error.statusCode()).as("%s status", kind).hasValue(expectedStatus(kind, status));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void rateLimit_isRetryable_withRetryAfterFromTheProvider(Mode mode) {
    emulator().enqueue(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(7)));

    ChatException error = sendExpectingFailure(mode, request().user("Too fast").build()).error();

    assertThat(error).isInstanceOf(RateLimitException.class);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void quota_isNotRetryable_althoughItIsA429(Mode mode) {
    emulator().enqueue(Reply.error(ErrorKind.QUOTA));

    ChatException error = sendExpectingFailure(mode, request().user("No credit").build()).error();

    assertThat(error).isInstanceOf(QuotaExceededException.class).isNotInstanceOf(RateLimitException.class);
    assertThat(error.isRetryable()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void contextLength_isNotRetryable_soAFallbackCanTakeOver(Mode mode) {
    emulator().enqueue(Reply.error(ErrorKind.CONTEXT_LENGTH));

    ChatException error = sendExpectingFailure(mode, request().user("A very long prompt").build()).error();

    assertThat(error).isInstanceOf(ContextLengthExceededException.class);
    assertThat(error.isRetryable()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void bodyWrittenInThreeBytePieces_cuttingEventsAndCharacters_readsTheSame(Mode mode) {
    String text = "Grüße aus Zürich: 東京 → 🌍, naïve café.";
    emulator().enqueue(Reply.builder().text(text).streamPieces(4).fragmentBytes(3).build());

    ChatResponse response = send(mode, request().user("Say hello in many scripts").build());

    assertThat(response.text()).isEqualTo(text);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void htmlPageWithStatus200_isANonRetryableDecodingError_quotingItsStart(Mode mode) {
    emulator().enqueue(Reply.raw(200, Map.of("Content-Type", "text/html; charset=utf-8"),
        "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>If you see this page, the "
            + "web server is working.</body></html>\n"));

    ChatException error = sendExpectingFailure(mode, request().user("Through a misconfigured proxy").build()).error();

    assertThat(error).isInstanceOf(DecodingException.class);
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("Welcome to nginx").hasSizeLessThan(1000);
    if (mode == Mode.STREAM) {
      assertThat(error.getMessage()).contains("text/html", "not an event stream");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void badGatewayHtml_isRetryable_withAShortExcerptInTheMessage(Mode mode) {
    emulator().enqueue(Reply.error(ErrorKind.BAD_GATEWAY_HTML));

    ChatException error = sendExpectingFailure(mode, request().user("Through a broken gateway").build()).error();

    assertThat(error).isInstanceOf(ServerException.class);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).containsIgnoringCase("Bad Gateway").hasSizeLessThan(1000)
        .doesNotContain("cf-error-39");
  }

  // ---------------------------------------------------------------- faults

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void connectionReset_failsAsRetryableTransportError(Mode mode) {
    emulator().enqueue(Reply.fault(Fault.CONNECTION_RESET));

    Failure failure = sendExpectingFailure(mode, request().user("Reset me").build());

    assertTransportFailure(mode, failure);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void emptyResponse_failsAsRetryableTransportError(Mode mode) {
    emulator().enqueue(Reply.fault(Fault.EMPTY_RESPONSE));

    Failure failure = sendExpectingFailure(mode, request().user("Hang up").build());

    assertTransportFailure(mode, failure);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void truncatedBody_failsWithThePartialAnswerWhenStreamed(Mode mode) {
    emulator().enqueue(Reply.builder().text("The first half of an answer").fault(Fault.TRUNCATED_STREAM).build());

    Failure failure = sendExpectingFailure(mode, request().user("Cut me off").build());

    assertBrokenBody(mode, failure, "The first half of an answer");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void malformedChunk_failsWithThePartialAnswerWhenStreamed(Mode mode) {
    emulator().enqueue(Reply.builder().text("Good chunks before the bad one").fault(Fault.MALFORMED_CHUNK).build());

    Failure failure = sendExpectingFailure(mode, request().user("Garble it").build());

    assertBrokenBody(mode, failure, "Good chunks before the bad one");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsExactlyOneRequest_evenWhenTheFailureIsRetryable(Mode mode) {
    emulator().enqueue(Reply.error(ErrorKind.SERVICE_UNAVAILABLE));
    emulator().enqueue(Reply.text("A hidden retry would get this."));

    ChatException error = sendExpectingFailure(mode, request().user("Once only").build()).error();

    assertThat(error).isInstanceOf(OverloadedException.class);
    assertThat(emulator().requestCount()).as("requests that reached the emulator").isEqualTo(1);
    assertThat(emulator().pendingReplies()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void failsWithRetryableTimeout_whenTheProviderIsSlowerThanTheRequestTimeout(Mode mode) {
    emulator().enqueue(Reply.builder().text("Too late.").delay(Duration.ofSeconds(3)).build());

    ChatException error = sendExpectingFailure(mode, request().user("Hurry").timeout(Duration.ofMillis(300)).build())
        .error();

    assertThat(error).isInstanceOf(ChatTimeoutException.class);
    assertThat(error.isRetryable()).isTrue();
  }

  // ---------------------------------------------------------------- helpers

  /** A request builder for {@code "<adapter name>/test-model"}. */
  protected final ChatRequest.Builder request() {
    return ChatRequest.builder().model(adapter.name() + "/" + MODEL);
  }

  /** The adapter under test, as built for the current test. */
  protected final ProviderAdapter adapter() {
    return adapter;
  }

  /**
   * Sends {@code request} in {@code mode} and returns the answer; checks that it took exactly one
   * request. In stream mode, checks that exactly one {@link ChatEvent.Completed} came, last, and
   * that the deltas (text, reasoning, refusal, tool-call arguments by index, the last usage report)
   * add up to its response.
   */
  protected final ChatResponse send(Mode mode, ChatRequest request) {
    int before = emulator().requestCount();
    if (mode == Mode.CHAT) {
      ChatResponse response = switchboard.chat(request);
      assertOneMoreRequest(before);
      return response;
    }
    List<ChatEvent> events = new ArrayList<>();
    try (ChatStream stream = switchboard.stream(request)) {
      for (ChatEvent event : stream) {
        events.add(event);
      }
    }
    assertOneMoreRequest(before);
    assertThat(events).as("stream events").isNotEmpty();
    assertThat(events.stream().filter(e -> e instanceof ChatEvent.Completed).count())
        .as("Completed events in %s", events).isEqualTo(1);
    assertThat(events.get(events.size() - 1)).as("last event").isInstanceOf(ChatEvent.Completed.class);
    ChatResponse response = ((ChatEvent.Completed) events.get(events.size() - 1)).response();
    assertDeltasAddUpTo(events, response);
    return response;
  }

  /** A failed call: its exception and, in stream mode, the events that came before it. */
  protected record Failure(ChatException error, List<ChatEvent> eventsBefore) {}

  /**
   * Sends {@code request} in {@code mode}, expecting a {@link ChatException}; checks what every
   * failure must do: name the provider and model, keep the API key out of the message, and come
   * from exactly one request.
   */
  protected final Failure sendExpectingFailure(Mode mode, ChatRequest request) {
    int before = emulator().requestCount();
    List<ChatEvent> events = new ArrayList<>();
    ChatException error = null;
    ChatResponse unexpected = null;
    if (mode == Mode.CHAT) {
      try {
        unexpected = switchboard.chat(request);
      } catch (ChatException e) {
        error = e;
      }
    } else {
      try (ChatStream stream = switchboard.stream(request)) {
        for (ChatEvent event : stream) {
          events.add(event);
          if (event instanceof ChatEvent.Completed c) {
            unexpected = c.response();
          }
        }
      } catch (ChatException e) {
        error = e;
      }
    }
    if (error == null) {
      fail("expected a ChatException in %s mode, but the call succeeded with %s", mode, unexpected);
    }
    assertThat(error.provider()).as("provider named by %s", error).isEqualTo(adapter.name());
    assertThat(error.model()).as("model named by %s", error).isEqualTo(MODEL);
    assertThat(error.getMessage()).as("message of %s", error.getClass().getSimpleName())
        .contains(MODEL)
        .doesNotContain(apiKey());
    assertOneMoreRequest(before, error);
    if (!(error instanceof ChatStreamException)) {
      assertThat(events).as("events before a failure that is not a broken stream").isEmpty();
    }
    return new Failure(error, events);
  }

  private static void assertTransportFailure(Mode mode, Failure failure) {
    ChatException error = failure.error();
    if (mode == Mode.CHAT) {
      assertThat(error).isInstanceOf(TransportException.class);
    } else {
      assertThat(error).isInstanceOfAny(TransportException.class, ChatStreamException.class);
    }
    if (error instanceof TransportException) {
      assertThat(error.isRetryable()).as("a transport failure is retryable").isTrue();
    }
  }

  private static void assertBrokenBody(Mode mode, Failure failure, String partialText) {
    ChatException error = failure.error();
    if (mode == Mode.CHAT) {
      // Not streamed, the same fault is a 200 whose JSON body stops half-way.
      assertThat(error).isInstanceOf(DecodingException.class);
      return;
    }
    assertThat(error).isInstanceOf(ChatStreamException.class);
    ChatResponse partial = ((ChatStreamException) error).partialResponse();
    assertThat(partial.text()).isEqualTo(partialText);
    assertThat(partial.finishReason()).isEqualTo(FinishReason.OTHER);
    assertThat(textOf(failure.eventsBefore())).as("text deltas before the break").isEqualTo(partialText);
  }

  private static String textOf(List<ChatEvent> events) {
    StringBuilder sb = new StringBuilder();
    for (ChatEvent e : events) {
      if (e instanceof ChatEvent.TextDelta d) {
        sb.append(d.text());
      }
    }
    return sb.toString();
  }

  private static void assertDeltasAddUpTo(List<ChatEvent> events, ChatResponse response) {
    StringBuilder reasoning = new StringBuilder();
    StringBuilder refusal = new StringBuilder();
    Map<Integer, StringBuilder> arguments = new TreeMap<>();
    Map<Integer, String> ids = new TreeMap<>();
    Map<Integer, String> names = new TreeMap<>();
    Usage lastUsage = null;
    for (ChatEvent event : events) {
      if (event instanceof ChatEvent.ReasoningDelta d) {
        reasoning.append(d.text());
      } else if (event instanceof ChatEvent.RefusalDelta d) {
        refusal.append(d.text());
      } else if (event instanceof ChatEvent.ToolCallDelta d) {
        arguments.computeIfAbsent(d.index(), i -> new StringBuilder()).append(d.argumentsDelta());
        if (d.id() != null && !d.id().isEmpty()) {
          ids.putIfAbsent(d.index(), d.id());
        }
        if (d.name() != null && !d.name().isEmpty()) {
          names.putIfAbsent(d.index(), d.name());
        }
      } else if (event instanceof ChatEvent.UsageReport u) {
        lastUsage = u.usage();
      }
    }
    assertThat(textOf(events)).as("text deltas concatenated").isEqualTo(response.text());
    if (reasoning.length() > 0) {
      assertThat(response.reasoning()).as("reasoning deltas concatenated").contains(reasoning.toString());
    }
    if (refusal.length() > 0) {
      assertThat(response.refusal()).as("refusal deltas concatenated").contains(refusal.toString());
    }
    List<ToolCall> calls = response.toolCalls();
    assertThat(arguments.keySet()).as("tool call delta indexes").hasSize(calls.size());
    int i = 0;
    for (Map.Entry<Integer, StringBuilder> entry : arguments.entrySet()) {
      ToolCall call = calls.get(i++);
      assertThat(entry.getValue().toString()).as("arguments deltas of call %s", entry.getKey())
          .isEqualTo(call.argumentsJson());
      if (ids.containsKey(entry.getKey())) {
        assertThat(call.id()).isEqualTo(ids.get(entry.getKey()));
      }
      if (names.containsKey(entry.getKey())) {
        assertThat(call.name()).isEqualTo(names.get(entry.getKey()));
      }
    }
    if (lastUsage != null) {
      assertThat(response.usage()).as("usage of the last UsageReport").isEqualTo(lastUsage);
    }
  }

  private void assertOneMoreRequest(int before) {
    assertOneMoreRequest(before, null);
  }

  private void assertOneMoreRequest(int before, ChatException outcome) {
    assertThat(emulator().requestCount() - before)
        .as("requests this call sent to the emulator (adapters never retry)%s",
            outcome == null ? "" : "; the call failed with " + outcome)
        .isEqualTo(1);
  }

  private RecordedRequest takeOnlyRequest() {
    assertThat(emulator().requestCount()).as("requests that reached the emulator").isEqualTo(1);
    return emulator().takeRequest();
  }
}
