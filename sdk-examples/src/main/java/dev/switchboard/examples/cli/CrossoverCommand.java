package dev.switchboard.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.cost.Crossover;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard crossover}: what a monthly token volume costs through an API (prices from
 * {@link PriceCatalog#bundled()} or given), what your own GPUs cost running all year, and the
 * monthly volume above which they are cheaper; the arithmetic is {@link Crossover}'s. A GPU rate
 * range ({@code --gpu-hourly 8-14}) prints both ends. An unknown model exits with 2 and names the
 * closest catalog models.
 *
 * <p>Not thread-safe: picocli fills its fields for one run.
 */
@Command(name = "crossover", sortOptions = false, showDefaultValues = true,
    description = "API versus self-hosted: what a monthly token volume costs through an API and on your own GPUs, "
        + "and the volume at which they cost the same.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  switchboard crossover --input-tokens 500M --output-tokens 100M \\",
        "      --gpus 2 --gpu-hourly 8-14",
        "  switchboard crossover --tokens 2B --input-share 0.8 \\",
        "      --model anthropic/claude-3-haiku --gpus 1 --gpu-hourly 2.5 \\",
        "      --engineering-per-month 5K --setup-cost 24K --format json"})
public final class CrossoverCommand implements Callable<Integer> {
  private static final BigDecimal TWELVE = BigDecimal.valueOf(12);
  private static final int SUGGESTIONS = 3;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  /** How the result is printed. */
  enum Format { TEXT, JSON }

  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1",
      heading = "%nMonthly volume: input and output tokens, or a total and its input share "
          + "(500M, 10B, 1.5K, 500_000_000):%n")
  Volume volume;

  @ArgGroup(exclusive = false, heading = "%nAPI price:%n", order = 1)
  Price price = new Price();

  @ArgGroup(exclusive = false, multiplicity = "1", heading = "%nSelf-hosted:%n", order = 2)
  SelfHosted selfHosted;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", order = 3,
      description = "text or json.")
  Format format;

  static final class Volume {
    @ArgGroup(exclusive = false)
    Split split;

    @ArgGroup(exclusive = false)
    Total total;
  }

  static final class Split {
    @Option(names = "--input-tokens", converter = Converters.Tokens.class, paramLabel = "N",
        description = "Input tokens a month.")
    long input;

    @Option(names = "--output-tokens", converter = Converters.Tokens.class, paramLabel = "N",
        description = "Output tokens a month.")
    long output;
  }

  static final class Total {
    @Option(names = "--tokens", required = true, converter = Converters.Tokens.class, paramLabel = "N",
        description = "Tokens a month, input and output together.")
    long tokens;

    @Option(names = "--input-share", defaultValue = "0.75", converter = Converters.Share.class,
        paramLabel = "SHARE", description = "The input part of --tokens, 0 to 1.")
    double inputShare;
  }

  static final class Price {
    @Option(names = "--model", defaultValue = "openai/gpt-4o", paramLabel = "MODEL",
        description = "A model in the bundled price catalog.")
    String model;

    @Option(names = "--input-price", converter = Converters.Dollars.class, paramLabel = "USD",
        description = "Dollars per million input tokens, instead of the catalog's.")
    Double input;

    @Option(names = "--output-price", converter = Converters.Dollars.class, paramLabel = "USD",
        description = "Dollars per million output tokens, instead of the catalog's.")
    Double output;
  }

  static final class SelfHosted {
    @Option(names = "--gpus", required = true, converter = Converters.Positive.class, paramLabel = "N",
        description = "GPUs, running all year.")
    int gpus;

    @Option(names = "--gpu-hourly", required = true, converter = Converters.Rates.class, paramLabel = "USD[-USD]",
        description = "Dollars per GPU-hour, or a range such as 8-14 (both ends are printed).")
    Converters.Range hourly;

    @Option(names = "--engineering-per-month", defaultValue = "0", converter = Converters.Dollars.class,
        paramLabel = "USD", description = "Operations and on-call, dollars a month.")
    double engineeringPerMonth;

    @Option(names = "--setup-cost", defaultValue = "0", converter = Converters.Dollars.class, paramLabel = "USD",
        description = "One-off setup, dollars, amortized over --amortization-months.")
    double setupCost;

    @Option(names = "--amortization-months", defaultValue = "24", converter = Converters.Positive.class,
        paramLabel = "N", description = "Months to spread --setup-cost over.")
    int amortizationMonths;
  }

  /** The self-hosted side at one GPU rate. */
  private record Side(double hourly, BigDecimal gpuYearly, BigDecimal gpuMonthly, BigDecimal setupMonthly,
      BigDecimal monthly, long crossover) {}

  @Override
  public Integer call() {
    Optional<ModelPrice> found = modelPrice();
    if (found.isEmpty()) {
      spec.commandLine().getErr().println("Unknown model '" + price.model + "' in the bundled price catalog; closest: "
          + String.join(", ", closest(price.model)) + ". Or give its prices with --input-price and --output-price.");
      return ExitCode.USAGE;
    }
    ModelPrice modelPrice = found.get();
    long input;
    long output;
    double inputShare;
    if (volume.split != null) {
      input = volume.split.input;
      output = volume.split.output;
      if (input == 0 && output == 0) {
        throw new ParameterException(spec.commandLine(), "--input-tokens and --output-tokens are both 0: "
            + "give the monthly volume");
      }
      inputShare = input / ((double) input + output);
    } else {
      inputShare = volume.total.inputShare;
      input = BigDecimal.valueOf(volume.total.tokens).multiply(BigDecimal.valueOf(inputShare))
          .setScale(0, RoundingMode.HALF_UP).longValueExact();
      output = volume.total.tokens - input;
    }
    BigDecimal api = Crossover.apiMonthly(input, output, modelPrice);
    List<Side> sides = new ArrayList<>();
    for (double hourly : selfHosted.hourly.ends()) {
      BigDecimal yearly = Crossover.gpuYearly(selfHosted.gpus, hourly);
      BigDecimal monthly = Crossover.selfHostedMonthly(selfHosted.gpus, hourly, selfHosted.engineeringPerMonth,
          selfHosted.setupCost, selfHosted.amortizationMonths);
      sides.add(new Side(hourly, yearly, yearly.divide(TWELVE, MathContext.DECIMAL64),
          BigDecimal.valueOf(selfHosted.setupCost).divide(BigDecimal.valueOf(selfHosted.amortizationMonths),
              MathContext.DECIMAL64),
          monthly, volume.split != null
              ? Crossover.crossoverTokensPerMonth(modelPrice, input, output, monthly)
              : Crossover.crossoverTokensPerMonth(modelPrice, inputShare, monthly)));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.JSON ? json(modelPrice, input, output, inputShare, api, sides)
        : text(modelPrice, input, output, inputShare, api, sides));
    out.flush();
    return ExitCode.OK;
  }

  private Optional<ModelPrice> modelPrice() {
    if (!fromCatalog()) {
      return Optional.of(ModelPrice.of(price.input, price.output));
    }
    return PriceCatalog.bundled().price(price.model).map(listed -> {
      ModelPrice.Builder b = listed.toBuilder();
      if (price.input != null) {
        b.input(price.input);
      }
      if (price.output != null) {
        b.output(price.output);
      }
      return b.build();
    });
  }

  /** The catalog's model strings nearest to {@code model} by edit distance, whole or without the provider. */
  static List<String> closest(String model) {
    String wanted = model.toLowerCase(Locale.ROOT);
    return PriceCatalog.bundled().prices().keySet().stream()
        .sorted(Comparator.comparingInt((String known) -> {
          String k = known.toLowerCase(Locale.ROOT);
          return Math.min(dev.switchboard.spi.Names.distance(wanted, k), dev.switchboard.spi.Names.distance(wanted, k.substring(k.indexOf('/') + 1)));
        }))
        .limit(SUGGESTIONS)
        .toList();
  }

  private String text(ModelPrice p, long input, long output, double inputShare, BigDecimal api, List<Side> sides) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Price", priceLabel(p)});
    rows.add(new String[] {"Volume", String.format(Locale.ROOT, "%,d input + %,d output tokens/month (%.1f%% input)",
        input, output, inputShare * 100)});
    rows.add(new String[] {"API monthly", dollars(api)});
    rows.add(new String[0]);
    rows.add(row("GPU-hour", sides, s -> dollars(BigDecimal.valueOf(s.hourly()))));
    rows.add(row(String.format(Locale.ROOT, "GPUs yearly (%d x %,d h)", selfHosted.gpus, Crossover.HOURS_PER_YEAR),
        sides, s -> dollars(s.gpuYearly())));
    rows.add(row("GPUs monthly", sides, s -> dollars(s.gpuMonthly())));
    rows.add(row("Engineering monthly", sides, s -> dollars(BigDecimal.valueOf(selfHosted.engineeringPerMonth))));
    rows.add(row("Setup monthly (" + dollars(BigDecimal.valueOf(selfHosted.setupCost)) + " / "
        + selfHosted.amortizationMonths + ")", sides, s -> dollars(s.setupMonthly())));
    rows.add(row("Self-hosted monthly", sides, s -> dollars(s.monthly())));
    rows.add(row("Crossover, tokens/month", sides, s -> s.crossover() == Long.MAX_VALUE ? "never (free API)"
        : String.format(Locale.ROOT, "%,d", s.crossover())));
    rows.add(row("Cheaper at this volume", sides, s -> {
      String cheaper = cheaper(api, s);
      return cheaper.equals("neither") ? cheaper : cheaper + ", by " + dollars(api.subtract(s.monthly()).abs());
    }));
    return table(rows);
  }

  private static String cheaper(BigDecimal api, Side side) {
    int cmp = api.compareTo(side.monthly());
    return cmp < 0 ? "API" : cmp > 0 ? "self-hosted" : "neither";
  }

  private String priceLabel(ModelPrice p) {
    String source = fromCatalog() ? price.model + p.asOf().map(d -> ", catalog of " + d).orElse("")
        : "given" + (modelNamed() ? " for " + price.model : "");
    return String.format(Locale.ROOT, "%s input, %s output per 1M tokens (%s)", dollars(p.input()),
        dollars(p.output()), source);
  }

  private boolean fromCatalog() {
    return price.input == null || price.output == null;
  }

  private boolean modelNamed() {
    return fromCatalog() || spec.commandLine().getParseResult().hasMatchedOption("--model");
  }

  private static String[] row(String label, List<Side> sides, Function<Side, String> cell) {
    String[] row = new String[sides.size() + 1];
    row[0] = label;
    for (int i = 0; i < sides.size(); i++) {
      row[i + 1] = cell.apply(sides.get(i));
    }
    return row;
  }

  /** Left-aligned columns, each as wide as its widest cell but the last; an empty row is a blank line. */
  private static String table(List<String[]> rows) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] widths = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < r.length - 1; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        sb.append(i < r.length - 1 ? String.format(Locale.ROOT, "%-" + (widths[i] + 3) + "s", r[i]) : r[i]);
      }
      sb.append(System.lineSeparator());
    }
    return sb.toString();
  }

  private static String dollars(BigDecimal amount) {
    return String.format(Locale.ROOT, "$%,.2f", amount);
  }

  private static BigDecimal exact(BigDecimal amount) {
    return amount.stripTrailingZeros();
  }

  private static BigDecimal exact(double amount) {
    return exact(BigDecimal.valueOf(amount));
  }

  private String json(ModelPrice p, long input, long output, double inputShare, BigDecimal api, List<Side> sides) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", modelNamed() ? price.model : null);
    root.put("inputPricePerMillion", exact(p.input()));
    root.put("outputPricePerMillion", exact(p.output()));
    root.put("inputTokensPerMonth", input);
    root.put("outputTokensPerMonth", output);
    root.put("inputShare", inputShare);
    root.put("apiMonthly", exact(api));
    root.put("gpus", selfHosted.gpus);
    root.put("engineeringPerMonth", exact(selfHosted.engineeringPerMonth));
    root.put("setupCost", exact(selfHosted.setupCost));
    root.put("amortizationMonths", selfHosted.amortizationMonths);
    ArrayNode array = root.putArray("selfHosted");
    for (Side s : sides) {
      ObjectNode side = array.addObject();
      side.put("gpuHourly", exact(s.hourly()));
      side.put("gpuYearly", exact(s.gpuYearly()));
      side.put("gpuMonthly", exact(s.gpuMonthly()));
      side.put("setupMonthly", exact(s.setupMonthly()));
      side.put("selfHostedMonthly", exact(s.monthly()));
      if (s.crossover() == Long.MAX_VALUE) {
        side.putNull("crossoverTokensPerMonth");
      } else {
        side.put("crossoverTokensPerMonth", s.crossover());
      }
      side.put("cheaper", cheaper(api, s));
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write the result as JSON", e);
    }
  }
}
