package dev.switchboard.resilience;

import static dev.switchboard.resilience.LateTimers.assertNoTimerPending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.CircuitState;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Calls and embeddings through Resilience: waiting for a rate-limit slot, cancelling, odd failures, breakers. */
@Timeout(10)
class ResilienceCallsTest {
  private final ManualTime time = new ManualTime();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<EmbeddingResponse>> embeddings = new CopyOnWriteArrayList<>();
  private Runnable onChat;
  private final FakeAdapter openai = new FakeAdapter("openai") {
    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      CompletableFuture<ChatResponse> f = super.chat(request);
      Runnable hook = onChat;
      if (hook != null) {
        hook.run();
      }
      return f;
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
      CompletableFuture<EmbeddingResponse> f = new CompletableFuture<>();
      embeddings.add(f);
      return f;
    }
  };
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void retryScheduled(CallInfo call, ChatException failure, int next, Duration delay) {
      events.add("retry #" + next + " after " + failure.getClass().getSimpleName());
    }
  };

  private Switchboard switchboard(Scheduler scheduler, Interceptor... interceptors) {
    Switchboard.Builder b = Switchboard.builder().provider(openai).ticker(time).scheduler(scheduler).listener(recorder);
    for (Interceptor i : interceptors) {
      b.interceptor(i);
    }
    return b.build();
  }

  /** One call a second: the first goes at once, the next waits about a second. */
  private static Resilience oneASecond() {
    return Resilience.builder().maxAttempts(1).rateLimit("openai", 60, 0).build();
  }

  private static ChatException failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    return (ChatException) f.handle((r, e) -> Futures.unwrap(e)).join();
  }

  private static ServerException overloaded() {
    return new ServerException("overloaded", ErrorDetails.builder().provider("openai").model("m").statusCode(529)
        .retryable(true).build());
  }

  @Test
  void aCallThatWaitedForItsSlot_andThenFails_failsWithItsError() {
    Switchboard sb = switchboard(time, oneASecond());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waited = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    time.awaitTaskDue(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(1));
    assertThat(openai.calls).hasSize(2);
    openai.calls.get(1).completeExceptionally(new AuthenticationException("bad key", ErrorDetails.builder()
        .provider("openai").model("m").statusCode(401).build()));
    assertThat(failure(waited)).isInstanceOf(AuthenticationException.class).hasMessage("bad key");
  }

  @Test
  void cancellingACallWaitingForItsSlot_disarmsTheWait() {
    Switchboard sb = switchboard(time, oneASecond());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waiting = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    time.awaitTaskDue(Duration.ofSeconds(1));
    waiting.cancel(true);
    assertNoTimerPending(time);
    assertThat(openai.calls).hasSize(1);
  }

  @Test
  void cancellingACallThatStartedAfterItsWait_cancelsItsExchange() {
    Switchboard sb = switchboard(time, oneASecond());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waited = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    time.advance(Duration.ofSeconds(1));
    assertThat(openai.calls).hasSize(2);
    waited.cancel(true);
    assertThat(openai.calls.get(1)).isCancelled();
  }

  @Test
  void aWaitThatEndsAfterTheCallerGaveUp_startsNothing() {
    LateTimers timers = new LateTimers();
    Switchboard sb = switchboard(timers, oneASecond());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waiting = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    assertThat(timers.tasks).hasSize(1);
    waiting.cancel(true);
    timers.fire(0); // the wait's cancel came too late
    assertThat(openai.calls).hasSize(1);
  }

  @Test
  void theCallerGivingUpJustAsTheWaitedCallStarts_cancelsThatExchange() {
    Switchboard sb = switchboard(time, oneASecond());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> waiting = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    onChat = () -> waiting.cancel(true);
    time.advance(Duration.ofSeconds(1));
    assertThat(openai.calls).hasSize(2);
    assertThat(openai.calls.get(1)).isCancelled();
  }

  @Test
  void anAttemptEndingWithoutAChatException_failsTheCall_namingTheModel() {
    AtomicReference<CompletableFuture<ChatResponse>> next = new AtomicReference<>();
    Interceptor odd = new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        return next.get();
      }
    };
    Switchboard sb = switchboard(time, Resilience.builder().jitter(0).build(), odd);
    IllegalStateException bug = new IllegalStateException("boom");
    next.set(CompletableFuture.failedFuture(bug));
    assertThat(failure(sb.chatAsync(ChatRequest.of("openai/m", "a"))))
        .hasMessage("the attempt on 'openai/m' failed: java.lang.IllegalStateException: boom").hasCause(bug);

    CompletableFuture<ChatResponse> cancelled = new CompletableFuture<>();
    cancelled.cancel(true);
    next.set(cancelled);
    assertThat(failure(sb.chatAsync(ChatRequest.of("openai/m", "b"))))
        .hasMessage("the attempt on 'openai/m' was cancelled");
    assertThat(events).as("neither is retried").isEmpty();
  }

  @Test
  void aModelNothingKnows_failsAtOnce_withoutRetries() {
    Switchboard sb = switchboard(time, Resilience.builder().jitter(0).maxConcurrency(1).build());
    assertThat(failure(sb.chatAsync(ChatRequest.of("nowhere/x", "a")))).isInstanceOf(ModelNotFoundException.class);
    ChatStream stream = sb.stream(ChatRequest.of("nowhere/x", "a"));
    assertThatThrownBy(stream::poll).isInstanceOf(ModelNotFoundException.class);
    assertThat(events).isEmpty();
  }

  @Test
  void retryOn_decidesWhatIsRetried() {
    Switchboard sb = switchboard(time, Resilience.builder().jitter(0)
        .retryOn(e -> e instanceof AuthenticationException).build());
    CompletableFuture<ChatResponse> retried = sb.chatAsync(ChatRequest.of("openai/m", "a"));
    openai.calls.get(0).completeExceptionally(new AuthenticationException("rotating key", ErrorDetails.builder()
        .provider("openai").model("m").statusCode(401).build()));
    assertThat(events).containsExactly("retry #2 after AuthenticationException");
    CompletableFuture<ChatResponse> notRetried = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    openai.calls.get(1).completeExceptionally(overloaded());
    assertThat(failure(notRetried)).isInstanceOf(ServerException.class);
    assertThat(retried).isNotDone();
  }

  @Test
  void aRateLimitedCallThatWouldWaitOverAMinute_isRefused() {
    Switchboard sb = switchboard(time, Resilience.builder().maxAttempts(1).rateLimit("openai", 1, 0).build());
    sb.chatAsync(ChatRequest.of("openai/m", "a"));
    sb.chatAsync(ChatRequest.of("openai/m", "b"));
    CompletableFuture<ChatResponse> refused = sb.chatAsync(ChatRequest.of("openai/m", "c"));
    assertThat(failure(refused)).isInstanceOf(RateLimitException.class)
        .hasMessage("client-side rate limit for openai/m would need a wait of over 60s; raise "
            + "Resilience.builder().rateLimit or send less");
  }

  // ---- embeddings ----

  private static EmbeddingResponse vectors() {
    return EmbeddingResponse.builder().model("e5").addEmbedding(Embedding.of(0, new float[] {1, 0}))
        .usage(Usage.of(2, 0)).build();
  }

  @Test
  void embeddingSuccesses_countInTheBreaker() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(2, 2).ticker(time).build();
    Switchboard sb = switchboard(time, Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build());
    CompletableFuture<EmbeddingResponse> a = sb.embedAsync(EmbeddingRequest.of("openai/e5", "x"));
    embeddings.get(0).completeExceptionally(overloaded());
    failure(a);
    CompletableFuture<EmbeddingResponse> b = sb.embedAsync(EmbeddingRequest.of("openai/e5", "x"));
    embeddings.get(1).complete(vectors());
    assertThat(b).isCompleted();
    CompletableFuture<EmbeddingResponse> c = sb.embedAsync(EmbeddingRequest.of("openai/e5", "x"));
    embeddings.get(2).completeExceptionally(overloaded());
    failure(c);
    assertThat(breakers.state("openai/e5")).as("one failure of the last two").isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void anEmbeddingAttemptEndingWithoutAChatException_failsNamingTheModel() {
    IllegalStateException bug = new IllegalStateException("boom");
    Interceptor odd = new Interceptor() {
      @Override
      public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
        return CompletableFuture.failedFuture(bug);
      }
    };
    Switchboard sb = switchboard(time, Resilience.builder().jitter(0).build(), odd);
    assertThat(failure(sb.embedAsync(EmbeddingRequest.of("openai/e5", "x"))))
        .hasMessage("the attempt on 'openai/e5' failed: java.lang.IllegalStateException: boom").hasCause(bug);
  }
}
