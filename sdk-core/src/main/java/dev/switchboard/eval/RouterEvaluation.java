package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.route.ComplexityScorer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Two-model routers measured offline on a {@link RoutingTable}: for a strong and a weak model,
 * each router's {@link RoutingCurve} beside random routing at the same premium share and the
 * oracle, with the single models for reference; as Markdown ({@link #markdown()}), JSON ({@link
 * #json()}) and a self-contained SVG cost–quality chart ({@link #svg()}).
 *
 * <p>Only prompts where both models have a quality and a cost count; the rest are dropped and
 * counted. Immutable and thread-safe.
 */
public final class RouterEvaluation {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"};

  /** A model's mean quality and cost per prompt over the prompts where it has both, and how many those are. */
  public record SingleModel(String model, double quality, double cost, int prompts) {}

  /**
   * A router's point at a threshold chosen in advance (by calibration on other prompts): the
   * {@code threshold}, the premium share it gave here, quality, PGR and cost cut there.
   */
  public record Calibrated(double threshold, double targetShare, double premiumShare, double quality, double pgr,
      double costCut) {}

  private final String table;
  private final String strong;
  private final String weak;
  private final int prompts;
  private final int dropped;
  private final Map<String, RoutingCurve> routers;
  private final Map<String, Calibrated> calibrated;
  private final RoutingCurve random;
  private final RoutingCurve oracle;
  private final double strongQuality;
  private final double weakQuality;
  private final double strongCost;
  private final double weakCost;
  private final double oracleShare;
  private final List<SingleModel> singleModels;

  private RouterEvaluation(Builder b, int[] rows, double[] sq, double[] wq, double[] sc, double[] wc) {
    this.table = b.table.name();
    this.strong = b.strong;
    this.weak = b.weak;
    this.prompts = rows.length;
    this.dropped = b.table.size() - rows.length;
    this.routers = new LinkedHashMap<>();
    this.calibrated = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : b.scores.entrySet()) {
      double[] all = e.getValue();
      double[] scores = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        scores[i] = all[rows[i]];
      }
      RoutingCurve curve = RoutingCurve.sweep(scores, sq, wq, sc, wc);
      routers.put(e.getKey(), curve);
      Double threshold = b.thresholds.get(e.getKey());
      if (threshold != null) {
        RoutingCurve.Point p = curve.atThreshold(threshold);
        calibrated.put(e.getKey(), new Calibrated(threshold, b.targetShares.get(e.getKey()), p.premiumShare(),
            p.quality(), curve.pgr(p.quality()), curve.costCut(p.cost())));
      }
    }
    this.random = RoutingCurve.random(sq, wq, sc, wc);
    this.oracle = RoutingCurve.oracle(sq, wq, sc, wc);
    this.strongQuality = random.strongQuality();
    this.weakQuality = random.weakQuality();
    this.strongCost = random.costAt(1);
    this.weakCost = random.costAt(0);
    int wins = 0;
    for (int i = 0; i < sq.length; i++) {
      wins += sq[i] > wq[i] ? 1 : 0;
    }
    this.oracleShare = wins / (double) sq.length;
    this.singleModels = new ArrayList<>();
    for (String model : b.table.models()) {
      double q = 0;
      double c = 0;
      int n = 0;
      for (int r : rows) {
        double mq = b.table.quality(model, r);
        double mc = b.table.cost(model, r);
        if (!Double.isNaN(mq) && !Double.isNaN(mc)) {
          q += mq;
          c += mc;
          n++;
        }
      }
      if (n > 0) {
        singleModels.add(new SingleModel(model, q / n, c / n, n));
      }
    }
  }

  /** An evaluation of routers between {@code strong} and {@code weak}, two of {@code table}'s models. */
  public static Builder builder(RoutingTable table, String strong, String weak) {
    return new Builder(table, strong, weak);
  }

  public String table() {
    return table;
  }

  public String strong() {
    return strong;
  }

  public String weak() {
    return weak;
  }

  /** The prompts evaluated. */
  public int prompts() {
    return prompts;
  }

  /** The table's prompts left out because the strong or the weak model has no quality or cost on them. */
  public int dropped() {
    return dropped;
  }

  /** Each router's curve, in the order added. */
  public Map<String, RoutingCurve> routers() {
    return Collections.unmodifiableMap(routers);
  }

  public RoutingCurve router(String name) {
    RoutingCurve curve = routers.get(name);
    if (curve == null) {
      throw new IllegalArgumentException("no router '" + name + "'; there are " + routers.keySet());
    }
    return curve;
  }

  /** Each router's point at its calibrated threshold, for routers given one. */
  public Map<String, Calibrated> calibrated() {
    return Collections.unmodifiableMap(calibrated);
  }

  public RoutingCurve random() {
    return random;
  }

  public RoutingCurve oracle() {
    return oracle;
  }

  public double strongQuality() {
    return strongQuality;
  }

  public double weakQuality() {
    return weakQuality;
  }

  /** Mean cost per prompt of always choosing the strong model. */
  public double strongCost() {
    return strongCost;
  }

  public double weakCost() {
    return weakCost;
  }

  /** The share of prompts on which the strong model beats the weak one: where the oracle stops. */
  public double oracleShare() {
    return oracleShare;
  }

  /** Every model of the table on the evaluated prompts, for reference. */
  public List<SingleModel> singleModels() {
    return List.copyOf(singleModels);
  }

  /** A section in Markdown: the pair, the single models, and one row per router beside random and the oracle. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("### ").append(table).append(": ").append(strong).append(" vs ").append(weak).append("\n\n");
    md.append(String.format(Locale.ROOT, "%,d prompts%s. Strong: quality %.3f at $%.5f a prompt; weak: quality "
        + "%.3f at $%.5f a prompt. The strong model wins on %s of prompts (the oracle's premium share).%n%n",
        prompts, dropped == 0 ? "" : String.format(Locale.ROOT, " (%,d dropped: no figure for one of the pair)",
            dropped), strongQuality, strongCost, weakQuality, weakCost, percent(oracleShare)));
    md.append("| router | APGR | CPT(50%) | CPT(80%) | premium share for 95% of strong quality | cost cut there "
        + "| premium share for 99% | cost cut there |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    row(md, "random", random.summary());
    for (Map.Entry<String, RoutingCurve> e : routers.entrySet()) {
      row(md, e.getKey(), e.getValue().summary());
    }
    row(md, "oracle", oracle.summary());
    if (!calibrated.isEmpty()) {
      md.append("\n| router | threshold | target premium share | premium share here | quality | PGR | cost cut |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Map.Entry<String, Calibrated> e : calibrated.entrySet()) {
        Calibrated c = e.getValue();
        md.append(String.format(Locale.ROOT, "| %s | %.4f | %s | %s | %.3f | %s | %s |%n", e.getKey(), c.threshold(),
            percent(c.targetShare()), percent(c.premiumShare()), c.quality(), percent(c.pgr()), percent(c.costCut())));
      }
    }
    md.append("\n<details><summary>single models on these prompts</summary>\n\n| model | quality | $ a prompt |\n"
        + "|---|---|---|\n");
    for (SingleModel m : singleModels) {
      md.append(String.format(Locale.ROOT, "| %s | %.3f | %.6f |%n", m.model(), m.quality(), m.cost()));
    }
    md.append("\n</details>\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String name, RoutingCurve.Summary s) {
    md.append(String.format(Locale.ROOT, "| %s | %.3f | %s | %s | %s | %s | %s | %s |%n", name, s.apgr(),
        percent(s.cpt50()), percent(s.cpt80()), percent(s.share95()), percent(s.costCut95()), percent(s.share99()),
        percent(s.costCut99())));
  }

  static String percent(double share) {
    return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  /** Everything, the curves' points included ({@code [threshold, premiumShare, quality, cost]}, threshold null for +∞). */
  public JsonNode json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("table", table);
    root.put("strong", strong);
    root.put("weak", weak);
    root.put("prompts", prompts);
    root.put("dropped", dropped);
    root.put("strongQuality", strongQuality);
    root.put("weakQuality", weakQuality);
    root.put("strongCostPerPrompt", strongCost);
    root.put("weakCostPerPrompt", weakCost);
    root.put("oracleShare", oracleShare);
    ArrayNode curves = root.putArray("routers");
    curve(curves.addObject().put("name", "random"), random, null);
    for (Map.Entry<String, RoutingCurve> e : routers.entrySet()) {
      curve(curves.addObject().put("name", e.getKey()), e.getValue(), calibrated.get(e.getKey()));
    }
    curve(curves.addObject().put("name", "oracle"), oracle, null);
    ArrayNode singles = root.putArray("singleModels");
    for (SingleModel m : singleModels) {
      singles.addObject().put("model", m.model()).put("quality", m.quality()).put("costPerPrompt", m.cost())
          .put("prompts", m.prompts());
    }
    return root;
  }

  private static void curve(ObjectNode node, RoutingCurve curve, Calibrated c) {
    RoutingCurve.Summary s = curve.summary();
    ObjectNode summary = node.putObject("summary");
    number(summary, "apgr", s.apgr());
    number(summary, "cpt50", s.cpt50());
    number(summary, "cpt80", s.cpt80());
    number(summary, "premiumShareFor95", s.share95());
    number(summary, "costCutAt95", s.costCut95());
    number(summary, "premiumShareFor99", s.share99());
    number(summary, "costCutAt99", s.costCut99());
    if (c != null) {
      ObjectNode cal = node.putObject("calibrated");
      number(cal, "threshold", c.threshold());
      number(cal, "targetPremiumShare", c.targetShare());
      number(cal, "premiumShare", c.premiumShare());
      number(cal, "quality", c.quality());
      number(cal, "pgr", c.pgr());
      number(cal, "costCut", c.costCut());
    }
    ArrayNode points = node.putArray("points");
    for (RoutingCurve.Point p : curve.points()) {
      ArrayNode a = points.addArray();
      if (Double.isFinite(p.threshold())) {
        a.add(p.threshold());
      } else {
        a.addNull();
      }
      a.add(p.premiumShare()).add(p.quality()).add(p.cost());
    }
  }

  private static void number(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }

  /**
   * The cost–quality plane as a self-contained SVG (no script, no external resource): each
   * router's curve, random routing (the straight line), the oracle, and the single models that fall
   * within the plotted range. Cost is dollars per 1,000 prompts.
   */
  public String svg() {
    final int width = 760;
    final int height = 500;
    final int left = 70;
    final int right = 200;
    final int top = 40;
    final int bottom = 50;
    double xMax = strongCost;
    double yMin = weakQuality;
    double yMax = strongQuality;
    List<RoutingCurve> all = new ArrayList<>(routers.values());
    all.add(oracle);
    for (RoutingCurve c : all) {
      for (RoutingCurve.Point p : c.points()) {
        xMax = Math.max(xMax, p.cost());
        yMin = Math.min(yMin, p.quality());
        yMax = Math.max(yMax, p.quality());
      }
    }
    double pad = (yMax - yMin) * 0.08 + 1e-9;
    yMin -= pad;
    yMax += pad;
    xMax *= 1.05 * 1000;
    Axis x = new Axis(0, xMax, left, width - right);
    Axis y = new Axis(yMin, yMax, height - bottom, top);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        left, escape(table + ": " + strong + " vs " + weak + " (" + prompts + " prompts)")));
    double xStep = niceStep(xMax / 6);
    for (double v = 0; v <= xMax + 1e-12; v += xStep) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x.map(v), top, x.map(v), height - bottom,
          x.map(v), height - bottom + 16, tick(v, xStep)));
    }
    double yStep = niceStep((yMax - yMin) / 6);
    for (double v = Math.ceil(yMin / yStep) * yStep; v <= yMax + 1e-12; v += yStep) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left, y.map(v), width - right, y.map(v),
          left - 6, y.map(v) + 4, tick(v, yStep)));
    }
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#444\"/>%n", left, top, width - right - left, height - bottom - top));
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">cost, $ per 1,000 prompts"
        + "</text>%n", (left + width - right) / 2.0, height - 12));
    svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
        + "%.1f)\">mean quality</text>%n", (top + height - bottom) / 2.0, (top + height - bottom) / 2.0));
    List<String[]> legend = new ArrayList<>();
    polyline(svg, random, x, y, "#888", "6 4");
    legend.add(new String[] {"#888", "6 4", "random"});
    polyline(svg, oracle, x, y, "#2ca02c", "2 3");
    legend.add(new String[] {"#2ca02c", "2 3", "oracle"});
    int color = 0;
    for (Map.Entry<String, RoutingCurve> e : routers.entrySet()) {
      String c = COLORS[color++ % COLORS.length];
      polyline(svg, e.getValue(), x, y, c, null);
      legend.add(new String[] {c, null, e.getKey()});
    }
    for (SingleModel m : singleModels) {
      double cx = m.cost() * 1000;
      if (cx <= xMax && m.quality() >= yMin && m.quality() <= yMax) {
        boolean pair = m.model().equals(strong) || m.model().equals(weak);
        boolean rightHalf = x.map(cx) > (left + width - right) / 2.0;
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>"
            + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\" text-anchor=\"%s\">%s</text>%n",
            x.map(cx), y.map(m.quality()), pair ? 4 : 3, pair ? "#000" : "#aaa",
            x.map(cx) + (rightHalf ? -6 : 6), y.map(m.quality()) - 4, pair ? "#000" : "#888",
            rightHalf ? "end" : "start", escape(m.model())));
      }
    }
    int ly = top + 10;
    for (String[] l : legend) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n", width - right + 12, ly, width - right + 40, ly,
          l[0], l[1] == null ? "" : " stroke-dasharray=\"" + l[1] + "\"", width - right + 46, ly + 4, escape(l[2])));
      ly += 20;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void polyline(StringBuilder svg, RoutingCurve curve, Axis x, Axis y, String color, String dash) {
    svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"");
    if (dash != null) {
      svg.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    svg.append(" points=\"");
    for (RoutingCurve.Point p : curve.points()) {
      svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.map(p.cost() * 1000), y.map(p.quality())));
    }
    svg.setLength(svg.length() - 1);
    svg.append("\"/>\n");
  }

  private record Axis(double from, double to, double pixelFrom, double pixelTo) {
    double map(double v) {
      return pixelFrom + (v - from) / (to - from) * (pixelTo - pixelFrom);
    }
  }

  private static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  }

  private static String tick(double v, double step) {
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  @Override
  public String toString() {
    return "RouterEvaluation[" + table + ", " + strong + " vs " + weak + ", " + prompts + " prompts, routers "
        + routers.keySet() + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final RoutingTable table;
    private final String strong;
    private final String weak;
    private final Map<String, double[]> scores = new LinkedHashMap<>();
    private final Map<String, Double> thresholds = new LinkedHashMap<>();
    private final Map<String, Double> targetShares = new LinkedHashMap<>();

    private Builder(RoutingTable table, String strong, String weak) {
      this.table = Objects.requireNonNull(table, "table");
      if (!table.hasModel(strong) || !table.hasModel(weak) || strong.equals(weak)) {
        throw new IllegalArgumentException("RouterEvaluation needs two different models of table '" + table.name()
            + "', got strong '" + strong + "' and weak '" + weak + "'; the table has " + table.models());
      }
      this.strong = strong;
      this.weak = weak;
    }

    /** A router by its score for each of the table's prompts, in the table's order. */
    public Builder router(String name, double[] scores) {
      if (scores.length != table.size()) {
        throw new IllegalArgumentException("router '" + name + "': " + scores.length + " scores for "
            + table.size() + " prompts");
      }
      if (this.scores.containsKey(name) || name.equals("random") || name.equals("oracle")) {
        throw new IllegalArgumentException("router '" + name + "' is already there");
      }
      this.scores.put(name, scores.clone());
      return this;
    }

    /**
     * A router by {@code scorer}'s score of each prompt, sent as one user message. A scorer that
     * throws fails the evaluation with the prompt's id.
     */
    public Builder router(String name, ComplexityScorer scorer) {
      double[] s = new double[table.size()];
      for (int i = 0; i < s.length; i++) {
        RoutingTable.Prompt p = table.prompts().get(i);
        try {
          s[i] = scorer.score(ChatRequest.of("eval", p.text())).value();
        } catch (RuntimeException e) {
          throw new IllegalStateException("router '" + name + "' failed to score prompt '" + p.id() + "': " + e, e);
        }
      }
      return router(name, s);
    }

    /**
     * Reports router {@code name} at {@code threshold} too, a threshold calibrated elsewhere for
     * {@code targetShare} of prompts to go to the strong model.
     */
    public Builder calibrated(String name, double threshold, double targetShare) {
      thresholds.put(name, threshold);
      targetShares.put(name, targetShare);
      return this;
    }

    public RouterEvaluation build() {
      for (String name : thresholds.keySet()) {
        if (!scores.containsKey(name)) {
          throw new IllegalStateException("calibrated(\"" + name + "\"): no router of that name; there are "
              + scores.keySet());
        }
      }
      List<Integer> kept = new ArrayList<>();
      for (int r = 0; r < table.size(); r++) {
        if (!Double.isNaN(table.quality(strong, r)) && !Double.isNaN(table.quality(weak, r))
            && !Double.isNaN(table.cost(strong, r)) && !Double.isNaN(table.cost(weak, r))) {
          kept.add(r);
        }
      }
      if (kept.isEmpty()) {
        throw new IllegalStateException("table '" + table.name() + "' has no prompt with a quality and a cost for "
            + "both " + strong + " and " + weak);
      }
      int n = kept.size();
      int[] rows = new int[n];
      double[] sq = new double[n];
      double[] wq = new double[n];
      double[] sc = new double[n];
      double[] wc = new double[n];
      for (int i = 0; i < n; i++) {
        int r = kept.get(i);
        rows[i] = r;
        sq[i] = table.quality(strong, r);
        wq[i] = table.quality(weak, r);
        sc[i] = table.cost(strong, r);
        wc[i] = table.cost(weak, r);
      }
      return new RouterEvaluation(this, rows, sq, wq, sc, wc);
    }
  }
}
