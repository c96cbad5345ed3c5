package dev.switchboard.examples.demo;

import java.util.Locale;

/** The demo's HTML report: one self-contained page, inline SVG, no script. */
final class DemoReport {
  private DemoReport() {}

  static String html(CostCuttingDemo.Result before, CostCuttingDemo.Result after, RankingTraffic day) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard: a day of ranking "
        + "traffic, before and after</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
        + "th:first-child,td:first-child{text-align:left}h1{font-size:1.4em}</style></head><body>");
    h.append("<h1>A day of ranking traffic, before and after</h1>");
    h.append(String.format(Locale.ROOT, "<p>%,d requests, %,d distinct queries, %,d near-duplicates; simulated "
        + "providers over HTTP on 127.0.0.1. Every figure is measured in the run.</p>", day.requests().size(),
        day.intents(), day.nearDuplicates()));
    h.append("<pre id=\"table\">").append(escape(CostCuttingDemo.table(before, after))).append("</pre>");
    h.append(chart(before, after));
    h.append("</body></html>\n");
    return h.toString();
  }

  /** Cost against quality, one point per setup; the cheaper and better one is the frontier. */
  private static String chart(CostCuttingDemo.Result before, CostCuttingDemo.Result after) {
    double maxCost = Math.max(before.cost().doubleValue(), after.cost().doubleValue()) * 1.15;
    StringBuilder s = new StringBuilder("<svg id=\"cost-quality\" xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
        + "height=\"360\" viewBox=\"0 0 640 360\" role=\"img\" aria-label=\"cost against quality\">");
    s.append("<line x1=\"60\" y1=\"320\" x2=\"620\" y2=\"320\" stroke=\"#333\"/>"
        + "<line x1=\"60\" y1=\"20\" x2=\"60\" y2=\"320\" stroke=\"#333\"/>");
    s.append("<text x=\"340\" y=\"350\" text-anchor=\"middle\">cost of the day ($)</text>");
    s.append("<text x=\"15\" y=\"170\" transform=\"rotate(-90 15 170)\" text-anchor=\"middle\">good answers (%)"
        + "</text>");
    for (CostCuttingDemo.Result r : new CostCuttingDemo.Result[] {before, after}) {
      double x = 60 + 560 * r.cost().doubleValue() / maxCost;
      double y = 320 - 300 * (r.quality() - 0.5) / 0.5;
      s.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\">%s: %s, %s</text>", x, y, r == after ? "#1a7f37" : "#b42318", x + 10, y - 10,
          escape(r.name()), CostCuttingDemo.money(r.cost()), CostCuttingDemo.pct(r.quality())));
    }
    s.append("</svg>");
    return s.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

}
