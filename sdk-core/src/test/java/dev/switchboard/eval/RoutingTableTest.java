package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.cost.ModelPrice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both file formats, read from small files written in them. */
class RoutingTableTest {
  @TempDir
  Path dir;

  @Test
  void routerBench_pythonListPrompts_qualityAndCostPerModel() throws IOException {
    Path file = dir.resolve("routerbench_x.csv");
    Files.writeString(file, String.join("\n",
        "split,sample_id,eval_name,prompt,strong/a,weak-b,strong/a|total_cost,weak-b|total_cost,oracle_model_to_route_to",
        "train,x.1,winogrande,\"['Ian\\'s menudo\\nA) Ian\\nB) \"\"Dennis\"\"']\",1.0,0.0,0.0064,0.00018,strong/a",
        "test,x.2,winogrande,\"['first', \"\"it's second\"\"]\",,1.0,0.005,0.0002,weak-b",
        ""));

    RoutingTable t = RoutingTable.readRouterBench("rb", List.of(file));

    assertThat(t.models()).containsExactly("strong/a", "weak-b");
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.prompts().get(0)).isEqualTo(new RoutingTable.Prompt("x.1", "Ian's menudo\nA) Ian\nB) \"Dennis\"",
        "winogrande", "train"));
    assertThat(t.prompts().get(1).text()).isEqualTo("first\n\nit's second");
    assertThat(t.quality("strong/a", 0)).isEqualTo(1.0);
    assertThat(t.cost("weak-b", 0)).isEqualTo(0.00018);
    assertThat(t.quality("strong/a", 1)).as("a blank figure").isNaN();
    assertThat(t.split("test").prompts()).extracting(RoutingTable.Prompt::id).containsExactly("x.2");
    assertThat(t.split("test").name()).isEqualTo("rb test");
    assertThatThrownBy(() -> t.quality("nobody", 0)).hasMessage("table 'rb' has no model 'nobody'; it has "
        + "[strong/a, weak-b]");
  }

  @Test
  void pythonStrings_escapes_andAnythingElseAsItIs() {
    assertThat(RoutingTable.pythonStrings("['tab\\there', 'x\\x41\\u00e9', 'back\\\\slash']"))
        .isEqualTo("tab\there\n\nxAé\n\nback\\slash");
    assertThat(RoutingTable.pythonStrings("plain text")).isEqualTo("plain text");
    assertThat(RoutingTable.pythonStrings("['unclosed]")).isEqualTo("['unclosed]");
    assertThat(RoutingTable.pythonStrings("[1, 2]")).isEqualTo("[1, 2]");
  }

  @Test
  void arena_scoresAndCostFromAnswerLengthsAtListPrices() throws IOException {
    Files.writeString(dir.resolve("scores_matrix.csv"), String.join("\n",
        "question_id,category,prompt,big,small,unpriced",
        "q1,arena,\"Explain, in detail\nplease\",9,6,3",
        "q2,arena,hi,10,,2",
        ""));
    Files.writeString(dir.resolve("answer_lengths_chars.csv"), String.join("\n",
        "question_id,prompt_chars,big,small,unpriced",
        "q1,400,2000,1001,10",
        "q2,2,8,4,4",
        ""));
    Map<String, ModelPrice> prices = Map.of("big", ModelPrice.of(10, 30), "small", ModelPrice.of(0.6, 0.6));

    RoutingTable t = RoutingTable.readArena("arena", dir, prices);

    assertThat(t.prompts().get(0).text()).isEqualTo("Explain, in detail\nplease");
    assertThat(t.quality("big", 0)).isEqualTo(9);
    assertThat(t.quality("small", 1)).isNaN();
    // 400 chars = 100 input tokens, 2,000 = 500 output: 100 × $10 + 500 × $30 per million = $0.016
    assertThat(t.cost("big", 0)).isCloseTo(0.016, within(1e-12));
    // 1,001 chars round up to 251 tokens: (100 + 251) × $0.60 per million = $0.0002106
    assertThat(t.cost("small", 0)).isCloseTo(0.0002106, within(1e-12));
    assertThat(t.cost("unpriced", 0)).isNaN();
  }

  @Test
  void arenaPrices_coverTheReportedPairs() {
    assertThat(RoutingTable.arenaPrices()).containsKeys("gpt-4-1106-preview", "gpt-3.5-turbo",
        "mistralai/Mixtral-8x7B-Instruct-v0.1");
    assertThat(RoutingTable.arenaPrices().get("gpt-4-1106-preview")).isEqualTo(ModelPrice.of(10, 30));
  }

  @Test
  void malformedFiles_sayWhereAndWhat() throws IOException {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "split,sample_id,eval_name,prompt,m,m|total_cost\ntrain,1,e,p,yes,0.1\n");
    assertThatThrownBy(() -> RoutingTable.readRouterBench("rb", List.of(bad)))
        .hasMessage(bad + " row 1, column 'm': 'yes' is not a number");
    Path noSplit = dir.resolve("nosplit.csv");
    Files.writeString(noSplit, "sample_id,eval_name,prompt,m,m|total_cost\n1,e,p,1,0.1\n");
    assertThatThrownBy(() -> RoutingTable.readRouterBench("rb", List.of(noSplit)))
        .hasMessage(noSplit + " has no column 'split'; it has [sample_id, eval_name, prompt, m, m|total_cost]");
  }
}
