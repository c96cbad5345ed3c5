package dev.switchboard.providers.selfhosted;

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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With the provider's own ticker and scheduler set to a manual clock (and nothing else about time
 * configured), the self-hosted provider builds its transport on that clock, so every time limit that
 * runs on the transport ends the call when the clock says so: the idle limit inside a stream (the
 * transport's default, 120 s), the wait for a stream's response headers and the whole-call limit of
 * {@code chat()} (both the builder's {@code timeout}, default 60 s). Run for every backend profile,
 * over one loopback replica that answers the health, metrics and model probes and then really goes
 * silent (no keep-alive bytes) on the chat call. The test only moves the manual clock, and never
 * sleeps.
 *
 * <p>The scrape and retry intervals (not time limits) are set to an hour and the replica is probed
 * once up front, so that no background probe runs while the clock is moved.
 *
 * <p>The wait for a stream's response headers is handed to the transport as the request's timeout:
 * the transport arms it on its own clock (so the manual clock ends it here), and the JDK's client
 * keeps its own timer on it as a backstop. {@code connectTimeout} is enforced by the JDK's client
 * alone, on its own clock, which no manual clock reaches. For the JDK's side of both, a scripted
 * client checks the limit handed to the JDK and that the JDK's timeout exceptions become typed,
 * retryable timeouts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelfHostedDefaultTimeoutsTest {
  private static final String MODEL = "selfhosted/test-model";
  private static final String FIRST_TEXT = "Once upon a time there was a router";
  /** The builder's documented default for {@code timeout}. */
  private static final Duration PROVIDER_DEFAULT = Duration.ofSeconds(60);
  private static final Duration NO_BACKGROUND_PROBES = Duration.ofHours(1);

  private final ManualClock clock = new ManualClock();
  private final CompletableFuture<RawHttpServer.Connection> chatCall = new CompletableFuture<>();
  private RawHttpServer server;
  private SelfHostedProvider provider;
  private Switchboard switchboard;

  static List<Backend> backends() {
    return List.of(Backend.VLLM, Backend.SGLANG, Backend.TGI, Backend.LLAMA_CPP);
  }

  private void start(Backend backend, RawHttpServer.Script chat) throws Exception {
    server = new RawHttpServer(0, c -> {
      String line = c.requestLine();
      if (line.startsWith("GET /health ")) {
        c.respondAndClose(200, "text/plain", "");
      } else if (line.startsWith("GET /metrics ")) {
        c.respondAndClose(200, "text/plain; version=0.0.4", "");
      } else if (line.startsWith("GET /v1/models ")) {
        c.respondAndClose(200, "application/json",
            "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\",\"object\":\"model\",\"max_model_len\":8192}]}");
      } else {
        chatCall.complete(c);
        chat.run(c);
      }
    });
    provider = SelfHostedProvider.builder()
        .name("selfhosted")
        .backend(backend)
        .replica(server.root())
        .ticker(clock)
        .scheduler(clock)
        .scrapeInterval(NO_BACKGROUND_PROBES)
        .unhealthyRetryInterval(NO_BACKGROUND_PROBES)
        .build();
    provider.refreshNow().get(10, TimeUnit.SECONDS);
    clock.advance(Duration.ZERO); // the first background round: nothing is due, the next is an hour away
    assertThat(provider.replicas().get(0).healthy()).isTrue();
    switchboard = Switchboard.builder().provider(provider).ticker(clock).scheduler(clock).build();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (switchboard != null) {
      switchboard.close();
    }
    if (provider != null) {
      provider.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The first chunk of an OpenAI-style stream; then silence until the client hangs up. */
  private static void firstEventThenSilence(RawHttpServer.Connection c) throws IOException {
    c.startChunked("text/event-stream");
    c.chunk("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + FIRST_TEXT + "\"},"
        + "\"finish_reason\":null}]}\n\n");
    c.sent.complete(null);
    c.awaitClientClose();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void streamStalledAfterItsFirstEvent_endsAtTheDefaultIdleTimeout_withThePartialAnswer(Backend backend)
      throws Exception {
    start(backend, SelfHostedDefaultTimeoutsTest::firstEventThenSilence);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(MODEL, "tell me a story"))) {
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void chatWhoseAnswerNeverComes_endsAtTheProviderTimeout_asATimeout(Backend backend) throws Exception {
    start(backend, RawHttpServer.Connection::awaitClientClose);

    CompletableFuture<ChatResponse> call = switchboard.chatAsync(ChatRequest.of(MODEL, "hi"));
    assertThat(chatCall.get(10, TimeUnit.SECONDS).requestLine()).startsWith("POST /v1/chat/completions ");
    clock.awaitTaskDueWithin(PROVIDER_DEFAULT, Duration.ofSeconds(10));
    clock.advance(PROVIDER_DEFAULT.minusMillis(1));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));
    assertThat(timeout).hasMessageContaining("within 60s")
        .hasMessageContaining("SelfHostedProvider.builder().timeout");
    assertThat(timeout.attempts()).hasSize(1);
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
    assertThat(provider.replicas().get(0).inFlight()).as("the call was released").isZero();
  }

  /**
   * The wait for a stream's response headers is bounded by the provider's timeout, on the
   * transport's clock: the stream fails as a typed, retryable timeout, the exchange is cancelled
   * (the client hangs up), and the replica's slot is released.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void streamWhoseHeadersNeverCome_endsAtTheProviderTimeout_onTheManualClock(Backend backend) throws Exception {
    start(backend, RawHttpServer.Connection::awaitClientClose);

    try (ChatStream stream = switchboard.stream(ChatRequest.of(MODEL, "hi"))) {
      RawHttpServer.Connection connection = chatCall.get(10, TimeUnit.SECONDS);
      assertThat(connection.requestLine()).startsWith("POST /v1/chat/completions ");
      clock.awaitTaskDueWithin(PROVIDER_DEFAULT, Duration.ofSeconds(10));
      clock.advance(PROVIDER_DEFAULT.minusMillis(1));
      assertThat(stream.poll()).as("no headers yet, nothing received").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofMillis(1));
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("within 60s")
          .hasMessageContaining("SelfHostedProvider.builder().timeout(...)");
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(timeout.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
      assertThat(provider.replicas().get(0).inFlight()).as("the call was released").isZero();
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
        SelfHostedProvider provider = SelfHostedProvider.builder().name("selfhosted").backend(Backend.VLLM)
            .replica("http://127.0.0.1:9").transport(scripted).scheduler(clock).ticker(clock).build();
        ChatStream stream = provider.stream(ChatRequest.of("test-model", "hi"))) {
      ScriptedHttpClient.Exchange sent = jdk.next();
      assertThat(sent.request().timeout()).as("the limit of the wait for the headers").contains(PROVIDER_DEFAULT);

      sent.fail(new HttpTimeoutException("request timed out")); // what the JDK raises when that limit passes
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("SelfHostedProvider.builder().timeout(...)");
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
        SelfHostedProvider provider = SelfHostedProvider.builder().name("selfhosted").backend(Backend.VLLM)
            .replica("http://127.0.0.1:9").transport(scripted).scheduler(clock).ticker(clock).build()) {
      CompletableFuture<ChatResponse> call = provider.chat(ChatRequest.of("test-model", "hi"));
      jdk.next().fail(new HttpConnectTimeoutException("HTTP connect timed out"));

      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));

      assertThat(timeout).hasMessageContaining("within the connect timeout").hasMessageContaining("connectTimeout(...)");
      assertThat(timeout.getCause()).isInstanceOf(HttpConnectTimeoutException.class);
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(clock.elapsed()).isZero();
    }
  }
}
