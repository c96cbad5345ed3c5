package dev.switchboard.examples;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.cost.CostLedger;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.observe.MicrometerMetrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Asks a few questions through Switchboard — offline against the testkit's emulator, live when
 * API keys are set — and shows what each cost, what the same answers would have cost on GPT-4o,
 * and the GenAI metrics they produced. With {@code --serve-metrics[=port]} it keeps serving them
 * for Prometheus at {@code http://127.0.0.1:port/metrics} (default 9464) until Enter.
 */
public final class QuickStart {
  private static final String[] QUESTIONS = {
    "In one sentence: why route LLM traffic by cost?",
    "In one sentence: when is a premium model worth it?",
    "In one sentence: what does a semantic cache save?",
  };

  public static void main(String[] args) throws Exception {
    int servePort = -1;
    for (String arg : args) {
      if (arg.equals("--serve-metrics")) {
        servePort = 9464;
      } else if (arg.startsWith("--serve-metrics=")) {
        servePort = Integer.parseInt(arg.substring("--serve-metrics=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument '" + arg + "'; known: --serve-metrics[=port]");
      }
    }
    CostLedger ledger = new CostLedger();
    try (MetricsEndpoint metrics = MetricsEndpoint.start(Math.max(servePort, 0));
        DemoEndpoint endpoint = DemoEndpoint.fromEnvOrEmulator();
        Switchboard llm = Switchboard.builder().provider(endpoint.provider()).alias("fast", endpoint.model())
            .listener(ledger).listener(MicrometerMetrics.of(metrics.registry())).build()) {
      for (String question : QUESTIONS) {
        ChatResponse answer = llm.chat(ChatRequest.of("fast", question));
        System.out.println(answer.text());
        System.out.println("-- " + answer.provider() + "/" + answer.model() + ", " + answer.usage() + ", "
            + answer.cost());
      }
      CostLedger.Savings savings = ledger.savings(PriceCatalog.bundled().price("openai/gpt-4o").orElseThrow());
      System.out.printf("%nSpent $%s; the same answers on openai/gpt-4o: $%s (%.0f%% saved)%n",
          savings.actual().total().stripTrailingZeros().toPlainString(),
          savings.baseline().total().stripTrailingZeros().toPlainString(), savings.percent());
      System.out.println("\nGenAI metrics (Prometheus):");
      metrics.registry().scrape().lines()
          .filter(l -> l.startsWith("gen_ai_client_operation_duration_seconds_count")
              || l.startsWith("gen_ai_client_token_usage_sum") || l.startsWith("switchboard_cost_usd_total"))
          .forEach(l -> System.out.println("  " + l));
      if (servePort >= 0) {
        System.out.println("\nServing " + metrics.url() + " (Grafana: grafana/switchboard-dashboard.json); "
            + "press Enter to stop");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      }
    }
  }
}
