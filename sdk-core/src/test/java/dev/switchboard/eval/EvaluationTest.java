package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture dataset (four examples, test resources) through three scripted models whose answers,
 * usage and latencies are set here, on a manual clock; every figure of the report is checked
 * against the hand computation in the comments.
 */
class EvaluationTest {
  static final String Q1 = "Capital of France?";
  static final String Q2 = "2 + 2?";
  static final String Q3 = "Largest planet?";
  static final String Q4 = "Chemical symbol of gold?";

  /** $ per million tokens in / out: a 1 / 2, b 0.5 / 1, c 2 / 4. */
  static final PriceCatalog PRICES = PriceCatalog.empty().toBuilder()
      .price("fake/a", ModelPrice.of(1, 2))
      .price("fake/b", ModelPrice.of(0.5, 1))
      .price("fake/c", ModelPrice.of(2, 4))
      .build();

  @TempDir
  Path dir;

  private final ManualTime time = new ManualTime();
  private Switchboard switchboard;

  @AfterEach
  void close() {
    if (switchboard != null) {
      switchboard.close();
    }
  }

  static Dataset fixture() throws IOException {
    try (Reader in = new InputStreamReader(EvaluationTest.class.getResourceAsStream("/eval/fixture.jsonl"),
        StandardCharsets.UTF_8)) {
      return Dataset.parse(in, "fixture.jsonl");
    }
  }

  /**
   * The script (text, tokens in / out, latency in ms; normalized match against Paris, 4, Jupiter, Au):
   *
   * <pre>
   *        q1 Paris           q2 4                    q3 Jupiter          4 Au
   * a   "Paris." 10/2 100  "4" 8/1 200             "Saturn" 9/2 300    "Au" 11/1 400
   * b   "paris"  10/1  50  RateLimitException 20   "Jupiter" 9/1 70    "Ag" 11/1 90
   * c   "Lyon"   10/3 500  "4" 8/1 600             "Saturn" 9/2 700    ServerException 800
   * </pre>
   */
  private TimedProvider scripted() {
    return new TimedProvider("fake", time)
        .answer("a", Q1, "Paris.", 10, 2, 100, 40)
        .answer("a", Q2, "4", 8, 1, 200, 10)
        .answer("a", Q3, "Saturn", 9, 2, 300, 30)
        .answer("a", Q4, "Au", 11, 1, 400, 20)
        .answer("b", Q1, "paris", 10, 1, 50, 5)
        .fail("b", Q2, RateLimitException::new, 20)
        .answer("b", Q3, "Jupiter", 9, 1, 70, 15)
        .answer("b", Q4, "Ag", 11, 1, 90, 25)
        .answer("c", Q1, "Lyon", 10, 3, 500)
        .answer("c", Q2, "4", 8, 1, 600)
        .answer("c", Q3, "Saturn", 9, 2, 700)
        .fail("c", Q4, ServerException::new, 800);
  }

  private Evaluation.Builder evaluation(TimedProvider fake) throws IOException {
    switchboard = Switchboard.builder().provider(fake).prices(PRICES).build();
    return Evaluation.builder()
        .client(switchboard)
        .dataset(fixture())
        .models(List.of("fake/a", "fake/b", "fake/c"))
        .systemPrompt("Answer in one word.")
        .scorer(Scorer.normalizedMatch())
        .concurrency(2)
        .ticker(time)
        .scheduler(time);
  }

  /** Starts the run, lets the manual clock run until nothing is scheduled, and returns the report. */
  private EvalReport finish(CompletableFuture<EvalReport> run) {
    time.advance(Duration.ofMinutes(1));
    assertThat(run).isDone();
    return run.join();
  }

