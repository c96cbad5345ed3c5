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
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.OverloadedException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failure half of {@link ProviderContractTest}, and the fixture both halves share: the hooks an
 * adapter's test implements, the adapter and {@link Switchboard} built before each case, and the
 * helpers that send a request and check the outcome. Extend {@link ProviderContractTest}, not this.
 * Not thread-safe: JUnit runs the cases of one class one at a time.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
public abstract class ProviderFailureContract {
  /** The provider's own model name every case calls. */
  HttpTransport transport;
  protected static final String MODEL = "test-model";

  static final ObjectMapper JSON = new ObjectMapper();
  static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
  static final ToolSpec TIME = ToolSpec.of("get_time", "Current local time for a city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

  /** How a case calls the model. */
  public enum Mode {
    /** {@code Switchboard.chat(request)}. */
    CHAT,
    /** {@code Switchboard.stream(request)}, events collected. */
    STREAM
  }

  ProviderAdapter adapter;
  Switchboard switchboard;

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

  static void assertTransportFailure(Mode mode, Failure failure) {
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

  static void assertBrokenBody(Mode mode, Failure failure, String partialText) {
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

  static String textOf(List<ChatEvent> events) {
    StringBuilder sb = new StringBuilder();
    for (ChatEvent e : events) {
      if (e instanceof ChatEvent.TextDelta d) {
        sb.append(d.text());
      }
    }
    return sb.toString();
  }

  static void assertDeltasAddUpTo(List<ChatEvent> events, ChatResponse response) {
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

  void assertOneMoreRequest(int before) {
    assertOneMoreRequest(before, null);
  }

  void assertOneMoreRequest(int before, ChatException outcome) {
    assertThat(emulator().requestCount() - before)
        .as("requests this call sent to the emulator (adapters never retry)%s",
            outcome == null ? "" : "; the call failed with " + outcome)
        .isEqualTo(1);
  }

  RecordedRequest takeOnlyRequest() {
    assertThat(emulator().requestCount()).as("requests that reached the emulator").isEqualTo(1);
    return emulator().takeRequest();
  }
}
