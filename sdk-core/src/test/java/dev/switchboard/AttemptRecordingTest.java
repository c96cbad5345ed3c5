package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Interceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How each exchange becomes an {@link Attempt}: latency on the ticker, usage, provider, the call's log. */
@Timeout(10)
class AttemptRecordingTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();
  /** What the call's context listed as ended attempts, read by an interceptor once the call is over. */
  private final AtomicReference<List<Attempt>> logged = new AtomicReference<>();
  private Switchboard sb;

  @BeforeEach
  void setUp() {
    time.advance(Duration.ofSeconds(7)); // latencies must not be measured from zero
    sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(new Interceptor() {
          @Override
          public CompletableFuture<ChatResponse> intercept(Chain chain) {
            return chain.proceed(chain.request()).whenComplete((r, e) -> logged.set(chain.context().attempts()));
          }

          @Override
          public ChatStream interceptStream(Chain chain) {
            ChatStream s = chain.proceedStream(chain.request());
            return new dev.switchboard.stream.ForwardingChatStream(s) {
              @Override
              protected void onFinished() {
                logged.set(chain.context().attempts());
              }

              @Override
              protected ChatException onFailure(ChatException failure) {
                logged.set(chain.context().attempts());
                return failure;
              }
            };
          }
        })
        .listener(new ChatListener() {
          @Override
          public void firstEvent(CallInfo call, Duration latency) {
            events.add("firstEvent " + latency.toMillis());
          }

          @Override
          public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
            events.add("attemptEnd " + attemptId + " " + attempt.latency().toMillis() + "ms "
                + attempt.failure().orElse("ok"));
          }
        })
        .build();
  }

  @Test
  void aCallsAttempt_isTimedOnTheTicker_namesTheRequestedModelWhenTheAnswerHasNone_andIsLogged() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/gpt-4o-mini", "hi"));
    time.advance(Duration.ofMillis(250));
    openai.calls.get(0).complete(ChatResponse.builder().text("hello").usage(Usage.of(3, 1)).build());
    ChatResponse r = f.join();
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.attempts()).singleElement().satisfies(a -> {
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(250));
      assertThat(a.model()).isEqualTo("gpt-4o-mini");
      assertThat(a.usage()).isEqualTo(Usage.of(3, 1));
      assertThat(a.statusCode()).isEqualTo(200);
    });
    assertThat(logged.get()).isEqualTo(r.attempts());
    assertThat(events).containsExactly("attemptEnd 1 250ms ok");
  }

  @Test
  void aFailedCall_isTimedAndLogged_withItsStatus() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    time.advance(Duration.ofMillis(40));
    openai.calls.get(0).completeExceptionally(new ServerException("boom",
        ErrorDetails.builder().provider("openai").model("m").statusCode(503).build()));
    ServerException e = catchThrowableOfType(ServerException.class, () -> dev.switchboard.spi.Futures.await(f));
    assertThat(e.attempts()).singleElement().satisfies(a -> {
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(40));
      assertThat(a.statusCode()).isEqualTo(503);
      assertThat(a.failure()).contains("ServerException");
    });
    assertThat(logged.get()).isEqualTo(e.attempts());
  }

  @Test
  void aStreamsAttempt_isTimed_reportsItsFirstEvent_andIsListedOnTheStreamAndTheFinalAnswer() {
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    time.advance(Duration.ofMillis(30));
    var server = openai.streams.get(0);
    server.emit(new ChatEvent.TextDelta("Par"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("Par"));
    time.advance(Duration.ofMillis(70));
    server.emit(new ChatEvent.Completed(ChatResponse.builder().model("m-2024").text("Par").usage(Usage.of(2, 1))
        .build()));
    server.complete();
    ChatResponse r = stream.collect();
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.attempts()).singleElement().satisfies(a -> {
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(100));
      assertThat(a.model()).isEqualTo("m-2024");
      assertThat(a.usage()).isEqualTo(Usage.of(2, 1));
    });
    assertThat(stream.attempts()).isEqualTo(r.attempts());
    assertThat(logged.get()).isEqualTo(r.attempts());
    assertThat(events).containsExactly("firstEvent 30", "attemptEnd 1 100ms ok");
  }

  @Test
  void aBrokenStream_keepsThePartialUsage_andAClosedOne_anEstimateOfWhatWasStreamed() {
    ChatStream broken = sb.stream(ChatRequest.of("openai/m", "hi"));
    time.advance(Duration.ofMillis(15));
    openai.streams.get(0).fail(new ChatStreamException("cut", ErrorDetails.of("openai", "m"),
        ChatResponse.builder().text("Once").usage(Usage.of(5, 2)).build(), null));
    ChatStreamException e = catchThrowableOfType(ChatStreamException.class, broken::collect);
    assertThat(e.attempts()).singleElement().satisfies(a -> {
      assertThat(a.usage()).isEqualTo(Usage.of(5, 2));
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(15));
    });
    assertThat(logged.get()).isEqualTo(e.attempts());

    ChatStream closed = sb.stream(ChatRequest.of("openai/m", "tell me a long story"));
    openai.streams.get(1).emit(new ChatEvent.TextDelta("x".repeat(400)));
    assertThat(closed.poll()).isNotNull();
    time.advance(Duration.ofMillis(20));
    closed.close();
    assertThat(closed.attempts()).singleElement().satisfies(a -> {
      assertThat(a.failure()).contains("Cancelled");
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(20));
      assertThat(a.usage().estimated()).isTrue();
      assertThat(a.usage().outputTokens()).isEqualTo(100);
      assertThat(a.usage().inputTokens()).isPositive();
    });
  }

  @Test
  void anEmbeddingsAttempt_isTimedAndLogged() {
    FakeEmbedder embedder = new FakeEmbedder();
    List<Attempt> seen = new ArrayList<>();
    Switchboard s = Switchboard.builder().provider(embedder).ticker(time).scheduler(time)
        .listener(new ChatListener() {
          @Override
          public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
            seen.add(attempt);
          }
        }).build();
    CompletableFuture<EmbeddingResponse> f = s.embedAsync(EmbeddingRequest.of("emb/e5", "a"));
    time.advance(Duration.ofMillis(12));
    embedder.pending.complete(EmbeddingResponse.builder().model("e5").addEmbedding(Embedding.of(0, new float[] {1f}))
        .usage(Usage.of(1, 0)).build());
    assertThat(f.join().provider()).isEqualTo("emb");
    assertThat(seen).singleElement().satisfies(a -> {
      assertThat(a.latency()).isEqualTo(Duration.ofMillis(12));
      assertThat(a.provider()).isEqualTo("emb");
    });
  }

  @Test
  void aTargetOnAnUnregisteredProvider_failsNamingIt_andUnknownModelsHaveNoCapabilitiesOrLoad() {
    List<Object> seen = new ArrayList<>();
    Switchboard s = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(new Interceptor() {
          @Override
          public CompletableFuture<ChatResponse> intercept(Chain chain) {
            ModelRef ghost = new ModelRef("ghost", "m");
            seen.add(chain.context().capabilities(ghost));
            seen.add(chain.context().load(ghost));
            return chain.proceed(Target.attach(chain.request(), ghost));
          }
        }).build();
    assertThatThrownBy(() -> s.chat(ChatRequest.of("openai/m", "hi")))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("'openai/m' leads to provider 'ghost', which is not registered");
    assertThat(seen).containsExactly(Capabilities.UNKNOWN, java.util.Optional.empty());
    assertThat(openai.calls).isEmpty();
  }

  /** A provider that only embeds, answered by hand. */
  private static final class FakeEmbedder implements dev.switchboard.spi.ProviderAdapter {
    final CompletableFuture<EmbeddingResponse> pending = new CompletableFuture<>();

    @Override
    public String name() {
      return "emb";
    }

    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ChatStream stream(ChatRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
      return pending;
    }
  }
}