  @Test
  void reportFigures_matchTheHandComputation() throws IOException {
    TimedProvider fake = scripted();
    Evaluation evaluation = evaluation(fake).runFile(dir.resolve("run.jsonl")).build();

    EvalReport report = finish(evaluation.runAsync());

    // 4 examples x 3 models, each request once, with the system prompt first and temperature 0;
    // never more than the 2 allowed in flight.
    assertThat(fake.sent).hasSize(12);
    assertThat(fake.sent).allSatisfy(s -> {
      assertThat(s.system()).isEqualTo("Answer in one word.");
      assertThat(s.temperature()).isEqualTo(0.0);
    });
    assertThat(fake.maxInFlight()).isEqualTo(2);

    ModelSummary a = report.model("fake/a");
    // Scores 1 ("Paris." normalizes to "paris"), 1, 0, 1: mean 3/4 = 0.75. All 0/1, so Wilson with
    // z = 1.959964, n = 4, p = 0.75: centre (0.75 + z²/8) / (1 + z²/4) = 1.230182 / 1.960365 = 0.627527,
    // half-width z·√(0.75·0.25/4 + z²/64) / 1.960365 = 0.326886: [0.300642, 0.954413].
    assertThat(a.requests()).isEqualTo(4);
    assertThat(a.answered()).isEqualTo(4);
    assertThat(a.scored()).isEqualTo(4);
    assertThat(a.quality()).isEqualTo(0.75);
    assertThat(a.interval().method()).isEqualTo(ConfidenceInterval.Method.WILSON);
    assertThat(a.interval().low()).isCloseTo(0.300642, within(1e-6));
    assertThat(a.interval().high()).isCloseTo(0.954413, within(1e-6));
    // Tokens in 10 + 8 + 9 + 11 = 38 at $1/M = $0.000038, out 2 + 1 + 2 + 1 = 6 at $2/M = $0.000012;
    // $0.000050 for 4 requests = $0.0125 per 1,000.
    assertThat(a.costPerThousand()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("0.0125"));
    // Latencies 100, 200, 300, 400 ms; nearest rank: p50 = 2nd of 4 (ceil(0.5·4)), p99 = 4th (ceil(3.96)).
    assertThat(a.latencyP50()).contains(Duration.ofMillis(200));
    assertThat(a.latencyP99()).contains(Duration.ofMillis(400));
    assertThat(a.timeToFirstTokenP50()).isEmpty(); // not streamed
    // Means over the 4 answers: 38 / 4 = 9.5 in, 6 / 4 = 1.5 out.
    assertThat(a.inputTokens()).isEqualTo(9.5);
    assertThat(a.outputTokens()).isEqualTo(1.5);
    assertThat(a.errors()).isEmpty();
    assertThat(a.errorRate()).isZero();

    ModelSummary b = report.model("fake/b");
    // Scores 1, 0 (the failed call counts as a wrong answer), 1, 0 ("Ag"): 2/4 = 0.5. Wilson, p = 0.5:
    // centre 0.5, half-width z·√(0.0625 + z²/64) / 1.960365 = 0.349961: [0.150039, 0.849961].
    assertThat(b.quality()).isEqualTo(0.5);
    assertThat(b.answered()).isEqualTo(3);
    assertThat(b.interval().low()).isCloseTo(0.150039, within(1e-6));
    assertThat(b.interval().high()).isCloseTo(0.849961, within(1e-6));
    // Answered: in 10 + 9 + 11 = 30 at $0.5/M = $0.000015, out 3 at $1/M = $0.000003; the failed
    // attempt reported no usage ($0). $0.000018 / 4 requests = $0.0045 per 1,000.
    assertThat(b.costPerThousand()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("0.0045"));
    // Answered latencies 50, 70, 90: p50 = 2nd of 3 (ceil(1.5)), p99 = 3rd (ceil(2.97)).
    assertThat(b.latencyP50()).contains(Duration.ofMillis(70));
    assertThat(b.latencyP99()).contains(Duration.ofMillis(90));
    assertThat(b.inputTokens()).isEqualTo(10.0); // 30 / 3 answers
    assertThat(b.outputTokens()).isEqualTo(1.0); // 3 / 3
    assertThat(b.errors()).isEqualTo(Map.of("RateLimitException", 1));
    assertThat(b.errorRate()).isEqualTo(0.25);

    ModelSummary c = report.model("fake/c");
    // Scores 0, 1, 0, 0 (failed): 1/4 = 0.25, Wilson [0.045587, 0.699358].
    assertThat(c.quality()).isEqualTo(0.25);
    assertThat(c.interval().low()).isCloseTo(0.045587, within(1e-6));
    assertThat(c.interval().high()).isCloseTo(0.699358, within(1e-6));
    // Answered: in 27 at $2/M = $0.000054, out 6 at $4/M = $0.000024: $0.000078 / 4 = $0.0195 per 1,000.
    assertThat(c.costPerThousand()).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.0195"));
    assertThat(c.latencyP50()).contains(Duration.ofMillis(600)); // 500, 600, 700
    assertThat(c.latencyP99()).contains(Duration.ofMillis(700));
    assertThat(c.inputTokens()).isEqualTo(9.0); // 27 / 3
    assertThat(c.outputTokens()).isEqualTo(2.0); // 6 / 3
    assertThat(c.errors()).isEqualTo(Map.of("ServerException", 1));

    // (cost, quality): b (0.0045, 0.5), a (0.0125, 0.75), c (0.0195, 0.25). c costs more than both
    // and is worse than both: dominated. b is cheapest, a is best: the frontier is b then a.
    assertThat(report.paretoFrontier()).containsExactly("fake/b", "fake/a");
    assertThat(a.onFrontier()).isTrue();
    assertThat(b.onFrontier()).isTrue();
    assertThat(c.onFrontier()).isFalse();

    assertThat(report.markdown())
        .contains("| fake/a | 0.750 [0.301, 0.954] Wilson, n=4 | $0.0125 | 200 ms | 400 ms | n/a | 9.5 / 1.5 | 0 "
            + "| yes |")
        .contains("| fake/b | 0.500 [0.150, 0.850] Wilson, n=4 | $0.0045 | 70 ms | 90 ms | n/a | 10.0 / 1.0 "
            + "| RateLimitException 1 (25.0%) | yes |")
        .contains("| fake/c | 0.250 [0.046, 0.699] Wilson, n=4 | $0.0195 | 600 ms | 700 ms | n/a | 9.0 / 2.0 "
            + "| ServerException 1 (25.0%) |  |")
        .contains("- scorer: normalized")
        .contains("- system prompt: Answer in one word.");
    assertThat(report.csv().split("\n")).containsExactly(
        "model,requests,answered,scored,quality,ci_low,ci_high,ci_method,cost_per_1k_usd,latency_p50_ms,"
            + "latency_p99_ms,ttft_p50_ms,input_tokens_mean,output_tokens_mean,error_rate,errors,score_errors,pareto",
        "fake/a,4,4,4,0.75,0.3006418426,0.9544127392,wilson,0.0125,200,400,,9.5,1.5,0,,0,true",
        "fake/b,4,3,4,0.5,0.1500389892,0.8499610108,wilson,0.0045,70,90,,10,1,0.25,RateLimitException=1,0,true",
        "fake/c,4,3,4,0.25,0.04558726081,0.6993581574,wilson,0.0195,600,700,,9,2,0.25,ServerException=1,0,false");

    // Per item: the answer, the score, the usage, the cost and the error type.
    EvalResult bQ2 = report.results("fake/b").get(1);
    assertThat(bQ2.id()).isEqualTo("q2");
    assertThat(bQ2.error()).contains("RateLimitException");
    assertThat(bQ2.score()).isEmpty();
    assertThat(bQ2.latency()).isEqualTo(Duration.ofMillis(20));
    EvalResult aQ1 = report.results("fake/a").get(0);
    assertThat(aQ1.answer()).isEqualTo("Paris.");
    assertThat(aQ1.score()).hasValue(1.0);
    assertThat(aQ1.usage().inputTokens()).isEqualTo(10);
    // 10 in at $1/M + 2 out at $2/M = $0.000014.
    assertThat(aQ1.cost()).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.000014"));
    assertThat(report.results()).extracting(EvalResult::id).containsExactly("q1", "q1", "q1", "q2", "q2", "q2", "q3",
        "q3", "q3", "4", "4", "4");
  }

