package dev.switchboard.providers.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.resilience.CircuitBreakers;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.RecordingListener;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resilience scenario table (issue 4), end to end: real HTTP to two OpenAI emulators, the
 * OpenAI adapter, {@code Fallback(Resilience(...))}, and a manual clock — no test sleeps. Each row
 * scripts what the primary and the secondary answer, the clock steps to take, and what the caller
 * must get.
 */
@Timeout(60)
class ResilienceScenarioTest {
  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> PRIMARY = EmulatorExtension.openAi();

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> SECONDARY = EmulatorExtension.openAi();

  private static final Duration FIRST_EVENT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration BACKOFF = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock();
  private final RecordingListener events = new RecordingListener();
  private Switchboard switchboard;

  /** One clock step: wait until the primary has seen {@code primaryRequests}, then until a task is due within {@code advance}, then advance. */
  record Step(int primaryRequests, Duration advance) {
    static Step advance(Duration d) {
      return new Step(0, d);
    }

    static Step afterPrimaryRequests(int n, Duration d) {
      return new Step(n, d);
    }
  }

  /** What the caller must get: an answer from {@code answeredBy}, or an exception of {@code failure}. */
  record Scenario(String name, String model, boolean stream, List<Reply> primary, List<Reply> secondary,
      List<Step> steps, String answeredBy, Class<? extends ChatException> failure, int primaryRequests,
      int secondaryRequests, Consumer<ChatException> check) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Scenario> scenarios() {
    Reply primaryAnswer = Reply.text("answer from primary");
    Reply secondaryAnswer = Reply.text("answer from secondary");
    return Stream.of(
        new Scenario("429 retry-after 1s: retried once the clock advances 1s", "main", false,
            List.of(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(1)), primaryAnswer), List.of(),
            List.of(Step.afterPrimaryRequests(1, Duration.ofSeconds(1))), "primary", null, 2, 0, null),
        new Scenario("429 retry-after 86400s: fails over at once", "main", false,
            List.of(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(86_400))), List.of(secondaryAnswer),
            List.of(), "secondary", null, 1, 1, null),
        new Scenario("529: retried, then failed over", "main", false,
            List.of(Reply.error(ErrorKind.OVERLOADED), Reply.error(ErrorKind.OVERLOADED)), List.of(secondaryAnswer),
            List.of(Step.afterPrimaryRequests(1, BACKOFF)), "secondary", null, 2, 1, null),
        new Scenario("400 context length: next model with a larger window, no retry", "long", false,
            List.of(Reply.error(ErrorKind.CONTEXT_LENGTH)), List.of(secondaryAnswer),
            List.of(), "secondary", null, 1, 1, null),
        new Scenario("401: no retry, no fallback, a clear message", "main", false,
            List.of(Reply.error(ErrorKind.AUTHENTICATION)), List.of(),
            List.of(), null, AuthenticationException.class, 1, 0,
            e -> assertThat(e.getMessage()).contains("primary").doesNotContain("test-key")),
        new Scenario("connection reset: retried", "main", false,
            List.of(Reply.fault(Fault.CONNECTION_RESET), primaryAnswer), List.of(),
            List.of(Step.afterPrimaryRequests(1, BACKOFF)), "primary", null, 2, 0, null),
        new Scenario("HTML 502 page: retried", "main", false,
            List.of(Reply.error(ErrorKind.BAD_GATEWAY_HTML), primaryAnswer), List.of(),
            List.of(Step.afterPrimaryRequests(1, BACKOFF)), "primary", null, 2, 0, null),
        new Scenario("stream stalled before the first token: retried, then failed over", "main", true,
            List.of(stalled(primaryAnswer), stalled(primaryAnswer)), List.of(secondaryAnswer),
            List.of(Step.afterPrimaryRequests(1, FIRST_EVENT_TIMEOUT), Step.advance(BACKOFF),
                Step.afterPrimaryRequests(2, FIRST_EVENT_TIMEOUT)),
            "secondary", null, 2, 1, null),
        new Scenario("stream stalled after the first token: ChatStreamException with the partial text", "main", true,
            List.of(Reply.builder().text("Once upon a time there was a router").streamPieces(4)
                .stallAfterFirstEvent(Duration.ofSeconds(20)).build()), List.of(),
            List.of(Step.afterPrimaryRequests(1, IDLE_TIMEOUT)), null, ChatStreamException.class, 1, 0,
            e -> assertThat(((ChatStreamException) e).partialResponse().text()).isNotEmpty()
                .isSubstringOf("Once upon a time there was a router")));
  }

  /** Headers and body only after 20 real seconds: the client sees no first event. */
  private static Reply stalled(Reply reply) {
    return reply.toBuilder().delay(Duration.ofSeconds(20)).build();
  }

  @BeforeEach
  void setUp() {
    CircuitBreakers breakers = CircuitBreakers.builder().ticker(clock).build();
    OpenAiProvider primary = OpenAiProvider.builder().name("primary").baseUrl(PRIMARY.emulator().baseUrl())
        .apiKey(Secret.of("test-key")).build();
    OpenAiProvider secondary = OpenAiProvider.builder().name("secondary").baseUrl(SECONDARY.emulator().baseUrl())
        .apiKey(Secret.of("test-key")).build();
    switchboard = Switchboard.builder()
        .provider(new WithCapabilities(primary, Map.of("small", 8_000, "same", 8_000)))
        .provider(new WithCapabilities(secondary, Map.of("large", 128_000)))
        .ticker(clock).scheduler(clock)
        .interceptor(Fallback.builder()
            .chain("main", "primary/gpt-4o-mini", "secondary/gpt-4o")
            .chain("long", "primary/small", "primary/same", "secondary/large")
            .circuitBreakers(breakers)
            .build())
        .interceptor(Resilience.builder()
            .maxAttempts(2).backoff(BACKOFF, BACKOFF).jitter(0)
            .maxRetryAfter(Duration.ofSeconds(30))
            .circuitBreakers(breakers)
            .firstEventTimeout(FIRST_EVENT_TIMEOUT)
            .idleTimeout(IDLE_TIMEOUT)
            .build())
        .listener(events)
        .build();
  }

  @AfterEach
  void tearDown() {
    switchboard.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario(Scenario s) throws Exception {
    s.primary().forEach(PRIMARY.emulator()::enqueue);
    s.secondary().forEach(SECONDARY.emulator()::enqueue);
    ChatRequest request = ChatRequest.of(s.model(), "Rank these three results for the query 'cheap flights'.");

    CompletableFuture<ChatResponse> result = s.stream() ? streamed(request) : switchboard.chatAsync(request);
    int taken = 0;
    for (Step step : s.steps()) {
      while (taken < step.primaryRequests()) {
        PRIMARY.emulator().takeRequest(WAIT);
        taken++;
      }
      clock.awaitTaskDueWithin(step.advance(), WAIT);
      assertThat(PRIMARY.emulator().requestCount()).as("nothing more is sent before the clock moves")
          .isEqualTo(taken);
      clock.advance(step.advance());
    }

    if (s.failure() == null) {
      ChatResponse response = result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.text()).isEqualTo("answer from " + s.answeredBy());
      assertThat(response.provider()).isEqualTo(s.answeredBy());
      assertThat(response.attempts()).hasSize(s.primaryRequests() + s.secondaryRequests());
    } else {
      Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
          () -> result.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertThat(thrown).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause()).isInstanceOf(s.failure());
      if (s.check() != null) {
        s.check().accept((ChatException) thrown.getCause());
      }
    }
    assertThat(PRIMARY.emulator().requestCount()).as("requests the primary received")
        .isEqualTo(s.primaryRequests());
    assertThat(SECONDARY.emulator().requestCount()).as("requests the secondary received")
        .isEqualTo(s.secondaryRequests());
    assertThat(events.lines("retry")).as("retries reported").hasSize(s.primaryRequests() - 1);
    assertThat(events.lines("fallback")).as("fallbacks reported").hasSize(s.secondaryRequests());
    assertThat(events.lines("attemptEnd")).as("every request the servers got is an attempt")
        .hasSize(s.primaryRequests() + s.secondaryRequests());
    events.assertEveryCallEndedOnce();
  }

  /** Consumes a stream through callbacks (no thread waits), checking that deltas add up to the answer. */
  private CompletableFuture<ChatResponse> streamed(ChatRequest request) {
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    StringBuilder deltas = new StringBuilder();
    ChatStream stream = switchboard.stream(request);
    stream.subscribe(new ChatStreamHandler() {
      @Override
      public void onEvent(ChatEvent event) {
        if (event instanceof ChatEvent.TextDelta d) {
          deltas.append(d.text());
        }
      }

      @Override
      public void onComplete(ChatResponse response) {
        if (!deltas.toString().equals(response.text())) {
          result.completeExceptionally(new AssertionError("deltas '" + deltas + "' != text '" + response.text() + "'"));
        }
        result.complete(response);
      }

      @Override
      public void onError(ChatException error) {
        result.completeExceptionally(error);
      }
    });
    return result;
  }
}
