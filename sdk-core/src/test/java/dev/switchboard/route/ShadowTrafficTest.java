package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ShadowTrafficTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter primary = new FakeAdapter("p");
  private final FakeAdapter candidate = new FakeAdapter("s");
  private final Switchboard shadowClient = Switchboard.builder().provider(candidate)
      .prices(PriceCatalog.empty().toBuilder().price("s/big", ModelPrice.of(1, 10)).build()).ticker(time).build();
  private final StringWriter pairs = new StringWriter();

  private Switchboard switchboard(ShadowTraffic shadow) {
    return Switchboard.builder().provider(primary).alias("ranker", "p/small").ticker(time).interceptor(shadow)
        .build();
  }

  @Test
  void aSlowShadow_delaysNothing_andThePairIsWrittenWhenItAnswers() throws Exception {
    ShadowTraffic shadow = ShadowTraffic.builder(shadowClient, "s/big").routes("ranker").sample(1).writeTo(pairs)
        .ticker(time).build();
    Switchboard sb = switchboard(shadow);

    CompletableFuture<ChatResponse> call = sb.chatAsync(ChatRequest.of("ranker", "rank: a, b"));
    time.advance(Duration.ofMillis(120));
    primary.calls.get(0).complete(ChatResponse.builder().text("a > b").usage(Usage.of(10, 3)).build());
    assertThat(call.isDone()).as("the caller has its answer while the shadow still runs").isTrue();
    assertThat(call.join().text()).isEqualTo("a > b");
    assertThat(candidate.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("big"));
    assertThat(shadow.written()).isZero();

    time.advance(Duration.ofSeconds(3));
    candidate.calls.get(0).complete(ChatResponse.builder().text("b > a").usage(Usage.of(1_000, 100)).build());
    assertThat(shadow.written()).isEqualTo(1);
    JsonNode pair = new ObjectMapper().readTree(pairs.toString().trim());
    assertThat(pair.path("route").asText()).isEqualTo("ranker");
    assertThat(pair.path("prompt").asText()).isEqualTo("rank: a, b");
    assertThat(pair.path("primary").path("answer").asText()).isEqualTo("a > b");
    assertThat(pair.path("primary").path("latencyMs").asDouble()).isEqualTo(120.0);
    assertThat(pair.path("shadow").path("model").asText()).isEqualTo("s/big");
    assertThat(pair.path("shadow").path("answer").asText()).isEqualTo("b > a");
    assertThat(pair.path("shadow").path("latencyMs").asDouble()).as("started with the call, 120 ms + 3 s").isEqualTo(3120.0);
    // the shadow's cost, counted by its own client: 1,000 × $1 + 100 × $10 per million
    assertThat(pair.path("shadow").path("costUsd").decimalValue()).isEqualByComparingTo("0.002");
  }

  @Test
  void aFailingShadow_leavesTheCallerAlone_andItsErrorIsWritten() throws Exception {
    ShadowTraffic shadow = ShadowTraffic.builder(shadowClient, "s/big").routes("ranker").sample(1).writeTo(pairs)
        .ticker(time).build();
    Switchboard sb = switchboard(shadow);
    CompletableFuture<ChatResponse> call = sb.chatAsync(ChatRequest.of("ranker", "q"));
    candidate.calls.get(0).completeExceptionally(new ServerException("down", ErrorDetails.of("s", "big")));
    primary.calls.get(0).complete(FakeAdapter.answer("fine"));
    assertThat(call.join().text()).isEqualTo("fine");
    JsonNode pair = new ObjectMapper().readTree(pairs.toString().trim());
    assertThat(pair.path("shadow").path("error").asText()).startsWith("ServerException: down");
    assertThat(pair.path("primary").path("answer").asText()).isEqualTo("fine");
  }

  @Test
  void onlyTheSampledShareOfTheNamedRoutes_isShadowed_andNoMoreThanMaxInFlight() {
    ShadowTraffic shadow = ShadowTraffic.builder(shadowClient, "s/big").routes("ranker").sample(0.25).seed(42)
        .maxInFlight(1000).writeTo(pairs).build();
    Switchboard sb = switchboard(shadow);
    for (int i = 0; i < 400; i++) {
      sb.chatAsync(ChatRequest.of("ranker", "q" + i));
      sb.chatAsync(ChatRequest.of("p/other", "not shadowed " + i));
    }
    assertThat(candidate.requests.size()).as("about a quarter of 400").isBetween(80, 120);

    FakeAdapter idle = new FakeAdapter("s");
    ShadowTraffic bounded = ShadowTraffic.builder(Switchboard.builder().provider(idle).build(), "s/big")
        .routes("ranker").sample(1).maxInFlight(2).writeTo(new StringWriter()).build();
    Switchboard sb2 = switchboard(bounded);
    for (int i = 0; i < 5; i++) {
      sb2.chatAsync(ChatRequest.of("ranker", "q" + i));
    }
    assertThat(idle.requests).hasSize(2);
    assertThat(bounded.skipped()).isEqualTo(3);
  }
}
