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
import dev.switchboard.route.ComplexityScorer.Score;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TieredRouterTest {
  /** Scores a request by the number written as its last user message: "0.81" scores 0.81. */
  private static final ComplexityScorer BY_TEXT = request -> {
    String text = request.messages().get(request.messages().size() - 1).text();
    return text.startsWith("low ") ? new Score(0.9, Double.parseDouble(text.substring(4)))
        : Score.of(Double.parseDouble(text));
  };

  private static TieredRouter.Builder fourTiers(ComplexityScorer scorer) {
    return TieredRouter.builder().scorer(scorer)
        .tier("simple", 0, "cheap/mini")
        .tier("medium", 0.35, "mid/chat", "cheap/mini")
        .tier("complex", 0.6, "premium/big", "mid/chat")
        .tier("reasoning", 0.85, "premium/thinker", "premium/big")
        .defaultTier("medium");
  }

  private static Router.Decision decide(TieredRouter router, String text) {
    return router.decide(ChatRequest.of("auto", text));
  }

  @Test
  void decide_picksTheHighestTierTheScoreReaches_andSaysWhy() {
    TieredRouter router = fourTiers(BY_TEXT).build();

    assertThat(decide(router, "0.1").candidates().modelStrings()).containsExactly("cheap/mini");
    assertThat(decide(router, "0.35").candidates().modelStrings()).containsExactly("mid/chat", "cheap/mini");
    assertThat(decide(router, "0.5999").candidates().modelStrings()).containsExactly("mid/chat", "cheap/mini");
    Router.Decision complex = decide(router, "0.81");
    assertThat(complex.candidates().modelStrings()).containsExactly("premium/big", "mid/chat");
    assertThat(complex.reason()).isEqualTo("tiered: complex (score 0.81)");
    assertThat(decide(router, "1").reason()).isEqualTo("tiered: reasoning (score 1.00)");
    assertThat(decide(router, "0.03").reason()).isEqualTo("tiered: simple (score 0.03)");
    assertThat(decide(router, "0.81")).as("a pure function").isEqualTo(complex);
  }

  @Test
  void abstains_toTheDefaultTier_onLowConfidence() {
    TieredRouter router = fourTiers(BY_TEXT).minConfidence(0.5).build();

    Router.Decision d = decide(router, "low 0.2");

    assertThat(d.candidates().modelStrings()).containsExactly("mid/chat", "cheap/mini");
    assertThat(d.reason()).isEqualTo("tiered: medium (abstained: confidence 0.20 < 0.50)");
    assertThat(decide(router, "low 0.5").reason()).as("at the minimum it decides")
        .isEqualTo("tiered: reasoning (score 0.90)");
    TieredRouter.Choice choice = router.choose(ChatRequest.of("auto", "low 0.2"));
    assertThat(choice.abstained()).isTrue();
    assertThat(choice.tier().name()).isEqualTo("medium");
    assertThat(choice.score()).isEqualTo(0.9);
    assertThat(choice.confidence()).isEqualTo(0.2);
  }

  @Test
  void abstains_toTheDefaultTier_whenTheScorerThrowsOrGivesNothing() {
    TieredRouter failing = fourTiers(request -> {
      throw new IllegalStateException("model file not loaded");
    }).build();
    TieredRouter outOfRange = fourTiers(request -> Score.of(1.5)).build();
    TieredRouter silent = fourTiers(request -> null).build();

    assertThat(decide(failing, "anything").reason())
        .isEqualTo("tiered: medium (abstained: scorer failed: IllegalStateException)");
    assertThat(decide(outOfRange, "anything").reason())
        .isEqualTo("tiered: medium (abstained: scorer failed: IllegalArgumentException)");
    assertThat(decide(silent, "anything").reason()).isEqualTo("tiered: medium (abstained: no score)");
    assertThat(failing.choose(ChatRequest.of("auto", "x")).score()).isNaN();
  }

  @Test
  void heuristic_routesPlainChatLow_andAHardTaskHigh() {
    TieredRouter router = TieredRouter.builder().scorer(ComplexityScorer.heuristic())
        .tier("simple", 0, "cheap/mini").tier("complex", 0.5, "premium/big").defaultTier("simple").build();

    TieredRouter.Choice hi = router.choose(ChatRequest.of("auto", "hi there"));
    TieredRouter.Choice hard = router.choose(ChatRequest.of("auto", "First, write a Python function that solves "
        + "x^2 + 3x - 4 = 0 step by step. Then compare the numeric and symbolic approaches: pros and cons?\n"
        + "```python\ndef solve(a, b, c):\n    return (-b + (b * b - 4 * a * c) ** 0.5) / (2 * a)\n```"));

    assertThat(hi.tier().name()).isEqualTo("simple");
    assertThat(hard.tier().name()).isEqualTo("complex");
    assertThat(hard.reason()).matches("tiered: complex \\(score 0\\.\\d\\d\\)");
  }

  @Test
  void live_theTiersModelGoesFirst_andFallbackWalksTheTier() {
    ManualTime time = new ManualTime();
    FakeAdapter premium = new FakeAdapter("premium");
    FakeAdapter mid = new FakeAdapter("mid");
    FakeAdapter cheap = new FakeAdapter("cheap");
    Switchboard sb = Switchboard.builder().provider(premium).provider(mid).provider(cheap)
        .ticker(time).scheduler(time)
        .interceptor(fourTiers(BY_TEXT).build().interceptor())
        .interceptor(Fallback.builder().build())
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("auto", "0.7"));
    assertThat(premium.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("big"));
    premium.calls.get(0).completeExceptionally(new ServerException("down", ErrorDetails.builder()
        .provider("premium").model("big").statusCode(503).retryable(true).build()));
    assertThat(mid.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("chat"));
    mid.calls.get(0).complete(FakeAdapter.answer("ok"));

    assertThat(f.join().attempts()).extracting(a -> a.provider() + " " + a.failure().orElse("ok"))
        .containsExactly("premium ServerException", "mid ok");
    assertThat(cheap.requests).isEmpty();
  }

  @Test
  void build_namesTheFieldAtFault() {
    assertThatThrownBy(() -> TieredRouter.builder().tier("a", 0, "x/y").defaultTier("a").build())
        .hasMessageStartingWith("TieredRouter.scorer is required");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).defaultTier("a").build())
        .hasMessageStartingWith("TieredRouter.tier is required");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0.1, "x/y").defaultTier("a").build())
        .hasMessage("TieredRouter.tier(\"a\", 0.1): the first tier starts at 0");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, "x/y").tier("b", 0.5, "x/z")
        .tier("c", 0.5, "x/w").defaultTier("a").build())
        .hasMessage("TieredRouter.tier(\"c\", 0.5): each tier starts above the one before (\"b\" starts at 0.5)");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, "x/y").tier("a", 0.5, "x/z")
        .defaultTier("a").build()).hasMessageContaining("tier names must be unique");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, "x/y").build())
        .hasMessage("TieredRouter.defaultTier is required: the tier a request goes to when the scorer abstains or "
            + "fails, one of [a]");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, "x/y").defaultTier("b").build())
        .hasMessageStartingWith("TieredRouter.defaultTier \"b\" is not a tier");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, " "))
        .hasMessage("TieredRouter.tier(\"a\"): a model string is blank");
    assertThatThrownBy(() -> TieredRouter.builder().scorer(BY_TEXT).tier("a", 0, "x/y").defaultTier("a")
        .minConfidence(2).build()).hasMessage("TieredRouter.minConfidence must be within [0, 1], got 2.0");
  }

  @Test
  void score_isValidated() {
    assertThatThrownBy(() -> Score.of(Double.NaN)).hasMessage("Score.value must be within [0, 1], got NaN");
    assertThatThrownBy(() -> new Score(0.5, -0.1)).hasMessage("Score.confidence must be within [0, 1], got -0.1");
  }

  @Test
  void calibrate_putsTheLineBetweenTheLastScoreInAndTheFirstOut() {
    double[] scores = {0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 1.0, 0.4, 0.8, 0.6};

    // sorted: 0.1 .. 1.0; 20% of 10 = the top 2 (1.0 and 0.9); halfway between 0.9 and 0.8
    assertThat(TieredRouter.calibrate(scores, 0.2)).isCloseTo(0.85, org.assertj.core.data.Offset.offset(1e-12));
    // 25% of 10 rounds to 3 (HALF_UP of 2.5): 1.0, 0.9, 0.8 in; the line halfway to 0.7
    assertThat(TieredRouter.calibrate(scores, 0.25)).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(TieredRouter.calibrate(scores, 0)).as("nothing reaches it").isGreaterThan(1.0);
    assertThat(TieredRouter.calibrate(scores, 1)).as("everything reaches it").isEqualTo(0);
    assertThat(scores[0]).as("the input is not sorted in place").isEqualTo(0.5);
    // a tie across the line: 0.7 four times, 2 wanted in; all four tied scores are in
    assertThat(TieredRouter.calibrate(new double[] {0.1, 0.7, 0.7, 0.7, 0.7, 0.2}, 1.0 / 3)).isEqualTo(0.7);
    assertThatThrownBy(() -> TieredRouter.calibrate(scores, 1.2))
        .hasMessage("premiumShare must be within [0, 1], got 1.2");
    assertThatThrownBy(() -> TieredRouter.calibrate(new double[0], 0.2))
        .hasMessage("calibrate needs at least one score");
  }
}
