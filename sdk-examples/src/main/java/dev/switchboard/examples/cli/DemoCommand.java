package dev.switchboard.examples.cli;

import dev.switchboard.examples.demo.CostCuttingDemo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchboard demo}: the cost-cutting demo (docs/demo.md), the README's first command. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Replay a day of ranking traffic through all-premium and through Switchboard as in the story, "
        + "against simulated providers; print the before/after table and write the HTML report.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "10000", description = "Requests in the day (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--out", defaultValue = "target/demo", description = "Where the report and ledger go.")
  String out;

  @Option(names = "--live", description = "Run 20 requests against real providers (needs OPENAI_API_KEY).")
  boolean live;

  @Option(names = "--serve-metrics", arity = "0..1", fallbackValue = "9464", paramLabel = "PORT",
      description = "Keep serving the after run's Prometheus metrics on this port until Enter.")
  Integer metricsPort;

  @Override
  public Integer call() throws Exception {
    List<String> args = new ArrayList<>(List.of("--requests=" + requests, "--out=" + out));
    if (live) {
      args.add("--live");
    }
    if (metricsPort != null) {
      args.add("--serve-metrics=" + metricsPort);
    }
    CostCuttingDemo.main(args.toArray(String[]::new));
    return 0;
  }
}
