package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.ServerException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Switchboard;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ModelDirectoryTest {
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");

  @Test
  void resolves_aliasesToTheirEnd_andProviderModelAtTheFirstSlash() {
    ModelDirectory d = ModelDirectory.of(Set.of("vllm", "openai"),
        Map.of("ranker", "fast", "fast", "vllm/meta-llama/Llama-3.1-8B-Instruct"));
    assertThat(d.resolve("ranker")).isEqualTo(new ModelRef("vllm", "meta-llama/Llama-3.1-8B-Instruct"));
    assertThat(d.resolve("openai/gpt-4o")).isEqualTo(new ModelRef("openai", "gpt-4o"));
    assertThat(d.resolve("openai/gpt-4o")).hasToString("openai/gpt-4o");
  }

  @Test
  void rejects_cyclesUnknownProvidersAndAliasesNamedLikeProviders_namingTheAlias() {
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("a", "b", "b", "a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alias cycle");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("ranker", "anthropic/claude")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alias 'ranker' resolves to 'anthropic/claude'");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("openai", "openai/gpt-4o")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same name as a provider");
    assertThatThrownBy(() -> new ModelRef("a/b", "m")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ModelRef("a", "")).isInstanceOf(IllegalArgumentException.class);
    assertThat(ModelRef.parseOrNull("nomodel/")).isNull();
    assertThat(ModelRef.parseOrNull("/model")).isNull();
  }

  @Test
  void unknownModelString_failsWithTheClosestName() {
    ModelDirectory d = ModelDirectory.of(Set.of("openai"), Map.of("ranker", "openai/gpt-4o"));
    assertThatThrownBy(() -> d.resolve("rankr")).isInstanceOfSatisfying(ModelNotFoundException.class,
        e -> assertThat(e.suggestion()).contains("ranker"));
  }

  @Test
  void aModelStringIsResolvedOncePerAttempt_throughFallbackAndRetries() {
    CountingDirectory counting = new CountingDirectory(ModelDirectory.of(Set.of("cheap", "premium"),
        Map.of("ranker", "cheap/m")));
    ManualTime clock = new ManualTime();
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).directory(counting)
        .ticker(clock).scheduler(clock)
        .interceptor(Fallback.builder().chain("ranker", "ranker", "premium/m").build())
        .interceptor(Resilience.builder().maxAttempts(2).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
            .jitter(0).build())
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    clock.advance(Duration.ofSeconds(1));
    cheap.calls.get(1).completeExceptionally(overloaded("cheap"));
    premium.calls.get(0).complete(FakeAdapter.answer("ok"));

    assertThat(f.join().attempts()).hasSize(3);
    assertThat(counting.resolves.get()).as("two models tried in three attempts: each resolved once").isEqualTo(2);
  }

  @Test
  void aPlainCall_resolvesOnce() {
    CountingDirectory counting = new CountingDirectory(ModelDirectory.of(Set.of("cheap"), Map.of()));
    Switchboard sb = Switchboard.builder().provider(cheap).directory(counting)
        .interceptor(Resilience.ofDefaults()).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("cheap/m", "hi"));
    cheap.calls.get(0).complete(FakeAdapter.answer("ok"));
    assertThat(f.join().text()).isEqualTo("ok");
    assertThat(counting.resolves.get()).isEqualTo(1);
  }

  @Test
  void swappingTheDirectory_whileCallsRun_sendsLaterCallsToTheNewTarget_andFailsNone() throws Exception {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).alias("ranker", "cheap/m")
        .interceptor(Resilience.ofDefaults()).build();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<ChatResponse>> before = startCalls(sb, callers, 32);
      sb.directory(ModelDirectory.of(sb.providers(), Map.of("ranker", "premium/m")));
      List<CompletableFuture<ChatResponse>> after = startCalls(sb, callers, 32);

      assertThat(cheap.calls).hasSize(32);
      assertThat(premium.calls).hasSize(32);
      cheap.calls.forEach(c -> c.complete(FakeAdapter.answer("cheap")));
      premium.calls.forEach(c -> c.complete(FakeAdapter.answer("premium")));
      assertThat(before).allSatisfy(c -> assertThat(c.get(5, TimeUnit.SECONDS).provider()).isEqualTo("cheap"));
      assertThat(after).allSatisfy(c -> assertThat(c.get(5, TimeUnit.SECONDS).provider()).isEqualTo("premium"));
      assertThat(sb.resolve("ranker")).isEqualTo(new ModelRef("premium", "m"));
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aDirectoryLeadingToAnUnregisteredProvider_isRefused() {
    Switchboard sb = Switchboard.builder().provider(cheap).build();
    assertThatThrownBy(() -> sb.directory(ModelDirectory.of(Set.of("cheap", "ghost"), Map.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provider 'ghost'");
  }

  @Test
  void candidatesOnTheRequest_replaceTheConfiguredChain() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m").build())
        .alias("ranker", "cheap/m").build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.builder().model("ranker").user("hi")
        .tag(Candidates.class, Candidates.of("premium/m", "cheap/m")).build());
    premium.calls.get(0).complete(FakeAdapter.answer("from the router's first choice"));
    assertThat(f.join().provider()).isEqualTo("premium");
    assertThat(cheap.calls).isEmpty();
  }

  private static List<CompletableFuture<ChatResponse>> startCalls(Switchboard sb, ExecutorService callers, int n)
      throws InterruptedException {
    List<CompletableFuture<ChatResponse>> calls = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(n);
    List<CompletableFuture<ChatResponse>> sync = java.util.Collections.synchronizedList(calls);
    for (int i = 0; i < n; i++) {
      callers.execute(() -> {
        sync.add(sb.chatAsync(ChatRequest.of("ranker", "hi")));
        started.countDown();
      });
    }
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    return calls;
  }

  private static ServerException overloaded(String provider) {
    return new ServerException("overloaded", ErrorDetails.builder().provider(provider).model("m").statusCode(529)
        .retryable(true).build());
  }

  /** Counts resolutions; otherwise the directory it wraps. */
  private static final class CountingDirectory implements ModelDirectory {
    final ModelDirectory inner;
    final AtomicInteger resolves = new AtomicInteger();

    CountingDirectory(ModelDirectory inner) {
      this.inner = inner;
    }

    @Override
    public ModelRef resolve(String modelString) {
      resolves.incrementAndGet();
      return inner.resolve(modelString);
    }

    @Override
    public Map<String, String> aliases() {
      return inner.aliases();
    }

    @Override
    public Set<String> providers() {
      return inner.providers();
    }
  }
}