  @Test
  void streamedRun_measuresTimeToFirstToken_andUsesStudentT_forPartialScores() throws IOException {
    TimedProvider fake = scripted();
    Map<String, Double> partial = Map.of("q1", 0.5, "q2", 0.6, "q3", 0.7, "4", 0.8);
    Evaluation evaluation = evaluation(fake)
        .models(List.of("fake/a", "fake/b"))
        .stream(true)
        .scorer(Scorer.of("partial", (example, answer) -> partial.get(example.id())))
        .build();

    EvalReport report = finish(evaluation.runAsync());

    ModelSummary a = report.model("fake/a");
    // First text after 40, 10, 30, 20 ms: sorted 10, 20, 30, 40, p50 = 2nd = 20 ms. The whole answer
    // still takes 100..400 ms.
    assertThat(a.timeToFirstTokenP50()).contains(Duration.ofMillis(20));
    assertThat(a.latencyP50()).contains(Duration.ofMillis(200));
    // Scores 0.5, 0.6, 0.7, 0.8 (not all 0/1): Student t. Mean 0.65, s = √((0.0225 + 0.0025 + 0.0025
    // + 0.0225) / 3) = 0.129099, t(0.975, 3) = 3.182446, half-width 3.182446 · 0.129099 / 2 = 0.205426:
    // [0.444574, 0.855426].
    assertThat(a.quality()).isCloseTo(0.65, within(1e-12));
    assertThat(a.interval().method()).isEqualTo(ConfidenceInterval.Method.STUDENT_T);
    assertThat(a.interval().low()).isCloseTo(0.444574, within(1e-6));
    assertThat(a.interval().high()).isCloseTo(0.855426, within(1e-6));

    ModelSummary b = report.model("fake/b");
    // Answered streams' first text at 5, 15, 25 ms (q2 failed before any): p50 = 15 ms.
    assertThat(b.timeToFirstTokenP50()).contains(Duration.ofMillis(15));
    // Scores 0.5, 0 (failed), 0.7, 0.8: mean 0.5, s = √((0 + 0.25 + 0.04 + 0.09) / 3) = 0.355903,
    // half-width 3.182446 · 0.355903 / 2 = 0.566320: [-0.066320, 1.066320], clipped to [0, 1] since every
    // score lies in it.
    assertThat(b.quality()).isCloseTo(0.5, within(1e-12));
    assertThat(b.interval().low()).isEqualTo(0);
    assertThat(b.interval().high()).isEqualTo(1);
    assertThat(b.errors()).isEqualTo(Map.of("RateLimitException", 1));
    // Streams are priced like calls: a $0.0125 and b $0.0045 per 1,000, as above.
    assertThat(a.costPerThousand()).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.0125"));
    assertThat(b.costPerThousand()).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("0.0045"));
    assertThat(report.markdown()).contains("| fake/a | 0.650 [0.445, 0.855] t, n=4 | $0.0125 | 200 ms | 400 ms "
        + "| 20 ms |");
  }
}
