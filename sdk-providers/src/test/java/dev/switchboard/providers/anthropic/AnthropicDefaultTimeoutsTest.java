package dev.switchboard.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.testing.RawHttpServer;
import dev.switchboard.providers.testing.ScriptedHttpClient;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.ManualClock;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With nothing configured but a manual clock under the transport, every time limit of the
 * Anthropic provider that runs on the transport's clock ends the call: the idle limit inside a
 * stream (the transport's default, 120 s), the wait for a stream's response headers and the
 * whole-call limit of {@code chat()} (both the builder's {@code timeout}, default 120 s). The
 * loopback server really goes silent (no keep-alive bytes); the test only moves the manual clock,
 * and never sleeps.
 *
 * <p>The wait for a stream's response headers is the builder's timeout too, handed to the
 * transport as the request's timeout: the transport arms it on its own clock (so the manual clock
 * ends it here), and the JDK's client keeps its own timer on it as a backstop. {@code
 * connectTimeout} is enforced by the JDK's client alone, on its own clock, which no manual clock
 * reaches. For the JDK's side of both, a scripted client checks the limit handed to the JDK and
 * that the JDK's timeout exceptions become typed, retryable timeouts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AnthropicDefaultTimeoutsTest {
  private static final String MODEL = "anthropic/claude-sonnet-4-5";
  private static final String FIRST_TEXT = "Once upon a time there was a router";
  /** The builder's documented default for {@code timeout}. */
  private static final Duration PROVIDER_DEFAULT = Duration.ofSeconds(120);

  private final ManualClock clock = new ManualClock();
  private HttpTransport transport;
  private RawHttpServer server;
  private Switchboard switchboard;

  @BeforeEach
  void setUp() {
    transport = HttpTransport.builder().scheduler(clock).ticker(clock).build();
  }

  private void start(RawHttpServer.Script script) throws IOException {
    server = new RawHttpServer(1, script);
    switchboard = Switchboard.builder()
        .provider(AnthropicProvider.builder().baseUrl(server.root()).transport(transport).build())
        .ticker(clock)
        .scheduler(clock)
        .build();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (switchboard != null) {
      switchboard.close();
    }
    transport.close();
    if (server != null) {
      server.close();
    }
  }

  /** Message start, a text block and its first delta; then silence until the client hangs up. */
  private static void firstEventThenSilence(RawHttpServer.Connection c) throws IOException {
    c.startChunked("text/event-stream");
    c.chunk("event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\n"
        + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\""
        + FIRST_TEXT + "\"}}\n\n");
    c.sent.complete(null);
    c.awaitClientClose();
  }

  @Test
  void streamStalledAfterItsFirstEvent_endsAtTheDefaultIdleTimeout_withThePartialAnswer() throws Exception {
    start(AnthropicDefaultTimeoutsTest::firstEventThenSilence);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(MODEL, "tell me a story"))) {
      Iterator<ChatEvent> events = stream.iterator();
      ChatEvent first = events.next();
      while (!(first instanceof ChatEvent.TextDelta)) {
        first = events.next();
      }
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
  void chatWhoseAnswerNeverComes_endsAtTheProviderTimeout_asATimeout() throws Exception {
    start(RawHttpServer.Connection::awaitClientClose);

    CompletableFuture<ChatResponse> call = switchboard.chatAsync(ChatRequest.of(MODEL, "hi"));
    server.accepted.get(0).get(10, TimeUnit.SECONDS);
    clock.awaitTaskDueWithin(PROVIDER_DEFAULT, Duration.ofSeconds(10));
    clock.advance(PROVIDER_DEFAULT.minusMillis(1));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));
    assertThat(timeout).hasMessageContaining("within 2m").hasMessageContaining("AnthropicProvider.builder().timeout");
    assertThat(timeout.attempts()).hasSize(1);
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
    assertThat(transport.exchangesInFlight()).isZero();
  }

  /**
   * The wait for a stream's response headers is bounded by the provider's timeout, on the
   * transport's clock: the stream fails as a typed, retryable timeout, and the exchange is
   * cancelled (the client hangs up).
   */
  @Test
  void streamWhoseHeadersNeverCome_endsAtTheProviderTimeout_onTheManualClock() throws Exception {
    start(RawHttpServer.Connection::awaitClientClose);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(MODEL, "hi"))) {
      RawHttpServer.Connection connection = server.accepted.get(0).get(10, TimeUnit.SECONDS);
      assertThat(connection.requestLine()).startsWith("POST /v1/messages ");
      clock.awaitTaskDueWithin(PROVIDER_DEFAULT, Duration.ofSeconds(10));
      clock.advance(PROVIDER_DEFAULT.minusMillis(1));
      assertThat(stream.poll()).as("no headers yet, nothing received").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofMillis(1));
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("within 2m").hasMessageContaining("AnthropicProvider.builder().timeout(...)");
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(timeout.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
      assertThat(transport.exchangesInFlight()).isZero();
      connection.clientClosed.get(10, TimeUnit.SECONDS); // the exchange was cancelled
    }
  }

  /**
   * The same limit is handed to the JDK as the request's timeout, whose own timer stays as a
   * backstop: the request carries the documented default, and the JDK's timeout, should it fire
   * first, becomes a typed, retryable timeout too.
   */
  @Test
  void streamWhoseHeadersNeverCome_isBoundedByTheProviderTimeout_enforcedByTheJdk() throws Exception {
    ScriptedHttpClient jdk = new ScriptedHttpClient();
    try (HttpTransport scripted = HttpTransport.builder().httpClient(jdk).sendOnWaitingThreads(false)
            .scheduler(clock).ticker(clock).build();
        AnthropicProvider provider = AnthropicProvider.builder().baseUrl("http://127.0.0.1:9").transport(scripted).build();
        ChatStream stream = provider.stream(ChatRequest.of("claude-sonnet-4-5", "hi"))) {
      ScriptedHttpClient.Exchange sent = jdk.next();
      assertThat(sent.request().timeout()).as("the limit of the wait for the headers").contains(PROVIDER_DEFAULT);

      sent.fail(new HttpTimeoutException("request timed out")); // what the JDK raises when that limit passes
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("AnthropicProvider.builder().timeout(...)");
      assertThat(timeout.getCause()).isInstanceOf(HttpTimeoutException.class);
      assertThat(timeout.isRetryable()).isTrue();
    }
  }

  /** A connect timeout (enforced by the JDK's client) ends a call as a typed, retryable timeout. */
  @Test
  void connectTimeout_endsTheCallAsATypedRetryableTimeout() throws Exception {
    ScriptedHttpClient jdk = new ScriptedHttpClient();
    try (HttpTransport scripted = HttpTransport.builder().httpClient(jdk).sendOnWaitingThreads(false)
            .scheduler(clock).ticker(clock).build();
        AnthropicProvider provider = AnthropicProvider.builder().baseUrl("http://127.0.0.1:9").transport(scripted).build()) {
      CompletableFuture<ChatResponse> call = provider.chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
      jdk.next().fail(new HttpConnectTimeoutException("HTTP connect timed out"));

      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));

      assertThat(timeout).hasMessageContaining("within the connect timeout").hasMessageContaining("connectTimeout(...)");
      assertThat(timeout.getCause()).isInstanceOf(HttpConnectTimeoutException.class);
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(clock.elapsed()).isZero();
    }
  }
}
