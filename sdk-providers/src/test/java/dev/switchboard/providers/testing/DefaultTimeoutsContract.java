package dev.switchboard.providers.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.Switchboard;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.ManualClock;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default time limits every HTTP provider must enforce with nothing configured but a manual
 * clock under its transport: the idle limit inside a stream (the transport's default, 120 s), the
 * wait for a stream's response headers and the whole-call limit of {@code chat()} (both the
 * builder's {@code timeout}, whose default each provider documents). A loopback {@link
 * RawHttpServer} really goes silent (no keep-alive bytes, which would reset the idle timer between
 * two moves of the clock); the tests only move the manual clock, and never sleep.
 *
 * <p>The wait for a stream's response headers is handed to the transport as the request's timeout:
 * the transport arms it on its own clock (so the manual clock ends it here), and the JDK's client
 * keeps its own timer on it as a backstop. {@code connectTimeout} is enforced by the JDK's client
 * alone, on its own clock, which no manual clock reaches. For the JDK's side of both, a {@link
 * ScriptedHttpClient} checks the limit handed to the JDK and that the JDK's timeout exceptions
 * become typed, retryable timeouts.
 *
 * <pre>{@code
 * class OllamaDefaultTimeoutsTest extends DefaultTimeoutsContract {
 *   protected ProviderAdapter provider(String root, HttpTransport transport) {
 *     return OllamaProvider.builder().baseUrl(root).transport(transport).build();
 *   }
 *   protected String model() { return "ollama/llama3.2"; }
 *   protected Duration providerDefault() { return Duration.ofSeconds(120); }
 *   protected String providerDefaultAsWritten() { return "2m"; }
 *   protected String builderSetting() { return "OllamaProvider.builder().timeout"; }
 *   protected String endpointPath() { return "/api/chat"; }
 *   protected String streamContentType() { return "application/x-ndjson"; }
 *   protected String firstEvent() { return "{\"message\":{\"content\":\"" + FIRST_TEXT + "\"},\"done\":false}\n"; }
 * }
 * }</pre>
 *
 * <p>Every test is bounded by a {@link Timeout} and has its own instance, clock, server and
 * transports, all closed after it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class DefaultTimeoutsContract {
  /** The text of the first (and only) event a stalled stream sends; {@link #firstEvent()} carries it. */
  protected static final String FIRST_TEXT = "Once upon a time there was a router";
  /** A base URL nothing listens on, for the provider over the scripted JDK client (which sends nothing). */
  private static final String NOWHERE = "http://127.0.0.1:9";

  /** The clock under the transport, the provider and the {@link Switchboard}. */
  protected final ManualClock clock = new ManualClock();
  private final CompletableFuture<RawHttpServer.Connection> chatCall = new CompletableFuture<>();
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private HttpTransport transport;
  private Switchboard switchboard;

  // ---------------------------------------------------------------- hooks

  /**
   * A new provider with its defaults, calling the server at {@code root} ({@code
   * http://127.0.0.1:PORT}, no path) over {@code transport}.
   */
  protected abstract ProviderAdapter provider(String root, HttpTransport transport);

  /** The model the tests call through the {@link Switchboard}, {@code "<provider name>/<model>"}. */
  protected abstract String model();

  /** The builder's documented default for {@code timeout}. */
  protected abstract Duration providerDefault();

  /** {@link #providerDefault()} as timeout messages write it, e.g. {@code "60s"} or {@code "2m"}. */
  protected abstract String providerDefaultAsWritten();

  /** The setting a timeout message points to, e.g. {@code "OpenAiProvider.builder().timeout"}. */
  protected abstract String builderSetting();

  /** The path the provider posts a chat to, e.g. {@code "/v1/chat/completions"}. */
  protected abstract String endpointPath();

  /** The first event of a streamed answer, with {@link #FIRST_TEXT} as its text, as the server writes it. */
  protected abstract String firstEvent();

  /** The content type of a streamed answer; server-sent events unless overridden. */
  protected String streamContentType() {
    return "text/event-stream";
  }

  /**
   * Starts the loopback server, which answers the chat call with {@code chat}, and returns the
   * provider under test calling it, its time limits on {@link #clock}. By default the server and a
   * transport on the manual clock, both closed after the test, and {@link #provider} over them; a
   * provider that builds its own transport overrides this and {@link #callsInFlight()}.
   */
  protected ProviderAdapter startProvider(RawHttpServer.Script chat) throws Exception {
    RawHttpServer server = closeAfter(new RawHttpServer(1, chat));
    transport = closeAfter(HttpTransport.builder().scheduler(clock).ticker(clock).build());
    return provider(server.root(), transport);
  }

  /** How many calls of the provider are still in flight; by default the exchanges of the transport. */
  protected int callsInFlight() {
    return transport.exchangesInFlight();
  }

  /** Closes {@code resource} after the test (after the {@link Switchboard}), the last one first. */
  protected final <T extends AutoCloseable> T closeAfter(T resource) {
    resources.push(resource);
    return resource;
  }

  /** An OpenAI-style chat-completions chunk of {@code model} whose delta is {@link #FIRST_TEXT}. */
  protected static String chatCompletionsChunk(String model) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + FIRST_TEXT + "\"},"
        + "\"finish_reason\":null}]}\n\n";
  }

  /** {@link #model()} without its provider prefix: the model as the provider itself is called with. */
  protected final String providerModel() {
    return model().substring(model().indexOf('/') + 1);
  }

  // ---------------------------------------------------------------- fixture

  private void start(RawHttpServer.Script chat) throws Exception {
    ProviderAdapter provider = startProvider(c -> {
      chatCall.complete(c);
      chat.run(c);
    });
    switchboard = Switchboard.builder().provider(provider).ticker(clock).scheduler(clock).build();
  }

  /** Waits for the chat call to reach the server and checks it went to {@link #endpointPath()}. */
  private RawHttpServer.Connection awaitChatCall() throws Exception {
    RawHttpServer.Connection connection = chatCall.get(10, TimeUnit.SECONDS);
    assertThat(connection.requestLine()).startsWith("POST " + endpointPath() + " ");
    return connection;
  }

  /** The first event of an answer; then silence until the client hangs up. */
  private void firstEventThenSilence(RawHttpServer.Connection c) throws IOException {
    c.startChunked(streamContentType());
    c.chunk(firstEvent());
    c.sent.complete(null);
    c.awaitClientClose();
  }

  private HttpTransport scriptedTransport(ScriptedHttpClient jdk) {
    return HttpTransport.builder().httpClient(jdk).sendOnWaitingThreads(false).scheduler(clock).ticker(clock).build();
  }

  @AfterEach
  protected final void closeTimeoutsFixture() throws Exception {
    if (switchboard != null) {
      switchboard.close();
    }
    while (!resources.isEmpty()) {
      resources.pop().close();
    }
  }

  // ---------------------------------------------------------------- the manual clock's limits

  @Test
  protected void streamStalledAfterItsFirstEvent_endsAtTheDefaultIdleTimeout_withThePartialAnswer() throws Exception {
    start(this::firstEventThenSilence);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(model(), "tell me a story"))) {
      Iterator<ChatEvent> events = stream.iterator();
      ChatEvent first = events.next();
      assertThat(first).isInstanceOf(ChatEvent.TextDelta.class);
      assertThat(((ChatEvent.TextDelta) first).text()).isEqualTo(FIRST_TEXT);

      clock.advance(HttpTransport.DEFAULT_IDLE_TIMEOUT.minusSeconds(1));
      assertThat(stream.poll()).as("still within the idle bound").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofSeconds(1));
      ChatStreamException broken = catchThrowableOfType(ChatStreamException.class, events::hasNext);

      assertThat(broken.getCause()).isInstanceOf(HttpTimeoutException.class)
          .hasMessageContaining("no data for 120000 ms");
      assertThat(broken.partialResponse().text()).isEqualTo(FIRST_TEXT);
      assertThat(broken.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(HttpTransport.DEFAULT_IDLE_TIMEOUT);
    }
  }

  @Test
  protected void chatWhoseAnswerNeverComes_endsAtTheProviderTimeout_asATimeout() throws Exception {
    start(RawHttpServer.Connection::awaitClientClose);

    CompletableFuture<ChatResponse> call = switchboard.chatAsync(ChatRequest.of(model(), "hi"));
    awaitChatCall();
    clock.awaitTaskDueWithin(providerDefault(), Duration.ofSeconds(10));
    clock.advance(providerDefault().minusMillis(1));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));
    assertThat(timeout).hasMessageContaining("within " + providerDefaultAsWritten())
        .hasMessageContaining(builderSetting());
    assertThat(timeout.attempts()).hasSize(1);
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(clock.elapsed()).isEqualTo(providerDefault());
    assertThat(callsInFlight()).as("the call was released").isZero();
  }

  /**
   * The wait for a stream's response headers is bounded by the provider's timeout, on the
   * transport's clock: the stream fails as a typed, retryable timeout, the exchange is cancelled
   * (the client hangs up), and the call is released.
   */
  @Test
  protected void streamWhoseHeadersNeverCome_endsAtTheProviderTimeout_onTheManualClock() throws Exception {
    start(RawHttpServer.Connection::awaitClientClose);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(model(), "hi"))) {
      RawHttpServer.Connection connection = awaitChatCall();
      clock.awaitTaskDueWithin(providerDefault(), Duration.ofSeconds(10));
      clock.advance(providerDefault().minusMillis(1));
      assertThat(stream.poll()).as("no headers yet, nothing received").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofMillis(1));
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("within " + providerDefaultAsWritten())
          .hasMessageContaining(builderSetting() + "(...)");
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(timeout.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(providerDefault());
      assertThat(callsInFlight()).as("the call was released").isZero();
      connection.clientClosed.get(10, TimeUnit.SECONDS); // the exchange was cancelled
    }
  }

  // ---------------------------------------------------------------- the JDK's limits

  /**
   * The same limit is handed to the JDK as the request's timeout, whose own timer stays as a
   * backstop: the request carries the documented default, and the JDK's timeout, should it fire
   * first, becomes a typed, retryable timeout too.
   */
  @Test
  protected void streamWhoseHeadersNeverCome_isBoundedByTheProviderTimeout_enforcedByTheJdk() throws Exception {
    ScriptedHttpClient jdk = new ScriptedHttpClient();
    try (HttpTransport scripted = scriptedTransport(jdk);
        ProviderAdapter adapter = provider(NOWHERE, scripted);
        ChatStream stream = adapter.stream(ChatRequest.of(providerModel(), "hi"))) {
      ScriptedHttpClient.Exchange sent = jdk.next();
      assertThat(sent.request().timeout()).as("the limit of the wait for the headers").contains(providerDefault());

      sent.fail(new HttpTimeoutException("request timed out")); // what the JDK raises when that limit passes
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining(builderSetting() + "(...)");
      assertThat(timeout.getCause()).isInstanceOf(HttpTimeoutException.class);
      assertThat(timeout.isRetryable()).isTrue();
    }
  }

  /** A connect timeout (enforced by the JDK's client) ends a call as a typed, retryable timeout. */
  @Test
  protected void connectTimeout_endsTheCallAsATypedRetryableTimeout() throws Exception {
    ScriptedHttpClient jdk = new ScriptedHttpClient();
    try (HttpTransport scripted = scriptedTransport(jdk);
        ProviderAdapter adapter = provider(NOWHERE, scripted)) {
      CompletableFuture<ChatResponse> call = adapter.chat(ChatRequest.of(providerModel(), "hi"));
      jdk.next().fail(new HttpConnectTimeoutException("HTTP connect timed out"));

      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));

      assertThat(timeout).hasMessageContaining("within the connect timeout").hasMessageContaining("connectTimeout(...)");
      assertThat(timeout.getCause()).isInstanceOf(HttpConnectTimeoutException.class);
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(clock.elapsed()).isZero();
    }
  }
}
