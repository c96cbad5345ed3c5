package dev.switchboard.cost;

import dev.switchboard.Cost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.Usage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Costs computed by hand, for catalog prices, overrides, a LiteLLM import and a self-hosted route. */
class CostTest {

  private static BigDecimal dollars(String v) {
    return new BigDecimal(v);
  }

  @Test
  void openAiStyleUsage_withCachedAndReasoningTokens() {
    ModelPrice o3mini = PriceCatalog.bundled().price("openai/o3-mini").orElseThrow();
    // 10,000 input of which 4,000 cached; 2,000 output of which 1,500 reasoning (billed as output)
    Usage usage = Usage.builder().inputTokens(10_000).cachedInputTokens(4_000).outputTokens(2_000)
        .reasoningTokens(1_500).build();

    Cost cost = o3mini.cost(usage);

    // 6,000 × $1.10 + 4,000 × $0.55 + 500 × $4.40 + 1,500 × $4.40, per million
    assertThat(cost.input()).isEqualByComparingTo("0.0066");
    assertThat(cost.cachedInput()).isEqualByComparingTo("0.0022");
    assertThat(cost.output()).isEqualByComparingTo("0.0022");
    assertThat(cost.reasoning()).isEqualByComparingTo("0.0066");
    assertThat(cost.total()).isEqualByComparingTo("0.0176");
    assertThat(cost.estimated()).isFalse();
  }

  @Test
  void anthropicStyleUsage_cacheReadsAndWritesBesideTheInput_asTheAdapterNormalizesIt() {
    ModelPrice sonnet = PriceCatalog.bundled().price("anthropic/claude-sonnet-4-5").orElseThrow();
    // Anthropic reports input_tokens 200, cache_read 800, cache_creation 100, output 50; the adapter sums input to 1,100
    Usage usage = Usage.builder().inputTokens(1_100).cachedInputTokens(800).cacheWriteInputTokens(100)
        .outputTokens(50).build();

    Cost cost = sonnet.cost(usage);

    // 200 × $3 + 800 × $0.30 + 100 × $3.75 + 50 × $15, per million = $0.001965
    assertThat(cost.total()).isEqualByComparingTo("0.001965");
    assertThat(cost.cacheWriteInput()).isEqualByComparingTo("0.000375");
  }

  @Test
  void catalog_knowsTheStorysModels_datedAndSourced_andAnthropicsDatedNames() {
    PriceCatalog catalog = PriceCatalog.bundled();
    assertThat(catalog.price("deepseek/deepseek-v4-flash").orElseThrow()).isEqualTo(ModelPrice.builder().input(0.27)
        .output(1.10).contextWindow(128_000).build());
    assertThat(catalog.price("openai/gpt-4o").orElseThrow().input()).isEqualByComparingTo("2.50");
    assertThat(catalog.price("qwen/qwen3-32b").orElseThrow().contextWindow()).hasValue(32_768);
    assertThat(catalog.price("anthropic/claude-3-haiku-20240307")).as("release date stripped").isPresent();
    assertThat(catalog.price("gpt-4o")).as("bare model name").isPresent();
    assertThat(catalog.price("nobody/unknown-model")).isEmpty();
    catalog.prices().values().forEach(p -> {
      assertThat(p.source()).isPresent();
      assertThat(p.asOf()).isPresent();
    });
  }

  @Test
  void override_aNegotiatedRateReplacesTheCatalogs() {
    PriceCatalog negotiated = PriceCatalog.bundled().toBuilder()
        .price("openai/gpt-4o", ModelPrice.builder().input(2.00).cachedInput(1.00).output(8.00).build()).build();
    Usage usage = Usage.builder().inputTokens(1_000_000).cachedInputTokens(500_000).outputTokens(100_000).build();

    // 500,000 × $2 + 500,000 × $1 + 100,000 × $8, per million = $2.30 (the list price would be $2.50)
    assertThat(negotiated.price("openai/gpt-4o").orElseThrow().cost(usage).total()).isEqualByComparingTo("2.30");
    assertThat(PriceCatalog.bundled().price("openai/gpt-4o").orElseThrow().cost(usage).total())
        .isEqualByComparingTo("2.875");
  }

