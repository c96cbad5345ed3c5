package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Embedding calls: listener events, the call deadline, failures, and the timer they leave behind (none). */
@Timeout(10)
class SwitchboardEmbeddingTest {
  private final ManualTime time = new ManualTime();
  private final PendingTimers timers = new PendingTimers(time);
  private final List<EmbeddingRequest> embedRequests = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<EmbeddingResponse>> exchanges = new CopyOnWriteArrayList<>();
  private final FakeAdapter emb = new FakeAdapter("emb") {
    @Override
    public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
      embedRequests.add(request);
      CompletableFuture<EmbeddingResponse> f = new CompletableFuture<>();
      exchanges.add(f);
      return f;
    }
  };
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<CallInfo> calls = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void callStart(CallInfo call) {
      calls.add(call);
      events.add("start " + call.kind());
    }

    @Override
    public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
      events.add("attemptStart " + attemptId + " " + target);
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      events.add("attemptEnd " + attemptId + " " + attempt.failure().orElse("ok"));
    }

    @Override
    public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
      events.add("timeout " + kind + " " + limit.toMillis());
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      events.add("callEnd");
    }

    @Override
    public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
      events.add("embeddingEnd " + response.provider() + " " + response.embeddings().size());
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      events.add("callFailed " + error.getClass().getSimpleName());
    }
  };

  private Switchboard switchboard(Duration callTimeout, Interceptor... interceptors) {
    Switchboard.Builder b = Switchboard.builder().provider(emb).alias("vectors", "emb/e5").ticker(time)
        .scheduler(timers).callTimeout(callTimeout).listener(recorder);
    for (Interceptor i : interceptors) {
      b.interceptor(i);
    }
    return b.build();
  }

  private static EmbeddingResponse vectors(int n) {
    EmbeddingResponse.Builder b = EmbeddingResponse.builder().model("e5").usage(Usage.of(n, 0));
    for (int i = 0; i < n; i++) {
      b.addEmbedding(Embedding.of(i, new float[] {i, 1}));
    }
    return b.build();
  }

  @Test
  void embedding_endsInEmbeddingEnd_withItsCallInfo_andCancelsItsTimer() {
    Switchboard sb = switchboard(Duration.ofSeconds(2));
    EmbeddingRequest request = EmbeddingRequest.of("vectors", "a", "b");
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(request);
    assertThat(embedRequests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("e5"));
    assertThat(timers.pending()).isEqualTo(1);

    exchanges.get(0).complete(vectors(2));
    assertThat(f.join().provider()).isEqualTo("emb");
    assertThat(timers.pending()).isZero();
    time.advance(Duration.ofSeconds(5));

    assertThat(events).containsExactly("start EMBEDDING", "attemptStart 1 emb/e5", "attemptEnd 1 ok",
        "embeddingEnd emb 2");
    assertThat(calls).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(CallInfo.Kind.EMBEDDING);
      assertThat(c.model()).isEqualTo("vectors");
      assertThat(c.embeddingRequest()).containsSame(request);
      assertThat(c.streaming()).isFalse();
      assertThat(c.timeout()).contains(Duration.ofSeconds(2));
    });
  }

  @Test
  void embedding_pastTheCallTimeout_failsWithTheCancelledExchange_andOneCallFailed() {
    Switchboard sb = switchboard(Duration.ofSeconds(2));
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("vectors", "a"));
    time.advance(Duration.ofMillis(1999));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));

    ChatTimeoutException timeout = catchThrowableOfType(ChatTimeoutException.class, () -> Futures.await(f));
    assertThat(timeout).hasMessageStartingWith("the call to 'vectors' did not finish within its deadline of 2000 ms");
    assertThat(timeout.provider()).isEqualTo("emb");
    assertThat(timeout.model()).isEqualTo("e5");
    assertThat(timeout.attempts()).singleElement().satisfies(a -> assertThat(a.failure()).contains("Cancelled"));
    assertThat(exchanges.get(0)).isCancelled();
    assertThat(timers.pending()).isZero();
    exchanges.get(0).complete(vectors(1));

    assertThat(events).containsExactly("start EMBEDDING", "attemptStart 1 emb/e5", "attemptEnd 1 Cancelled",
        "timeout CALL 2000", "callFailed ChatTimeoutException");
  }

  @Test
  void embeddingThatFails_endsInOneCallFailed_withTheProvidersException() {
    Switchboard sb = switchboard(Duration.ofSeconds(2));
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("vectors", "a"));
    exchanges.get(0).completeExceptionally(new RateLimitException("slow down", ErrorDetails.of("emb", "e5")));

    RateLimitException failure = catchThrowableOfType(RateLimitException.class, () -> Futures.await(f));
    assertThat(failure).hasMessage("slow down");
    assertThat(timers.pending()).isZero();
    time.advance(Duration.ofSeconds(5));
    assertThat(events).containsExactly("start EMBEDDING", "attemptStart 1 emb/e5", "attemptEnd 1 RateLimitException",
        "callFailed RateLimitException");

    events.clear();
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("nobody/e5", "x")))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(events).containsExactly("start EMBEDDING", "callFailed ModelNotFoundException");
  }

  @Test
  void interceptorFailingWithAPlainException_becomesAChatExceptionNamingTheModel() {
    IllegalStateException bug = new IllegalStateException("bug");
    Switchboard sb = switchboard(null, new Interceptor() {
      @Override
      public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
        return CompletableFuture.failedFuture(bug);
      }
    });
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("vectors", "a"));
    assertThat(f).isCompletedExceptionally();
    ChatException failure = catchThrowableOfType(ChatException.class, () -> Futures.await(f));
    assertThat(failure).hasMessage("the call to 'vectors' failed: java.lang.IllegalStateException: bug")
        .hasCause(bug);
    assertThat(failure.model()).isEqualTo("vectors");
    assertThat(failure.provider()).isEmpty();
    assertThat(events).containsExactly("start EMBEDDING", "callFailed ChatException");
    assertThat(embedRequests).isEmpty();
  }

  @Test
  void embeddingWithoutDeadline_schedulesNothing() {
    Switchboard sb = switchboard(null);
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("vectors", "a"));
    assertThat(timers.pending()).isZero();
    exchanges.get(0).complete(vectors(1));
    assertThat(f.join().embeddings()).hasSize(1);
    assertThat(calls).singleElement().satisfies(c -> assertThat(c.timeout()).isEmpty());
  }

  @Test
  void deadlineAfterTheEmbeddingEnded_doesNothing() {
    // A scheduler that cannot cancel: the timer runs after the call ended, and must change nothing.
    Switchboard sb = Switchboard.builder().provider(emb).ticker(time).scheduler((delay, task) -> {
      time.schedule(delay, task);
      return () -> false;
    }).callTimeout(Duration.ofSeconds(1)).listener(recorder).build();
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("emb/e5", "a"));
    exchanges.get(0).complete(vectors(1));
    time.advance(Duration.ofSeconds(1));
    assertThat(f.join().embeddings()).hasSize(1);
    assertThat(exchanges.get(0)).isNotCancelled();
    assertThat(events).containsExactly("start EMBEDDING", "attemptStart 1 emb/e5", "attemptEnd 1 ok",
        "embeddingEnd emb 1");
  }
}
