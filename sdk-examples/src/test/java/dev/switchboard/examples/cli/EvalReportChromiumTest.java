package dev.switchboard.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * The HTML report of {@code switchboard eval --simulate}, rendered by headless Chromium: a
 * screenshot (kept at {@code target/chromium/eval-report.png}) and the DOM after load, with one
 * point per model, the Pareto frontier, and no JavaScript console messages. Skips where there is no
 * Chromium, unless {@code SWITCHBOARD_REQUIRE_CHROMIUM=1} (as in CI), which makes that a failure.
 */
class EvalReportChromiumTest {
  private static final long TIMEOUT_SECONDS = 90;
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  static Path chromium() {
    List<Path> candidates = new ArrayList<>();
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
        candidates.add(Path.of(d, name));
      }
    }
    candidates.add(Path.of("/usr/bin/chromium"));
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  /** Runs Chromium headless on {@code page} with {@code extra} options; returns stdout, stderr goes to {@code log}. */
  private String chromium(Path browser, Path page, Path log, String... extra) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--enable-logging=stderr", "--v=0"));
    command.addAll(Arrays.asList(extra));
    command.add(page.toUri().toString());
    Path stdout = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + String.join(" ", command));
      }
      assertThat(p.exitValue()).as("chromium exit code; stderr in " + log).isZero();
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  @Test
  void report_rendersInHeadlessChromium_withOnePointPerModel_theFrontier_andNoScriptErrors() throws Exception {
    Path browser = chromium();
    if (browser == null) {
      if ("1".equals(System.getenv("SWITCHBOARD_REQUIRE_CHROMIUM"))) {
        fail("SWITCHBOARD_REQUIRE_CHROMIUM=1 but no chromium, chromium-browser or google-chrome on the PATH");
      }
      Assumptions.abort("no chromium on the PATH: the HTML report is not rendered here (set "
          + "SWITCHBOARD_REQUIRE_CHROMIUM=1 to make this a failure)");
    }
    Path out = dir.resolve("eval");
    StringWriter err = new StringWriter();
    CommandLine cmd = SwitchboardCli.commandLine();
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
    int code = cmd.execute("eval", "--simulate", "--limit", "6", "--concurrency", "12", "--out", out.toString(),
        "--no-progress");
    assertThat(code).as(err.toString()).isZero();
    Path html = out.resolve("report.html");

    Path screenshot = Files.createDirectories(Path.of("target", "chromium")).resolve("eval-report.png");
    Files.deleteIfExists(screenshot);
    Path shotLog = dir.resolve("screenshot.log");
    chromium(browser, html, shotLog, "--screenshot=" + screenshot.toAbsolutePath(), "--window-size=1200,900");
    byte[] png = Files.readAllBytes(screenshot);
    assertThat(png.length).as("screenshot size").isGreaterThan(20_000);
    assertThat(Arrays.copyOf(png, 8)).isEqualTo(PNG);
    int width = java.nio.ByteBuffer.wrap(png, 16, 4).getInt();
    int height = java.nio.ByteBuffer.wrap(png, 20, 4).getInt();
    assertThat(width).isEqualTo(1200);
    assertThat(height).isEqualTo(900);

    Path domLog = dir.resolve("dom.log");
    String dom = chromium(browser, html, domLog, "--dump-dom");
    assertThat(count(dom, "<circle class=\"model-point\"")).isEqualTo(4); // sim/premium, balanced, small, legacy
    assertThat(count(dom, "<polyline class=\"pareto-frontier\"")).isEqualTo(1);
    assertThat(count(dom, "<circle class=\"pareto-marker\"")).isGreaterThanOrEqualTo(1);
    assertThat(dom).contains("Pareto frontier").contains("<svg id=\"latency\"").doesNotContainIgnoringCase("<script");
    Matcher frontier = Pattern.compile("<polyline class=\"pareto-frontier\"[^>]*points=\"([^\"]*)\"").matcher(dom);
    assertThat(frontier.find()).isTrue();
    assertThat(frontier.group(1).split(" ").length).isEqualTo(count(dom, "<circle class=\"pareto-marker\""));

    for (Path log : List.of(shotLog, domLog)) {
      List<String> console = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")).toList();
      assertThat(console).as("JavaScript console messages in " + log).isEmpty();
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
