package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Cost;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.OverloadedException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.resilience.CircuitBreakers;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Interceptor;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted run through a Switchboard with a cache, fallback, retries and a breaker, scraped as
 * Prometheus text. Every duration is a multiple of 1/64 s and every price works out to a binary
 * fraction of a dollar, so that sums are exact in a double and the expected lines can be exact.
 */
@Timeout(10)
class MicrometerMetricsTest {
  /** Time spent in the chain before any provider (a cache lookup): 1/64 s. */
  private static final Duration LOOKUP = Duration.ofNanos(15_625_000);

  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  // dollars per million input / output tokens
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder()
      .price("cheap/m", ModelPrice.of(1, 2))
      .price("premium/m", ModelPrice.of(4, 8))
      .build();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MicrometerMetrics metrics = MicrometerMetrics.builder(registry).ticker(time).prices(prices).build();
  private final CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(3, 3).ticker(time).build();

  /** Looks in an exact cache for LOOKUP; only the question "cached?" is in it. */
  private final Interceptor cache = new Interceptor() {
    @Override
    public CompletableFuture<ChatResponse> intercept(Chain chain) {
      time.advance(LOOKUP);
      if (chain.request().messages().get(0).text().equals("cached?")) {
        chain.context().events().cacheHit(chain.context().call(), "exact", 1.0);
        return CompletableFuture.completedFuture(ChatResponse.builder().provider("premium").model("m")
            .text("from the cache").usage(Usage.of(125_000, 62_500)).build());
      }
      return chain.proceed(chain.request());
    }

    @Override
    public ChatStream interceptStream(Chain chain) {
      time.advance(LOOKUP);
      return chain.proceedStream(chain.request());
    }
  };

  private final Switchboard sb = Switchboard.builder().provider(cheap).provider(premium)
      .ticker(time).scheduler(time).prices(prices)
      .interceptor(cache)
      .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").circuitBreakers(breakers).build())
      .interceptor(Resilience.builder().maxAttempts(3).backoff(ms(125), ms(125)).jitter(0)
          .circuitBreakers(breakers).build())
      .listener(metrics)
      .build();

  private static Duration ms(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  private static ChatResponse answer(String id, long in, long out) {
    return ChatResponse.builder().id(id).model("m").text("ok").usage(Usage.of(in, out)).build();
  }

  private static OverloadedException overloaded() {
    return new OverloadedException("busy", ErrorDetails.builder().provider("cheap").model("m").statusCode(529)
        .retryable(true).build());
  }

  /** A call to {@code route} that {@code provider} answers {@code after} it was sent. */
  private ChatResponse call(String route, FakeAdapter provider, Duration after, ChatResponse answer) {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of(route, "q"));
    time.advance(after);
    provider.calls.get(provider.calls.size() - 1).complete(answer);
    return f.join();
  }

