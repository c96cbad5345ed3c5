package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.CircuitState;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streamed calls through Resilience: retries and their events, attempts, breakers, permits and rate limits. */
@Timeout(10)
class ResilienceStreamsTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void callStart(CallInfo call) {
      events.add("start");
    }

    @Override
    public void retryScheduled(CallInfo call, ChatException failure, int next, Duration delay) {
      events.add("retry #" + next + " in " + delay.toMillis() + "ms after " + failure.getClass().getSimpleName());
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      events.add("attempt " + attemptId + " " + attempt.failure().orElse("ok"));
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      events.add("end " + response.text());
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      events.add("failed " + error.getClass().getSimpleName() + " after " + error.attempts().size() + " attempts");
    }

    @Override
    public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
      events.add("breaker " + provider + "/" + model + " " + from + " -> " + to);
    }
  };

  private Switchboard switchboard(Resilience resilience) {
    return Switchboard.builder().provider(openai).ticker(time).scheduler(time).interceptor(resilience)
        .listener(recorder).build();
  }

  private static Resilience.Builder retries() {
    return Resilience.builder().maxAttempts(3).backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).jitter(0);
  }

  private static ServerException overloaded() {
    return new ServerException("overloaded", ErrorDetails.builder().provider("openai").model("m").statusCode(529)
        .retryable(true).build());
  }

  private static void answer(PushChatStream s, String text) {
    s.emit(new ChatEvent.TextDelta(text));
    s.emit(new ChatEvent.Completed(FakeAdapter.answer(text)));
    s.complete();
  }

  private static CircuitBreakers breakers(ManualTime time) {
    return CircuitBreakers.builder().failureThreshold(2, 2).coolDown(Duration.ofSeconds(30)).ticker(time).build();
  }

  @Test
  void aRetriedStream_reportsTheRetryWithItsNumber_andListsEveryAttemptOnTheAnswer_inOrder() {
    Switchboard sb = switchboard(retries().build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    openai.streams.get(0).fail(overloaded());
    assertThat(stream.poll()).isNull();
    assertThat(events).containsExactly("start", "attempt 1 ServerException", "retry #2 in 100ms after ServerException");
    time.advance(Duration.ofMillis(100));
    openai.streams.get(1).fail(overloaded());
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofMillis(200));
    answer(openai.streams.get(2), "third time");
    ChatResponse r = stream.collect();
    assertThat(r.text()).isEqualTo("third time");
    assertThat(r.attempts()).extracting(a -> a.failure().orElse("ok"))
        .containsExactly("ServerException", "ServerException", "ok");
    assertThat(events).containsExactly("start", "attempt 1 ServerException", "retry #2 in 100ms after ServerException",
        "attempt 2 ServerException", "retry #3 in 200ms after ServerException", "attempt 3 ok", "end third time");
  }

  @Test
  void aStreamOutOfRetries_failsOnce_withEveryAttemptListed() {
    Switchboard sb = switchboard(retries().maxAttempts(2).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    openai.streams.get(0).fail(overloaded());
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofMillis(100));
    openai.streams.get(1).fail(overloaded());
    assertThatThrownBy(stream::poll).isInstanceOfSatisfying(ServerException.class,
        e -> assertThat(e.attempts()).hasSize(2).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(529)));
    stream.close();
    assertThat(events).containsExactly("start", "attempt 1 ServerException", "retry #2 in 100ms after ServerException",
        "attempt 2 ServerException", "failed ServerException after 2 attempts");
  }

  @Test
  void aStreamThatAnswersAtOnce_endsOnce_withItsOneAttempt() {
    Switchboard sb = switchboard(retries().build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    answer(openai.streams.get(0), "hello");
    ChatResponse r = stream.collect();
    assertThat(r.attempts()).hasSize(1);
    assertThat(events).containsExactly("start", "attempt 1 ok", "end hello");
  }

  @Test
  void streamOutcomes_countInTheBreaker_successesToo() {
    CircuitBreakers breakers = breakers(time);
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build());

    ChatStream failing = sb.stream(ChatRequest.of("openai/m", "a"));
    openai.streams.get(0).fail(overloaded());
    assertThatThrownBy(failing::poll).isInstanceOf(ServerException.class);
    ChatStream ok = sb.stream(ChatRequest.of("openai/m", "b"));
    answer(openai.streams.get(1), "fine");
    assertThat(ok.collect().text()).isEqualTo("fine");
    ChatStream failingAgain = sb.stream(ChatRequest.of("openai/m", "c"));
    openai.streams.get(2).fail(overloaded());
    assertThatThrownBy(failingAgain::poll).isInstanceOf(ServerException.class);
    assertThat(breakers.state("openai/m")).as("one failure of the last two").isEqualTo(CircuitState.CLOSED);

    ChatStream last = sb.stream(ChatRequest.of("openai/m", "d"));
    openai.streams.get(3).fail(overloaded());
    assertThatThrownBy(last::poll).isInstanceOf(ServerException.class);
    assertThat(breakers.state("openai/m")).isEqualTo(CircuitState.OPEN);
    assertThat(events).contains("breaker openai/m CLOSED -> OPEN");
  }

  @Test
  void aStreamsSuccess_closesAHalfOpenBreaker_assoonAsItsFinalEventIsTaken() {
    CircuitBreakers breakers = breakers(time);
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build());
    for (int i = 0; i < 2; i++) {
      ChatStream s = sb.stream(ChatRequest.of("openai/m", "x"));
      openai.streams.get(i).fail(overloaded());
      assertThatThrownBy(s::poll).isInstanceOf(ServerException.class);
    }
    assertThat(breakers.state("openai/m")).isEqualTo(CircuitState.OPEN);
    time.advance(Duration.ofSeconds(30));
    ChatStream probe = sb.stream(ChatRequest.of("openai/m", "x"));
    PushChatStream server = openai.streams.get(2);
    server.emit(new ChatEvent.Completed(FakeAdapter.answer("back")));
    assertThat(probe.poll()).isInstanceOf(ChatEvent.Completed.class);
    assertThat(breakers.state("openai/m")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void onlyRetryableStreamFailures_countInTheBreaker() {
    CircuitBreakers breakers = breakers(time);
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build());
    for (int i = 0; i < 3; i++) {
      ChatStream s = sb.stream(ChatRequest.of("openai/m", "x"));
      openai.streams.get(i).fail(new AuthenticationException("bad key", ErrorDetails.builder().provider("openai")
          .model("m").statusCode(401).build()));
      assertThatThrownBy(s::poll).isInstanceOf(AuthenticationException.class);
    }
    assertThat(breakers.state("openai/m")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void closingAStreamWithABreaker_cancelsItsExchange() {
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).circuitBreakers(breakers(time)).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "x"));
    stream.close();
    assertThat(openai.streams.get(0).isClosed()).isTrue();
  }

  @Test
  void aStreamsPermit_comesBackWithItsFinalEvent_orItsFailure_orItsClose() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).concurrencyLimit(limit).build());

    ChatStream answered = sb.stream(ChatRequest.of("openai/m", "a"));
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("a")));
    assertThat(answered.poll()).isInstanceOf(ChatEvent.Completed.class);
    assertThat(limit.inFlight("openai")).as("back before the stream is closed").isZero();

    ChatStream failed = sb.stream(ChatRequest.of("openai/m", "b"));
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    openai.streams.get(1).fail(overloaded());
    assertThatThrownBy(failed::poll).isInstanceOf(ServerException.class);
    assertThat(limit.inFlight("openai")).isZero();

    ChatStream closed = sb.stream(ChatRequest.of("openai/m", "c"));
    assertThat(limit.inFlight("openai")).isEqualTo(1);
    closed.close();
    assertThat(limit.inFlight("openai")).isZero();
    assertThat(openai.streams.get(2).isClosed()).isTrue();
  }

  @Test
  void aStreamRefusedForWantOfAPermit_isRetried_andGoesThroughOnceOneIsBack() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    Switchboard sb = switchboard(retries().concurrencyLimit(limit).build());
    ChatStream holder = sb.stream(ChatRequest.of("openai/m", "a"));
    ChatStream waiting = sb.stream(ChatRequest.of("openai/m", "b"));
    assertThat(waiting.poll()).isNull();
    assertThat(openai.streams).hasSize(1);
    assertThat(events).contains("retry #2 in 100ms after RateLimitException");
    answer(openai.streams.get(0), "a");
    assertThat(holder.collect().text()).isEqualTo("a");
    time.advance(Duration.ofMillis(100));
    assertThat(openai.streams).hasSize(2);
    answer(openai.streams.get(1), "b");
    assertThat(waiting.collect().text()).isEqualTo("b");
  }

  @Test
  void aStreamRefusedForWantOfAPermit_saysWhichLimit() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 1).build();
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).concurrencyLimit(limit).build());
    sb.stream(ChatRequest.of("openai/m", "a"));
    ChatStream refused = sb.stream(ChatRequest.of("openai/m", "b"));
    assertThatThrownBy(refused::poll).isInstanceOfSatisfying(RateLimitException.class, e -> {
      assertThat(e).hasMessage("client-side concurrency limit of 1 calls in flight reached for openai/m; "
          + "raise Resilience.builder().maxConcurrency or wait");
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.provider()).isEqualTo("openai");
      assertThat(e.model()).isEqualTo("m");
    });
  }

  @Test
  void aStreamWaitsForItsRateLimitSlotWithoutSending_andOneThatWouldWaitOverAMinuteIsRefused() {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().maxConcurrency("openai", 5).build();
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(1).concurrencyLimit(limit)
        .rateLimit("openai", 1, 0).build());
    ChatStream first = sb.stream(ChatRequest.of("openai/m", "a"));
    assertThat(openai.streams).hasSize(1);
    ChatStream second = sb.stream(ChatRequest.of("openai/m", "b")); // one a minute: its turn is a minute away
    assertThat(second.poll()).isNull();
    assertThat(openai.streams).hasSize(1);
    ChatStream third = sb.stream(ChatRequest.of("openai/m", "c")); // two minutes away: refused
    assertThatThrownBy(third::poll).isInstanceOfSatisfying(RateLimitException.class, e -> {
      assertThat(e).hasMessage("client-side rate limit for openai/m would need a wait of over 60s; "
          + "raise Resilience.builder().rateLimit or send less");
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.retryAfter()).contains(RateLimit.MAX_WAIT);
    });
    assertThat(limit.inFlight("openai")).as("the refused stream gave its permit back").isEqualTo(2);

    time.advance(Duration.ofSeconds(60));
    assertThat(openai.streams).hasSize(2);
    answer(openai.streams.get(1), "b");
    assertThat(second.collect().text()).isEqualTo("b");
    answer(openai.streams.get(0), "a");
    assertThat(first.collect().text()).isEqualTo("a");
    assertThat(limit.inFlight("openai")).isZero();
  }

  @Test
  void aStreamTimeout_namesTheResolvedModel() {
    Switchboard sb = Switchboard.builder().provider(openai).alias("fast", "openai/m").ticker(time).scheduler(time)
        .interceptor(Resilience.builder().maxAttempts(1).firstEventTimeout(Duration.ofSeconds(5)).build()).build();
    ChatStream stream = sb.stream(ChatRequest.of("fast", "hi"));
    time.advance(Duration.ofSeconds(5));
    assertThatThrownBy(stream::poll).isInstanceOf(ChatTimeoutException.class)
        .hasMessage("the stream from openai/m sent no first event within 5000 ms; the exchange was cancelled");
  }
}
