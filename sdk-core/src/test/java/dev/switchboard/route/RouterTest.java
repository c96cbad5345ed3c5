package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.route.CallMetadata.Sensitivity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouterTest {
  /** Restricted traffic stays on the self-hosted model; long prompts go to the premium model first. */
  private final Router router = request -> {
    if (CallMetadata.of(request).sensitivity() == Sensitivity.RESTRICTED) {
      return Router.Decision.of("restricted stays in-house", "local/llama");
    }
    if (request.messages().get(request.messages().size() - 1).text().length() > 40) {
      return Router.Decision.of("long prompt", "premium/big", "cheap/small");
    }
    return request.model().equals("auto") ? Router.Decision.of("default", "cheap/small", "premium/big") : null;
  };

  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final FakeAdapter local = new FakeAdapter("local");

  @Test
  void decide_isPure_andCanBeEvaluatedOffline() {
    List<ChatRequest> recorded = List.of(
        ChatRequest.of("auto", "hi"),
        ChatRequest.of("auto", "please prove that there are infinitely many primes"),
        CallMetadata.attach(ChatRequest.of("auto", "salary table"),
            CallMetadata.builder().tenant("acme").sensitivity(Sensitivity.RESTRICTED).build()),
        ChatRequest.of("cheap/small", "hi"));
    List<String> firstChoices = recorded.stream()
        .map(r -> {
          Router.Decision d = router.decide(r);
          return d == null ? "unchanged" : d.candidates().modelStrings().get(0) + " (" + d.reason() + ")";
        }).toList();
    assertThat(firstChoices).containsExactly("cheap/small (default)", "premium/big (long prompt)",
        "local/llama (restricted stays in-house)", "unchanged");
    assertThat(cheap.requests).isEmpty();
    assertThat(router.decide(recorded.get(1))).isEqualTo(router.decide(recorded.get(1)));
  }

  @Test
  void live_theDecisionGoesFirst_andFallbackWalksItsCandidates() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).provider(local)
        .ticker(time).scheduler(time)
        .interceptor(router.interceptor())
        .interceptor(Fallback.builder().build())
        .build();
    CompletableFuture<ChatResponse> f =
        sb.chatAsync(ChatRequest.of("auto", "please prove that there are infinitely many primes"));
    assertThat(premium.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("big"));
    premium.calls.get(0).completeExceptionally(
        new ServerException("down", ErrorDetails.builder().provider("premium").model("big").statusCode(503)
            .retryable(true).build()));
    assertThat(cheap.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("small"));
    cheap.calls.get(0).complete(FakeAdapter.answer("by contradiction"));
    assertThat(f.join().attempts()).extracting(a -> a.provider() + " " + a.failure().orElse("ok"))
        .containsExactly("premium ServerException", "cheap ok");
  }

  @Test
  void live_restrictedTrafficNeverLeavesTheSelfHostedModel() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).provider(local)
        .ticker(time).scheduler(time).interceptor(router.interceptor()).interceptor(Fallback.builder().build())
        .build();
    ChatRequest request = CallMetadata.attach(ChatRequest.of("auto", "the salary table, please summarise it"),
        CallMetadata.builder().tenant("acme").user("u-1").sensitivity(Sensitivity.RESTRICTED).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(request);
    assertThat(local.requests).singleElement().satisfies(r -> {
      assertThat(r.model()).isEqualTo("llama");
      assertThat(CallMetadata.of(r).tenant()).isEqualTo("acme");
    });
    local.calls.get(0).completeExceptionally(new ServerException("down",
        ErrorDetails.builder().provider("local").model("llama").statusCode(500).retryable(true).build()));
    assertThat(f).isCompletedExceptionally();
    assertThat(cheap.requests).isEmpty();
    assertThat(premium.requests).isEmpty();
  }

  @Test
  void metadata_defaultsAndValidation() {
    assertThat(CallMetadata.of(ChatRequest.of("m", "x"))).isEqualTo(CallMetadata.NONE);
    CallMetadata m = CallMetadata.builder().tenant("t").user("u").label("team", "search").build();
    assertThat(m.sensitivity()).isEqualTo(Sensitivity.INTERNAL);
    assertThat(m.label("team")).contains("search");
    assertThat(m.label("other")).isEmpty();
    assertThat(m.labels()).isEqualTo(Map.of("team", "search"));
    assertThatThrownBy(() -> CallMetadata.builder().tenant(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Router.Decision(null, "x")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Router.Decision.of("no models")).isInstanceOf(IllegalArgumentException.class);
  }

  /** A provider that reports a fixed load, as a self-hosted pool does from its scrapes. */
  private static final class LoadedAdapter extends FakeAdapter {
    final Load load;

    LoadedAdapter(String name, Load load) {
      super(name);
      this.load = load;
    }

    @Override
    public java.util.Optional<Load> load(String model) {
      return java.util.Optional.of(load);
    }
  }

  @Test
  void anInterceptorCanRouteByLoad_throughTheCallContext() {
    LoadedAdapter busy = new LoadedAdapter("gpu-a", new Load(2, 2, 10, 6, 0));
    LoadedAdapter idle = new LoadedAdapter("gpu-b", new Load(2, 1, 1, 0, 1));
    dev.switchboard.spi.Interceptor leastLoaded = new dev.switchboard.spi.Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        ModelRef a = new ModelRef("gpu-a", "llama");
        ModelRef b = new ModelRef("gpu-b", "llama");
        double loadA = chain.context().load(a).map(Load::perHealthyReplica).orElse(Double.MAX_VALUE);
        double loadB = chain.context().load(b).map(Load::perHealthyReplica).orElse(Double.MAX_VALUE);
        ModelRef pick = loadA <= loadB ? a : b;
        return chain.proceed(chain.request().toBuilder().model(pick.toString()).build());
      }
    };
    Switchboard sb = Switchboard.builder().provider(busy).provider(idle).provider(cheap).ticker(time).scheduler(time)
        .interceptor(leastLoaded).build();
    sb.chatAsync(ChatRequest.of("gpu-a/llama", "hi"));
    assertThat(idle.requests).hasSize(1);
    assertThat(busy.requests).isEmpty();
    assertThat(sb.load("gpu-a/llama")).contains(new Load(2, 2, 10, 6, 0));
    assertThat(new Load(2, 2, 10, 6, 0).perHealthyReplica()).isEqualTo(8.0);
    assertThat(new Load(1, 0, 0, 0, 0).perHealthyReplica()).isInfinite();
    assertThat(sb.load("cheap/x")).isEmpty();
    assertThatThrownBy(() -> new Load(1, 2, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("healthyReplicas <= replicas");
    assertThatThrownBy(() -> new Load(1, 1, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void live_streamsAreRoutedToo_andFallBackBeforeTheirFirstEvent() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).provider(local)
        .ticker(time).scheduler(time).interceptor(router.interceptor()).interceptor(Fallback.builder().build())
        .build();
    dev.switchboard.ChatStream stream = sb.stream(ChatRequest.of("auto", "hi"));
    assertThat(cheap.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("small"));
    cheap.streams.get(0).fail(new ServerException("down",
        ErrorDetails.builder().provider("cheap").model("small").statusCode(503).retryable(true).build()));
    assertThat(stream.poll()).isNull();
    assertThat(premium.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("big"));
    premium.streams.get(0).emit(new dev.switchboard.ChatEvent.Completed(FakeAdapter.answer("from premium")));
    premium.streams.get(0).complete();
    assertThat(stream.collect().text()).isEqualTo("from premium");
  }
}
