package dev.switchboard.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** {@code switchboard eval} in-process against the simulated models, and its argument errors. */
class EvalCommandTest {
  @TempDir
  Path dir;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cmd = SwitchboardCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
    return cmd.execute(args);
  }

  @Test
  void simulate_writesTheReports_andAResumedRunAsksNothing() throws IOException {
    Path report = dir.resolve("eval");
    int code = run("eval", "--simulate", "--limit", "5", "--concurrency", "10", "--out", report.toString(),
        "--models", "sim/balanced,sim/small", "--no-progress");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("| sim/balanced | ").contains("| sim/small | ")
        .contains("Wrote " + report.resolve("report.md"));
    assertThat(report.resolve("report.md")).exists();
    assertThat(report.resolve("report.csv")).exists();
    assertThat(Files.readString(report.resolve("report.html"))).contains("class=\"pareto-frontier\"");
    List<String> lines = Files.readAllLines(report.resolve("run.jsonl"));
    assertThat(lines).hasSize(1 + 10); // settings, 5 examples x 2 models

    assertThat(run("eval", "--simulate", "--limit", "5", "--out", report.toString(),
        "--models", "sim/balanced,sim/small", "--no-progress")).isZero();
    assertThat(Files.readAllLines(report.resolve("run.jsonl"))).isEqualTo(lines); // nothing asked again
    assertThat(out.toString()).contains("(10 results from earlier runs)");
  }

  @Test
  void simulate_withAJudge() throws IOException {
    Path report = dir.resolve("judged");
    int code = run("eval", "--simulate", "--limit", "3", "--models", "sim/small", "--scorer", "judge",
        "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("- scorer: judge:sim/judge");
  }

  @Test
  void badArguments_sayWhatIsWrong() throws IOException {
    assertThat(run("eval", "--dataset", "x.jsonl", "--models", "a/b", "--scorer", "bleu")).isEqualTo(2);
    assertThat(err.toString()).contains("'bleu' is not a scorer; use exact, normalized, regex, regex:PATTERN, "
        + "numeric[:TOL], json, ndcg[:K] or judge");

    assertThat(run("eval", "--dataset", "x.jsonl")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing --models");

    assertThat(run("eval", "--models", "a/b")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing --dataset");

    assertThat(run("eval", "--simulate", "--models", "sim/huge")).isEqualTo(2);
    assertThat(err.toString()).contains("--simulate has no model 'sim/huge'; it has sim/premium, sim/balanced, "
        + "sim/small, sim/legacy");

    assertThat(run("eval", "--simulate", "--scorer", "ndcg:0")).isEqualTo(2);
    assertThat(err.toString()).contains("ndcg:K needs a whole K >= 1 such as 10, got '0'");

    assertThat(run("eval", "--dataset", dir.resolve("none.jsonl").toString(), "--models", "sim/small",
        "--simulate")).isEqualTo(1);
    assertThat(err.toString()).contains("eval: no dataset at " + dir.resolve("none.jsonl"));

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"id\": \"a\", \"prompt\": \"x\"}\n{\"id\": \"b\", \"promt\": \"y\"}\n");
    assertThat(run("eval", "--simulate", "--dataset", bad.toString(), "--out", dir.resolve("o").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("eval: bad.jsonl line 2, field 'promt': unknown field");
  }
}
