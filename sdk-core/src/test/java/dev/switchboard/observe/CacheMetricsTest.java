package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.Switchboard;
import dev.switchboard.cache.ResponseCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CacheMetricsTest {
  @Test
  void lookupsAreCountedByKindAndResult_andHitsBesideThem() {
    ManualTime time = new ManualTime();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FakeAdapter provider = new FakeAdapter("p");
    Switchboard sb = Switchboard.builder().provider(provider).ticker(time).scheduler(time)
        .interceptor(ResponseCache.builder().ticker(time).build())
        .listener(MicrometerMetrics.builder(registry).ticker(time).build()).build();

    CompletableFuture<ChatResponse> miss = sb.chatAsync(ChatRequest.of("p/m", "q"));
    provider.calls.get(0).complete(FakeAdapter.answer("a"));
    miss.join();
    sb.chat(ChatRequest.of("p/m", "q"));
    sb.chat(ChatRequest.of("p/m", "q"));

    String scrape = registry.scrape();
    assertThat(scrape.lines()).anySatisfy(l -> assertThat(l).startsWith("switchboard_cache_lookup_seconds_count{")
        .contains("cache=\"exact\"", "result=\"miss\"").endsWith(" 1"));
    assertThat(scrape.lines()).anySatisfy(l -> assertThat(l).startsWith("switchboard_cache_lookup_seconds_count{")
        .contains("cache=\"exact\"", "result=\"hit\"").endsWith(" 2"));
    assertThat(scrape.lines()).anySatisfy(l -> assertThat(l).startsWith("switchboard_cache_hits_total{")
        .contains("cache=\"exact\"").endsWith(" 2.0"));
  }

  @Test
  void routingDecisionsAreCountedByTier() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FakeAdapter provider = new FakeAdapter("p");
    dev.switchboard.route.Router tiered = request -> request.messages().get(0).text().length() > 5
        ? dev.switchboard.route.Router.Decision.tiered("tiered: complex", "complex", 0.9, "p/big")
        : dev.switchboard.route.Router.Decision.tiered("tiered: simple", "simple", 0.1, "p/small");
    Switchboard sb = Switchboard.builder().provider(provider).interceptor(tiered.interceptor())
        .listener(MicrometerMetrics.of(registry)).build();
    sb.chatAsync(ChatRequest.of("auto", "hi"));
    sb.chatAsync(ChatRequest.of("auto", "a longer question"));
    sb.chatAsync(ChatRequest.of("auto", "another long one"));

    assertThat(registry.scrape().lines())
        .anySatisfy(l -> assertThat(l).startsWith("switchboard_routing_decisions_total{")
            .contains("tier=\"complex\"", "gen_ai_request_model=\"p/big\"").endsWith(" 2.0"))
        .anySatisfy(l -> assertThat(l).startsWith("switchboard_routing_decisions_total{")
            .contains("tier=\"simple\"").endsWith(" 1.0"));
  }
}
