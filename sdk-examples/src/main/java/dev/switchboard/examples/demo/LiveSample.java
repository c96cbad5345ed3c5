package dev.switchboard.examples.demo;

import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.Switchboard;
import dev.switchboard.cost.CostLedger;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.providers.openai.Vendor;
import java.util.Locale;

/**
 * {@code demo --live}: a small sample of the day through the story's setup against real providers,
 * when their keys are in the environment: OPENAI_API_KEY for the premium model (gpt-4o), and
 * DEEPSEEK_API_KEY for the cheap one (deepseek-chat), else gpt-4o-mini stands in for it.
 */
final class LiveSample {
  private LiveSample() {}

  static int run(RankingTraffic sample) {
    if (System.getenv("OPENAI_API_KEY") == null || System.getenv("OPENAI_API_KEY").isBlank()) {
      System.err.println("demo --live needs OPENAI_API_KEY (and, for the cheap model, DEEPSEEK_API_KEY); "
          + "without keys run the demo offline: no argument");
      return 2;
    }
    boolean deepseek = System.getenv("DEEPSEEK_API_KEY") != null && !System.getenv("DEEPSEEK_API_KEY").isBlank();
    Switchboard.Builder b = Switchboard.builder().provider(OpenAiProvider.fromEnv());
    if (deepseek) {
      b.provider(OpenAiProvider.fromEnv(Vendor.DEEPSEEK));
    }
    CostLedger ledger = new CostLedger();
    b.listener(ledger);
    String cheap = deepseek ? "deepseek/deepseek-chat" : "openai/gpt-4o-mini";
    CostCuttingDemo.storySetup(b, cheap, "openai/gpt-4o", CostCuttingDemo.threshold(sample));
    try (Switchboard llm = b.build()) {
      for (RankingTraffic.Request r : sample.requests()) {
        long start = System.nanoTime();
        ChatResponse response = llm.chat(CostCuttingDemo.request(r, "ranker"));
        System.out.printf(Locale.ROOT, "%-28s %6d ms  %-14s %s%n", response.provider() + "/" + response.model(),
            (System.nanoTime() - start) / 1_000_000, response.cacheHit().map(h -> h.cache() + " hit").orElse(
                response.cost().toString()), r.text().substring(0, Math.min(50, r.text().length())));
      }
    }
    Cost total = ledger.total();
    System.out.printf(Locale.ROOT, "%nlive sample: %d requests, %s spent, %s saved by the cache, %s on gpt-4o alone%n",
        sample.requests().size(), total, ledger.saved(), ledger.onBaseline(dev.switchboard.cost.PriceCatalog.bundled()
            .price("openai/gpt-4o").orElseThrow()));
    return 0;
  }
}
