package dev.switchboard.eval;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The figures of an evaluation, per model ({@link #models()}): quality with a 95% confidence
 * interval, cost per 1,000 requests, latency percentiles, time to first token, tokens, errors by
 * type and the cost–quality Pareto frontier; as Markdown ({@link #markdown()}), CSV ({@link
 * #csv()}) and a self-contained HTML page with SVG charts ({@link #html()}), or all three in a
 * directory ({@link #writeTo(Path)}). {@code docs/evaluation.md} says how each figure is computed.
 *
 * <p>Immutable and thread-safe.
 */
public final class EvalReport {
  private final String title;
  private final Map<String, String> settings;
  private final List<String> models;
  private final List<EvalResult> results;
  private final List<ModelSummary> summaries;

  EvalReport(String title, Map<String, String> settings, List<String> models, List<EvalResult> results) {
    this.title = Objects.requireNonNull(title, "title");
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    this.models = List.copyOf(models);
    this.results = List.copyOf(results);
    List<ModelSummary> list = new ArrayList<>();
    for (String model : this.models) {
      list.add(summarize(model, this.results.stream().filter(r -> r.model().equals(model)).toList()));
    }
    this.summaries = frontier(list);
  }

  /** A report titled {@code title} on {@code results}; the models in the order they first appear. */
  public static EvalReport of(String title, List<EvalResult> results) {
    Set<String> models = new LinkedHashSet<>();
    results.forEach(r -> models.add(r.model()));
    return new EvalReport(title, Map.of(), new ArrayList<>(models), results);
  }

  private static ModelSummary summarize(String model, List<EvalResult> results) {
    List<Double> quality = new ArrayList<>();
    List<Double> latencies = new ArrayList<>();
    List<Double> firstTokens = new ArrayList<>();
    BigDecimal cost = BigDecimal.ZERO;
    boolean priced = false;
    long in = 0;
    long out = 0;
    int answered = 0;
    int scoreErrors = 0;
    Map<String, Integer> errors = new LinkedHashMap<>();
    for (EvalResult r : results) {
      if (r.cost().isPresent()) {
        cost = cost.add(r.cost().get());
        priced = true;
      }
      if (!r.succeeded()) {
        errors.merge(r.error().orElseThrow(), 1, Integer::sum);
        quality.add(0.0);
        continue;
      }
      answered++;
      in += r.usage().inputTokens();
      out += r.usage().outputTokens();
      latencies.add(nanos(r.latency()));
      r.timeToFirstToken().ifPresent(t -> firstTokens.add(nanos(t)));
      if (r.score().isPresent()) {
        quality.add(r.score().getAsDouble());
      } else {
        scoreErrors++;
      }
    }
    double[] q = quality.stream().mapToDouble(Double::doubleValue).toArray();
    double[] l = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    double[] f = firstTokens.stream().mapToDouble(Double::doubleValue).toArray();
    Map<String, Integer> sortedErrors = new LinkedHashMap<>();
    errors.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sortedErrors.put(e.getKey(), e.getValue()));
    BigDecimal perThousand = !priced || results.isEmpty() ? null
        : cost.multiply(BigDecimal.valueOf(1000)).divide(BigDecimal.valueOf(results.size()), MathContext.DECIMAL64)
            .stripTrailingZeros();
    return new ModelSummary(model, results.size(), answered, q.length, Stats.mean(q), Stats.interval(q), perThousand,
        duration(Stats.percentile(l, 50)), duration(Stats.percentile(l, 99)), duration(Stats.percentile(f, 50)),
        answered == 0 ? Double.NaN : in / (double) answered, answered == 0 ? Double.NaN : out / (double) answered,
        sortedErrors, scoreErrors, false);
  }

  private static double nanos(Duration d) {
    return d.toNanos();
  }

  private static Duration duration(double nanos) {
    return Double.isNaN(nanos) ? null : Duration.ofNanos((long) nanos);
  }

  /** Marks the models no other model dominates (cheaper or equal and better or equal, one strictly). */
  private static List<ModelSummary> frontier(List<ModelSummary> list) {
    List<ModelSummary> marked = new ArrayList<>();
    for (ModelSummary m : list) {
      marked.add(m.onFrontier(placed(m) && list.stream().filter(EvalReport::placed).noneMatch(o -> dominates(o, m))));
    }
    return List.copyOf(marked);
  }

  static boolean placed(ModelSummary m) {
    return m.costPerThousand().isPresent() && !Double.isNaN(m.quality());
  }

  private static boolean dominates(ModelSummary a, ModelSummary b) {
    int cost = a.costPerThousand().orElseThrow().compareTo(b.costPerThousand().orElseThrow());
    return cost <= 0 && a.quality() >= b.quality() && (cost < 0 || a.quality() > b.quality());
  }

  public String title() {
    return title;
  }

  /** What the run was (dataset, scorer, system prompt, temperature, mode), as shown atop each format. */
  public Map<String, String> settings() {
    return settings;
  }

  /** Every result, example by example, model by model. */
  public List<EvalResult> results() {
    return results;
  }

  /** The results of {@code model}, in dataset order. */
  public List<EvalResult> results(String model) {
    return results.stream().filter(r -> r.model().equals(model)).toList();
  }

  /** One summary per model, in the order the models were given. */
  public List<ModelSummary> models() {
    return summaries;
  }

  public ModelSummary model(String model) {
    return summaries.stream().filter(s -> s.model().equals(model)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model '" + model + "' in this report; it has " + models));
  }

  /** The models on the cost–quality Pareto frontier, cheapest first. */
  public List<String> paretoFrontier() {
    return summaries.stream().filter(ModelSummary::onFrontier)
        .sorted(Comparator.comparing((ModelSummary m) -> m.costPerThousand().orElseThrow())
            .thenComparing(ModelSummary::quality))
        .map(ModelSummary::model).toList();
  }

  /** The report in Markdown: the settings, one row per model, and how the figures are computed. */
  public String markdown() {
    StringBuilder md = new StringBuilder("# Evaluation: ").append(title).append("\n\n");
    settings.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    if (!settings.isEmpty()) {
      md.append('\n');
    }
    md.append("| model | quality (95% CI) | cost / 1k requests | latency p50 | latency p99 | TTFT p50 "
        + "| tokens in / out | errors | frontier |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (ModelSummary m : summaries) {
      md.append("| ").append(m.model())
          .append(" | ").append(quality(m))
          .append(" | ").append(m.costPerThousand().map(EvalReport::dollars).orElse("n/a"))
          .append(" | ").append(m.latencyP50().map(EvalReport::millis).orElse("n/a"))
          .append(" | ").append(m.latencyP99().map(EvalReport::millis).orElse("n/a"))
          .append(" | ").append(m.timeToFirstTokenP50().map(EvalReport::millis).orElse("n/a"))
          .append(" | ").append(tokens(m))
          .append(" | ").append(errors(m))
          .append(" | ").append(m.onFrontier() ? "yes" : "")
          .append(" |\n");
    }
    md.append('\n').append(METHOD).append('\n');
    return md.toString();
  }

  static final String METHOD = "Quality is the mean score per request over the requests scored (a failed call "
      + "scores 0; an answer the scorer failed on is left out and counted). Its 95% confidence interval is Wilson's "
      + "when every score is 0 or 1, else Student's t (mean ± t(0.975, n−1)·s/√n, clipped to [0, 1] when every "
      + "score lies in it). Cost per 1k requests is the cost of all requests (every attempt, failed ones too, at "
      + "the price catalog's rates) / requests × 1,000. Latency and time to first token (streams only) are "
      + "nearest-rank percentiles over answered requests; tokens are means over answered requests. Errors count "
      + "failed requests by exception type, with their share of requests. The frontier holds the models that no "
      + "other model beats on both cost and quality.";

  static String quality(ModelSummary m) {
    if (Double.isNaN(m.quality())) {
      return "n/a";
    }
    ConfidenceInterval ci = m.interval();
    String q = String.format(Locale.ROOT, "%.3f", m.quality());
    if (Double.isNaN(ci.low())) {
      return q + " (n=" + m.scored() + ")";
    }
    return q + String.format(Locale.ROOT, " [%.3f, %.3f] %s, n=%d", ci.low(), ci.high(),
        ci.method() == ConfidenceInterval.Method.WILSON ? "Wilson" : "t", m.scored())
        + (m.scoreErrors() > 0 ? ", " + m.scoreErrors() + " unscored" : "");
  }

  static String tokens(ModelSummary m) {
    return Double.isNaN(m.inputTokens()) ? "n/a"
        : String.format(Locale.ROOT, "%.1f / %.1f", m.inputTokens(), m.outputTokens());
  }

  static String errors(ModelSummary m) {
    if (m.errors().isEmpty()) {
      return "0";
    }
    List<String> parts = new ArrayList<>();
    m.errors().forEach((type, n) -> parts.add(String.format(Locale.ROOT, "%s %d (%.1f%%)", type, n,
        100.0 * n / m.requests())));
    return String.join(", ", parts);
  }

  /** Dollars with four decimals, or three significant digits below $0.0001. */
  static String dollars(BigDecimal d) {
    if (d.signum() != 0 && d.abs().compareTo(new BigDecimal("0.0001")) < 0) {
      return "$" + d.round(new MathContext(3, RoundingMode.HALF_UP)).toPlainString();
    }
    return "$" + d.setScale(4, RoundingMode.HALF_UP).toPlainString();
  }

  static String millis(Duration d) {
    double ms = d.toNanos() / 1e6;
    return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%,.0f ms", ms);
  }

  /**
   * One CSV row per model: {@code model, requests, answered, scored, quality, ci_low, ci_high,
   * ci_method, cost_per_1k_usd, latency_p50_ms, latency_p99_ms, ttft_p50_ms, input_tokens_mean,
   * output_tokens_mean, error_rate, errors, score_errors, pareto}; errors as {@code type=count}
   * joined by {@code ;}; an unknown figure is empty.
   */
  public String csv() {
    StringBuilder csv = new StringBuilder("model,requests,answered,scored,quality,ci_low,ci_high,ci_method,"
        + "cost_per_1k_usd,latency_p50_ms,latency_p99_ms,ttft_p50_ms,input_tokens_mean,output_tokens_mean,error_rate,"
        + "errors,score_errors,pareto\n");
    for (ModelSummary m : summaries) {
      List<String> errors = new ArrayList<>();
      m.errors().forEach((type, n) -> errors.add(type + "=" + n));
      List<String> row = List.of(m.model(), Integer.toString(m.requests()), Integer.toString(m.answered()),
          Integer.toString(m.scored()), number(m.quality()), number(m.interval().low()), number(m.interval().high()),
          m.interval().method().name().toLowerCase(Locale.ROOT),
          m.costPerThousand().map(BigDecimal::toPlainString).orElse(""),
          m.latencyP50().map(EvalReport::ms).orElse(""), m.latencyP99().map(EvalReport::ms).orElse(""),
          m.timeToFirstTokenP50().map(EvalReport::ms).orElse(""), number(m.inputTokens()), number(m.outputTokens()),
          number(m.errorRate()), String.join(";", errors), Integer.toString(m.scoreErrors()),
          Boolean.toString(m.onFrontier()));
      for (int i = 0; i < row.size(); i++) {
        csv.append(i == 0 ? "" : ",").append(csvField(row.get(i)));
      }
      csv.append('\n');
    }
    return csv.toString();
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    return BigDecimal.valueOf(v).round(new MathContext(10)).stripTrailingZeros().toPlainString();
  }

  private static String ms(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 6).stripTrailingZeros().toPlainString();
  }

  private static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /**
   * A self-contained HTML page: no script and no external resource (a content security policy
   * forbids both), the summary table, a cost–quality chart (one point per model with its
   * confidence interval, the Pareto frontier drawn through the non-dominated models and each of them
   * ringed) and per-model latency box plots, both inline SVG.
   */
  public String html() {
    return ReportHtml.render(this);
  }

  /** Writes {@code report.md}, {@code report.csv} and {@code report.html} into {@code directory}, creating it. */
  public List<Path> writeTo(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path md = directory.resolve("report.md");
    Path csv = directory.resolve("report.csv");
    Path html = directory.resolve("report.html");
    Files.writeString(md, markdown(), StandardCharsets.UTF_8);
    Files.writeString(csv, csv(), StandardCharsets.UTF_8);
    Files.writeString(html, html(), StandardCharsets.UTF_8);
    return List.of(md, csv, html);
  }

  @Override
  public String toString() {
    return "EvalReport[" + title + ", " + models.size() + " models, " + results.size() + " results]";
  }
}
