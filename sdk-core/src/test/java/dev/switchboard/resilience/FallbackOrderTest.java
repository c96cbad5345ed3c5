package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.Candidates;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which candidate a call tries, in which order, and what moves it on: the rules of Fallback for calls. */
@Timeout(10)
class FallbackOrderTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void fallback(CallInfo call, String from, String to, ChatException cause) {
      events.add("fallback " + from + " -> " + to + " on " + cause.getClass().getSimpleName());
    }
  };

  private Switchboard switchboard(Interceptor... interceptors) {
    Switchboard.Builder b = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .listener(recorder);
    for (Interceptor i : interceptors) {
      b.interceptor(i);
    }
    return b.build();
  }

  private static ErrorDetails.Builder details(String provider, int status) {
    return ErrorDetails.builder().provider(provider).model("m").statusCode(status);
  }

  private static ServerException overloaded(String provider) {
    return new ServerException("overloaded", details(provider, 529).retryable(true).build());
  }

  private static Fallback.Builder ranker() {
    return Fallback.builder().chain("ranker", "cheap/m", "premium/m");
  }

  private static ChatResponse done(CompletableFuture<ChatResponse> f) {
    assertThat(f).isDone();
    return f.join();
  }

  private static ChatException failure(CompletableFuture<ChatResponse> f) {
    assertThat(f).isCompletedExceptionally();
    return (ChatException) f.handle((r, e) -> Futures.unwrap(e)).join();
  }

  // ---- breakers ----

  @Test
  void everyBreakerOpen_triesOnlyTheLeastRecentlyFailed_evenWhenItIsNotFirstInTheChain() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(1, 1).ticker(time).build();
    Switchboard sb = switchboard(ranker().circuitBreakers(breakers).build(),
        Resilience.builder().maxAttempts(1).circuitBreakers(breakers).build());
    CompletableFuture<ChatResponse> direct = sb.chatAsync(ChatRequest.of("premium/m", "x"));
    premium.calls.get(0).completeExceptionally(overloaded("premium"));
    failure(direct);
    time.advance(Duration.ofSeconds(1));
    CompletableFuture<ChatResponse> other = sb.chatAsync(ChatRequest.of("cheap/m", "x"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    failure(other);

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(cheap.calls).hasSize(1);
    assertThat(premium.calls).hasSize(2);
    premium.calls.get(1).completeExceptionally(overloaded("premium"));
    assertThat(failure(f)).isInstanceOf(ServerException.class).extracting(ChatException::provider)
        .isEqualTo("premium");
    assertThat(cheap.calls).as("the only candidate tried").hasSize(1);
  }

  @Test
  void breakersKeyUnknownCandidatesByTheirName_andSuchACandidateEndsTheCall() {
    CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(1, 1).ticker(time).build();
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "nowhere/x", "cheap/m").circuitBreakers(breakers)
        .build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(failure(f)).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("nowhere");
    assertThat(cheap.calls).as("not the provider's 404: a configuration error, no fallback").isEmpty();
  }

  // ---- what moves a call on ----

  @Test
  void aModelTheProviderDoesNotKnow_movesOn() {
    Switchboard sb = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new ModelNotFoundException("no such model", details("cheap", 404)
        .build()));
    premium.calls.get(0).complete(FakeAdapter.answer("p"));
    assertThat(done(f).text()).isEqualTo("p");
    assertThat(events).containsExactly("fallback cheap/m -> premium/m on ModelNotFoundException");
  }

  @Test
  void anExhaustedQuota_movesOn() {
    Switchboard sb = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new QuotaExceededException("out of credit", details("cheap", 429)
        .build()));
    premium.calls.get(0).complete(FakeAdapter.answer("p"));
    assertThat(done(f).text()).isEqualTo("p");
  }

  @Test
  void aContentFilterRefusal_endsTheCall_unlessFallingBackOnItIsOn() {
    ContentFilteredException refused = new ContentFilteredException("filtered", details("cheap", 400)
        .retryable(true).build());
    Switchboard off = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = off.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(refused);
    assertThat(failure(f)).isInstanceOf(ContentFilteredException.class);
    assertThat(premium.calls).isEmpty();

    Switchboard on = switchboard(ranker().fallBackOnContentFilter(true).build());
    CompletableFuture<ChatResponse> g = on.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(1).completeExceptionally(new ContentFilteredException("filtered", details("cheap", 400)
        .build()));
    premium.calls.get(0).complete(FakeAdapter.answer("allowed"));
    assertThat(done(g).text()).isEqualTo("allowed");
    assertThat(events).containsExactly("fallback cheap/m -> premium/m on ContentFilteredException");
  }

  @Test
  void aBrokenStreamedAnswer_neverMovesOn_evenIfMarkedRetryable() {
    Switchboard sb = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new ChatStreamException("broke mid-answer", details("cheap", 200)
        .retryable(true).build(), FakeAdapter.answer("par"), null));
    assertThat(failure(f)).isInstanceOf(ChatStreamException.class);
    assertThat(premium.calls).isEmpty();
  }

  @Test
  void aRetryableFailure_movesOnRegardlessOfContextWindows() {
    cheap.capabilities.put("large", Capabilities.builder().maxContextTokens(128_000).build());
    premium.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/large", "premium/small").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    assertThat(premium.calls).hasSize(1);
    premium.calls.get(0).complete(FakeAdapter.answer("small but up"));
    assertThat(done(f).text()).isEqualTo("small but up");
  }

  @Test
  void contextLengthExceeded_withNoLargerWindowLeft_endsTheCallWithThatError() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    cheap.capabilities.put("same", Capabilities.builder().maxContextTokens(8_000).build());
    premium.capabilities.put("smaller", Capabilities.builder().maxContextTokens(4_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/small", "cheap/same", "premium/smaller")
        .build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a very long prompt"));
    cheap.calls.get(0).completeExceptionally(new ContextLengthExceededException("too long", details("cheap", 400)
        .build()));
    assertThat(failure(f)).isInstanceOf(ContextLengthExceededException.class).hasMessage("too long");
    assertThat(cheap.calls).hasSize(1);
    assertThat(premium.calls).isEmpty();
  }

  @Test
  void contextLengthExceeded_movesToTheNextLargerWindow_andTheEventNamesTheModelThatFailed() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    cheap.capabilities.put("same", Capabilities.builder().maxContextTokens(8_000).build());
    premium.capabilities.put("large", Capabilities.builder().maxContextTokens(128_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/small", "cheap/same", "premium/large")
        .build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a very long prompt"));
    cheap.calls.get(0).completeExceptionally(new ContextLengthExceededException("too long", details("cheap", 400)
        .build()));
    premium.calls.get(0).complete(FakeAdapter.answer("fits"));
    assertThat(done(f).text()).isEqualTo("fits");
    assertThat(events).containsExactly("fallback cheap/small -> premium/large on ContextLengthExceededException");
  }

  @Test
  void contextLengthExceeded_triesACandidateWhoseWindowIsUnknown() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/small", "nowhere/x", "premium/m").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a very long prompt"));
    cheap.calls.get(0).completeExceptionally(new ContextLengthExceededException("too long", details("cheap", 400)
        .build()));
    ChatException e = failure(f);
    assertThat(e).isInstanceOf(ContextLengthExceededException.class);
    assertThat(e.getSuppressed()).singleElement().isInstanceOf(ModelNotFoundException.class);
    assertThat(events).containsExactly("fallback cheap/small -> nowhere/x on ContextLengthExceededException");
    assertThat(premium.calls).isEmpty();
  }

  @Test
  void aCandidateFailingWithoutAChatException_endsTheCall_namingIt() {
    IllegalStateException bug = new IllegalStateException("boom");
    Interceptor broken = new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        return chain.request().model().equals("cheap/m") ? CompletableFuture.failedFuture(bug) : chain.proceed(
            chain.request());
      }
    };
    Switchboard sb = switchboard(ranker().build(), broken);
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(failure(f)).hasMessage("the attempt on 'cheap/m' failed: java.lang.IllegalStateException: boom")
        .hasCause(bug).extracting(ChatException::model).isEqualTo("cheap/m");
    assertThat(premium.calls).isEmpty();
  }

  // ---- candidates and rewrites ----

  @Test
  void aRoutersCandidates_areWalkedInsteadOfAChain_andNotPassedOn() {
    Switchboard sb = switchboard(Fallback.builder().build());
    ChatRequest routed = ChatRequest.of("anything", "hi").toBuilder()
        .tag(Candidates.class, Candidates.of("premium/m", "cheap/m")).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(routed);
    premium.calls.get(0).completeExceptionally(overloaded("premium"));
    cheap.calls.get(0).complete(FakeAdapter.answer("c"));
    ChatResponse r = done(f);
    assertThat(r.attempts()).extracting(Attempt::provider).containsExactly("premium", "cheap");
    assertThat(cheap.requests.get(0).tag(Candidates.class)).isEmpty();
    assertThat(premium.requests.get(0).tag(Candidates.class)).isEmpty();
  }

  @Test
  void rewrites_applyToTheirCandidateOnly_andCannotChangeItsModel() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .rewrite("cheap/m", r -> r.toBuilder().model("premium/m").maxOutputTokens(32).build())
        .rewrite("premium/m", r -> r.toBuilder().maxOutputTokens(64).build()).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(cheap.requests).hasSize(1);
    assertThat(cheap.requests.get(0).maxOutputTokens()).contains(32);
    assertThat(premium.requests).isEmpty();
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    premium.calls.get(0).complete(FakeAdapter.answer("ok"));
    done(f);
    assertThat(premium.requests.get(0).maxOutputTokens()).contains(64);
  }

  @Test
  void allFail_theError_isThePrimarys_listingEveryAttemptInOrder_withTheOthersSuppressed() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "cheap/n").build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    premium.calls.get(0).completeExceptionally(new QuotaExceededException("quota", details("premium", 429).build()));
    cheap.calls.get(1).completeExceptionally(new ServerException("down", details("cheap", 503).retryable(true)
        .build()));
    ChatException e = failure(f);
    assertThat(e).isInstanceOf(ServerException.class).hasMessage("overloaded");
    assertThat(e.attempts()).extracting(a -> a.provider() + "/" + a.model() + " " + a.statusCode())
        .containsExactly("cheap/m 529", "premium/m 429", "cheap/n 503");
    assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("quota", "down");
    assertThat(events).containsExactly("fallback cheap/m -> premium/m on ServerException",
        "fallback premium/m -> cheap/n on QuotaExceededException");
  }

  @Test
  void cancellingTheCall_cancelsTheCandidateInFlight() {
    Switchboard sb = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    f.cancel(true);
    assertThat(premium.calls.get(0)).isCancelled();
  }

  @Test
  void aModelWithoutAChain_passesThrough() {
    Switchboard sb = switchboard(ranker().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("cheap/other", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    assertThat(failure(f)).isInstanceOf(ServerException.class);
    assertThat(premium.calls).isEmpty();
    assertThat(events).isEmpty();
  }

  // ---- configuration ----

  @Test
  void chains_areValidatedAndReadable() {
    Fallback f = ranker().build();
    assertThat(f.chain("ranker")).containsExactly("cheap/m", "premium/m");
    assertThat(f.chain("other")).isEmpty();
    assertThatThrownBy(() -> Fallback.builder().chain("ranker"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fallback chain for 'ranker' needs at least one candidate");
    assertThatThrownBy(() -> ranker().chain("ranker", "premium/m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a fallback chain for 'ranker' is already defined");
    assertThatThrownBy(() -> ranker().rewrite("openai/gpt-4o", r -> r).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rewrite for 'openai/gpt-4o' matches no candidate of any chain [ranker]");
    assertThat(ranker().rewrite("premium/m", r -> r).build().chain("ranker")).hasSize(2);
  }

  @Test
  void hedgeDelays_mustBePositive() {
    for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
      assertThatThrownBy(() -> Fallback.builder().hedgeAfter(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("hedgeAfter must be positive, got " + bad);
    }
    assertThatThrownBy(() -> Fallback.builder().hedgeAtPercentile(0, 5, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hedgeAtPercentile needs 0 < percentile < 1 and minSamples >= 1");
    assertThatThrownBy(() -> Fallback.builder().hedgeAtPercentile(1, 5, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fallback.builder().hedgeAtPercentile(0.5, 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fallback.builder().hedgeAtPercentile(0.5, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
