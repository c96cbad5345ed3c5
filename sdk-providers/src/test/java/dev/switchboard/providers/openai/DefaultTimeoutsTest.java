package dev.switchboard.providers.openai;

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
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.ManualClock;
import java.io.IOException;
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
 * With nothing configured but a manual clock under the transport, every time limit of the OpenAI
 * provider that runs on the transport's clock ends the call: the idle limit inside a stream (the
 * transport's default, 120 s), the wait for a stream's response headers and the whole-call limit of
 * {@code chat()} (both the builder's {@code timeout}, default 60 s). The loopback server really goes
 * silent (no keep-alive bytes, unlike the emulator's stall, whose keep-alives would reset the idle
 * timer between two moves of the clock); the test only moves the manual clock, and never sleeps.
 *
 * <p>{@code connectTimeout} is enforced by the JDK's HTTP client on its own clock, which no manual
 * clock reaches (the JDK's timer on the request's timeout also stays, as a backstop to the
 * transport's deadline for the headers).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultTimeoutsTest {
  private static final String MODEL = "openai/gpt-4o-mini";
  private static final String FIRST_TEXT = "Once upon a time there was a router";
  /** The builder's documented default for {@code timeout}. */
  private static final Duration PROVIDER_DEFAULT = Duration.ofSeconds(60);

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
        .provider(OpenAiProvider.builder().baseUrl(server.baseUrl()).transport(transport).build())
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

  /** The first chunk of a chat-completions stream; then silence until the client hangs up. */
  private static void firstEventThenSilence(RawHttpServer.Connection c) throws IOException {
    c.startChunked("text/event-stream");
    c.chunk("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + FIRST_TEXT + "\"},"
        + "\"finish_reason\":null}]}\n\n");
    c.sent.complete(null);
    c.awaitClientClose();
  }

  @Test
  void streamStalledAfterItsFirstEvent_endsAtTheDefaultIdleTimeout_withThePartialAnswer() throws Exception {
    start(DefaultTimeoutsTest::firstEventThenSilence);

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
      assertThat(connection.requestLine()).startsWith("POST /v1/chat/completions ");
      clock.awaitTaskDueWithin(PROVIDER_DEFAULT, Duration.ofSeconds(10));
      clock.advance(PROVIDER_DEFAULT.minusMillis(1));
      assertThat(stream.poll()).as("no headers yet, nothing received").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofMillis(1));
      ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> stream.iterator().hasNext());

      assertThat(timeout).hasMessageContaining("within 60s").hasMessageContaining("OpenAiProvider.builder().timeout(...)");
      assertThat(timeout.isRetryable()).isTrue();
      assertThat(timeout.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
      assertThat(transport.exchangesInFlight()).isZero();
      connection.clientClosed.get(10, TimeUnit.SECONDS); // the exchange was cancelled
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
    assertThat(timeout).hasMessageContaining("within 60s").hasMessageContaining("OpenAiProvider.builder().timeout");
    assertThat(timeout.attempts()).hasSize(1);
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(clock.elapsed()).isEqualTo(PROVIDER_DEFAULT);
    assertThat(transport.exchangesInFlight()).isZero();
  }
}
