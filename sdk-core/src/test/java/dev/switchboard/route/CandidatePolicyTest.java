package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolSpec;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.spi.Capabilities;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CandidatePolicyTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter p = new FakeAdapter("p");
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder()
      .price("p/premium", ModelPrice.builder().input(2.5).output(10).contextWindow(128_000).build())
      .price("p/cheap", ModelPrice.builder().input(0.27).output(1.1).contextWindow(128_000).build())
      .price("p/tiny", ModelPrice.builder().input(0.05).output(0.1).contextWindow(2_000).build())
      .build();
  private final Router all = request -> Router.Decision.of("test", "p/premium", "p/cheap", "p/tiny");

  private Switchboard switchboard(CandidatePolicy policy) {
    p.capabilities.put("tiny", Capabilities.builder().tools(false).build());
    return Switchboard.builder().provider(p).prices(prices).ticker(time).scheduler(time)
        .interceptor(all.interceptor()).interceptor(policy).interceptor(Fallback.builder().build())
        .listener(policy).build();
  }

  @Test
  void cheapestFirst_amongTheModelsThatCanTakeTheRequest() {
    Switchboard sb = switchboard(CandidatePolicy.cheapestCapable());
    sb.chatAsync(ChatRequest.of("anything", "short question"));
    assertThat(p.requests.get(0).model()).as("tiny is cheapest and can take it").isEqualTo("tiny");

    sb.chatAsync(ChatRequest.builder().model("anything").user("look it up")
        .addTool(ToolSpec.of("search", "web search", "{\"type\":\"object\"}")).build());
    assertThat(p.requests.get(1).model()).as("tiny takes no tools").isEqualTo("cheap");

    sb.chatAsync(ChatRequest.of("anything", "x".repeat(12_000))); // ~3,000 tokens > tiny's 2,000
    assertThat(p.requests.get(2).model()).isEqualTo("cheap");
  }

  @Test
  void whenNoCandidateCanTakeIt_theErrorSaysWhatEachLacked() {
    Router onlyTiny = request -> Router.Decision.of("test", "p/tiny");
    p.capabilities.put("tiny", Capabilities.builder().tools(false).build());
    Switchboard sb = Switchboard.builder().provider(p).prices(prices).interceptor(onlyTiny.interceptor())
        .interceptor(CandidatePolicy.capable()).interceptor(Fallback.builder().build()).build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.builder().model("x").user("q")
        .addTool(ToolSpec.of("search", "web search", "{\"type\":\"object\"}")).build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("no candidate can take this request: p/tiny takes no tools");
    assertThat(p.requests).isEmpty();
  }

  @Test
  void fastestFirst_learnsFromObservedLatency_andFailures() {
    Switchboard sb = switchboard(CandidatePolicy.fastestCapable());
    // untried models go first, in the given order: premium answers in 2 s
    CompletableFuture<ChatResponse> a = sb.chatAsync(ChatRequest.of("anything", "q"));
    time.advance(Duration.ofSeconds(2));
    p.calls.get(0).complete(FakeAdapter.answer("a"));
    a.join();
    // cheap is untried (0): it goes first, fails, and falls back to tiny, which answers at once
    CompletableFuture<ChatResponse> b = sb.chatAsync(ChatRequest.of("anything", "q"));
    assertThat(p.requests.get(1).model()).isEqualTo("cheap");
    p.calls.get(1).completeExceptionally(new ServerException("down", ErrorDetails.of("p", "cheap")));
    assertThat(p.requests.get(2).model()).isEqualTo("tiny");
    time.advance(Duration.ofMillis(100));
    p.calls.get(2).complete(FakeAdapter.answer("b"));
    b.join();
    // now: tiny 100 ms, premium 2 s, cheap a failure (30 s)
    sb.chatAsync(ChatRequest.of("anything", "q"));
    assertThat(p.requests.get(3).model()).isEqualTo("tiny");
  }
}
