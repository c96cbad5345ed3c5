package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.route.ModelRef;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SwitchboardTest {
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final FakeAdapter vllm = new FakeAdapter("vllm");

  @Test
  void providerModel_isSplitAtFirstSlash() {
    Switchboard sb = Switchboard.builder().provider(openai).provider(vllm).build();
    sb.chatAsync(ChatRequest.of("vllm/meta-llama/Llama-3.1-8B-Instruct", "hi"));
    assertThat(vllm.requests.get(0).model()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
  }

  @Test
  void alias_resolvesThroughAliases() {
    Switchboard sb = Switchboard.builder().provider(openai)
        .alias("ranker", "cheap").alias("cheap", "openai/gpt-4o-mini").build();
    assertThat(sb.resolve("ranker")).hasToString("openai/gpt-4o-mini");
    sb.chatAsync(ChatRequest.of("ranker", "hi"));
    assertThat(openai.requests.get(0).model()).isEqualTo("gpt-4o-mini");
  }

  @Test
  void unknownProvider_failsWithSuggestionAndKnownNames() {
    Switchboard sb = Switchboard.builder().provider(openai).alias("ranker", "openai/gpt-4o").build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("opnai/gpt-4o", "hi")))
        .isInstanceOfSatisfying(ModelNotFoundException.class, e -> {
          assertThat(e.suggestion()).contains("openai/gpt-4o");
          assertThat(e.known()).contains("openai/<model>", "ranker");
          assertThat(e.getMessage()).contains("no provider named 'opnai'", "Did you mean 'openai/gpt-4o'?");
          assertThat(e.isRetryable()).isFalse();
        });
    assertThat(openai.requests).isEmpty();
  }

  @Test
  void bareModelName_thatARegisteredProviderKnows_suggestsProviderSlashModel() {
    openai.capabilities.put("gpt-4o", dev.switchboard.spi.Capabilities.builder().maxContextTokens(128_000).build());
    Switchboard sb = Switchboard.builder().provider(openai).build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("gpt-4o", "hi")))
        .isInstanceOfSatisfying(ModelNotFoundException.class, e -> {
          assertThat(e.suggestion()).contains("openai/gpt-4o");
          assertThat(e.getMessage()).contains("unknown model 'gpt-4o'", "Did you mean 'openai/gpt-4o'?",
              "Known: openai/<model>");
        });
    assertThatThrownBy(() -> sb.resolve("gpt-4o")).hasMessageContaining("Did you mean 'openai/gpt-4o'?");
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("llama-9", "hi")))
        .isInstanceOfSatisfying(ModelNotFoundException.class, e -> assertThat(e.suggestion()).isEmpty());
  }

  @Test
  void unknownAlias_suggestsClosestAlias() {
    Switchboard sb = Switchboard.builder().provider(openai).alias("ranker", "openai/gpt-4o").build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("rankr", "hi")))
        .isInstanceOfSatisfying(ModelNotFoundException.class,
            e -> assertThat(e.suggestion()).contains("ranker"));
  }

  @Test
  void unknownModel_failsStreamToo() {
    Switchboard sb = Switchboard.builder().provider(openai).build();
    try (ChatStream s = sb.stream(ChatRequest.of("nothing", "hi"))) {
      assertThatThrownBy(s::collect).isInstanceOf(ModelNotFoundException.class)
          .hasMessageContaining("not an alias");
    }
  }

  @Test
  void build_rejectsBadConfiguration() {
    assertThatThrownBy(() -> Switchboard.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one provider");
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).provider(new FakeAdapter("openai")))
        .hasMessageContaining("'openai' is already registered");
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).alias("a", "b").alias("b", "a").build())
        .hasMessageContaining("alias cycle");
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).alias("a", "anthropic/claude").build())
        .hasMessageContaining("alias 'a' resolves to 'anthropic/claude'");
    assertThatThrownBy(() -> Switchboard.builder().provider(openai).alias("a/b", "openai/x"))
        .hasMessageContaining("no '/'");
  }

  @Test
  void interceptors_runFirstRegisteredOutermost() {
    List<String> order = new CopyOnWriteArrayList<>();
    Interceptor outer = new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        order.add("outer>");
        return chain.proceed(chain.request()).whenComplete((r, e) -> order.add("<outer"));
      }
    };
    Interceptor inner = new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        order.add("inner>");
        return chain.proceed(chain.request().toBuilder().model("openai/rewritten").build())
            .whenComplete((r, e) -> order.add("<inner"));
      }
    };
    Switchboard sb = Switchboard.builder().provider(openai).interceptor(outer).interceptor(inner).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/original", "hi"));
    assertThat(openai.requests.get(0).model()).isEqualTo("rewritten");
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    assertThat(f.join().text()).isEqualTo("ok");
    assertThat(order).containsExactly("outer>", "inner>", "<inner", "<outer");
  }

  @Test
  void interceptor_mayAnswerWithoutProceeding_orProceedTwice() {
    Interceptor twice = new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        return chain.proceed(chain.request()).exceptionallyCompose(e -> chain.proceed(chain.request()));
      }
    };
    Switchboard sb = Switchboard.builder().provider(openai).interceptor(twice).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(
        new ServerException("boom", ErrorDetails.builder().provider("openai").model("m").retryable(true).build()));
    openai.calls.get(1).complete(FakeAdapter.answer("second"));
    assertThat(f.join().text()).isEqualTo("second");

    Switchboard cached = Switchboard.builder().provider(vllm)
        .interceptor(new Interceptor() {
          @Override
          public CompletableFuture<ChatResponse> intercept(Chain chain) {
            return CompletableFuture.completedFuture(FakeAdapter.answer("from cache"));
          }
        }).build();
    assertThat(cached.chat("vllm/m", "hi")).isEqualTo("from cache");
    assertThat(vllm.requests).isEmpty();
  }

  @Test
  void interceptorThatThrows_becomesChatException() {
    Switchboard sb = Switchboard.builder().provider(openai).interceptor(new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        throw new IllegalStateException("bug");
      }
    }).build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("openai/m", "hi")))
        .isInstanceOf(ChatException.class).hasMessageContaining("bug");
  }

  @Test
  void response_listsTheAttempt_andListenersSeeEachStepOnce() {
    AtomicLong now = new AtomicLong();
    List<String> events = new ArrayList<>();
    ChatListener listener = new ChatListener() {
      @Override
      public void callStart(CallInfo call) {
        events.add("start");
      }

      @Override
      public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
        events.add("attempt " + attemptId + " " + target);
      }

      @Override
      public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
        events.add("attemptEnd " + attempt.latency().toMillis() + "ms " + attempt.usage().totalTokens());
      }

      @Override
      public void callEnd(CallInfo call, ChatResponse response) {
        events.add("end");
      }
    };
    Switchboard sb = Switchboard.builder().provider(openai).listener(listener)
        .listener(new ChatListener() {
          @Override
          public void callStart(CallInfo call) {
            throw new RuntimeException("a broken listener is skipped");
          }
        })
        .ticker(now::get).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    now.addAndGet(250_000_000L);
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    ChatResponse r = f.join();
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.attempts()).singleElement().satisfies(a -> {
      assertThat(a.provider()).isEqualTo("openai");
      assertThat(a.succeeded()).isTrue();
      assertThat(a.latency().toMillis()).isEqualTo(250);
    });
    assertThat(events).containsExactly("start", "attempt 1 openai/m", "attemptEnd 250ms 5", "end");
  }

  @Test
  void failedCall_endsInExactlyOneCallFailed() {
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).listener(new ChatListener() {
      @Override
      public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
        events.add("attemptEnd " + attempt.failure().orElse("ok") + " " + attempt.statusCode());
      }

      @Override
      public void callEnd(CallInfo call, ChatResponse response) {
        events.add("end");
      }

      @Override
      public void callFailed(CallInfo call, ChatException error) {
        events.add("failed " + error.getClass().getSimpleName());
      }
    }).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(new RateLimitException("slow down",
        ErrorDetails.builder().provider("openai").model("m").statusCode(429).retryable(true).build()));
    assertThatThrownBy(f::join).hasCauseInstanceOf(RateLimitException.class);
    assertThat(events).containsExactly("attemptEnd RateLimitException 429", "failed RateLimitException");
  }

  @Test
  void cancellingTheFuture_cancelsTheExchange_andEndsTheCallAsCancelled_notFailed() {
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).listener(new ChatListener() {
      @Override
      public void callFailed(CallInfo call, ChatException error) {
        events.add("failed " + error.getClass().getSimpleName());
      }

      @Override
      public void callCancelled(CallInfo call) {
        events.add("cancelled");
      }
    }).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    f.cancel(true);
    assertThat(openai.calls.get(0).isCancelled()).isTrue();
    assertThat(events).containsExactly("cancelled");
  }

  @Test
  void stream_recordsAttemptOnCompletedResponse() {
    Switchboard sb = Switchboard.builder().provider(openai).build();
    try (ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"))) {
      var push = openai.streams.get(0);
      push.emit(new ChatEvent.TextDelta("he"));
      push.emit(new ChatEvent.TextDelta("llo"));
      push.emit(new ChatEvent.Completed(FakeAdapter.answer("hello")));
      push.complete();
      ChatResponse r = stream.collect();
      assertThat(r.text()).isEqualTo("hello");
      assertThat(r.provider()).isEqualTo("openai");
      assertThat(r.attempts()).hasSize(1);
    }
  }

  @Test
  void close_closesProviders_andRejectsNewCalls() {
    Switchboard sb = Switchboard.builder().provider(openai).build();
    sb.close();
    assertThat(openai.closed).isTrue();
    assertThatThrownBy(() -> sb.chat("openai/m", "hi")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void embed_resolvesModelAndPassesThroughInterceptors() {
    List<String> seen = new CopyOnWriteArrayList<>();
    FakeAdapter emb = new FakeAdapter("emb") {
      @Override
      public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
        seen.add(request.model());
        return CompletableFuture.completedFuture(EmbeddingResponse.builder().model(request.model())
            .addEmbedding(Embedding.of(0, new float[] {1, 0})).usage(Usage.of(2, 0)).build());
      }
    };
    Switchboard sb = Switchboard.builder().provider(emb).provider(openai).alias("vectors", "emb/e5")
        .interceptor(new Interceptor() {
          @Override
          public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
            seen.add("interceptor");
            return chain.proceed(chain.request());
          }
        }).build();
    EmbeddingResponse r = sb.embed(EmbeddingRequest.of("vectors", "hello"));
    assertThat(r.provider()).isEqualTo("emb");
    assertThat(r.embeddings().get(0).toArray()).containsExactly(1f, 0f);
    assertThat(seen).containsExactly("interceptor", "e5");
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small", "x")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not serve embeddings");
  }

  @Test
  void callTimeout_failsTheCall_andCancelsTheExchange() {
    ManualTime time = new ManualTime();
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .callTimeout(java.time.Duration.ofSeconds(2))
        .listener(new ChatListener() {
          @Override
          public void timeout(CallInfo call, dev.switchboard.observe.TimeoutKind kind, java.time.Duration limit) {
            events.add("timeout " + kind + " " + limit.toSeconds());
          }

          @Override
          public void callFailed(CallInfo call, ChatException error) {
            events.add("failed " + error.getClass().getSimpleName());
          }
        }).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    time.advance(java.time.Duration.ofMillis(1999));
    assertThat(f).isNotDone();
    time.advance(java.time.Duration.ofMillis(1));
    assertThatThrownBy(f::join).hasCauseInstanceOf(ChatTimeoutException.class)
        .hasMessageContaining("deadline of 2000 ms");
    assertThat(openai.calls.get(0).isCancelled()).isTrue();
    openai.calls.get(0).complete(FakeAdapter.answer("too late"));
    assertThat(events).containsExactly("timeout CALL 2", "failed ChatTimeoutException");
  }

  @Test
  void requestTimeout_overridesDefault_andEndsAStalledStream() {
    ManualTime time = new ManualTime();
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .callTimeout(java.time.Duration.ofMinutes(5)).build();
    ChatRequest request = ChatRequest.builder().model("openai/m").user("hi")
        .timeout(java.time.Duration.ofSeconds(1)).build();
    ChatStream stream = sb.stream(request);
    var push = openai.streams.get(0);
    AtomicLong cancels = new AtomicLong();
    push.onCancel(cancels::incrementAndGet);
    push.emit(new ChatEvent.TextDelta("partial"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("partial"));
    time.advance(java.time.Duration.ofSeconds(1));
    assertThatThrownBy(stream::poll).isInstanceOf(ChatTimeoutException.class);
    assertThat(stream.isFinished()).isTrue();
    assertThat(cancels).hasValue(1);
  }

  @Test
  void completedCall_cancelsItsTimer() {
    ManualTime time = new ManualTime();
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .callTimeout(java.time.Duration.ofSeconds(2)).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    time.advance(java.time.Duration.ofSeconds(3));
    assertThat(f.join().text()).isEqualTo("ok");
  }

  @Test
  void interceptorFailingWithAPlainException_endsTheCallInAChatExceptionNamingTheModel() {
    IllegalStateException bug = new IllegalStateException("bug");
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).interceptor(new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        return CompletableFuture.failedFuture(bug);
      }
    }).listener(new ChatListener() {
      @Override
      public void callFailed(CallInfo call, ChatException error) {
        events.add("failed " + error.getMessage());
      }
    }).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    assertThat(f).isCompletedExceptionally();
    ChatException failure = catchThrowableOfType(ChatException.class, () -> sb.chat(ChatRequest.of("openai/m", "hi")));
    assertThat(failure).isExactlyInstanceOf(ChatException.class)
        .hasMessage("the call to 'openai/m' failed: java.lang.IllegalStateException: bug")
        .hasCause(bug);
    assertThat(failure.model()).isEqualTo("openai/m");
    assertThat(failure.provider()).isEmpty();
    assertThat(events).containsExactly("failed the call to 'openai/m' failed: java.lang.IllegalStateException: bug",
        "failed the call to 'openai/m' failed: java.lang.IllegalStateException: bug");
    assertThat(openai.requests).isEmpty();
  }

  @Test
  void callInfo_describesEachKindOfCall() {
    List<CallInfo> calls = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).listener(new ChatListener() {
      @Override
      public void callStart(CallInfo call) {
        calls.add(call);
      }
    }).build();
    ChatRequest chat = ChatRequest.of("openai/m", "hi");
    ChatRequest streamed = ChatRequest.of("openai/s", "hi");
    sb.chatAsync(chat);
    sb.stream(streamed).close();
    sb.embedAsync(EmbeddingRequest.of("openai/e", "x"));
    assertThat(calls).extracting(CallInfo::kind)
        .containsExactly(CallInfo.Kind.CHAT, CallInfo.Kind.STREAM, CallInfo.Kind.EMBEDDING);
    assertThat(calls).extracting(CallInfo::streaming).containsExactly(false, true, false);
    assertThat(calls).extracting(CallInfo::model).containsExactly("openai/m", "openai/s", "openai/e");
    assertThat(calls.get(0).request()).isSameAs(chat);
    assertThat(calls.get(1).request()).isSameAs(streamed);
    assertThat(calls.get(0).embeddingRequest()).isEmpty();
    assertThat(calls).extracting(CallInfo::id).doesNotHaveDuplicates();
  }

  @Test
  void listenerFactories_makeAListenerForEachStreamAndEmbeddingCallToo() {
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(openai).listenerFactory(call -> new ChatListener() {
      @Override
      public void callStart(CallInfo c) {
        events.add(call.kind() + " start " + (c == call));
      }

      @Override
      public void callEnd(CallInfo c, ChatResponse response) {
        events.add(call.kind() + " end " + (c == call));
      }

      @Override
      public void callFailed(CallInfo c, ChatException error) {
        events.add(call.kind() + " failed " + (c == call));
      }
    }).build();
    try (ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"))) {
      openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("ok")));
      openai.streams.get(0).complete();
      assertThat(stream.collect().text()).isEqualTo("ok");
    }
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/e", "x")))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(events).containsExactly("STREAM start true", "STREAM end true", "EMBEDDING start true",
        "EMBEDDING failed true");
  }
}