  @Test
  void liteLlmImport_pricesPerTokenBecomePerMillion_unknownFieldsAndNonChatEntriesAreSkipped() {
    String json = "{\"sample_spec\":{\"input_cost_per_token\":0,\"output_cost_per_token\":0,\"litellm_provider\":"
        + "\"one of...\"},\"gpt-4o\":{\"max_input_tokens\":128000,\"max_output_tokens\":16384,"
        + "\"input_cost_per_token\":2.5e-06,\"output_cost_per_token\":1e-05,\"cache_read_input_token_cost\":1.25e-06,"
        + "\"litellm_provider\":\"openai\",\"mode\":\"chat\",\"supports_vision\":true,\"future_field\":{\"x\":1}},"
        + "\"dall-e-3\":{\"output_cost_per_image\":0.04,\"litellm_provider\":\"openai\"},"
        + "\"deepseek/deepseek-reasoner\":{\"input_cost_per_token\":5.5e-07,\"output_cost_per_token\":2.19e-06,"
        + "\"output_cost_per_reasoning_token\":2.19e-06,\"litellm_provider\":\"deepseek\"}}";
    PriceCatalog imported = PriceCatalog.fromLiteLlm(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));

    ModelPrice gpt4o = imported.price("openai/gpt-4o").orElseThrow();
    assertThat(gpt4o.input()).isEqualByComparingTo("2.5");
    assertThat(gpt4o.cachedInput()).isEqualByComparingTo("1.25");
    assertThat(gpt4o.contextWindow()).hasValue(128_000);
    assertThat(imported.price("dall-e-3")).isEmpty();
    assertThat(imported.price("deepseek/deepseek-reasoner").orElseThrow().reasoning()).isEqualByComparingTo("2.19");
    // 1,000 input + 1,000 output at $2.50 / $10 = $0.0125
    assertThat(gpt4o.cost(Usage.of(1_000, 1_000)).total()).isEqualByComparingTo("0.0125");
    assertThatThrownBy(() -> PriceCatalog.fromLiteLlm(new ByteArrayInputStream("[1]".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a LiteLLM price catalog");
  }

  @Test
  void liteLlmImport_ofThePublicCatalog_agreesWithTheBundledRows() throws Exception {
    Path file = Path.of("..", "..", "shared", "data", "pricing", "model_prices_and_context_window.json");
    if (!Files.exists(file)) {
      file = Path.of("..", "shared", "data", "pricing", "model_prices_and_context_window.json");
    }
    assumeTrue(Files.exists(file), "../shared/data/pricing is absent: the public LiteLLM catalog import is skipped");
    PriceCatalog imported;
    try (InputStream in = Files.newInputStream(file)) {
      imported = PriceCatalog.fromLiteLlm(in);
    }
    assertThat(imported.size()).isGreaterThan(1_000);
    for (String model : new String[] {"openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-haiku-4-5",
        "anthropic/claude-sonnet-4-5", "openai/gpt-4.1", "openai/gpt-5-mini", "openai/o4-mini",
        "deepseek/deepseek-chat", "anthropic/claude-opus-4-1"}) {
      ModelPrice ours = PriceCatalog.bundled().price(model).orElseThrow();
      ModelPrice theirs = imported.price(model).orElseThrow();
      assertThat(theirs.input()).as(model + " input").isEqualByComparingTo(ours.input());
      assertThat(theirs.output()).as(model + " output").isEqualByComparingTo(ours.output());
      assertThat(theirs.cachedInput()).as(model + " cached input").isEqualByComparingTo(ours.cachedInput());
    }
  }

  @Test
  void selfHostedRoute_isCostedLikeAnyApi() {
    // 2 GPUs at $2/h producing 2,000 tokens/s at 50 % utilization: $4 per 3.6M tokens = $1.111... per million
    ModelPrice own = ModelPrice.selfHosted(2.0, 2, 2_000, 0.5);
    assertThat(own.input()).isEqualByComparingTo(own.output());
    assertThat(own.input().setScale(6, java.math.RoundingMode.HALF_UP)).isEqualByComparingTo("1.111111");
    // 900,000 tokens at that price = $1.00
    assertThat(own.cost(Usage.of(450_000, 450_000)).total().setScale(6, java.math.RoundingMode.HALF_UP))
        .isEqualByComparingTo("1.000000");
    assertThatThrownBy(() -> ModelPrice.selfHosted(2.0, 2, 2_000, 0)).hasMessageContaining("utilization in (0, 1]");
  }

  @Test
  void estimate_beforeTheCall_expectedAndWorstCase() {
    ModelPrice gpt4o = PriceCatalog.bundled().price("openai/gpt-4o").orElseThrow();
    // one user message of 396 characters: (4 + 396 + 3) / 4 = 100 input tokens
    dev.switchboard.ChatRequest bounded = dev.switchboard.ChatRequest.builder().model("openai/gpt-4o")
        .user("x".repeat(396)).maxOutputTokens(1_000).build();

    CostEstimate e = gpt4o.estimate(bounded);

    assertThat(e.inputTokens()).isEqualTo(100);
    assertThat(e.expectedOutputTokens()).isEqualTo(256);
    assertThat(e.maxOutputTokens()).isEqualTo(1_000);
    // 100 × $2.50 + 256 × $10 = $0.00281; worst 100 × $2.50 + 1,000 × $10 = $0.01025
    assertThat(e.expected()).isEqualByComparingTo("0.00281");
    assertThat(e.worstCase()).isEqualByComparingTo("0.01025");

    dev.switchboard.ChatRequest open = bounded.toBuilder().maxOutputTokens(null).build();
    assertThat(gpt4o.estimate(open).maxOutputTokens()).as("the model's output limit").isEqualTo(16_384);
    assertThat(ModelPrice.of(1, 1).estimate(open).maxOutputTokens()).isEqualTo(ModelPrice.UNBOUNDED_OUTPUT_TOKENS);
  }

  @Test
  void estimatedUsage_givesAnEstimatedCost() {
    Cost c = ModelPrice.of(1, 2).cost(Usage.builder().inputTokens(1_000).outputTokens(1_000).estimated(true).build());
    assertThat(c.estimated()).isTrue();
    assertThat(c.total()).isEqualByComparingTo(dollars("0.003"));
    assertThat(c.plus(Cost.ZERO)).isEqualTo(c);
    assertThat(c.toString()).isEqualTo("Cost[$0.003, estimated]");
  }

  @Test
  void pricesFromAConfigFile_overrideTheBundledOnes_andABadRowNamesItsPlace() {
    String config = "{\"models\": [{\"model\": \"openai/gpt-4o\", \"input\": 2.00, \"output\": 8.00,"
        + " \"source\": \"contract\"}, {\"model\": \"vllm/llama\", \"input\": 0.1, \"output\": 0.1}]}";
    PriceCatalog prices = PriceCatalog.bundled().toBuilder()
        .putAll(PriceCatalog.fromJson(new java.io.ByteArrayInputStream(config.getBytes(
            java.nio.charset.StandardCharsets.UTF_8))))
        .build();
    // 1M input at the negotiated $2.00, 1M output at $8.00
    assertThat(prices.price("openai/gpt-4o").orElseThrow().cost(Usage.of(1_000_000, 1_000_000)).total())
        .isEqualByComparingTo("10");
    assertThat(prices.price("vllm/llama")).isPresent();
    assertThat(prices.price("anthropic/claude-3-haiku")).as("the rest of the bundled catalog stays").isPresent();

    String bad = "{\"models\": [{\"model\": \"a/b\", \"input\": 1, \"output\": 1},"
        + " {\"model\": \"c/d\", \"input\": 1, \"output\": \"cheap\"}]}";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PriceCatalog.fromJson(new java.io.ByteArrayInputStream(
        bad.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("models[1].output ('c/d'): not a number: \"cheap\"");
  }
}
