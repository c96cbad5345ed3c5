package dev.switchboard.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.route.ComplexityModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * {@code switchboard router-eval} in-process on small files in the public data's formats, written
 * here: three RouterBench files and an arena matrix. The real data is read by the core's tests.
 */
class RouterEvalCommandTest {
  private static final String MODELS = "gpt-4-1106-preview,mistralai/mixtral-8x7b-chat";

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = SwitchboardCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
    return cmd.execute(args);
  }

  /** Rows where GPT-4 is right and Mixtral wrong on the long "explain" prompts, both right on the rest. */
  private void writeData(Path data) throws IOException {
    Path rb = Files.createDirectories(data.resolve("routerbench_subset"));
    String[] groups = {"arc-challenge", "mbpp", "winogrande"};
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      lines.add("split,sample_id,eval_name,prompt," + MODELS + ",gpt-4-1106-preview|total_cost,"
          + "mistralai/mixtral-8x7b-chat|total_cost,oracle_model_to_route_to");
      for (int i = 0; i < 40; i++) {
        boolean hard = i % 3 == 0;
        String prompt = hard ? "Explain step by step why item " + i + " fails, then compare it with item " + (i + 1)
            : "Name item " + i;
        lines.add((i % 4 == 0 ? "test" : "train") + "," + groups[f] + "." + i + "," + groups[f] + ",\"['" + prompt
            + "']\",1.0," + (hard ? "0.0" : "1.0") + ",0.005,0.0002,x");
      }
      Files.write(rb.resolve(RouterEvalCommand.ROUTERBENCH_FILES.get(f)), lines);
    }
    Path arena = Files.createDirectories(data.resolve("arena_bench_v1"));
    List<String> scores = new ArrayList<>();
    List<String> lengths = new ArrayList<>();
    scores.add("question_id,category,prompt,gpt-4-1106-preview,gpt-3.5-turbo,mistralai/Mixtral-8x7B-Instruct-v0.1");
    lengths.add("question_id,prompt_chars,gpt-4-1106-preview,gpt-3.5-turbo,mistralai/Mixtral-8x7B-Instruct-v0.1");
    for (int i = 0; i < 12; i++) {
      scores.add("q" + i + ",arena,\"Question " + i + ", with a comma\"," + (8 + i % 3) + "," + (5 + i % 4) + ","
          + (4 + i % 5));
      lengths.add("q" + i + "," + (40 + i) + ",2000,1200,1500");
    }
    Files.write(arena.resolve("scores_matrix.csv"), scores);
    Files.write(arena.resolve("answer_lengths_chars.csv"), lengths);
  }

  @Test
  void writesTheReportChartsAndModel() throws Exception {
    Path data = dir.resolve("routing");
    writeData(data);
    Path report = dir.resolve("report");

    int code = run("router-eval", "--data", data.toString(), "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("| RouterBench test (30) | gpt-4-1106-preview vs mixtral-8x7b-chat | trained |")
        .contains("| arena_bench_v1 (12) | gpt-4-1106-preview vs Mixtral-8x7B-Instruct-v0.1 | heuristic |");
    String md = Files.readString(report.resolve("router-eval.md"));
    assertThat(md).contains("# Router evaluation").contains("## Summary")
        .contains("### RouterBench test, mbpp: gpt-4-1106-preview vs mistralai/mixtral-8x7b-chat")
        .contains("![cost and quality](router-eval-arena-bench-v1-gpt-3-5-turbo.svg)");
    JsonNode json = new ObjectMapper().readTree(report.resolve("router-eval.json").toFile());
    assertThat(json.path("evaluations")).hasSize(6);
    assertThat(json.path("thresholds").has("heuristic")).isTrue();
    try (var svgs = Files.list(report)) {
      assertThat(svgs.filter(p -> p.toString().endsWith(".svg")).count()).isEqualTo(6);
    }
    try (InputStream in = Files.newInputStream(report.resolve("complexity-model.json"))) {
      ComplexityModel model = ComplexityModel.read(in);
      assertThat(model.label()).startsWith("gpt-4-1106-preview beats mixtral-8x7b-chat");
      // the pattern in the files is learnable: the long "explain" prompts score above the short ones
      assertThat(model.probability("Explain step by step why item 99 fails, then compare it with item 100"))
          .isGreaterThan(model.probability("Name item 99"));
    }
  }

  @Test
  void missingData_failsWithThePath() {
    int code = run("router-eval", "--data", dir.resolve("nowhere").toString(), "--out", dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("routerbench_arc_challenge.csv is missing; --data must hold "
        + "routerbench_subset/");
  }
}
