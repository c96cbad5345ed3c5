package dev.switchboard.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.eval.RouterEvaluation;
import dev.switchboard.eval.RoutingCurve;
import dev.switchboard.eval.RoutingTable;
import dev.switchboard.route.ComplexityModel;
import dev.switchboard.route.ComplexityScorer;
import dev.switchboard.route.TieredRouter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard router-eval}: trains a {@link ComplexityModel} on RouterBench's train split
 * (ARC-Challenge, MBPP, Winogrande) with the label "GPT-4 beats Mixtral-8x7B", calibrates it to a
 * premium share on a slice of train held out from its training (the {@link
 * ComplexityScorer#heuristic() heuristic}, which learns nothing, on all of train), and measures both, beside random routing and the oracle, on RouterBench's
 * test split (pooled and per benchmark) and on arena_bench_v1 whole (GPT-4 against GPT-3.5-Turbo
 * and against Mixtral). Writes {@code router-eval.md}, {@code router-eval.json}, one SVG chart per
 * evaluation and the trained {@code complexity-model.json} to {@code --out}.
 *
 * <p>Not thread-safe: picocli fills its fields for one run.
 */
@Command(name = "router-eval", sortOptions = false, showDefaultValues = true,
    description = "Offline router evaluation: train and calibrate complexity scorers on RouterBench train, report "
        + "APGR, CPT and cost cuts on RouterBench test and arena_bench_v1.",
    footerHeading = "%nExample (from sdk-examples, where the demo profile runs):%n",
    footer = "  switchboard router-eval --data ../../shared/data/routing --out target/router-eval")
public final class RouterEvalCommand implements Callable<Integer> {
  static final String GPT4 = "gpt-4-1106-preview";
  static final String MIXTRAL_ROUTERBENCH = "mistralai/mixtral-8x7b-chat";
  static final String GPT35_ARENA = "gpt-3.5-turbo";
  static final String MIXTRAL_ARENA = "mistralai/Mixtral-8x7B-Instruct-v0.1";
  static final List<String> ROUTERBENCH_FILES = List.of("routerbench_arc_challenge.csv", "routerbench_mbpp.csv",
      "routerbench_winogrande.csv");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--data", defaultValue = "../../shared/data/routing", paramLabel = "DIR",
      description = "The routing data: routerbench_subset/ and arena_bench_v1/ inside it.")
  Path data;

  @Option(names = "--out", defaultValue = "target/router-eval", paramLabel = "DIR",
      description = "Where the report, the charts and the trained model go.")
  Path out;

  @Option(names = "--premium-share", defaultValue = "0.2", converter = Converters.Share.class, paramLabel = "SHARE",
      description = "The share of prompts the calibrated thresholds send to the strong model.")
  double premiumShare;

  @Option(names = "--calibration-share", defaultValue = "0.3", converter = Converters.Share.class,
      paramLabel = "SHARE", description = "The share of RouterBench train held out of training to calibrate the "
          + "trained model on; the heuristic is calibrated on all of train.")
  double calibrationShare;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
      description = "Seeds the calibration slice and the training shuffle.")
  long seed;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Path routerBench = data.resolve("routerbench_subset");
    Path arenaDir = data.resolve("arena_bench_v1");
    List<Path> files = new ArrayList<>();
    for (String f : ROUTERBENCH_FILES) {
      files.add(routerBench.resolve(f));
    }
    for (Path p : files) {
      if (!Files.isRegularFile(p)) {
        err.println("router-eval: " + p.toAbsolutePath().normalize() + " is missing; --data must hold "
            + "routerbench_subset/" + String.join(", ", ROUTERBENCH_FILES) + " and arena_bench_v1/");
        return ExitCode.SOFTWARE;
      }
    }
    if (!Files.isRegularFile(arenaDir.resolve("scores_matrix.csv"))) {
      err.println("router-eval: " + arenaDir.resolve("scores_matrix.csv").toAbsolutePath().normalize()
          + " is missing");
      return ExitCode.SOFTWARE;
    }

    RoutingTable all = RoutingTable.readRouterBench("RouterBench", files);
    RoutingTable train = all.split("train");
    RoutingTable test = all.split("test");
    Set<Integer> calibrationRows = new HashSet<>();
    Random random = new Random(seed);
    for (int r = 0; r < train.size(); r++) {
      if (random.nextDouble() < calibrationShare) {
        calibrationRows.add(r);
      }
    }
    List<ComplexityModel.Example> examples = new ArrayList<>();
    List<String> calibrationPrompts = new ArrayList<>();
    List<String> trainPrompts = new ArrayList<>();
    for (int r = 0; r < train.size(); r++) {
      trainPrompts.add(train.prompts().get(r).text());
    }
    for (int r = 0; r < train.size(); r++) {
      String text = train.prompts().get(r).text();
      if (calibrationRows.contains(r)) {
        calibrationPrompts.add(text);
        continue;
      }
      double strong = train.quality(GPT4, r);
      double weak = train.quality(MIXTRAL_ROUTERBENCH, r);
      if (!Double.isNaN(strong) && !Double.isNaN(weak)) {
        examples.add(ComplexityModel.Example.fromOutcomes(text, strong, weak));
      }
    }
    ComplexityModel model = ComplexityModel.trainer().seed(seed)
        .label(GPT4 + " beats mixtral-8x7b-chat on RouterBench train (ARC-Challenge, MBPP, Winogrande)")
        .train(examples);

    Map<String, ComplexityScorer> scorers = new LinkedHashMap<>();
    scorers.put("heuristic", ComplexityScorer.heuristic());
    scorers.put("trained", model);
    Map<String, Double> thresholds = new LinkedHashMap<>();
    thresholds.put("heuristic", calibrate(ComplexityScorer.heuristic(), trainPrompts));
    thresholds.put("trained", calibrate(model, calibrationPrompts));

    RoutingTable arena = RoutingTable.readArena("arena_bench_v1", arenaDir, RoutingTable.arenaPrices());
    List<RouterEvaluation> evaluations = new ArrayList<>();
    evaluations.add(evaluate(test, GPT4, MIXTRAL_ROUTERBENCH, scorers, thresholds));
    for (String group : List.of("arc-challenge", "mbpp", "winogrande")) {
      RoutingTable part = test.filter("RouterBench test, " + group, p -> p.group().equals(group));
      if (part.size() > 0) {
        evaluations.add(evaluate(part, GPT4, MIXTRAL_ROUTERBENCH, scorers, thresholds));
      }
    }
    evaluations.add(evaluate(arena, GPT4, GPT35_ARENA, scorers, thresholds));
    evaluations.add(evaluate(arena, GPT4, MIXTRAL_ARENA, scorers, thresholds));

    Files.createDirectories(out);
    try (OutputStream o = Files.newOutputStream(out.resolve("complexity-model.json"))) {
      model.write(o);
    }
    List<String> charts = new ArrayList<>();
    for (RouterEvaluation e : evaluations) {
      String name = "router-eval-" + slug(e.table() + "-" + e.weak()) + ".svg";
      Files.writeString(out.resolve(name), e.svg(), StandardCharsets.UTF_8);
      charts.add(name);
    }
    String headline = headline(evaluations);
    Files.writeString(out.resolve("router-eval.md"), markdown(headline, evaluations, charts, model, examples.size(),
        calibrationPrompts.size(), train, test, arena, thresholds), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("router-eval.json"), json(evaluations, model, calibrationPrompts.size(), thresholds),
        StandardCharsets.UTF_8);

    PrintWriter o = spec.commandLine().getOut();
    o.print(headline);
    o.println();
    o.println("Wrote " + out.resolve("router-eval.md") + ", router-eval.json, " + charts.size()
        + " SVG charts and complexity-model.json");
    o.flush();
    return ExitCode.OK;
  }

  private double calibrate(ComplexityScorer scorer, List<String> prompts) {
    double[] scores = new double[prompts.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = scorer.score(ChatRequest.of("eval", prompts.get(i))).value();
    }
    return TieredRouter.calibrate(scores, premiumShare);
  }

  private RouterEvaluation evaluate(RoutingTable table, String strong, String weak,
      Map<String, ComplexityScorer> scorers, Map<String, Double> thresholds) {
    RouterEvaluation.Builder b = RouterEvaluation.builder(table, strong, weak);
    for (Map.Entry<String, ComplexityScorer> e : scorers.entrySet()) {
      b.router(e.getKey(), e.getValue()).calibrated(e.getKey(), thresholds.get(e.getKey()), premiumShare);
    }
    return b.build();
  }

  /** One row per router and evaluation: the figures docs/routing.md quotes. */
  static String headline(List<RouterEvaluation> evaluations) {
    StringBuilder md = new StringBuilder();
    md.append("| prompts | strong vs weak | router | APGR | CPT(50%) | CPT(80%) | premium share for 95% of strong "
        + "| cost cut at 95% | premium share for 99% | cost cut at 99% |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (RouterEvaluation e : evaluations) {
      String set = e.table() + " (" + e.prompts() + ")";
      String pair = shortName(e.strong()) + " vs " + shortName(e.weak());
      row(md, set, pair, "random", e.random().summary());
      for (Map.Entry<String, RoutingCurve> r : e.routers().entrySet()) {
        row(md, set, pair, r.getKey(), r.getValue().summary());
      }
      row(md, set, pair, "oracle", e.oracle().summary());
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String set, String pair, String router, RoutingCurve.Summary s) {
    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %s | %s | %s | %s | %s | %s |%n", set, pair, router,
        s.apgr(), pct(s.cpt50()), pct(s.cpt80()), pct(s.share95()), pct(s.costCut95()), pct(s.share99()),
        pct(s.costCut99())));
  }

  private static String pct(double share) {
    return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  private static String shortName(String model) {
    return model.substring(model.lastIndexOf('/') + 1);
  }

  static String slug(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  private String markdown(String headline, List<RouterEvaluation> evaluations, List<String> charts,
      ComplexityModel model, int examples, int calibration, RoutingTable train, RoutingTable test, RoutingTable arena,
      Map<String, Double> thresholds) {
    StringBuilder md = new StringBuilder("# Router evaluation\n\n");
    md.append(String.format(Locale.ROOT, "Trained on %,d of RouterBench's %,d train prompts (%s), label: %s; "
        + "%,d positive. Calibrated for a %s premium share: the trained model on the other %,d train prompts, the "
        + "heuristic on all of train (thresholds: %s). Reported on RouterBench test (%,d prompts) and %s whole "
        + "(%,d prompts). Seed %d.%n%n",
        examples, train.size(), String.join(", ", ROUTERBENCH_FILES), model.label(), model.training().positives(),
        pct(premiumShare), calibration, thresholdText(thresholds), test.size(), arena.name(), arena.size(), seed));
    md.append("Premium share = share of prompts sent to the strong model. APGR = area under PGR against premium "
        + "share (random 0.5). CPT(x) = premium share at which PGR reaches x. Cost cut = how much cheaper than "
        + "always using the strong model. Random = expected values at the same premium share; oracle = the strong "
        + "model first where it gains most.\n\n");
    md.append("## Summary\n\n").append(headline).append('\n');
    for (int i = 0; i < evaluations.size(); i++) {
      md.append(evaluations.get(i).markdown()).append('\n');
      md.append("![cost and quality](").append(charts.get(i)).append(")\n\n");
    }
    return md.toString();
  }

  private static String thresholdText(Map<String, Double> thresholds) {
    List<String> parts = new ArrayList<>();
    thresholds.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.4f", k, v)));
    return String.join(", ", parts);
  }

  private String json(List<RouterEvaluation> evaluations, ComplexityModel model, int calibration,
      Map<String, Double> thresholds) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode settings = root.putObject("settings");
    settings.put("seed", seed);
    settings.put("premiumShare", premiumShare);
    settings.put("calibrationShare", calibrationShare);
    settings.put("calibrationPrompts", calibration);
    ObjectNode t = root.putObject("trainedModel");
    t.put("label", model.label());
    t.put("hashBits", model.hashBits());
    t.put("examples", model.training().examples());
    t.put("positives", model.training().positives());
    t.put("epochs", model.training().epochs());
    t.put("learningRate", model.training().learningRate());
    t.put("l2", model.training().l2());
    t.put("logLoss", model.training().logLoss());
    ObjectNode th = root.putObject("thresholds");
    thresholds.forEach(th::put);
    ArrayNode list = root.putArray("evaluations");
    for (RouterEvaluation e : evaluations) {
      list.add(e.json());
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + System.lineSeparator();
  }
}
