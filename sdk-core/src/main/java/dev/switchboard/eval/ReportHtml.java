package dev.switchboard.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Renders an {@link EvalReport} as one self-contained HTML page with inline SVG charts. Stateless. */
final class ReportHtml {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
      "#17becf", "#bcbd22", "#7f7f7f"};
  private static final String FRONTIER = "#2ca02c";

  private ReportHtml() {}

  static String render(EvalReport report) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            + "img-src data:\">\n")
        .append("<title>").append(esc("Evaluation: " + report.title())).append("</title>\n")
        .append("<style>\n")
        .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:1100px}\n")
        .append("table{border-collapse:collapse;font-size:14px;margin:12px 0}\n")
        .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}\n")
        .append("th:first-child,td:first-child{text-align:left}\n")
        .append("td:nth-child(-n+7){white-space:nowrap}\n")
        .append("th{background:#f3f3f3}\n")
        .append("tr.frontier td:first-child{font-weight:bold}\n")
        .append("dl.settings{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:14px}\n")
        .append("dl.settings dt{font-weight:bold}dl.settings dd{margin:0;white-space:pre-wrap}\n")
        .append("p.method,p.note{font-size:13px;color:#555;max-width:900px}\n")
        .append("svg{display:block;margin:8px 0}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>").append(esc("Evaluation: " + report.title())).append("</h1>\n");
    if (!report.settings().isEmpty()) {
      h.append("<dl class=\"settings\">\n");
      report.settings().forEach((k, v) -> h.append("<dt>").append(esc(k)).append("</dt><dd>").append(esc(v))
          .append("</dd>\n"));
      h.append("</dl>\n");
    }
    table(h, report);
    h.append("<p class=\"method\">").append(esc(EvalReport.METHOD)).append("</p>\n");
    h.append("<h2>Cost and quality</h2>\n");
    costQuality(h, report);
    h.append("<h2>Latency</h2>\n");
    latency(h, report);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void table(StringBuilder h, EvalReport report) {
    h.append("<table class=\"summary\">\n<thead><tr><th>model</th><th>quality (95% CI)</th><th>cost / 1k requests</th>"
        + "<th>latency p50</th><th>latency p99</th><th>TTFT p50</th><th>tokens in / out</th><th>errors</th>"
        + "<th>frontier</th></tr></thead>\n<tbody>\n");
    for (ModelSummary m : report.models()) {
      h.append("<tr").append(m.onFrontier() ? " class=\"frontier\"" : "").append(" data-model=\"")
          .append(esc(m.model())).append("\">")
          .append("<td>").append(esc(m.model())).append("</td>")
          .append("<td>").append(esc(EvalReport.quality(m))).append("</td>")
          .append("<td>").append(esc(m.costPerThousand().map(EvalReport::dollars).orElse("n/a"))).append("</td>")
          .append("<td>").append(esc(m.latencyP50().map(EvalReport::millis).orElse("n/a"))).append("</td>")
          .append("<td>").append(esc(m.latencyP99().map(EvalReport::millis).orElse("n/a"))).append("</td>")
          .append("<td>").append(esc(m.timeToFirstTokenP50().map(EvalReport::millis).orElse("n/a"))).append("</td>")
          .append("<td>").append(esc(EvalReport.tokens(m))).append("</td>")
          .append("<td>").append(esc(EvalReport.errors(m))).append("</td>")
          .append("<td>").append(m.onFrontier() ? "yes" : "").append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void costQuality(StringBuilder h, EvalReport report) {
    List<ModelSummary> placed = report.models().stream().filter(EvalReport::placed).toList();
    List<String> left = report.models().stream().filter(m -> !EvalReport.placed(m))
        .map(m -> m.model() + (m.costPerThousand().isEmpty() ? " (no price)" : " (no quality)")).toList();
    if (placed.isEmpty()) {
      h.append("<p class=\"note\">No model has both a cost and a quality to plot.</p>\n");
      return;
    }
    final int width = 880;
    final int height = 500;
    final int left0 = 70;
    final int right = 250;
    final int top = 30;
    final int bottom = 50;
    double xMax = 0;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (ModelSummary m : placed) {
      xMax = Math.max(xMax, cost(m));
      yMin = Math.min(yMin, Double.isNaN(m.interval().low()) ? m.quality() : m.interval().low());
      yMax = Math.max(yMax, Double.isNaN(m.interval().high()) ? m.quality() : m.interval().high());
    }
    xMax = xMax <= 0 ? 1 : xMax * 1.12;
    double pad = Math.max((yMax - yMin) * 0.08, 0.01);
    yMin -= pad;
    yMax += pad;
    Axis x = new Axis(0, xMax, left0, width - right);
    Axis y = new Axis(yMin, yMax, height - bottom, top);
    h.append(String.format(Locale.ROOT, "<svg id=\"cost-quality\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" "
        + "aria-label=\"cost per 1,000 requests against mean quality, one point per model\">%n", width, height, width,
        height));
    h.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    double xStep = niceStep(xMax / 6);
    for (double v = 0; v <= xMax + 1e-12; v += xStep) {
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x.map(v), top, x.map(v), height - bottom,
          x.map(v), height - bottom + 16, tick(v, xStep)));
    }
    double yStep = niceStep((yMax - yMin) / 6);
    for (double v = Math.ceil(yMin / yStep) * yStep; v <= yMax + 1e-12; v += yStep) {
      h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left0, y.map(v), width - right, y.map(v),
          left0 - 6, y.map(v) + 4, tick(v, yStep)));
    }
    h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#444\"/>%n", left0, top, width - right - left0, height - bottom - top));
    h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">cost, US$ per 1,000 requests"
        + "</text>%n", (left0 + width - right) / 2.0, height - 12));
    h.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
        + "%.1f)\">mean quality (95%% CI)</text>%n", (top + height - bottom) / 2.0, (top + height - bottom) / 2.0));

    List<ModelSummary> frontier = new ArrayList<>(placed.stream().filter(ModelSummary::onFrontier).toList());
    frontier.sort(Comparator.comparingDouble(ReportHtml::cost).thenComparingDouble(ModelSummary::quality));
    StringBuilder points = new StringBuilder();
    for (ModelSummary m : frontier) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.map(cost(m)), y.map(m.quality())));
    }
    h.append("<polyline class=\"pareto-frontier\" fill=\"none\" stroke=\"").append(FRONTIER)
        .append("\" stroke-width=\"2\" stroke-dasharray=\"7 4\" points=\"").append(points.toString().strip())
        .append("\"/>\n");
    int color = 0;
    for (ModelSummary m : report.models()) {
      String c = COLORS[color++ % COLORS.length];
      if (!EvalReport.placed(m)) {
        continue;
      }
      double px = x.map(cost(m));
      double py = y.map(m.quality());
      if (!Double.isNaN(m.interval().low())) {
        h.append(String.format(Locale.ROOT, "<line class=\"ci\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            + "stroke=\"%s\" stroke-width=\"1.5\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
            + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
            px, y.map(m.interval().low()), px, y.map(m.interval().high()), c,
            px - 4, y.map(m.interval().low()), px + 4, y.map(m.interval().low()), c,
            px - 4, y.map(m.interval().high()), px + 4, y.map(m.interval().high()), c));
      }
      if (m.onFrontier()) {
        h.append(String.format(Locale.ROOT, "<circle class=\"pareto-marker\" data-model=\"%s\" cx=\"%.1f\" cy=\"%.1f\" "
            + "r=\"10\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"/>%n", esc(m.model()), px, py, FRONTIER));
      }
      h.append(String.format(Locale.ROOT, "<circle class=\"model-point\" data-model=\"%s\" cx=\"%.1f\" cy=\"%.1f\" "
          + "r=\"5.5\" fill=\"%s\"><title>%s</title></circle>%n", esc(m.model()), px, py, c, esc(m.model() + ": quality "
          + EvalReport.quality(m) + ", " + m.costPerThousand().map(EvalReport::dollars).orElse("n/a")
          + " per 1k requests" + (m.onFrontier() ? ", on the Pareto frontier" : ""))));
      boolean rightHalf = px > (left0 + width - right) / 2.0;
      h.append(String.format(Locale.ROOT, "<text class=\"model-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
          + "fill=\"%s\"%s>%s</text>%n", px + (rightHalf ? -14 : 14), py - 8, rightHalf ? "end" : "start", c,
          m.onFrontier() ? " font-weight=\"bold\"" : "", esc(m.model())));
    }
    int lx = width - right + 16;
    int ly = top + 14;
    h.append(String.format(Locale.ROOT, "<g class=\"legend\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
        + "stroke-width=\"2\" stroke-dasharray=\"7 4\"/><circle cx=\"%d\" cy=\"%d\" r=\"8\" fill=\"none\" "
        + "stroke=\"%s\" stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\">Pareto frontier</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">no other model is cheaper</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">and at least as good</text></g>%n",
        lx, ly, lx + 34, ly, FRONTIER, lx + 17, ly, FRONTIER, lx + 42, ly + 4, lx + 42, ly + 19, lx + 42, ly + 33));
    ly += 56;
    color = 0;
    for (ModelSummary m : report.models()) {
      String c = COLORS[color++ % COLORS.length];
      h.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">"
          + "%s</text>%n", lx + 17, ly, c, lx + 42, ly + 4, esc(shorten(m.model(), 26))));
      ly += 20;
    }
    h.append("</svg>\n");
    if (!left.isEmpty()) {
      h.append("<p class=\"note\">Not plotted: ").append(esc(String.join(", ", left))).append(".</p>\n");
    }
  }

  private static void latency(StringBuilder h, EvalReport report) {
    List<String> names = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    double max = 0;
    for (ModelSummary m : report.models()) {
      double[] ms = report.results(m.model()).stream().filter(EvalResult::succeeded)
          .mapToDouble(r -> r.latency().toNanos() / 1e6).sorted().toArray();
      names.add(m.model());
      rows.add(ms);
      if (ms.length > 0) {
        max = Math.max(max, ms[ms.length - 1]);
      }
    }
    if (max <= 0) {
      h.append("<p class=\"note\">No answered request to show latencies of.</p>\n");
      return;
    }
    final int width = 880;
    final int left0 = 200;
    final int right = 40;
    final int top = 20;
    final int rowHeight = 46;
    final int bottom = 46;
    int height = top + rowHeight * names.size() + bottom;
    double xMax = max * 1.05;
    Axis x = new Axis(0, xMax, left0, width - right);
    h.append(String.format(Locale.ROOT, "<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" "
        + "aria-label=\"latency distribution per model\">%n", width, height, width, height));
    h.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    double step = niceStep(xMax / 8);
    int axisY = top + rowHeight * names.size();
    for (double v = 0; v <= xMax + 1e-12; v += step) {
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x.map(v), top, x.map(v), axisY, x.map(v),
          axisY + 16, tick(v, step)));
    }
    h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">latency, ms (box: p25–p75, "
        + "bar: p50, whiskers: min–max, diamond: p99)</text>%n", (left0 + width - right) / 2.0, height - 10));
    for (int i = 0; i < names.size(); i++) {
      double[] ms = rows.get(i);
      String c = COLORS[i % COLORS.length];
      double cy = top + rowHeight * i + rowHeight / 2.0;
      h.append("<g class=\"latency-box\" data-model=\"").append(esc(names.get(i))).append("\">");
      h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left0 - 10,
          cy + 4, esc(shorten(names.get(i), 28))));
      if (ms.length == 0) {
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#888\">no answered request</text>",
            left0 + 6, cy + 4)).append("</g>\n");
        continue;
      }
      double p25 = Stats.percentile(ms, 25);
      double p50 = Stats.percentile(ms, 50);
      double p75 = Stats.percentile(ms, 75);
      double p99 = Stats.percentile(ms, 99);
      double lo = ms[0];
      double hi = ms[ms.length - 1];
      h.append(String.format(Locale.ROOT, "<title>%s: n=%d, min %.1f, p25 %.1f, p50 %.1f, p75 %.1f, p99 %.1f, max %.1f "
          + "ms</title>", esc(names.get(i)), ms.length, lo, p25, p50, p75, p99, hi));
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
          x.map(lo), cy, x.map(hi), cy, c));
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
          x.map(lo), cy - 7, x.map(lo), cy + 7, c));
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
          x.map(hi), cy - 7, x.map(hi), cy + 7, c));
      h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" fill=\"%s\" "
          + "fill-opacity=\"0.25\" stroke=\"%s\"/>", x.map(p25), cy - 11, Math.max(1, x.map(p75) - x.map(p25)), c, c));
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          + "stroke-width=\"3\"/>", x.map(p50), cy - 11, x.map(p50), cy + 11, c));
      double dx = x.map(p99);
      h.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 z\" fill=\"%s\"/>", dx, cy - 5, c));
      h.append("</g>\n");
    }
    h.append("</svg>\n");
  }

  private static double cost(ModelSummary m) {
    return m.costPerThousand().orElseThrow().doubleValue();
  }

  private record Axis(double from, double to, double pixelFrom, double pixelTo) {
    double map(double v) {
      return pixelFrom + (v - from) / (to - from) * (pixelTo - pixelFrom);
    }
  }

  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  }

  private static String tick(double v, double step) {
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0 : v);
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
