package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.route.ComplexityScorer;
import dev.switchboard.route.RoutingData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterEvaluationTest {
  /**
   * RoutingCurveTest's five prompts, plus a sixth the weak model has no figure for; a third
   * model, "mid", for the single-model list.
   */
  private static RoutingTable table() {
    RoutingTable.Builder b = RoutingTable.builder("tiny", List.of("strong", "weak", "mid"));
    double[][] rows = {{1, 0, 1}, {1, 1, 0}, {1, 0, 1}, {0, 1, 0}, {1, 0, 0}, {1, Double.NaN, 1}};
    for (int i = 0; i < rows.length; i++) {
      b.add(new RoutingTable.Prompt("p" + (i + 1), "prompt " + (i + 1), "g", ""), rows[i], new double[] {5, 1, 2});
    }
    return b.build();
  }

  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.5, 0.2, 0.99};

  @Test
  void dropsPromptsWithoutBothFigures_andSetsRoutersBesideRandomAndOracle() {
    RouterEvaluation e = RouterEvaluation.builder(table(), "strong", "weak").router("mine", SCORES)
        .calibrated("mine", 0.85, 0.2).build();

    assertThat(e.prompts()).isEqualTo(5);
    assertThat(e.dropped()).isEqualTo(1);
    assertThat(e.router("mine").apgr()).isCloseTo(0.65, within(1e-9));
    assertThat(e.random().apgr()).isCloseTo(0.5, within(1e-9));
    assertThat(e.oracle().apgr()).isCloseTo(1.0, within(1e-9));
    assertThat(e.oracleShare()).isCloseTo(0.6, within(1e-9));
    assertThat(e.strongQuality()).isCloseTo(0.8, within(1e-9));
    assertThat(e.strongCost()).isCloseTo(5, within(1e-9));
    // at 0.85 only prompt 1 goes strong: share 0.2, quality 0.6, PGR 0.5, cost 1.8, cut 0.64
    RouterEvaluation.Calibrated c = e.calibrated().get("mine");
    assertThat(c.premiumShare()).isCloseTo(0.2, within(1e-9));
    assertThat(c.pgr()).isCloseTo(0.5, within(1e-9));
    assertThat(c.costCut()).isCloseTo(0.64, within(1e-9));
    // mid on the five prompts: quality 2/5, cost 2
    assertThat(e.singleModels()).contains(new RouterEvaluation.SingleModel("mid", 0.4, 2, 5));
  }

  @Test
  void markdownJsonAndSvg() {
    RouterEvaluation e = RouterEvaluation.builder(table(), "strong", "weak").router("mine", SCORES)
        .calibrated("mine", 0.85, 0.2).build();

    String md = e.markdown();
    assertThat(md).contains("### tiny: strong vs weak")
        .contains("5 prompts (1 dropped: no figure for one of the pair)")
        .contains("| random | 0.500 | 50.0% | 80.0% | 90.0% | 8.0% | 98.0% | 1.6% |")
        .contains("| mine | 0.650 | 20.0% | 44.0% | 52.0% | 38.4% | 58.4% | 33.3% |")
        .contains("| oracle | 1.000 | 20.0% | 32.0% | 36.0% | 51.2% |")
        .contains("| mine | 0.8500 | 20.0% | 20.0% | 0.600 | 50.0% | 64.0% |");
    JsonNode json = e.json();
    assertThat(json.path("prompts").asInt()).isEqualTo(5);
    assertThat(json.path("routers").get(1).path("name").asText()).isEqualTo("mine");
    assertThat(json.path("routers").get(1).path("summary").path("apgr").asDouble()).isCloseTo(0.65, within(1e-9));
    assertThat(json.path("routers").get(1).path("points").get(0).get(0).isNull()).as("+∞ as null").isTrue();
    assertThat(json.path("routers").get(1).path("points")).hasSize(5);
    String svg = e.svg();
    assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n")
        .contains("<polyline").contains(">mine</text>").contains(">oracle</text>").contains(">random</text>")
        .doesNotContain("<script").doesNotContain("href");
  }

  @Test
  void builder_namesWhatIsWrong() {
    assertThatThrownBy(() -> RouterEvaluation.builder(table(), "strong", "nobody"))
        .hasMessageStartingWith("RouterEvaluation needs two different models of table 'tiny'");
    assertThatThrownBy(() -> RouterEvaluation.builder(table(), "strong", "weak").router("mine", new double[2]))
        .hasMessage("router 'mine': 2 scores for 6 prompts");
    assertThatThrownBy(() -> RouterEvaluation.builder(table(), "strong", "weak").router("oracle", SCORES))
        .hasMessage("router 'oracle' is already there");
    assertThatThrownBy(() -> RouterEvaluation.builder(table(), "strong", "weak").router("a", SCORES)
        .calibrated("b", 0.5, 0.2).build()).hasMessage("calibrated(\"b\"): no router of that name; there are [a]");
  }

  /**
   * On the public data, the oracle agrees with the figures published beside it: with GPT-4 on 10%
   * of ARC, 14.5% of MBPP and 18% of Winogrande prompts (all rows) it reaches GPT-4's accuracy
   * against Mixtral; on the arena, CPT(80%) against GPT-3.5-Turbo is 26.0%.
   */
  @Test
  void publicData_oracleMatchesThePublishedFigures_andScorersRun() throws Exception {
    Path dir = RoutingData.dir();
    String[][] files = {{"arc_challenge", "0.100"}, {"mbpp", "0.145"}, {"winogrande", "0.180"}};
    for (String[] f : files) {
      RoutingTable t = RoutingTable.readRouterBench(f[0], List.of(dir.resolve("routerbench_subset")
          .resolve("routerbench_" + f[0] + ".csv")));
      RouterEvaluation e = RouterEvaluation.builder(t, "gpt-4-1106-preview", "mistralai/mixtral-8x7b-chat")
          .router("heuristic", ComplexityScorer.heuristic()).build();
      assertThat(e.oracle().premiumShareFor(e.strongQuality())).as(f[0])
          .isCloseTo(Double.parseDouble(f[1]), within(0.005));
      assertThat(e.router("heuristic").apgr()).as(f[0]).isBetween(0.0, 1.5);
    }
    RoutingTable arena = RoutingTable.readArena("arena", dir.resolve("arena_bench_v1"), RoutingTable.arenaPrices());
    assertThat(arena.size()).isEqualTo(300);
    RouterEvaluation e = RouterEvaluation.builder(arena, "gpt-4-1106-preview", "gpt-3.5-turbo").build();
    assertThat(e.oracle().cpt(0.8)).isCloseTo(0.26, within(0.005));
  }
}
