package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.MicrometerMetrics;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsEndpointTest {
  @Test
  void prometheusScrapesTheGenAiMetricsOverHttp() throws Exception {
    try (MetricsEndpoint metrics = MetricsEndpoint.start(0);
        OpenAiEmulator emulator = OpenAiEmulator.start();
        OpenAiProvider openai = OpenAiProvider.builder().baseUrl(emulator.baseUrl()).build();
        Switchboard llm = Switchboard.builder().provider(openai)
            .listener(MicrometerMetrics.of(metrics.registry())).build()) {
      emulator.enqueue(Reply.builder().text("one").usage(1_000, 100).build());
      emulator.enqueue(Reply.builder().text("two").usage(1_000, 100).build());
      llm.chat(ChatRequest.of("openai/gpt-4o-mini", "a"));
      llm.chat(ChatRequest.of("openai/gpt-4o-mini", "b"));

      HttpResponse<String> scrape = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(metrics.url())).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(scrape.body().lines())
          .anySatisfy(l -> assertThat(l).startsWith("gen_ai_client_operation_duration_seconds_count{")
              .contains("gen_ai_provider_name=\"openai\"").endsWith(" 2"))
          .anySatisfy(l -> assertThat(l).startsWith("gen_ai_client_token_usage_sum{")
              .contains("gen_ai_token_type=\"input\"").endsWith(" 2000.0"))
          // 2 × (1,000 × $0.15 + 100 × $0.60) per million = $0.00042
          .anySatisfy(l -> assertThat(l).startsWith("switchboard_cost_usd_total{").endsWith(" 4.2E-4"));
    }
  }
}
