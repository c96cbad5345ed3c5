package dev.switchboard.eval;

import static dev.switchboard.eval.EvaluationTest.PRICES;
import static dev.switchboard.eval.EvaluationTest.Q1;
import static dev.switchboard.eval.EvaluationTest.Q2;
import static dev.switchboard.eval.EvaluationTest.Q3;
import static dev.switchboard.eval.EvaluationTest.Q4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatClient;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.Switchboard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming from the run file, rate limits, the progress bar and a judge that fails. */
class EvaluationRunTest {
  @TempDir
  Path dir;

  private final List<Switchboard> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Switchboard::close);
  }

  /** Models a and b of the fixture's script, every answer right, latencies a 100 / b 50 ms. */
  private static TimedProvider provider(String name, ManualTime time) {
    TimedProvider p = new TimedProvider(name, time);
    String[][] qa = {{Q1, "Paris"}, {Q2, "4"}, {Q3, "Jupiter"}, {Q4, "Au"}};
    for (String[] q : qa) {
      p.answer("a", q[0], q[1], 10, 2, 100);
      p.answer("b", q[0], q[1], 10, 1, 50);
    }
    return p;
  }

  private Evaluation.Builder evaluation(TimedProvider provider, ManualTime time, List<String> models)
      throws IOException {
    Switchboard sb = Switchboard.builder().provider(provider).prices(PRICES).build();
    opened.add(sb);
    return Evaluation.builder().client(sb).dataset(EvaluationTest.fixture()).models(models)
        .systemPrompt("Answer in one word.").scorer(Scorer.normalizedMatch()).concurrency(1)
        .ticker(time).scheduler(time).runFile(dir.resolve("run.jsonl"));
  }

  private static EvalReport finish(CompletableFuture<EvalReport> run, ManualTime time) {
    time.advance(Duration.ofMinutes(1));
    assertThat(run).isDone();
    return run.join();
  }

  /**
   * Run 1, one request at a time, stopped at 360 ms after four results (a/q1 at 100 ms, b/q1 at 150,
   * a/q2 at 250, b/q2 at 300) with a/q3 in flight.
   */
  private TimedProvider interruptedRun() throws IOException {
    ManualTime time = new ManualTime();
    TimedProvider first = provider("fake", time);
    CompletableFuture<EvalReport> run = evaluation(first, time, List.of("fake/a", "fake/b")).build().runAsync();
    time.advance(Duration.ofMillis(360));
    assertThat(run).isNotDone();
    run.cancel(true);
    assertThat(first.asked()).containsExactly("a " + Q1, "b " + Q1, "a " + Q2, "b " + Q2, "a " + Q3);
    assertThat(first.pending.get(4)).isCancelled(); // a/q3, in flight when the run stopped
    return first;
  }

  @Test
  void resume_asksOnlyThePairsTheRunFileLacks() throws IOException {
    interruptedRun();
    List<String> lines = Files.readAllLines(dir.resolve("run.jsonl"));
    assertThat(lines).hasSize(5); // settings + 4 results; the cancelled call wrote nothing

    ManualTime time = new ManualTime();
    TimedProvider second = provider("fake", time);
    EvalReport report = finish(evaluation(second, time, List.of("fake/a", "fake/b")).build().runAsync(), time);

    // 8 pairs, 4 in the file: 4 asked, in dataset order.
    assertThat(second.asked()).containsExactly("a " + Q3, "b " + Q3, "a " + Q4, "b " + Q4);
    assertThat(report.results()).hasSize(8);
    assertThat(report.model("fake/a").requests()).isEqualTo(4);
    assertThat(report.model("fake/a").quality()).isEqualTo(1.0);
    // a: every answer 10 in / 2 out at $1 / $2 per M = $0.000014; per 1,000 = $0.014 (the reused included).
    assertThat(report.model("fake/a").costPerThousand()).hasValueSatisfying(v -> assertThat(v)
        .isEqualByComparingTo("0.014"));
    assertThat(report.settings().get("run file")).endsWith("(4 results from earlier runs)");
    assertThat(Files.readAllLines(dir.resolve("run.jsonl"))).hasSize(9);

    ManualTime again = new ManualTime();
    TimedProvider third = provider("fake", again);
    EvalReport same = finish(evaluation(third, again, List.of("fake/a", "fake/b")).build().runAsync(), again);
    assertThat(third.sent).isEmpty();
    assertThat(same.results()).isEqualTo(report.results());
  }

  @Test
  void resume_addingAModelAsksOnlyForIt() throws IOException {
    ManualTime time = new ManualTime();
    finish(evaluation(provider("fake", time), time, List.of("fake/a")).build().runAsync(), time);

    ManualTime later = new ManualTime();
    TimedProvider second = provider("fake", later);
    EvalReport report = finish(evaluation(second, later, List.of("fake/a", "fake/b")).build().runAsync(), later);

    assertThat(second.asked()).containsExactly("b " + Q1, "b " + Q2, "b " + Q3, "b " + Q4);
    assertThat(report.models()).extracting(ModelSummary::model).containsExactly("fake/a", "fake/b");
  }

  @Test
  void resume_ignoresATornLastLine_andAsksItsPairAgain() throws IOException {
    interruptedRun();
    Path file = dir.resolve("run.jsonl");
    Files.writeString(file, "{\"id\":\"q3\",\"model\":\"fake/a\",\"answ", StandardOpenOption.APPEND);

    ManualTime time = new ManualTime();
    TimedProvider second = provider("fake", time);
    EvalReport report = finish(evaluation(second, time, List.of("fake/a", "fake/b")).build().runAsync(), time);

    assertThat(second.asked()).containsExactly("a " + Q3, "b " + Q3, "a " + Q4, "b " + Q4);
    assertThat(report.results()).hasSize(8);
    // The torn line was cut off before appending: every line reads as JSON again.
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(9);
    ObjectMapper json = new ObjectMapper();
    long parsed = lines.stream().filter(l -> {
      try {
        json.readTree(l);
        return true;
      } catch (IOException e) {
        return false;
      }
    }).count();
    assertThat(parsed).isEqualTo(lines.size());
    assertThat(RunFile.read(file).results()).hasSize(8);
  }

  @Test
  void resume_refusesARunFileWrittenWithOtherSettings() throws IOException {
    interruptedRun();
    ManualTime time = new ManualTime();
    Evaluation other = evaluation(provider("fake", time), time, List.of("fake/a", "fake/b"))
        .systemPrompt("Be verbose.").build();

    assertThatThrownBy(other::runAsync)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was written with systemPrompt 'Answer in one word.', this evaluation has "
            + "'Be verbose.'")
        .hasMessageContaining("Use another run file");
  }

  @Test
  void resume_retriesFailedPairsOnlyWhenAsked() throws IOException {
    ManualTime time = new ManualTime();
    TimedProvider first = provider("fake", time).fail("b", Q2, RateLimitException::new, 20);
    EvalReport before = finish(evaluation(first, time, List.of("fake/a", "fake/b")).build().runAsync(), time);
    assertThat(before.model("fake/b").errors()).containsEntry("RateLimitException", 1);

    ManualTime t2 = new ManualTime();
    TimedProvider plain = provider("fake", t2);
    finish(evaluation(plain, t2, List.of("fake/a", "fake/b")).build().runAsync(), t2);
    assertThat(plain.sent).isEmpty(); // a failure is a result

    ManualTime t3 = new ManualTime();
    TimedProvider retry = provider("fake", t3);
    EvalReport after = finish(evaluation(retry, t3, List.of("fake/a", "fake/b")).retryFailed(true).build()
        .runAsync(), t3);
    assertThat(retry.asked()).containsExactly("b " + Q2);
    assertThat(after.model("fake/b").errors()).isEmpty();
    assertThat(after.model("fake/b").quality()).isEqualTo(1.0);
  }

  @Test
  void rateLimit_spacesOneProvidersRequests_withoutHoldingBackTheOthers() throws IOException {
    ManualTime time = new ManualTime();
    TimedProvider slow = provider("slow", time);
    TimedProvider fast = provider("fast", time);
    Switchboard sb = Switchboard.builder().provider(slow).provider(fast).build();
    opened.add(sb);
    Evaluation evaluation = Evaluation.builder().client(sb).dataset(EvaluationTest.fixture())
        .models(List.of("slow/b", "fast/b")).scorer(Scorer.normalizedMatch())
        .concurrency(2).rateLimit("slow", 2).ticker(time).scheduler(time).build();

    EvalReport report = finish(evaluation.runAsync(), time);

    // 2 requests a second: one every 500 ms, the first at once.
    assertThat(slow.sent).extracting(TimedProvider.Sent::at).containsExactly(Duration.ZERO, Duration.ofMillis(500),
        Duration.ofMillis(1000), Duration.ofMillis(1500));
    // The waits hold no slot: fast's four 50 ms calls are all done long before slow's second.
    assertThat(fast.sent).extracting(TimedProvider.Sent::at).allSatisfy(at -> assertThat(at)
        .isLessThan(Duration.ofMillis(200)));
    // Latency counts from the send, not from the wait.
    assertThat(report.model("slow/b").latencyP99()).contains(Duration.ofMillis(50));
  }

  @Test
  void progressBar_redrawsOneLineInPlace() throws IOException {
    ManualTime time = new ManualTime();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    finish(evaluation(provider("fake", time), time, List.of("fake/a", "fake/b")).progress(out).build().runAsync(),
        time);

    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertThat(drawn).startsWith("\reval [").endsWith("\n").contains("ETA ");
    assertThat(drawn.indexOf('\n')).isEqualTo(drawn.length() - 1); // one line, redrawn
    // The first drawing, one per completed request (each moves the percentage), the final one.
    assertThat(drawn.chars().filter(c -> c == '\r').count()).isEqualTo(1 + 8 + 1);
    // 4 x (100 + 50) ms, one at a time.
    assertThat(drawn).contains("100% 8/8  done in 1s");
  }

  /** A ChatClient that answers calls with a function of the request, at once. */
  private static ChatClient answering(Function<ChatRequest, CompletableFuture<ChatResponse>> reply) {
    return new ChatClient() {
      @Override
      public ChatResponse chat(ChatRequest request) {
        return chatAsync(request).join();
      }

      @Override
      public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
        return reply.apply(request);
      }

      @Override
      public ChatStream stream(ChatRequest request) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void judge_failuresAreRecordedOnTheItem_andTheRunGoesOn() throws IOException {
    ChatClient judgeClient = answering(request -> {
      String user = request.messages().get(1).text();
      if (user.contains(Q2)) {
        return CompletableFuture.failedFuture(new RateLimitException("judge is busy",
            ErrorDetails.of("judge", "grader")));
      }
      String reply = user.contains(Q1) ? "Correct and concise.\nSCORE: 5"
          : user.contains(Q3) ? "I would rather not say." : "Wrong element. Score: 2";
      return CompletableFuture.completedFuture(ChatResponse.builder().text(reply).build());
    });
    ManualTime time = new ManualTime();
    EvalReport report = finish(evaluation(provider("fake", time), time, List.of("fake/a")).runFile(null)
        .scorer(Scorer.judge(judgeClient, "judge/grader", "Right and in one word.")).build().runAsync(), time);

    List<EvalResult> a = report.results("fake/a");
    assertThat(a.get(0).score()).hasValue(1.0); // 5 on 1..5
    assertThat(a.get(1).score()).isEmpty();
    assertThat(a.get(1).scoreError()).hasValueSatisfying(e -> assertThat(e).startsWith("RateLimitException: "));
    assertThat(a.get(2).scoreError()).hasValueSatisfying(e -> assertThat(e)
        .startsWith("ScoringException: judge judge/grader gave no 'SCORE: <n>' for example 'q3'"));
    assertThat(a.get(3).score()).hasValue(0.25); // (2 - 1) / (5 - 1)
    ModelSummary m = report.model("fake/a");
    // The two unscored answers are left out: (1 + 0.25) / 2.
    assertThat(m.scored()).isEqualTo(2);
    assertThat(m.scoreErrors()).isEqualTo(2);
    assertThat(m.quality()).isCloseTo(0.625, within(1e-12));
    assertThat(m.answered()).isEqualTo(4);
  }

  @Test
  void scorerNeedingReferences_refusesADatasetWithoutThem_beforeAnyCall() throws IOException {
    ManualTime time = new ManualTime();
    TimedProvider fake = provider("fake", time);
    Dataset noReference = Dataset.of("bare", List.of(Example.builder().id("x").prompt(Q1).build()));
    Evaluation evaluation = evaluation(fake, time, List.of("fake/a")).dataset(noReference).build();

    assertThatThrownBy(evaluation::runAsync).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scorer 'normalized' compares answers with a reference, but dataset bare has examples without "
            + "one: x");
    assertThat(fake.sent).isEmpty();
  }

  @Test
  void unknownModel_failsBeforeAnyCall() throws IOException {
    ManualTime time = new ManualTime();
    TimedProvider fake = provider("fake", time);
    Evaluation evaluation = evaluation(fake, time, List.of("fake/a", "fkae/b")).build();

    assertThatThrownBy(evaluation::runAsync).isInstanceOf(dev.switchboard.ModelNotFoundException.class)
        .hasMessageContaining("fkae");
    assertThat(fake.sent).isEmpty();
  }

  @Test
  void builder_namesWhatIsMissingOrWrong() {
    assertThatThrownBy(() -> Evaluation.builder().build()).hasMessageContaining("Evaluation.client is required");
    ChatClient client = answering(r -> CompletableFuture.completedFuture(ChatResponse.builder().build()));
    Dataset data = Dataset.of("d", List.of(Example.of("1", "hi", "hello")));
    assertThatThrownBy(() -> Evaluation.builder().client(client).dataset(data).models(List.of("m", "m"))
        .scorer(Scorer.exactMatch()).build()).hasMessage("Evaluation.models lists 'm' twice");
    assertThatThrownBy(() -> Evaluation.builder().client(client).dataset(data).models(List.of("m"))
        .scorer(Scorer.exactMatch()).concurrency(0).build()).hasMessage("Evaluation.concurrency must be >= 1, got 0");
    assertThatThrownBy(() -> Evaluation.builder().rateLimit("openai", 0))
        .hasMessage("rateLimit for 'openai' needs requestsPerSecond > 0, got 0.0");
  }
}