  @Test
  void aScriptedRun_scrapesToTheHandCountedPrometheusLines() {
    // Three calls that cheap answers, 250, 500 and 250 ms after the lookup.
    call("ranker", cheap, ms(250), answer("a", 250_000, 125_000));
    call("ranker", cheap, ms(500), answer("b", 500_000, 250_000));
    call("ranker", cheap, ms(250), answer("c", 125_000, 62_500));

    // Cheap fails three times, 62.5 ms each, with 125 ms back-off between: two retries; the third
    // failure opens its breaker and the call falls back to premium, which answers after 250 ms.
    CompletableFuture<ChatResponse> d = sb.chatAsync(ChatRequest.of("ranker", "q"));
    for (int i = 0; i < 3; i++) {
      time.advance(ms(62.5));
      cheap.calls.get(3 + i).completeExceptionally(overloaded());
      if (i < 2) {
        time.advance(ms(125));
      }
    }
    time.advance(ms(250));
    premium.calls.get(0).complete(answer("d", 125_000, 62_500));
    assertThat(d.join().attempts()).hasSize(4);

    // A call that fails on its only attempt after 125 ms: a bad key is not retried.
    CompletableFuture<ChatResponse> e = sb.chatAsync(ChatRequest.of("premium/m", "q"));
    time.advance(ms(125));
    premium.calls.get(1).completeExceptionally(new AuthenticationException("bad key",
        ErrorDetails.builder().provider("premium").model("m").statusCode(401).build()));
    assertThatThrownBy(e::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(AuthenticationException.class);

    // A stream whose first event reaches the caller 375 ms after the lookup, and that completes 125 ms later.
    try (ChatStream stream = sb.stream(ChatRequest.of("premium/m", "s"))) {
      time.advance(ms(375));
      premium.streams.get(0).emit(new ChatEvent.TextDelta("o"));
      assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("o"));
      time.advance(ms(125));
      premium.streams.get(0).emit(new ChatEvent.Completed(answer("f", 62_500, 31_250)));
      premium.streams.get(0).complete();
      assertThat(stream.poll()).isInstanceOf(ChatEvent.Completed.class);
    }

    // A cache hit: the lookup's time only, and no attempt.
    assertThat(sb.chat(ChatRequest.of("ranker", "cached?")).text()).isEqualTo("from the cache");

    assertThat(sb.feedback("a", 0.75, Set.of("concise"))).isTrue();
    assertThat(sb.feedback("b", -1, Set.of("wrong-language"))).isTrue();

    List<String> scrape = registry.scrape().lines().filter(l -> !l.startsWith("#")).toList();
    String chat = "gen_ai_operation_name=\"chat\",";
    String cheapM = "gen_ai_provider_name=\"cheap\",gen_ai_request_model=\"m\",gen_ai_response_model=\"m\"";
    String premiumM = "gen_ai_provider_name=\"premium\",gen_ai_request_model=\"m\",gen_ai_response_model=\"m\"";
    assertThat(scrape).contains(
        // attempts: cheap answered 3 (0.25 + 0.5 + 0.25 s) and failed 3 (3 × 0.0625 s);
        // premium answered 2 (0.25 s in the fallback, 0.375 + 0.125 s in the stream) and failed 1 (0.125 s)
        "gen_ai_client_operation_duration_seconds_count{error_type=\"none\"," + chat + cheapM + "} 3",
        "gen_ai_client_operation_duration_seconds_sum{error_type=\"none\"," + chat + cheapM + "} 1.0",
        "gen_ai_client_operation_duration_seconds_count{error_type=\"OverloadedException\"," + chat + cheapM + "} 3",
        "gen_ai_client_operation_duration_seconds_sum{error_type=\"OverloadedException\"," + chat + cheapM
            + "} 0.1875",
        "gen_ai_client_operation_duration_seconds_count{error_type=\"none\"," + chat + premiumM + "} 2",
        "gen_ai_client_operation_duration_seconds_sum{error_type=\"none\"," + chat + premiumM + "} 0.75",
        "gen_ai_client_operation_duration_seconds_count{error_type=\"AuthenticationException\"," + chat + premiumM
            + "} 1",
        "gen_ai_client_operation_duration_seconds_sum{error_type=\"AuthenticationException\"," + chat + premiumM
            + "} 0.125",
        // tokens of the attempts with usage: cheap in 250k + 500k + 125k, out 125k + 250k + 62.5k;
        // premium in 125k + 62.5k, out 62.5k + 31.25k
        "gen_ai_client_token_usage_count{" + chat + cheapM + ",gen_ai_token_type=\"input\"} 3",
        "gen_ai_client_token_usage_sum{" + chat + cheapM + ",gen_ai_token_type=\"input\"} 875000.0",
        "gen_ai_client_token_usage_sum{" + chat + cheapM + ",gen_ai_token_type=\"output\"} 437500.0",
        "gen_ai_client_token_usage_count{" + chat + premiumM + ",gen_ai_token_type=\"input\"} 2",
        "gen_ai_client_token_usage_sum{" + chat + premiumM + ",gen_ai_token_type=\"input\"} 187500.0",
        "gen_ai_client_token_usage_sum{" + chat + premiumM + ",gen_ai_token_type=\"output\"} 93750.0",
        // cheap at $1/$2: (0.25 + 0.25) + (0.5 + 0.5) + (0.125 + 0.125) = 1.75, its failures 0;
        // premium at $4/$8: the fallback 0.5 + 0.5, the stream 0.25 + 0.25, its failure 0
        "switchboard_cost_usd_total{gen_ai_provider_name=\"cheap\",gen_ai_request_model=\"m\","
            + "switchboard_route=\"ranker\"} 1.75",
        "switchboard_cost_usd_total{gen_ai_provider_name=\"premium\",gen_ai_request_model=\"m\","
            + "switchboard_route=\"ranker\"} 1.0",
        "switchboard_cost_usd_total{gen_ai_provider_name=\"premium\",gen_ai_request_model=\"m\","
            + "switchboard_route=\"premium/m\"} 0.5",
        // calls on ranker: 1/64 s lookup each, plus 0.25, 0.5, 0.25, (3 × 0.0625 + 2 × 0.125 + 0.25) and 0
        // = 0.265625 + 0.515625 + 0.265625 + 0.703125 + 0.015625
        "switchboard_call_duration_seconds_count{error_type=\"none\",outcome=\"success\","
            + "switchboard_route=\"ranker\"} 5",
        "switchboard_call_duration_seconds_sum{error_type=\"none\",outcome=\"success\","
            + "switchboard_route=\"ranker\"} 1.765625",
        // 0.015625 + 0.125
        "switchboard_call_duration_seconds_sum{error_type=\"AuthenticationException\",outcome=\"failure\","
            + "switchboard_route=\"premium/m\"} 0.140625",
        // 0.015625 + 0.375 + 0.125
        "switchboard_call_duration_seconds_sum{error_type=\"none\",outcome=\"success\","
            + "switchboard_route=\"premium/m\"} 0.515625",
        // the lookup is each call's only time outside attempts and back-off: 5 × 1/64 and 2 × 1/64
        "switchboard_overhead_seconds_count{switchboard_route=\"ranker\"} 5",
        "switchboard_overhead_seconds_sum{switchboard_route=\"ranker\"} 0.078125",
        "switchboard_overhead_seconds_sum{switchboard_route=\"premium/m\"} 0.03125",
        // 0.015625 + 0.375
        "switchboard_time_to_first_token_seconds_count{switchboard_route=\"premium/m\"} 1",
        "switchboard_time_to_first_token_seconds_sum{switchboard_route=\"premium/m\"} 0.390625",
        "switchboard_retries_total{error_type=\"OverloadedException\",switchboard_route=\"ranker\"} 2.0",
        "switchboard_fallbacks_total{error_type=\"OverloadedException\",switchboard_route=\"ranker\"} 1.0",
        "switchboard_cache_hits_total{cache=\"exact\",switchboard_route=\"ranker\"} 1.0",
        // the cached answer at premium's price: 125k × $4 + 62.5k × $8, per million
        "switchboard_cost_saved_usd_total{cache=\"exact\",switchboard_route=\"ranker\"} 1.0",
        "switchboard_circuit_state{gen_ai_provider_name=\"cheap\",gen_ai_request_model=\"m\"} 2.0",
        "switchboard_feedback_score_count{gen_ai_provider_name=\"cheap\",gen_ai_response_model=\"m\","
            + "switchboard_route=\"ranker\"} 1",
        "switchboard_feedback_score_sum{gen_ai_provider_name=\"cheap\",gen_ai_response_model=\"m\","
            + "switchboard_route=\"ranker\"} 0.75",
        "switchboard_feedback_negative_score_sum{gen_ai_provider_name=\"cheap\",gen_ai_response_model=\"m\","
            + "switchboard_route=\"ranker\"} 1.0");
    assertThat(scrape).as("histogram buckets are published")
        .anyMatch(l -> l.startsWith("gen_ai_client_operation_duration_seconds_bucket{") && l.contains("le=\"0.32\""));
    assertThat(metrics.callsInFlight()).as("nothing is kept once calls end").isZero();
  }

