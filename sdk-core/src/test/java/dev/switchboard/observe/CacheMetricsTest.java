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
}
