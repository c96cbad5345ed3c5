package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatException;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.Attempt;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Embeddings run through the same retry loop as calls: events, the call's deadline, cancellation, breakers. */
@Timeout(10)
class EmbeddingRetryTest {
  private final ManualTime time = new ManualTime();
  private final List<CompletableFuture<EmbeddingResponse>> exchanges = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final FakeAdapter emb = new FakeAdapter("emb") {
    @Override
    public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
      CompletableFuture<EmbeddingResponse> f = new CompletableFuture<>();
      exchanges.add(f);
      return f;
    }
  };

  private Switchboard switchboard(Resilience resilience, Duration callTimeout) {
    return Switchboard.builder().provider(emb).ticker(time).scheduler(time).callTimeout(callTimeout)
        .interceptor(resilience)
        .listener(new ChatListener() {
          @Override
          public void callStart(CallInfo call) {
            events.add("start " + call.kind());
          }

          @Override
          public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
            events.add("attempt " + attempt.statusCode());
          }

          @Override
          public void retryScheduled(CallInfo call, ChatException failure, int next, Duration delay) {
            events.add("retry " + next + " after " + delay.toMillis());
          }

          @Override
          public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
            events.add("end");
          }

          @Override
          public void callFailed(CallInfo call, ChatException error) {
            events.add("failed " + error.getClass().getSimpleName());
          }
        }).build();
  }

  @Test
  void retriedOn429_afterTheHint_withRetryEventsAndAttempts() {
    Switchboard sb = switchboard(Resilience.builder().jitter(0).build(), null);
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("emb/e5", "hello"));
    exchanges.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(1)));
    assertThat(exchanges).hasSize(1);
    time.advance(Duration.ofMillis(999));
    assertThat(exchanges).as("the hint is waited for").hasSize(1);
    time.advance(Duration.ofMillis(1));
    exchanges.get(1).complete(vectors());

    assertThat(f.join().provider()).isEqualTo("emb");
    assertThat(events).containsExactly("start EMBEDDING", "attempt 429", "retry 2 after 1000", "attempt 200", "end");
  }

  @Test
  void aRetryThatWouldPassTheCallDeadline_isNotScheduled() {
    Switchboard sb = switchboard(Resilience.builder().jitter(0).build(), Duration.ofSeconds(3));
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("emb/e5", "hello"));
    exchanges.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(5)));

    assertThatThrownBy(f::join).cause().isInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((ChatException) e).attempts()).hasSize(1));
    assertThat(events).containsExactly("start EMBEDDING", "attempt 429", "failed RateLimitException");
  }

  @Test
  void cancelledWhileWaitingToRetry_startsNoFurtherAttempt() {
    Switchboard sb = switchboard(Resilience.builder().jitter(0).build(), null);
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("emb/e5", "hello"));
    exchanges.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(1)));
    f.cancel(true);
    time.advance(Duration.ofSeconds(5));
    assertThat(exchanges).hasSize(1);
    assertThat(f).isCancelled();
  }

  @Test
  void failuresCount_inTheModelsCircuitBreaker() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(2, 2).ticker(time).build();
    Switchboard sb = switchboard(Resilience.builder().maxAttempts(2).jitter(0).circuitBreakers(breakers).build(), null);
    CompletableFuture<EmbeddingResponse> f = sb.embedAsync(EmbeddingRequest.of("emb/e5", "hello"));
    exchanges.get(0).completeExceptionally(rateLimited(Duration.ofMillis(1)));
    time.advance(Duration.ofMillis(500));
    exchanges.get(1).completeExceptionally(rateLimited(Duration.ofMillis(1)));
    assertThatThrownBy(f::join).cause().isInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((ChatException) e).attempts()).hasSize(2));
    assertThat(breakers.state("emb/e5")).isEqualTo(dev.switchboard.observe.CircuitState.OPEN);
  }

  private static EmbeddingResponse vectors() {
    return EmbeddingResponse.builder().model("e5").addEmbedding(Embedding.of(0, new float[] {1, 0}))
        .usage(Usage.of(2, 0)).build();
  }

  private static RateLimitException rateLimited(Duration retryAfter) {
    return new RateLimitException("slow down", ErrorDetails.builder().provider("emb").model("e5").statusCode(429)
        .retryable(true).retryAfter(retryAfter).build());
  }
}
