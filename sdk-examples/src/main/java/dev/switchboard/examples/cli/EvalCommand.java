package dev.switchboard.examples.cli;

import dev.switchboard.ChatException;
import dev.switchboard.Switchboard;
import dev.switchboard.eval.Dataset;
import dev.switchboard.eval.DatasetException;
import dev.switchboard.eval.EvalReport;
import dev.switchboard.eval.Evaluation;
import dev.switchboard.eval.LlmJudge;
import dev.switchboard.eval.Scorer;
import dev.switchboard.providers.anthropic.AnthropicProvider;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.providers.openai.Vendor;
import dev.switchboard.spi.ProviderAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code switchboard eval}: runs a JSON Lines dataset through a few models with an {@link
 * Evaluation}, scores the answers and writes {@code report.md}, {@code report.csv} and {@code
 * report.html} to {@code --out}, with every result in the run file ({@code --run}, by default
 * {@code <out>/run.jsonl}); run the same command again to resume a stopped run. With {@code
 * --simulate} the models are simulated ({@link Simulation}) and no key is needed; without it the
 * providers come from the environment ({@link OpenAiProvider#fromEnv()}, its vendors, {@link
 * AnthropicProvider#fromEnv()}) and the prices from the bundled catalog.
 *
 * <p>Not thread-safe: picocli fills its fields for one run.
 */
@Command(name = "eval", sortOptions = false, showDefaultValues = true,
    description = "Run a dataset through a few models, score the answers, and report quality (95% CI), cost per "
        + "1,000 requests, latency, tokens, errors and the cost-quality Pareto frontier. Resumable.",
    footerHeading = "%nExamples (from sdk-examples, where the demo profile runs):%n",
    footer = {
        "  switchboard eval --simulate",
        "  switchboard eval --simulate --dataset src/main/resources/eval/sample-ranking.jsonl \\",
        "      --scorer ndcg:5 --stream --out target/eval-ranking \\",
        "      --system 'Rank the documents by relevance; answer with their ids as a JSON array.'",
        "  switchboard eval --dataset my-queries.jsonl --models openai/gpt-4o,deepseek/deepseek-chat \\",
        "      --scorer judge --judge-model openai/gpt-4o --rubric 'Correct and complete.' --rps openai=5"})
public final class EvalCommand implements Callable<Integer> {
  static final String SAMPLE = "/eval/sample-qa.jsonl";

  @Spec
  CommandSpec spec;

  @Option(names = "--dataset", paramLabel = "FILE",
      description = "JSON Lines: id, prompt or messages, reference, metadata. With --simulate, defaults to the "
          + "bundled sample of 24 questions.")
  Path dataset;

  @Option(names = "--models", split = ",", paramLabel = "MODEL",
      description = "Model strings, comma-separated. With --simulate, defaults to sim/premium, sim/balanced, "
          + "sim/small and sim/legacy.")
  List<String> models;

  @Option(names = "--system", paramLabel = "TEXT", description = "The system prompt put before every example.")
  String system;

  @Option(names = "--scorer", defaultValue = "normalized", converter = ScorerSpec.Converter.class,
      paramLabel = "SCORER",
      description = "exact | normalized | regex (the reference is the pattern) | regex:PATTERN | numeric[:TOL] | "
          + "json | ndcg[:K] | judge")
  ScorerSpec scorer;

  @Option(names = "--judge-model", paramLabel = "MODEL",
      description = "The judge for --scorer judge (sim/judge with --simulate).")
  String judgeModel;

  @Option(names = "--rubric", paramLabel = "TEXT", defaultValue = "The answer is correct and as short as the "
      + "question allows.", description = "What the judge grades by (1 to 5).")
  String rubric;

  @Option(names = "--concurrency", defaultValue = "4", paramLabel = "N",
      description = "Requests in flight at once.")
  int concurrency;

  @Option(names = "--rps", paramLabel = "PROVIDER=N",
      description = "At most N requests a second to PROVIDER (repeatable), e.g. openai=5.")
  Map<String, Double> rps = new LinkedHashMap<>();

  @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "Sampling temperature.")
  double temperature;

  @Option(names = "--max-output-tokens", paramLabel = "N", description = "A cap on each answer's tokens.")
  Integer maxOutputTokens;

  @Option(names = "--stream", description = "Stream every request, to measure time to first token.")
  boolean stream;

  @Option(names = "--limit", paramLabel = "N", description = "Only the first N examples (a trial run).")
  Integer limit;

  @Option(names = "--out", defaultValue = "target/eval", paramLabel = "DIR",
      description = "Where report.md, report.csv and report.html go.")
  Path out;

  @Option(names = "--run", paramLabel = "FILE",
      description = "The run file results are appended to and resumed from; default <out>/run.jsonl.")
  Path run;

  @Option(names = "--retry-failed", description = "On resume, ask again for the pairs whose call failed.")
  boolean retryFailed;

  @Option(names = "--simulate", description = "Answer with simulated models on a local emulator; no key needed.")
  boolean simulate;

  @Option(names = "--no-progress", negatable = false,
      description = "No progress bar (it is drawn only on a terminal anyway).")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    List<String> asked = models != null ? models : simulate ? Simulation.models() : null;
    if (asked == null || asked.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "Missing --models: the model strings to compare, e.g. "
          + "--models openai/gpt-4o-mini,deepseek/deepseek-chat (or --simulate)");
    }
    if (dataset == null && !simulate) {
      throw new ParameterException(spec.commandLine(), "Missing --dataset: a JSON Lines file of examples (or "
          + "--simulate for the bundled sample)");
    }
    Dataset data;
    try {
      data = readDataset();
    } catch (DatasetException e) {
      err.println("eval: " + e.getMessage());
      return ExitCode.SOFTWARE;
    } catch (NoSuchFileException e) {
      err.println("eval: no dataset at " + dataset.toAbsolutePath().normalize());
      return ExitCode.SOFTWARE;
    }
    if (limit != null) {
      if (limit < 1) {
        throw new ParameterException(spec.commandLine(), "--limit needs N >= 1, got " + limit);
      }
      data = data.limit(limit);
    }
    String judge = judgeModel != null ? judgeModel : simulate ? Simulation.JUDGE : null;
    if (scorer.kind().equals("judge") && judge == null) {
      throw new ParameterException(spec.commandLine(), "--scorer judge needs --judge-model, e.g. openai/gpt-4o");
    }
    if (simulate) {
      String unknown = Simulation.unknown(asked);
      if (unknown != null) {
        throw new ParameterException(spec.commandLine(), "--simulate has no model '" + unknown + "'; it has "
            + String.join(", ", Simulation.models()));
      }
    }
    Path runFile = run != null ? run : out.resolve("run.jsonl");
    try (Providers providers = simulate ? Providers.simulated(data, scorer.kind().equals("ndcg"))
        : Providers.fromEnv(asked, judge)) {
      Switchboard.Builder sb = Switchboard.builder();
      providers.adapters.forEach(sb::provider);
      if (simulate) {
        sb.prices(Simulation.prices());
      }
      try (Switchboard switchboard = sb.build()) {
        Evaluation.Builder evaluation = Evaluation.builder()
            .client(switchboard)
            .dataset(data)
            .models(asked)
            .systemPrompt(system)
            .temperature(temperature)
            .maxOutputTokens(maxOutputTokens)
            .scorer(scorer.scorer(switchboard, judge, rubric))
            .concurrency(concurrency)
            .stream(stream)
            .runFile(runFile)
            .retryFailed(retryFailed)
            .progress(!noProgress && terminal() ? System.err : null);
        rps.forEach(evaluation::rateLimit);
        EvalReport report = evaluation.build().run();
        report.writeTo(out);
        o.print(report.markdown());
        o.println();
        o.println("Wrote " + out.resolve("report.md") + ", report.csv and report.html; every answer is in "
            + runFile + " (run the same command again to resume)");
        o.flush();
        return ExitCode.OK;
      }
    } catch (IllegalStateException | IllegalArgumentException | ChatException e) {
      err.println("eval: " + e.getMessage());
      return ExitCode.SOFTWARE;
    } catch (IOException e) {
      err.println("eval: " + e);
      return ExitCode.SOFTWARE;
    }
  }

  private Dataset readDataset() throws IOException {
    if (dataset != null) {
      return Dataset.read(dataset);
    }
    try (InputStream in = EvalCommand.class.getResourceAsStream(SAMPLE);
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return Dataset.parse(reader, "sample-qa.jsonl");
    }
  }

  /** Whether standard error is an interactive terminal (Java 17: a console exists only then). */
  static boolean terminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // Java 22 and later have a console even when redirected; they say whether it is a terminal.
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** The providers a run needs, closed with it. */
  private static final class Providers implements AutoCloseable {
    final List<ProviderAdapter> adapters = new ArrayList<>();
    private Simulation simulation;

    static Providers simulated(Dataset data, boolean ranking) {
      Providers p = new Providers();
      p.simulation = Simulation.start(data, ranking);
      p.adapters.add(p.simulation.provider());
      return p;
    }

    /** One provider per model-string prefix, configured from the environment. */
    static Providers fromEnv(List<String> models, String judge) {
      Set<String> names = new LinkedHashSet<>();
      List<String> all = new ArrayList<>(models);
      if (judge != null) {
        all.add(judge);
      }
      for (String m : all) {
        int slash = m.indexOf('/');
        if (slash <= 0) {
          throw new IllegalArgumentException("model '" + m + "' needs a provider prefix, e.g. openai/" + m);
        }
        names.add(m.substring(0, slash));
      }
      Providers p = new Providers();
      try {
        for (String name : names) {
          p.adapters.add(provider(name));
        }
      } catch (RuntimeException e) {
        p.close();
        throw e;
      }
      return p;
    }

    private static ProviderAdapter provider(String name) {
      if (name.equals("openai")) {
        return OpenAiProvider.fromEnv();
      }
      if (name.equals("anthropic")) {
        return AnthropicProvider.fromEnv();
      }
      for (Vendor v : Vendor.values()) {
        if (v.defaultName().equals(name)) {
          return OpenAiProvider.fromEnv(v);
        }
      }
      List<String> known = new ArrayList<>(List.of("openai", "anthropic"));
      for (Vendor v : Vendor.values()) {
        if (!known.contains(v.defaultName())) {
          known.add(v.defaultName());
        }
      }
      throw new IllegalArgumentException("no provider '" + name + "' for a live run; known: " + String.join(", ",
          known) + " (keys from the environment), or use --simulate");
    }

    @Override
    public void close() {
      if (simulation != null) {
        simulation.close();
      } else {
        adapters.forEach(ProviderAdapter::close);
      }
    }
  }

  /** A {@code --scorer} value: a kind and its argument. */
  record ScorerSpec(String kind, String argument) {
    Scorer scorer(Switchboard client, String judge, String rubric) {
      return switch (kind) {
        case "exact" -> Scorer.exactMatch();
        case "normalized" -> Scorer.normalizedMatch();
        case "regex" -> argument == null ? Scorer.referenceRegex() : Scorer.regex(Pattern.compile(argument));
        case "numeric" -> Scorer.numeric(argument == null ? 1e-6 : Double.parseDouble(argument));
        case "json" -> Scorer.jsonFields();
        case "ndcg" -> Scorer.ndcg(argument == null ? 10 : Integer.parseInt(argument));
        case "judge" -> LlmJudge.builder(client, judge).rubric(rubric).build();
        default -> throw new IllegalStateException(kind);
      };
    }

    static final class Converter implements ITypeConverter<ScorerSpec> {
      @Override
      public ScorerSpec convert(String text) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String argument = colon < 0 ? null : text.substring(colon + 1);
        switch (kind) {
          case "exact", "normalized", "json", "judge" -> {
            if (argument != null) {
              throw new TypeConversionException("'" + kind + "' takes no argument, got '" + text + "'");
            }
          }
          case "regex" -> {
            if (argument != null) {
              try {
                Pattern.compile(argument);
              } catch (PatternSyntaxException e) {
                throw new TypeConversionException("'" + argument + "' is not a regular expression: "
                    + e.getDescription());
              }
            }
          }
          case "numeric" -> {
            if (argument != null && !argument.matches("\\d+(\\.\\d+)?([eE]-?\\d+)?")) {
              throw new TypeConversionException("numeric:TOL needs a tolerance >= 0 such as 0.01, got '" + argument
                  + "'");
            }
          }
          case "ndcg" -> {
            if (argument != null && !argument.matches("[1-9]\\d{0,5}")) {
              throw new TypeConversionException("ndcg:K needs a whole K >= 1 such as 10, got '" + argument + "'");
            }
          }
          default -> throw new TypeConversionException("'" + text + "' is not a scorer; use exact, normalized, regex, "
              + "regex:PATTERN, numeric[:TOL], json, ndcg[:K] or judge");
        }
        return new ScorerSpec(kind, argument);
      }
    }
  }
}
