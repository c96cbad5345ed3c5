package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Usage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's files, and the HTML's structure (Chromium renders it in sdk-examples). */
class EvalReportTest {
  @TempDir
  Path dir;

  private static EvalResult result(String id, String model, double score, String cost, long ms) {
    return EvalResult.builder().id(id).model(model).answer("x").score(score).usage(Usage.of(10, 5))
        .cost(new BigDecimal(cost)).latency(Duration.ofMillis(ms)).build();
  }

  /** cheap: q 0.5 at $0.1/1k; mid: 0.75 at $0.2; best: 1 at $0.4; waste: 0.5 at $0.3 (dominated); free: unpriced. */
  static EvalReport sample() {
    List<EvalResult> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(result("e" + i, "cheap", i % 2, "0.0001", 100 + i));
      results.add(result("e" + i, "mid", i == 0 ? 0 : 1, "0.0002", 200 + 10 * i));
      results.add(result("e" + i, "best <&>", 1, "0.0004", 400 + 50 * i));
      results.add(result("e" + i, "waste", i % 2, "0.0003", 900 + i));
      results.add(EvalResult.builder().id("e" + i).model("free").answer("x").score(1).latency(Duration.ofMillis(5))
          .build());
    }
    return EvalReport.of("sample", results);
  }

  @Test
  void frontier_holdsTheNonDominatedPricedModels() {
    EvalReport report = sample();
    assertThat(report.paretoFrontier()).containsExactly("cheap", "mid", "best <&>");
    assertThat(report.model("waste").onFrontier()).isFalse(); // mid is cheaper and better
    assertThat(report.model("free").onFrontier()).isFalse(); // no price: not placed
    assertThat(report.model("free").costPerThousand()).isEmpty();
  }

  @Test
  void html_isSelfContained_withOnePointPerPlacedModel_andTheFrontier() throws IOException {
    EvalReport report = sample();
    List<Path> written = report.writeTo(dir);
    assertThat(written).extracting(p -> p.getFileName().toString())
        .containsExactly("report.md", "report.csv", "report.html");
    String html = Files.readString(dir.resolve("report.html"));

    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain(" src=").doesNotContain(" href=")
        .doesNotContain("url(").contains("Content-Security-Policy");
    assertThat(count(html, "class=\"model-point\"")).isEqualTo(4); // free has no price
    assertThat(count(html, "class=\"pareto-frontier\"")).isEqualTo(1);
    assertThat(count(html, "class=\"pareto-marker\"")).isEqualTo(3);
    assertThat(count(html, "class=\"latency-box\"")).isEqualTo(5);
    assertThat(html).contains("data-model=\"best &lt;&amp;&gt;\"").contains("Pareto frontier")
        .contains("Not plotted: free (no price).");
    // The frontier's line goes through cheap, mid and best, left to right.
    Matcher line = Pattern.compile("class=\"pareto-frontier\"[^>]*points=\"([^\"]+)\"").matcher(html);
    assertThat(line.find()).isTrue();
    String[] points = line.group(1).split(" ");
    assertThat(points).hasSize(3);
    assertThat(Double.parseDouble(points[0].split(",")[0])).isLessThan(Double.parseDouble(points[1].split(",")[0]));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void runFile_roundTripsAResult() {
    EvalResult r = EvalResult.builder().id("q\"1").model("p/m").answer("multi\nline").score(0.25)
        .usage(Usage.of(12, 3)).cost(new BigDecimal("0.000014")).latency(Duration.ofNanos(812_345_678))
        .timeToFirstToken(Duration.ofMillis(90)).build();
    assertThat(RunFile.fromJson(RunFile.toJson(r))).isEqualTo(r);
    EvalResult failed = EvalResult.builder().id("q").model("p/m").error("RateLimitException").errorMessage("slow")
        .latency(Duration.ofMillis(3)).build();
    assertThat(RunFile.fromJson(RunFile.toJson(failed))).isEqualTo(failed);
  }
}
