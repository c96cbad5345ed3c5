package dev.switchboard.examples;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.route.ComplexityScorer;
import dev.switchboard.route.TieredRouter;
import dev.switchboard.testkit.OpenAiEmulator;

/** Easy requests go to the cheap model, hard ones to the premium model; the response says why. */
public final class TieredRoutingExample {
  public static void main(String[] args) {
    try (OpenAiEmulator cheap = OpenAiEmulator.start(); OpenAiEmulator premium = OpenAiEmulator.start()) {
      TieredRouter router = TieredRouter.builder().scorer(ComplexityScorer.heuristic())
          .tier("simple", 0, "deepseek/deepseek-v4-flash")
          .tier("complex", 0.35, "openai/gpt-4o", "deepseek/deepseek-v4-pro")
          .defaultTier("simple").minConfidence(0).build();
      try (Switchboard llm = Switchboard.builder()
          .provider(OpenAiProvider.builder().name("deepseek").baseUrl(cheap.baseUrl()).build())
          .provider(OpenAiProvider.builder().name("openai").baseUrl(premium.baseUrl()).build())
          .interceptor(router.interceptor()).interceptor(Fallback.builder().build()).build()) {
        for (String q : new String[] {"What is a 429?",
            "Compare token-bucket and leaky-bucket rate limiting step by step, then prove which one keeps p99 "
                + "latency lower under bursts of 10x traffic, and write the Java code for the better one."}) {
          ChatResponse r = llm.chat(ChatRequest.of("auto", q));
          System.out.println(r.provider() + "/" + r.model() + "  <- " + r.routing().map(c -> c.reason()).orElse("")
              + "  : " + q.substring(0, Math.min(40, q.length())));
        }
      }
    }
  }
}
