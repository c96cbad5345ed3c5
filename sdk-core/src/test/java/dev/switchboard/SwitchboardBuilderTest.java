package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code Switchboard.builder()} accepts and rejects, and what the built Switchboard reports about itself. */
@Timeout(10)
class SwitchboardBuilderTest {
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final FakeAdapter vllm = new FakeAdapter("vllm");

  @Test
  void provider_nameMustBeLettersDigitsAndSomePunctuation() {
    assertThatThrownBy(() -> Switchboard.builder().provider(new FakeAdapter(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("provider name must be letters, digits, '_', '.' or '-' (no '/'), got: null");
    assertThatThrownBy(() -> Switchboard.builder().provider(new FakeAdapter("open/ai")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("got: open/ai");
    assertThatThrownBy(() -> Switchboard.builder().provider(new FakeAdapter("")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Switchboard.builder().provider(null))
        .isInstanceOf(NullPointerException.class).hasMessage("adapter");

    Switchboard sb = Switchboard.builder().provider(new FakeAdapter("Local_2.x-y")).build();
    assertThat(sb.providers()).containsExactly("Local_2.x-y");
  }

  @Test
  void provider_registeredTwice_isRejected() {
    Switchboard.Builder builder = Switchboard.builder().provider(openai);
    assertThatThrownBy(() -> builder.provider(new FakeAdapter("openai")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a provider named 'openai' is already registered");
    // the first registration stands
    builder.build().chatAsync(ChatRequest.of("openai/m", "hi"));
    assertThat(openai.requests).hasSize(1);
  }

  @Test
  void alias_mustBeNonBlankWithoutSlash_andDefinedOnce() {
    assertThatThrownBy(() -> Switchboard.builder().alias(" ", "openai/m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias must be non-blank and contain no '/', got: ' '");
    assertThatThrownBy(() -> Switchboard.builder().alias("a/b", "openai/m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias must be non-blank and contain no '/', got: 'a/b'");
    assertThatThrownBy(() -> Switchboard.builder().alias(null, "openai/m"))
        .isInstanceOf(NullPointerException.class).hasMessage("alias");
    assertThatThrownBy(() -> Switchboard.builder().alias("a", null))
        .isInstanceOf(NullPointerException.class).hasMessage("target");

    Switchboard.Builder builder = Switchboard.builder().provider(openai).alias("ranker", "openai/small");
    assertThatThrownBy(() -> builder.alias("ranker", "openai/big"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias 'ranker' is already defined as 'openai/small'");
    assertThat(builder.build().resolve("ranker")).isEqualTo(new ModelRef("openai", "small"));
  }

  @Test
  void callTimeout_mustBePositive_andNullMeansNone() {
    assertThatThrownBy(() -> Switchboard.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be positive, got PT0S");
    assertThatThrownBy(() -> Switchboard.builder().callTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be positive, got PT-1S");
    assertThatCode(() -> Switchboard.builder().callTimeout(Duration.ofNanos(1))).doesNotThrowAnyException();

    List<CallInfo> calls = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai)
        .callTimeout(Duration.ofSeconds(3)).callTimeout(null)
        .listener(new ChatListener() {
          @Override
          public void callStart(CallInfo call) {
            calls.add(call);
          }
        }).build();
    sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    assertThat(calls).singleElement().satisfies(c -> assertThat(c.timeout()).isEmpty());
  }

  @Test
  void build_needsAProvider_andAliasesExcludeADirectory() {
    assertThatThrownBy(() -> Switchboard.builder().alias("a", "openai/m").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Switchboard needs at least one provider: call provider(...) before build()");

    ModelDirectory directory = ModelDirectory.of(Set.of("openai"), Map.of("fast", "openai/small"));
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).directory(directory).alias("ranker", "openai/m")
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Switchboard.alias and Switchboard.directory exclude each other: put the aliases [ranker] "
            + "into the directory");

    Switchboard sb = Switchboard.builder().provider(openai).directory(directory).build();
    assertThat(sb.directory()).isSameAs(directory);
    assertThat(sb.aliases()).containsExactly(Map.entry("fast", "openai/small"));
    assertThat(sb.resolve("fast")).isEqualTo(new ModelRef("openai", "small"));
  }

  @Test
  void build_rejectsADirectoryLeadingToAnUnregisteredProvider() {
    ModelDirectory directory = ModelDirectory.of(Set.of("openai", "vllm"), Map.of());
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).directory(directory).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the directory leads to provider 'vllm', which is not registered with this Switchboard; "
            + "registered: [openai]");
  }

  @Test
  void builderSetters_rejectNull() {
    Switchboard.Builder b = Switchboard.builder();
    assertThatThrownBy(() -> b.directory(null)).isInstanceOf(NullPointerException.class).hasMessage("directory");
    assertThatThrownBy(() -> b.interceptor(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("interceptor");
    assertThatThrownBy(() -> b.listener(null)).isInstanceOf(NullPointerException.class).hasMessage("listener");
    assertThatThrownBy(() -> b.listenerFactory(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("factory");
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
    assertThatThrownBy(() -> b.ticker(null)).isInstanceOf(NullPointerException.class).hasMessage("ticker");
    assertThatThrownBy(() -> b.scheduler(null)).isInstanceOf(NullPointerException.class).hasMessage("scheduler");
  }

  @Test
  void clockAndTicker_stampEachCall() {
    Instant noon = Instant.parse("2024-05-01T12:00:00Z");
    ManualTime time = new ManualTime();
    time.advance(Duration.ofNanos(42));
    List<CallInfo> calls = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder()
        .clock(Clock.fixed(noon, ZoneOffset.UTC)).ticker(time).scheduler(time).provider(openai)
        .listener(new ChatListener() {
          @Override
          public void callStart(CallInfo call) {
            calls.add(call);
          }
        }).build();
    sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    time.advance(Duration.ofNanos(8));
    sb.embedAsync(EmbeddingRequest.of("openai/e", "x"));
    assertThat(calls).extracting(CallInfo::startedAt).containsExactly(noon, noon);
    assertThat(calls).extracting(CallInfo::startNanos).containsExactly(42L, 50L);
    assertThat(calls.get(1).id()).isGreaterThan(calls.get(0).id());
  }

  @Test
  void providers_areListedByName_andAliasesAsDefined() {
    Switchboard sb = Switchboard.builder().provider(vllm).provider(openai)
        .alias("ranker", "openai/small").alias("local", "vllm/llama").build();
    assertThat(sb.providers()).containsExactly("openai", "vllm");
    assertThat(sb.aliases()).containsExactly(Map.entry("ranker", "openai/small"), Map.entry("local", "vllm/llama"));
    assertThat(sb.directory().aliases()).isEqualTo(sb.aliases());
    assertThat(sb.directory().providers()).containsExactlyInAnyOrder("openai", "vllm");
  }

  @Test
  void toString_namesProvidersAliasesAndInterceptorCount() {
    Switchboard sb = Switchboard.builder().provider(vllm).provider(openai).alias("ranker", "openai/small")
        .interceptor(new Interceptor() {}).interceptor(new Interceptor() {}).build();
    assertThat(sb).hasToString("Switchboard[providers=[openai, vllm], aliases=[ranker], interceptors=2]");
  }

  @Test
  void capabilities_areTheProvidersForTheResolvedModel() {
    Capabilities vision = Capabilities.builder().vision(true).maxContextTokens(128_000).build();
    openai.capabilities.put("gpt-4o", vision);
    Switchboard sb = Switchboard.builder().provider(openai).alias("eyes", "openai/gpt-4o").build();
    assertThat(sb.capabilities("eyes")).isEqualTo(vision);
    assertThat(sb.capabilities("openai/gpt-4o")).isEqualTo(vision);
    assertThat(sb.capabilities("openai/other")).isEqualTo(Capabilities.UNKNOWN);
    assertThatThrownBy(() -> sb.capabilities("nobody/x")).isInstanceOf(ModelNotFoundException.class);
  }

  @Test
  void directorySwap_appliesToCallsStartedLater_andRejectsUnknownProviders() {
    Switchboard sb = Switchboard.builder().provider(openai).provider(vllm).alias("ranker", "openai/small").build();
    ModelDirectory before = sb.directory();
    sb.chatAsync(ChatRequest.of("ranker", "one"));

    ModelDirectory next = ModelDirectory.of(Set.of("openai", "vllm"), Map.of("ranker", "vllm/llama"));
    sb.directory(next);
    assertThat(sb.directory()).isSameAs(next);
    assertThat(sb.resolve("ranker")).isEqualTo(new ModelRef("vllm", "llama"));
    assertThat(sb.aliases()).containsExactly(Map.entry("ranker", "vllm/llama"));
    sb.chatAsync(ChatRequest.of("ranker", "two"));
    assertThat(openai.requests).extracting(ChatRequest::model).containsExactly("small");
    assertThat(vllm.requests).extracting(ChatRequest::model).containsExactly("llama");

    ModelDirectory foreign = ModelDirectory.of(Set.of("anthropic"), Map.of("ranker", "anthropic/claude"));
    assertThatThrownBy(() -> sb.directory(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the directory leads to provider 'anthropic', which is not registered with this Switchboard; "
            + "registered: [openai, vllm]");
    assertThatThrownBy(() -> sb.directory(null)).isInstanceOf(NullPointerException.class).hasMessage("directory");
    assertThat(sb.directory()).isSameAs(next);
    assertThat(before.resolve("ranker")).isEqualTo(new ModelRef("openai", "small"));
  }

  @Test
  void close_closesEachProviderOnce_evenWhenOneFailsToClose() {
    AtomicInteger closes = new AtomicInteger();
    FakeAdapter counted = new FakeAdapter("counted") {
      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
    FakeAdapter broken = new FakeAdapter("broken") {
      @Override
      public void close() {
        closes.incrementAndGet();
        throw new IllegalStateException("cannot close");
      }
    };
    Switchboard sb = Switchboard.builder().provider(broken).provider(counted).provider(openai).build();
    sb.close();
    sb.close();
    assertThat(closes).hasValue(2);
    assertThat(openai.closed).isTrue();

    assertThatThrownBy(() -> sb.chatAsync(ChatRequest.of("openai/m", "hi")))
        .isInstanceOf(IllegalStateException.class).hasMessage("this Switchboard is closed");
    assertThatThrownBy(() -> sb.stream(ChatRequest.of("openai/m", "hi")))
        .isInstanceOf(IllegalStateException.class).hasMessage("this Switchboard is closed");
    assertThatThrownBy(() -> sb.embedAsync(EmbeddingRequest.of("openai/e", "x")))
        .isInstanceOf(IllegalStateException.class).hasMessage("this Switchboard is closed");
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/e", "x")))
        .isInstanceOf(IllegalStateException.class).hasMessage("this Switchboard is closed");
    assertThat(openai.requests).isEmpty();
  }

  @Test
  void calls_rejectANullRequest() {
    Switchboard sb = Switchboard.builder().provider(openai).build();
    assertThatThrownBy(() -> sb.chatAsync(null)).isInstanceOf(NullPointerException.class).hasMessage("request");
    assertThatThrownBy(() -> sb.stream(null)).isInstanceOf(NullPointerException.class).hasMessage("request");
    assertThatThrownBy(() -> sb.embedAsync(null)).isInstanceOf(NullPointerException.class).hasMessage("request");
  }
}
