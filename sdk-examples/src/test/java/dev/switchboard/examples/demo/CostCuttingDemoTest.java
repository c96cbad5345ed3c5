package dev.switchboard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo on a short day: its figures come from the run, and the story's setup behaves as it claims. */
@Timeout(120)
class CostCuttingDemoTest {
  @TempDir
  Path out;

  @Test
  void aShortDay_beforeAndAfter() throws Exception {
    RankingTraffic day = RankingTraffic.day(600, 0.2, 0.4, 7);
    CostCuttingDemo.Result before = CostCuttingDemo.run("before", day, false);
    CostCuttingDemo.Result after = CostCuttingDemo.run("after", day, true);

    assertThat(before.cost()).isEqualByComparingTo(before.ledger().total().total());
    assertThat(after.cost()).isEqualByComparingTo(after.ledger().total().total());
    assertThat(after.cost()).as("cheaper").isLessThan(before.cost());
    assertThat(before.cacheHits()).isZero();
    assertThat(after.cacheHits()).as("repeats are served from the cache").isPositive();
    assertThat(before.outageErrors()).as("all-premium fails in the outage").isPositive();
    assertThat(after.outageErrors()).as("the fallback carries the outage").isZero();
    assertThat(after.failovers()).isPositive();
    assertThat(before.good() + before.errors()).isLessThanOrEqualTo(600);

    String table = CostCuttingDemo.table(before, after);
    assertThat(table).contains("| requests", "| cost of the day", "| quality (good answers)", "| cache hit rate");
    Path html = out.resolve("report.html");
    Files.writeString(html, DemoReport.html(before, after, day));
    assertThat(Files.readString(html)).contains("<svg id=\"cost-quality\"").containsOnlyOnce("</html>");
    assertThat(Files.readString(html).split("class=\"point\"", -1)).hasSize(3);
  }

  @Test
  void liveWithoutKeys_saysWhichToSet_andExitsWithTwo() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("OPENAI_API_KEY") == null,
        "OPENAI_API_KEY is set here: the live sample would call the real API");
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(LiveSample.run(RankingTraffic.day(5, 0.2, 0.4, 1))).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("demo --live needs OPENAI_API_KEY");
  }
}
