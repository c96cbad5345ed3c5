package dev.switchboard.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code switchboard crossover} in-process, on the seed's figures at GPT-4o's bundled prices
 * ($2.50 input, $10.00 output per million tokens).
 */
class CrossoverCommandTest {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final String[] SEED = {"crossover", "--input-tokens", "500M", "--output-tokens", "100M",
      "--gpus", "2", "--gpu-hourly", "8-14"};

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = SwitchboardCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
    return cmd.execute(args);
  }

  private static String[] with(String[] args, String... more) {
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  /** The cells after {@code label} on its line of the text table. */
  private List<String> cells(String label) {
    return out.toString().lines().filter(l -> l.startsWith(label + "  ")).findFirst()
        .map(l -> List.of(l.substring(label.length()).strip().split("\\s{2,}")))
        .orElseThrow(() -> new AssertionError("no line '" + label + "' in:\n" + out));
  }

  private JsonNode json() throws Exception {
    return JSON.readTree(out.toString());
  }

  @Test
  void seedVolume_atGpt4oPrices_costs2250AMonth_andTwoGpusAt8To14_cost140160To245280AYear() {
    assertThat(run(SEED)).isZero();

    assertThat(err.toString()).isEmpty();
    assertThat(cells("Price")).containsExactly("$2.50 input, $10.00 output per 1M tokens (openai/gpt-4o, catalog of "
        + "2026-12-06)");
    assertThat(cells("Volume")).containsExactly("500,000,000 input + 100,000,000 output tokens/month (83.3% input)");
    assertThat(cells("API monthly")).containsExactly("$2,250.00"); // 500 × 2.50 + 100 × 10.00
    assertThat(cells("GPU-hour")).containsExactly("$8.00", "$14.00");
    assertThat(cells("GPUs yearly (2 x 8,760 h)")).containsExactly("$140,160.00", "$245,280.00");
    assertThat(cells("GPUs monthly")).containsExactly("$11,680.00", "$20,440.00");
    assertThat(cells("Self-hosted monthly")).containsExactly("$11,680.00", "$20,440.00");
    assertThat(cells("Cheaper at this volume")).containsExactly("API, by $9,430.00", "API, by $18,190.00");
  }

  @Test
  void crossover_isTheSelfHostedMonthOverTheBlendedPrice() {
    // 500M input + 100M output: 5/6 input, so a blended 5/6 × 2.50 + 1/6 × 10.00 = $3.75 per million.
    // $8: 11,680 / 3.75 = 3,114.67M -> 3,114,666,667; $14: 20,440 / 3.75 = 5,450.67M -> 5,450,666,667.
    assertThat(run(SEED)).isZero();
    assertThat(cells("Crossover, tokens/month")).containsExactly("3,114,666,667", "5,450,666,667");
  }

  @Test
  void crossover_countsEngineeringAndAmortizedSetup() {
    // $8: 11,680 GPUs + 5,000 engineering + 24,000 / 24 setup = 17,680 a month; / 3.75 = 4,714,666,667.
    assertThat(run(with(SEED, "--engineering-per-month", "5K", "--setup-cost", "24_000", "--amortization-months",
        "24"))).isZero();
    assertThat(cells("Setup monthly ($24,000.00 / 24)")).containsExactly("$1,000.00", "$1,000.00");
    assertThat(cells("Self-hosted monthly")).containsExactly("$17,680.00", "$26,440.00");
    assertThat(cells("Crossover, tokens/month")).containsExactly("4,714,666,667", "7,050,666,667");
  }

  @Test
  void tenBillionInputTokensAMonth_cost25000_andTwoGpusAt8_areCheaper() {
    // All input at $2.50: crossover at 11,680 / 2.50 = 4,672M tokens a month.
    assertThat(run("crossover", "--input-tokens", "10B", "--gpus", "2", "--gpu-hourly", "8")).isZero();
    assertThat(cells("API monthly")).containsExactly("$25,000.00");
    assertThat(cells("GPUs yearly (2 x 8,760 h)")).containsExactly("$140,160.00");
    assertThat(cells("Crossover, tokens/month")).containsExactly("4,672,000,000");
    assertThat(cells("Cheaper at this volume")).containsExactly("self-hosted, by $13,320.00");
  }

  @Test
  void json_carriesTheSameFigures_asPlainNumbers() throws Exception {
    assertThat(run(with(SEED, "--format", "json"))).isZero();
    JsonNode r = json();
    assertThat(r.get("model").asText()).isEqualTo("openai/gpt-4o");
    assertThat(r.get("inputTokensPerMonth").asLong()).isEqualTo(500_000_000L);
    assertThat(r.get("outputTokensPerMonth").asLong()).isEqualTo(100_000_000L);
    assertThat(r.get("apiMonthly").toString()).isEqualTo("2250");
    assertThat(r.get("selfHosted")).hasSize(2);
    JsonNode low = r.get("selfHosted").get(0);
    JsonNode high = r.get("selfHosted").get(1);
    assertThat(low.get("gpuHourly").toString()).isEqualTo("8");
    assertThat(low.get("gpuYearly").toString()).isEqualTo("140160");
    assertThat(low.get("gpuMonthly").toString()).isEqualTo("11680");
    assertThat(low.get("crossoverTokensPerMonth").asLong()).isEqualTo(3_114_666_667L);
    assertThat(low.get("cheaper").asText()).isEqualTo("API");
    assertThat(high.get("gpuHourly").toString()).isEqualTo("14");
    assertThat(high.get("gpuYearly").toString()).isEqualTo("245280");
    assertThat(high.get("selfHostedMonthly").toString()).isEqualTo("20440");
    assertThat(high.get("crossoverTokensPerMonth").asLong()).isEqualTo(5_450_666_667L);

    out.getBuffer().setLength(0);
    assertThat(run("crossover", "--input-tokens", "10B", "--gpus", "2", "--gpu-hourly", "8", "--format", "json"))
        .isZero();
    r = json();
    assertThat(r.get("apiMonthly").toString()).isEqualTo("25000");
    assertThat(r.get("selfHosted")).hasSize(1);
    assertThat(r.get("selfHosted").get(0).get("crossoverTokensPerMonth").asLong()).isEqualTo(4_672_000_000L);
    assertThat(r.get("selfHosted").get(0).get("cheaper").asText()).isEqualTo("self-hosted");
  }

  @Test
  void totalTokens_splitByInputShare() {
    // 1.2B at 75% input: 900M × 2.50 + 300M × 10.00 = 2,250 + 3,000 = $5,250.
    assertThat(run("crossover", "--tokens", "1.2B", "--gpus", "1", "--gpu-hourly", "2")).isZero();
    assertThat(cells("Volume")).containsExactly("900,000,000 input + 300,000,000 output tokens/month (75.0% input)");
    assertThat(cells("API monthly")).containsExactly("$5,250.00");

    out.getBuffer().setLength(0);
    assertThat(run("crossover", "--tokens", "3", "--input-share", "0.5", "--gpus", "1", "--gpu-hourly", "2")).isZero();
    assertThat(cells("Volume")).containsExactly("2 input + 1 output tokens/month (50.0% input)"); // 1.5 rounds up
  }

  @Test
  void givenPrices_overrideTheCatalog_evenForAModelItLacks() {
    // 500M × 3 + 100M × 15 = $3,000.
    assertThat(run(with(SEED, "--model", "acme/own-model", "--input-price", "3", "--output-price", "15"))).isZero();
    assertThat(cells("Price")).containsExactly("$3.00 input, $15.00 output per 1M tokens (given for acme/own-model)");
    assertThat(cells("API monthly")).containsExactly("$3,000.00");
  }

  @Test
  void unknownModel_exits2_namingTheClosestCatalogModels() {
    assertThat(run(with(SEED, "--model", "openai/gpt-4x"))).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("Unknown model 'openai/gpt-4x' in the bundled price catalog; closest: "
        + "openai/gpt-4o, ");
    assertThat(CrossoverCommand.closest("claude-3-haku")).first().isEqualTo("anthropic/claude-3-haiku");
  }

  @Test
  void badOptionValue_exits2_namingTheOption() {
    assertThat(run("crossover", "--input-tokens", "lots", "--gpus", "2", "--gpu-hourly", "8")).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).containsExactly(
        "Invalid value for option '--input-tokens': 'lots' is not a non-negative number like 500M, 10B, 1.5K or "
            + "500_000_000",
        "Try 'switchboard crossover --help' for more information.");
  }

  @Test
  void rangeFromHighToLow_isRejected() {
    assertThat(run("crossover", "--input-tokens", "1B", "--gpus", "2", "--gpu-hourly", "14-8")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Invalid value for option '--gpu-hourly': '14-8' goes from high to low");
  }

  @Test
  void volume_isRequired_inOneFormOnly() {
    assertThat(run("crossover", "--gpus", "2", "--gpu-hourly", "8")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Error: Missing required argument");
    err.getBuffer().setLength(0);
    assertThat(run("crossover", "--input-tokens", "1B", "--tokens", "2B", "--gpus", "2", "--gpu-hourly", "8"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }

  @Test
  void help_listsEveryOption_andTheRootListsEveryCommand() {
    assertThat(run("crossover", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: switchboard crossover [-hV]").contains("--input-tokens=N",
        "--output-tokens=N", "--tokens=N", "--input-share=SHARE", "--model=MODEL", "--input-price=USD",
        "--output-price=USD", "--gpus=N", "--gpu-hourly=USD[-USD]", "--engineering-per-month=USD",
        "--setup-cost=USD", "--amortization-months=N", "--format=FORMAT");
    out.getBuffer().setLength(0);
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Commands:").containsPattern("\n  crossover +API versus self-hosted")
        .containsPattern("\n  router-eval +Offline router evaluation");
  }

  @ParameterizedTest
  @CsvSource({"500M, 500000000", "10B, 10000000000", "1.5K, 1500", "500_000_000, 500000000",
      "'2,000,000', 2000000", "1t, 1000000000000", "7, 7"})
  void tokenCounts_acceptSuffixesAndSeparators(String text, long tokens) {
    assertThat(new Converters.Tokens().convert(text)).isEqualTo(tokens);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", "-5", "5X", "1,5M", "1e9", "1.2345K", "5__0", "99999999999T"})
  void tokenCounts_rejectGarbage(String text) {
    assertThatThrownBy(() -> new Converters.Tokens().convert(text)).isInstanceOf(TypeConversionException.class)
        .hasMessageStartingWith("'" + text + "' is");
  }
}
