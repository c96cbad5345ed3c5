package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.CacheHit;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.FinishReason;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.Usage;
import dev.switchboard.cost.CostLedger;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.CallMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ResponseCacheTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter provider = new FakeAdapter("p") {
    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      requests.add(request);
      return CompletableFuture.completedFuture(ChatResponse.builder().id("r" + requests.size()).model(request.model())
          .text("answer " + requests.size()).usage(Usage.of(1_000, 100)).build());
    }
  };
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder().price("p/m", ModelPrice.of(1, 10))
      .price("p/other", ModelPrice.of(1, 10)).build();
  private final List<String> lookups = new CopyOnWriteArrayList<>();

  /** A test embedder: {@code vector} computed now, as a completed future. */
  private static Embedder embedder(String id, int dimensions, java.util.function.Function<String, float[]> vector) {
    return new Embedder() {
      @Override
      public CompletableFuture<float[]> embed(String text) {
        return CompletableFuture.completedFuture(vector.apply(text));
      }

      @Override
      public int dimensions() {
        return dimensions;
      }

      @Override
      public String id() {
        return id;
      }
    };
  }

  /** Every question maps to the same vector: only the partition can keep two questions apart. */
  private static final Embedder SAME_FOR_ALL = embedder("same-for-all", 2, text -> new float[] {1, 0});

  private Switchboard switchboard(ResponseCache cache) {
    return Switchboard.builder().provider(provider).prices(prices).ticker(time).scheduler(time)
        .alias("fast", "p/m").alias("other-alias", "p/other")
        .interceptor(cache)
        .listener(new ChatListener() {
          @Override
          public void cacheLookup(CallInfo call, String cache, boolean hit, Duration latency) {
            lookups.add(cache + (hit ? " hit" : " miss"));
          }
        })
        .build();
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().model("fast").system("You rank documents.").user(text).build();
  }

  @Test
  void identicalRequestsHit_andAHitCostsNothing_makesNoAttempt_andSaysWhatItSaved() {
    CostLedger ledger = new CostLedger(prices);
    Switchboard sb = Switchboard.builder().provider(provider).prices(prices).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().build()).listener(ledger).build();

    ChatResponse first = sb.chat(ask("What is a switchboard?"));
    ChatResponse second = sb.chat(ask("What is a switchboard?"));

    assertThat(provider.requests).hasSize(1);
    assertThat(second.text()).isEqualTo(first.text());
    assertThat(second.usage()).isEqualTo(first.usage());
    assertThat(second.attempts()).isEmpty();
    assertThat(second.cost().isZero()).isTrue();
    // 1,000 × $1 + 100 × $10 per million = $0.002, what the first call cost
    assertThat(second.cacheHit()).hasValueSatisfying(hit -> {
      assertThat(hit.cache()).isEqualTo(CacheHit.EXACT);
      assertThat(hit.similarity()).isEqualTo(1.0);
      assertThat(hit.saved().total()).isEqualByComparingTo("0.002");
    });
    assertThat(ledger.saved().total()).isEqualByComparingTo("0.002");
    assertThat(ledger.total().total()).isEqualByComparingTo("0.002");
  }

  @Test
  void keySafety_anythingThatChangesTheAnswer_neverHits_exactOrSemantic() {
    // With an embedder that finds every question identical, only the keys keep requests apart.
    Switchboard sb = switchboard(ResponseCache.builder().semantic(SAME_FOR_ALL, 0.5).build());
    ChatRequest base = ask("Rank these documents for 'java http client'");
    sb.chat(base);

    List<UnaryOperator<ChatRequest>> changes = List.of(
        r -> r.toBuilder().messages(List.of()).system("You rank documents strictly.").user(r.messages().get(1).text())
            .build(),
        r -> r.withModel("p/other"),
        r -> r.toBuilder().temperature(0.0).build(),
        r -> r.toBuilder().maxOutputTokens(50).build(),
        r -> r.toBuilder().addTool(ToolSpec.of("search", "Searches the web", "{\"type\":\"object\"}")).build(),
        r -> CallMetadata.attach(r, CallMetadata.builder().tenant("globex").build()),
        r -> r.toBuilder().messages(List.of()).system("You rank documents.").addMessage(
            dev.switchboard.Message.user("earlier turn")).addMessage(dev.switchboard.Message.assistant("ok"))
            .user(r.messages().get(1).text()).build());
    for (UnaryOperator<ChatRequest> change : changes) {
      int before = provider.requests.size();
      ChatResponse response = sb.chat(change.apply(base));
      assertThat(response.cacheHit()).as("changed request %s", change.apply(base)).isEmpty();
      assertThat(provider.requests).hasSize(before + 1);
    }
    assertThat(sb.chat(base).cacheHit()).as("the unchanged request still hits").isPresent();
    assertThat(sb.chat(base.withModel("other-alias")).cacheHit())
        .as("an alias of p/other is the same model as p/other, asked before").isPresent();
    assertThat(sb.chat(CallMetadata.attach(base, CallMetadata.builder().user("u-9").label("team", "x").build()))
        .cacheHit()).as("who calls (not the tenant) does not change the answer").isPresent();
  }

  @Test
  void semanticHit_withinThePartition_aboveTheThreshold_andOnlyIfTheGuardAllows() {
    Embedder byFirstWord = embedder("by-first-word", 2,
        text -> text.startsWith("How") ? new float[] {1, 0} : new float[] {0.6f, 0.8f});
    Switchboard sb = switchboard(ResponseCache.builder().semantic(byFirstWord, 0.9)
        .guard((asked, stored) -> !asked.contains("Java")).build());
    ChatResponse stored = sb.chat(ask("How do I cache LLM answers?"));

    ChatResponse near = sb.chat(ask("How can I cache answers of an LLM?"));
    assertThat(near.text()).isEqualTo(stored.text());
    assertThat(near.cacheHit()).hasValueSatisfying(hit -> {
      assertThat(hit.cache()).isEqualTo(CacheHit.SEMANTIC);
      assertThat(hit.similarity()).isEqualTo(1.0);
    });
    assertThat(sb.chat(ask("Why cache LLM answers?")).cacheHit()).as("cosine 0.6 < 0.9").isEmpty();
    assertThat(sb.chat(ask("How do I cache LLM answers in Java?")).cacheHit()).as("the guard says no").isEmpty();
    assertThat(lookups).containsSubsequence("exact miss", "semantic hit", "exact miss", "semantic miss");
  }

  @Test
  void theGuardIsGivenTheCandidatesSimilarity() {
    Embedder close = embedder("close", 2, text -> text.endsWith("?") ? new float[] {1, 0} : new float[] {0.8f, 0.6f});
    java.util.List<Double> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    SemanticGuard weighing = new SemanticGuard() {
      @Override
      public boolean allows(String asked, String stored) {
        throw new AssertionError("the cache calls allows(asked, stored, similarity)");
      }

      @Override
      public boolean allows(String asked, String stored, double similarity) {
        seen.add(similarity);
        return similarity > 0.9;
      }
    };
    Switchboard sb = switchboard(ResponseCache.builder().semantic(close, 0.5).guard(weighing).build());
    sb.chat(ask("What is a switchboard?"));
    assertThat(sb.chat(ask("What is a switchboard")).cacheHit()).as("0.8: the guard says no").isEmpty();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
  }

  /** Asks the provider and stores the answer without looking up what is stored. */
  private static ChatRequest storing(String text) {
    return CacheControl.attach(ask(text), CacheControl.NO_CACHE);
  }

  /** Looks up what is stored without storing a miss's answer. */
  private static ChatRequest lookingUp(String text) {
    return CacheControl.attach(ask(text), CacheControl.NO_STORE);
  }

  /** Unit vectors at the angles (in hundredths of a radian) given by the text after the last space. */
  private static final Embedder BY_ANGLE = embedder("by-angle", 2, text -> {
    double angle = Integer.parseInt(text.substring(text.lastIndexOf(' ') + 1)) / 100.0;
    return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
  });

  @Test
  void theGuardIsGivenBothVectors() {
    List<float[]> seen = new CopyOnWriteArrayList<>();
    SemanticGuard reading = new SemanticGuard() {
      @Override
      public boolean allows(String asked, String stored) {
        throw new AssertionError("the cache calls the form with vectors");
      }

      @Override
      public boolean allows(String asked, float[] askedVector, String stored, float[] storedVector, double similarity) {
        seen.add(askedVector);
        seen.add(storedVector);
        return true;
      }
    };
    Switchboard sb = switchboard(ResponseCache.builder().semantic(BY_ANGLE, 0.5).guard(reading).build());
    sb.chat(ask("angle 0"));
    assertThat(sb.chat(ask("angle at 10")).cacheHit()).isPresent();
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).containsExactly((float) Math.cos(0.1), (float) Math.sin(0.1));
    assertThat(seen.get(1)).containsExactly(1f, 0f);
  }

  @Test
  void ambiguityMargin_aNearTieBetweenDifferentAnswersIsAMiss_butNotBetweenEqualAnswers() {
    Switchboard sb = switchboard(ResponseCache.builder().semantic(BY_ANGLE, 0.5).guard(SemanticGuard.NONE)
        .ambiguityMargin(0.01).build());
    sb.chat(storing("stored at 0"));
    sb.chat(storing("stored at 20")); // stored beside it: "answer 2"
    // asked at 10: cos 0.1 to both, a tie: either could be meant
    assertThat(sb.chat(lookingUp("asked at 10")).cacheHit()).as("tie between different answers").isEmpty();
    // asked at 2: cos 0.02 = 0.9998 against cos 0.18 = 0.984 to the other: clear
    assertThat(sb.chat(lookingUp("asked at 2")).text()).isEqualTo("answer 1");

    Switchboard off = switchboard(ResponseCache.builder().semantic(BY_ANGLE, 0.5).guard(SemanticGuard.NONE).build());
    off.chat(storing("stored at 0"));
    off.chat(storing("stored at 20"));
    assertThat(off.chat(lookingUp("asked at 10")).cacheHit()).as("margin 0: the best is served").isPresent();
  }

  @Test
  void ambiguityMargin_nearTiedQuestionsWithTheSameAnswer_areServed() {
    FakeAdapter same = new FakeAdapter("p") {
      @Override
      public CompletableFuture<ChatResponse> chat(ChatRequest request) {
        requests.add(request);
        return CompletableFuture.completedFuture(ChatResponse.builder().id("r").model(request.model())
            .text("the same answer").usage(Usage.of(10, 1)).build());
      }
    };
    Switchboard sb = Switchboard.builder().provider(same).prices(prices).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().semantic(BY_ANGLE, 0.5).guard(SemanticGuard.NONE).ambiguityMargin(0.01).build())
        .build();
    sb.chat(storing("stored at 0"));
    sb.chat(storing("stored at 20"));
    assertThat(sb.chat(lookingUp("asked at 10")).cacheHit()).isPresent();
    assertThat(same.requests).hasSize(2);
  }

  @Test
  void aRouteCanHaveItsOwnGuardAndMargin() {
    SemanticGuard rejectAll = (asked, stored) -> false;
    Switchboard sb = switchboard(ResponseCache.builder().semantic(BY_ANGLE, 0.5).guard(SemanticGuard.NONE)
        .semanticRoute("other-alias", 0.5, rejectAll, 0.0).build());
    sb.chat(storing("stored at 0"));
    sb.chat(storing("stored at 0").withModel("other-alias"));
    assertThat(sb.chat(lookingUp("asked at 1")).cacheHit()).as("the cache's guard").isPresent();
    assertThat(sb.chat(lookingUp("asked at 1").withModel("other-alias")).cacheHit()).as("the route's guard").isEmpty();
  }

  @Test
  void ambiguityMargin_isChecked() {
    assertThatThrownBy(() -> ResponseCache.builder().ambiguityMargin(-0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ambiguityMargin must be within [0, 1)");
  }

  @Test
  void aRouteCanHaveItsOwnThreshold() {
    Embedder close = embedder("close", 2, text -> text.endsWith("?") ? new float[] {1, 0} : new float[] {0.8f, 0.6f});
    Switchboard sb = switchboard(ResponseCache.builder().semantic(close, 0.95).semanticThreshold("fast", 0.75)
        .build());
    sb.chat(ask("What is a switchboard?"));
    assertThat(sb.chat(ask("What is a switchboard")).cacheHit()).as("0.8 >= the route's 0.75").isPresent();
  }

  @Test
  void notStored_errors_toolCalls_sampledAnswers_andContentFilteredOnes() {
    FakeAdapter manual = new FakeAdapter("p");
    Switchboard sb = Switchboard.builder().provider(manual).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().build()).build();

    CompletableFuture<ChatResponse> failed = sb.chatAsync(ask("q"));
    manual.calls.get(0).completeExceptionally(new ServerException("boom", ErrorDetails.of("p", "m")));
    assertThatThrownBy(failed::join).hasCauseInstanceOf(ServerException.class);

    CompletableFuture<ChatResponse> tool = sb.chatAsync(ask("q"));
    manual.calls.get(1).complete(ChatResponse.builder().toolCalls(List.of(ToolCall.of("c1", "search", "{}")))
        .finishReason(FinishReason.TOOL_CALLS).build());
    tool.join();

    CompletableFuture<ChatResponse> filtered = sb.chatAsync(ask("q"));
    manual.calls.get(2).complete(ChatResponse.builder().text("").finishReason(FinishReason.CONTENT_FILTER).build());
    filtered.join();

    ChatRequest sampled = ask("q").toBuilder().temperature(0.7).build();
    CompletableFuture<ChatResponse> first = sb.chatAsync(sampled);
    manual.calls.get(3).complete(FakeAdapter.answer("creative"));
    first.join();
    CompletableFuture<ChatResponse> again = sb.chatAsync(sampled);
    assertThat(manual.calls).as("a sampled request is asked again").hasSize(5);
    manual.calls.get(4).complete(FakeAdapter.answer("creative 2"));
    again.join();

    CompletableFuture<ChatResponse> fourth = sb.chatAsync(ask("q"));
    assertThat(manual.calls).as("nothing was stored for q").hasSize(6);
    manual.calls.get(5).complete(FakeAdapter.answer("plain"));
    assertThat(fourth.join().cacheHit()).isEmpty();
    assertThat(sb.chat(ask("q")).text()).isEqualTo("plain");
  }

  @Test
  void toolCallsAndSampledAnswers_areCachedWhenConfigured() {
    FakeAdapter manual = new FakeAdapter("p");
    Switchboard sb = Switchboard.builder().provider(manual).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().cacheToolCalls(true).cacheSampled(true).build()).build();
    ChatRequest sampled = ask("q").toBuilder().temperature(0.7).build();
    CompletableFuture<ChatResponse> first = sb.chatAsync(sampled);
    manual.calls.get(0).complete(ChatResponse.builder().toolCalls(List.of(ToolCall.of("c1", "search", "{}")))
        .finishReason(FinishReason.TOOL_CALLS).build());
    first.join();
    assertThat(sb.chat(sampled).toolCalls()).extracting(ToolCall::name).containsExactly("search");
    assertThat(manual.calls).hasSize(1);
  }

  @Test
  void cacheControl_skipsReadingOrStoring_andSetsTheTtl() {
    Switchboard sb = switchboard(ResponseCache.builder().ttl(Duration.ofMinutes(10)).ticker(time).build());
    sb.chat(lookingUp("a"));
    assertThat(sb.chat(ask("a")).cacheHit()).as("nothing was stored").isEmpty();
    assertThat(sb.chat(ask("a")).cacheHit()).isPresent();
    ChatResponse refreshed = sb.chat(CacheControl.attach(ask("a"), CacheControl.FORCE_REFRESH));
    assertThat(refreshed.cacheHit()).isEmpty();
    assertThat(sb.chat(ask("a")).text()).as("the refreshed answer replaced the old").isEqualTo(refreshed.text());
    assertThat(sb.chat(CacheControl.attach(ask("a"), CacheControl.BYPASS)).cacheHit()).isEmpty();

    sb.chat(CacheControl.attach(ask("b"), CacheControl.ttl(Duration.ofSeconds(30))));
    time.advance(Duration.ofSeconds(29));
    assertThat(sb.chat(ask("b")).cacheHit()).isPresent();
    time.advance(Duration.ofSeconds(2));
    assertThat(sb.chat(ask("b")).cacheHit()).as("its own 30 s have passed").isEmpty();
    time.advance(Duration.ofMinutes(9));
    assertThat(sb.chat(ask("a")).cacheHit()).as("a's default 10 minutes have not").isPresent();
    time.advance(Duration.ofMinutes(2));
    assertThat(sb.chat(ask("a")).cacheHit()).isEmpty();
  }

  @Test
  void aStreamedMiss_isPassedThroughAndStored_andAHitIsReplayedAsEvents_withTheSameTextAndUsage() {
    FakeAdapter manual = new FakeAdapter("p");
    Switchboard sb = Switchboard.builder().provider(manual).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().replayChunkChars(5).build()).build();

    List<ChatEvent> live = new ArrayList<>();
    try (ChatStream stream = sb.stream(ask("tell me"))) {
      manual.streams.get(0).emit(new ChatEvent.TextDelta("Once upon "));
      manual.streams.get(0).emit(new ChatEvent.TextDelta("a time."));
      manual.streams.get(0).emit(new ChatEvent.UsageReport(Usage.of(12, 4)));
      manual.streams.get(0).emit(new ChatEvent.Completed(ChatResponse.builder().text("Once upon a time.")
          .usage(Usage.of(12, 4)).build()));
      manual.streams.get(0).complete();
      stream.forEach(live::add);
    }
    assertThat(live).hasSize(4);

    List<ChatEvent> replayed = new ArrayList<>();
    try (ChatStream stream = sb.stream(ask("tell me"))) {
      stream.forEach(replayed::add);
    }
    assertThat(manual.streams).as("no second exchange").hasSize(1);
    StringBuilder text = new StringBuilder();
    replayed.stream().filter(e -> e instanceof ChatEvent.TextDelta).forEach(e -> {
      assertThat(((ChatEvent.TextDelta) e).text().length()).isLessThanOrEqualTo(5);
      text.append(((ChatEvent.TextDelta) e).text());
    });
    assertThat(text).hasToString("Once upon a time.");
    assertThat(replayed).filteredOn(e -> e instanceof ChatEvent.UsageReport).singleElement()
        .isEqualTo(new ChatEvent.UsageReport(Usage.of(12, 4)));
    assertThat(replayed.get(replayed.size() - 1)).isInstanceOfSatisfying(ChatEvent.Completed.class,
        c -> assertThat(c.response().cacheHit()).isPresent());
    assertThat(sb.chat(ask("tell me")).text()).as("a stream's answer serves calls too").isEqualTo("Once upon a time.");
  }

  @Test
  void aStreamThatFailsOrIsClosedEarly_isNeverStored() {
    FakeAdapter manual = new FakeAdapter("p");
    Switchboard sb = Switchboard.builder().provider(manual).alias("fast", "p/m")
        .interceptor(ResponseCache.builder().build()).build();
    try (ChatStream stream = sb.stream(ask("x"))) {
      manual.streams.get(0).emit(new ChatEvent.TextDelta("part"));
      manual.streams.get(0).fail(new ServerException("cut", ErrorDetails.of("p", "m")));
      assertThatThrownBy(() -> stream.forEach(e -> { })).isInstanceOf(dev.switchboard.ChatException.class);
    }
    try (ChatStream stream = sb.stream(ask("x"))) {
      manual.streams.get(1).emit(new ChatEvent.TextDelta("part"));
      stream.poll();
    }
    ChatStream third = sb.stream(ask("x"));
    assertThat(manual.streams).as("asked again: nothing partial was stored").hasSize(3);
    third.close();
  }
}
