package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.observe.CircuitState;
import dev.switchboard.Attempt;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.RateLimitException;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Capabilities;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FallbackTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void fallback(CallInfo call, String from, String to, ChatException cause) {
      events.add("fallback " + from + " -> " + to + " on " + cause.getClass().getSimpleName());
    }

    @Override
    public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
      events.add("breaker " + provider + "/" + model + " " + from + " -> " + to);
    }

    @Override
    public void hedgeStarted(CallInfo call, String model, Duration after) {
      events.add("hedge " + model + " after " + after.toMillis() + "ms");
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      events.add("attempt " + attempt.provider() + " " + attempt.failure().orElse("ok")
          + (attempt.usage().estimated() ? " estimated " + attempt.usage().inputTokens() : ""));
    }
  };

  private Switchboard switchboard(Fallback fallback) {
    return Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(fallback).listener(recorder).build();
  }

  private static ServerException overloaded(String provider) {
    return new ServerException("overloaded", ErrorDetails.builder().provider(provider).model("m").statusCode(529)
        .retryable(true).build());
  }

  @Test
  void fallsBack_onOverload_andListsBothAttempts() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    premium.calls.get(0).complete(FakeAdapter.answer("from premium"));
    ChatResponse r = f.join();
    assertThat(r.text()).isEqualTo("from premium");
    assertThat(r.attempts()).extracting(Attempt::provider).containsExactly("cheap", "premium");
    assertThat(events).contains("fallback cheap/m -> premium/m on ServerException");
  }

  @Test
  void fallsBack_onAUserBuiltRateLimit_whoseDetailsDoNotSayRetryable() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new RateLimitException("slow down", ErrorDetails.of("cheap", "m")));
    premium.calls.get(0).complete(FakeAdapter.answer("from premium"));
    assertThat(f.join().text()).isEqualTo("from premium");
    assertThat(events).contains("fallback cheap/m -> premium/m on RateLimitException");
  }

  @Test
  void contextLengthExceeded_skipsToALargerWindow() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    cheap.capabilities.put("same", Capabilities.builder().maxContextTokens(8_000).build());
    premium.capabilities.put("large", Capabilities.builder().maxContextTokens(128_000).build());
    Switchboard sb = switchboard(Fallback.builder()
        .chain("ranker", "cheap/small", "cheap/same", "premium/large").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a very long prompt"));
    cheap.calls.get(0).completeExceptionally(new ContextLengthExceededException("too long",
        ErrorDetails.builder().provider("cheap").model("small").statusCode(400).build()));
    assertThat(cheap.calls).hasSize(1);
    premium.calls.get(0).complete(FakeAdapter.answer("fits"));
    assertThat(f.join().text()).isEqualTo("fits");
  }

  @Test
  void authenticationError_doesNotFallBack() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new AuthenticationException("bad key",
        ErrorDetails.builder().provider("cheap").model("m").statusCode(401).build()));
    assertThatThrownBy(f::join).hasCauseInstanceOf(AuthenticationException.class);
    assertThat(premium.calls).isEmpty();
  }

  @Test
  void allFail_throwsThePrimarysError_withEveryAttempt() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    ServerException first = overloaded("cheap");
    cheap.calls.get(0).completeExceptionally(first);
    premium.calls.get(0).completeExceptionally(overloaded("premium"));
    assertThatThrownBy(f::join).cause().isExactlyInstanceOf(ServerException.class).hasMessage(first.getMessage())
        .satisfies(e -> {
          assertThat(((ChatException) e).attempts()).extracting(Attempt::provider).containsExactly("cheap", "premium");
          assertThat(e.getSuppressed()).hasSize(1);
        });
    assertThat(first.attempts()).as("the primary's exception is left as it was thrown").isEmpty();
    assertThat(first.getSuppressed()).isEmpty();
  }

  @Test
  void rewrite_changesTheRequestForOneCandidate() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .rewrite("premium/m", r -> r.toBuilder().maxOutputTokens(64).build()).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    premium.calls.get(0).complete(FakeAdapter.answer("ok"));
    f.join();
    assertThat(cheap.requests.get(0).maxOutputTokens()).isEmpty();
    assertThat(premium.requests.get(0).maxOutputTokens()).contains(64);
  }

  @Test
  void breaker_skipsAnOpenModelForTheCoolDown_thenHalfOpens() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(2, 2).coolDown(Duration.ofSeconds(30))
        .ticker(time).build();
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").circuitBreakers(breakers).build())
        .interceptor(Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build())
        .listener(recorder).build();
    for (int i = 0; i < 2; i++) {
      CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
      cheap.calls.get(i).completeExceptionally(overloaded("cheap"));
      premium.calls.get(i).complete(FakeAdapter.answer("p"));
      f.join();
    }
    assertThat(breakers.state("cheap/m")).isEqualTo(CircuitState.OPEN);
    assertThat(events).contains("breaker cheap/m CLOSED -> OPEN");

    CompletableFuture<ChatResponse> skipped = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(cheap.calls).hasSize(2);
    premium.calls.get(2).complete(FakeAdapter.answer("p"));
    skipped.join();

    time.advance(Duration.ofSeconds(30));
    CompletableFuture<ChatResponse> probe = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(cheap.calls).hasSize(3);
    assertThat(events).contains("breaker cheap/m OPEN -> HALF_OPEN");
    cheap.calls.get(2).complete(FakeAdapter.answer("c"));
    assertThat(probe.join().text()).isEqualTo("c");
    assertThat(breakers.state("cheap/m")).isEqualTo(CircuitState.CLOSED);
    assertThat(events).contains("breaker cheap/m HALF_OPEN -> CLOSED");
  }

  @Test
  void everyBreakerOpen_stillTriesTheLeastRecentlyFailed() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(1, 1).ticker(time).build();
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").circuitBreakers(breakers).build())
        .interceptor(Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build()).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    time.advance(Duration.ofSeconds(1));
    premium.calls.get(0).completeExceptionally(overloaded("premium"));
    assertThatThrownBy(f::join).hasCauseInstanceOf(ServerException.class);

    CompletableFuture<ChatResponse> lastResort = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(cheap.calls).hasSize(2);
    assertThat(premium.calls).hasSize(1);
    cheap.calls.get(1).complete(FakeAdapter.answer("still here"));
    assertThat(lastResort.join().text()).isEqualTo("still here");
  }

  @Test
  void hedge_takesTheFasterAnswer_andCancelsTheSlowOne() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .hedgeAfter(Duration.ofMillis(800)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hello there"));
    time.advance(Duration.ofMillis(799));
    assertThat(premium.calls).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(premium.calls).hasSize(1);
    premium.calls.get(0).complete(FakeAdapter.answer("fast"));
    assertThat(f.join().text()).isEqualTo("fast");
    assertThat(cheap.calls.get(0).isCancelled()).isTrue();
    assertThat(events).contains("hedge premium/m after 800ms", "attempt premium ok");
    assertThat(events).anySatisfy(e -> assertThat(e).startsWith("attempt cheap Cancelled estimated"));
  }

  @Test
  void stream_fallsBackBeforeTheFirstEvent() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(overloaded("cheap"));
    assertThat(stream.poll()).isNull();
    var second = premium.streams.get(0);
    second.emit(new ChatEvent.TextDelta("p"));
    second.emit(new ChatEvent.Completed(FakeAdapter.answer("p")));
    second.complete();
    assertThat(stream.collect().text()).isEqualTo("p");
  }

  @Test
  void modelWithoutChain_passesThrough() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("premium/x", "hi"));
    premium.calls.get(0).complete(FakeAdapter.answer("direct"));
    assertThat(f.join().text()).isEqualTo("direct");
  }

  @Test
  void rewriteThatThrows_failsTheCallInsteadOfHanging() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .rewrite("premium/m", r -> {
          throw new IllegalStateException("bad rewrite");
        }).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    ServerException first = overloaded("cheap");
    cheap.calls.get(0).completeExceptionally(first);
    assertThatThrownBy(f::join).cause().isExactlyInstanceOf(ServerException.class).hasMessage(first.getMessage())
        .satisfies(e -> assertThat(e.getSuppressed()[0]).hasMessageContaining("bad rewrite"));
    assertThat(first.getSuppressed()).isEmpty();
  }
}
