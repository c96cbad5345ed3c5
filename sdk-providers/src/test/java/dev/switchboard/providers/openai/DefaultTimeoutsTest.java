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
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With nothing configured but a manual clock under the transport, every provider time limit ends
 * the call: the idle limit inside a stream, and the whole-call limit of {@code chat()}. The server
 * really stalls (20 s of real time); the test only moves the manual clock.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultTimeoutsTest {
  private static final Duration SERVER_STALL = Duration.ofSeconds(20);

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  private final ManualClock clock = new ManualClock();
  private HttpTransport transport;
  private Switchboard switchboard;

  @BeforeEach
  void setUp() {
    transport = HttpTransport.builder().scheduler(clock).ticker(clock).build();
    switchboard = Switchboard.builder()
        .provider(OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl()).transport(transport).build())
        .ticker(clock)
        .scheduler(clock)
        .build();
  }

  @AfterEach
  void tearDown() {
    switchboard.close();
    transport.close();
  }

  @Test
  void streamStalledAfterItsFirstEvent_endsAtTheDefaultIdleTimeout_withThePartialAnswer() {
    OPENAI.emulator().enqueue(Reply.builder().text("Once upon a time there was a router").streamPieces(4)
        .stallAfterFirstEvent(SERVER_STALL).build());

    try (ChatStream stream = switchboard.stream(ChatRequest.of("openai/gpt-4o-mini", "tell me a story"))) {
      Iterator<ChatEvent> events = stream.iterator();
      ChatEvent first = events.next();
      assertThat(first).isInstanceOf(ChatEvent.TextDelta.class);

      clock.advance(HttpTransport.DEFAULT_IDLE_TIMEOUT.minusSeconds(1));
      assertThat(stream.poll()).as("still within the idle bound").isNull();
      assertThat(stream.isFinished()).isFalse();

      clock.advance(Duration.ofSeconds(1));
      ChatStreamException broken = catchThrowableOfType(ChatStreamException.class, events::hasNext);

      assertThat(broken.getCause()).isInstanceOf(HttpTimeoutException.class)
          .hasMessageContaining("no data for 120000 ms");
      assertThat(broken.partialResponse().text()).isEqualTo(((ChatEvent.TextDelta) first).text());
      assertThat(broken.attempts()).hasSize(1);
      assertThat(clock.elapsed()).isEqualTo(HttpTransport.DEFAULT_IDLE_TIMEOUT);
    }
  }

  @Test
  void chatWhoseAnswerNeverComes_endsAtTheProviderTimeout_asATimeout() {
    OPENAI.emulator().enqueue(Reply.builder().text("late").delay(SERVER_STALL).build());
    Duration providerDefault = Duration.ofSeconds(60);

    CompletableFuture<ChatResponse> call = switchboard.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    clock.awaitTaskDueWithin(providerDefault, Duration.ofSeconds(10));
    clock.advance(providerDefault.minusMillis(1));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(call));
    assertThat(timeout).hasMessageContaining("within 60s");
    assertThat(timeout.attempts()).hasSize(1);
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(transport.exchangesInFlight()).isZero();
  }
}
