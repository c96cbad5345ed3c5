package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SwitchboardConfigTest {
  private static final Set<String> TYPES = Set.of("openai", "deepseek", "anthropic", "vllm");

  private static ConfigException problems(String json) {
    return catchThrowableOfType(ConfigException.class,
        () -> SwitchboardConfig.parse("switchboard.json", json, TYPES));
  }

  @Test
  void aGoodFile_readsEverySection() {
    SwitchboardConfig c = SwitchboardConfig.parse("switchboard.json", """
        {
          // comments are allowed
          "providers": {"deepseek": {"type": "deepseek", "apiKeyEnv": "DEEPSEEK_API_KEY"},
                        "openai": {"type": "openai", "timeout": "30s"}},
          "aliases": {"cheap": "deepseek/deepseek-v4-flash", "premium": "openai/gpt-4o", "default": "cheap"},
          "routes": {"ranker": {"models": ["cheap", "premium"]}},
          "cache": {"maximumSize": 500, "ttl": "10m", "semantic": {"threshold": 0.85}},
          "budgets": [{"name": "org", "scope": "global", "period": "month", "limit": 5000},
                      {"name": "team", "scope": "label:team", "period": "DAY", "limit": 50, "limits": {"search": 200}}],
          "prices": {"openai/gpt-4o": {"input": 2.0, "output": 8.0}}
        }""", TYPES);
    assertThat(c.providers().keySet()).containsExactly("deepseek", "openai");
    assertThat(c.providers().get("openai").settings().duration("timeout")).hasValue(java.time.Duration.ofSeconds(30));
    assertThat(c.routes().get("ranker").models()).containsExactly("cheap", "premium");
    assertThat(c.cache()).hasValueSatisfying(cache -> {
      assertThat(cache.maximumSize()).isEqualTo(500);
      assertThat(cache.ttl()).hasMinutes(10);
      assertThat(cache.semanticThreshold()).hasValue(0.85);
    });
    assertThat(c.budgets()).extracting(b -> b.name()).containsExactly("org", "team");
    assertThat(c.budgets().get(1).limitFor("search")).hasValueSatisfying(l -> assertThat(l).isEqualByComparingTo("200"));
    assertThat(c.prices().price("openai/gpt-4o").orElseThrow().input()).isEqualByComparingTo("2");
    assertThat(c.prices().price("anthropic/claude-3-haiku")).as("bundled prices stay").isPresent();
  }

  @Test
  void everyProblemIsReported_namingItsPlace_withTheClosestName() {
    ConfigException e = problems("""
        {
          "providers": {"deepseek": {"type": "deepseek"}, "openai": {"type": "opneai"},
                        "leaky": {"type": "openai", "apiKey": "sk-123"}},
          "aliases": {"cheap": "deepseak/v4-flash", "loop": "loop2", "loop2": "loop"},
          "routes": {"ranker": {"models": ["cheap", "deepseak/deepseek-v4-pro"], "tier": 1},
                     "deepseek": {"models": ["cheap"]}},
          "cache": {"ttl": "soon", "semantic": {"threshold": 1.5}},
          "budgets": [{"name": "org", "scope": "planet", "period": "DAY", "limit": 1},
                      {"name": "x", "scope": "global", "period": "fortnight", "limit": 1}],
          "routs": {}
        }""");
    assertThat(e.problems()).contains(
        "routs: unknown section \u2014 did you mean \"routes\"?; known: [aliases, budgets, cache, prices, providers, routes]",
        "providers.openai.type: unknown provider type \"opneai\" \u2014 did you mean \"openai\"?; known: "
            + "[anthropic, deepseek, openai, vllm]",
        "providers.leaky.apiKey: keys do not belong in files; put the key in an environment variable and name the "
            + "variable in \"apiKeyEnv\"",
        "aliases.cheap: unknown provider \"deepseak\" \u2014 did you mean \"deepseek\"?",
        "aliases.loop: a cycle: loop -> loop2 -> loop",
        "routes.ranker.models[1]: unknown provider \"deepseak\" \u2014 did you mean \"deepseek\"?",
        "routes.ranker.tier: unknown setting; a route has \"models\", or \"tiers\" with \"default\" and \"minConfidence\"",
        "routes.deepseek: named like a provider; give the route another name",
        "cache.ttl: not a duration like 30s, 500ms, 2m, 1h or PT30S: soon",
        "cache.semantic.threshold: a cosine similarity within (0, 1], e.g. 0.8; got 1.5",
        "budgets[0].scope: one of global, tenant, user, route or label:<key>; got \"planet\"",
        "budgets[1].period: one of HOUR, DAY, WEEK, MONTH or TOTAL; got \"fortnight\"");
    assertThat(e.getMessage()).startsWith("switchboard.json: ").doesNotContain("sk-123");
  }

  @Test
  void brokenJson_saysWhere() {
    assertThat(problems("{\"providers\": {\"a\": {\"type\": \"openai\",}}").getMessage())
        .startsWith("switchboard.json: not valid JSON").contains("line 1");
  }

  @Test
  void noProviders_saysWhatToWrite() {
    assertThat(problems("{}").problems()).singleElement().asString().startsWith("providers: missing; name at least one");
  }

  @Test
  void tieredRoutes_areCheckedTierByTier_withTheIssuesExactMessage() {
    ConfigException e = problems("""
        {"providers": {"deepseek": {"type": "deepseek"}, "openai": {"type": "openai"}},
         "routes": {"ranker": {"tiers": [
             {"name": "simple", "minScore": 0, "model": "deepseek/deepseek-v4-flash"},
             {"name": "complex", "minScore": 0.6, "model": "deepseak/deepseek-v4-pro"}]}}}""");
    assertThat(e.problems()).containsExactly(
        "routes.ranker.tiers[1].model: unknown provider \"deepseak\" \u2014 did you mean \"deepseek\"?");
  }

  @Test
  void aTieredRoute_sendsEachRequestToItsTier() {
    SwitchboardConfig c = SwitchboardConfig.parse("switchboard.json", """
        {"providers": {"deepseek": {"type": "deepseek"}, "openai": {"type": "openai"}},
         "routes": {"ranker": {"tiers": [
             {"name": "simple", "minScore": 0, "model": "deepseek/deepseek-v4-flash"},
             {"name": "complex", "minScore": 0.5, "model": "openai/gpt-4o", "fallbacks": ["deepseek/deepseek-v4-pro"]}],
           "default": "simple", "minConfidence": 0}}}""", TYPES);
    var router = c.routes().get("ranker").tiered().orElseThrow();
    var easy = router.decide(dev.switchboard.ChatRequest.of("ranker", "hi"));
    assertThat(easy.tier()).hasValue("simple");
    assertThat(easy.candidates().modelStrings()).containsExactly("deepseek/deepseek-v4-flash");
    String hard = "Compare these two algorithms step by step, then prove which is faster and write the code:\n"
        + "```python\ndef f(n):\n    return sum(i*i for i in range(n))\n```\n" + "Explain why. ".repeat(40);
    assertThat(router.decide(dev.switchboard.ChatRequest.of("ranker", hard)).candidates().modelStrings())
        .containsExactly("openai/gpt-4o", "deepseek/deepseek-v4-pro");
  }
}