  @Test
  void aCancelledStream_countsAsCancelled_notFailed_andIsForgotten() {
    ChatStream stream = sb.stream(ChatRequest.of("premium/m", "s"));
    assertThat(metrics.callsInFlight()).isEqualTo(1);
    time.advance(ms(500));
    stream.close();

    assertThat(registry.scrape()).contains("switchboard_call_duration_seconds_count{error_type=\"none\","
        + "outcome=\"cancelled\",switchboard_route=\"premium/m\"} 1\n")
        .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"Cancelled\",gen_ai_operation_name="
            + "\"chat\",gen_ai_provider_name=\"premium\",gen_ai_request_model=\"m\",gen_ai_response_model=\"m\"} 1\n")
        .doesNotContain("outcome=\"failure\"");
    assertThat(metrics.callsInFlight()).isZero();
  }

  @Test
  void aHedgedCall_countsItsOverlappingAttemptsOnce_inOverhead() {
    Switchboard hedging = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .prices(prices).interceptor(cache)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").hedgeAfter(ms(750)).build())
        .listener(metrics).build();
    CompletableFuture<ChatResponse> f = hedging.chatAsync(ChatRequest.of("ranker", "q"));
    time.advance(ms(750)); // premium starts alongside cheap
    time.advance(ms(125));
    premium.calls.get(0).complete(answer("h", 1, 1));
    f.join();

    // cheap ran 0.875 s and premium the last 0.125 s of it: in flight 0.875 s, not 1.0 s, of the
    // call's 0.015625 + 0.875 s
    assertThat(registry.scrape())
        .contains("switchboard_overhead_seconds_sum{switchboard_route=\"ranker\"} 0.015625\n")
        .contains("gen_ai_client_operation_duration_seconds_sum{error_type=\"Cancelled\",gen_ai_operation_name="
            + "\"chat\",gen_ai_provider_name=\"cheap\",gen_ai_request_model=\"m\",gen_ai_response_model=\"m\"} 0.875\n");
  }

  @Test
  void withoutHistograms_onlyCountAndSumArePublished() {
    PrometheusMeterRegistry plain = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Switchboard quiet = Switchboard.builder().provider(cheap).ticker(time).scheduler(time).prices(prices)
        .listener(MicrometerMetrics.builder(plain).ticker(time).prices(prices).histograms(false).build()).build();
    CompletableFuture<ChatResponse> f = quiet.chatAsync(ChatRequest.of("cheap/m", "q"));
    cheap.calls.get(0).complete(answer("a", 1, 1));
    f.join();

    assertThat(plain.scrape()).contains("gen_ai_client_operation_duration_seconds_count{").doesNotContain("_bucket{");
  }

  @Test
  void aRegistryThatFails_neverMakesTheListenerThrow() {
    SimpleMeterRegistry broken = new SimpleMeterRegistry();
    broken.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        throw new IllegalStateException("registry refuses " + id.getName());
      }
    });
    MicrometerMetrics failing = MicrometerMetrics.builder(broken).ticker(time).prices(prices).build();
    CallInfo call = new CallInfo(1, ChatRequest.of("cheap/m", "q"), false, Instant.EPOCH, 0, null);
    Attempt attempt = new Attempt("cheap", "m", 200, ms(1), Usage.of(1, 1), Optional.empty(), Optional.of(Cost.ZERO));

    assertThatCode(() -> {
      failing.callStart(call);
      failing.attemptStart(call, 1, new ModelRef("cheap", "m"));
      failing.attemptEnd(call, 1, attempt);
      failing.circuitStateChanged("cheap", "m", CircuitState.CLOSED, CircuitState.OPEN);
      failing.callEnd(call, answer("a", 1, 1));
      failing.feedback(new Feedback("a", "cheap", "m", "", 1, Set.of()));
    }).doesNotThrowAnyException();
    assertThat(failing.callsInFlight()).isZero();
  }
}
