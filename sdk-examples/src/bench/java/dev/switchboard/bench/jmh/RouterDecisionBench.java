package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.Message;
import dev.switchboard.route.ComplexityModel;
import dev.switchboard.route.ComplexityScorer;
import dev.switchboard.route.Router;
import dev.switchboard.route.TieredRouter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code TieredRouter.decide(request)} with the heuristic scorer and with a trained {@link
 * ComplexityModel}, four tiers, on prompts of the sizes chat traffic has: a greeting (37
 * characters), a typical question (251, about the median of the arena_bench_v1 prompts), a code
 * review request (668; their 90th percentile is 847) and a long document with its instruction
 * (2,982, of which the scorers read the first and last 512), each after a system prompt. Sample time, so JMH reports percentiles (the issue's
 * bars: p50 ≤ 5 µs heuristic, ≤ 20 µs trained).
 *
 * <p>The trained model is fitted in {@code @Setup} to 400 generated prompts (the weights' values do
 * not change the work), or read from {@code -p modelFile=...}, e.g. the {@code
 * complexity-model.json} that {@code switchboard router-eval} writes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterDecisionBench {

  @Param({"greeting", "question", "code", "document"})
  public String prompt;

  @Param({""})
  public String modelFile;

  private Router heuristic;
  private Router trained;
  private ChatRequest request;

  static final String GREETING = "hey! thanks, that worked perfectly :)";

  static final String QUESTION = "I'm planning a two-week trip to Japan in April with my parents, who are in their "
      + "seventies. What is a realistic itinerary that avoids too much walking, and should we buy the JR Pass or "
      + "pay for individual tickets? We land in Tokyo and fly out of Osaka.";

  static final String CODE = "Can you review this Java method? It is supposed to merge overlapping intervals but "
      + "it fails on some inputs and I can't see why.\n\n```java\npublic static List<int[]> merge(List<int[]> in) {\n"
      + "  in.sort((a, b) -> a[0] - b[0]);\n  List<int[]> out = new ArrayList<>();\n  int[] cur = in.get(0);\n"
      + "  for (int i = 1; i < in.size(); i++) {\n    int[] next = in.get(i);\n    if (next[0] < cur[1]) {\n"
      + "      cur[1] = next[1];\n    } else {\n      out.add(cur);\n      cur = next;\n    }\n  }\n"
      + "  return out;\n}\n```\n\nFirst explain the bugs, then give a corrected version with tests, and compare the "
      + "sort-based approach with a sweep line: pros and cons for very large inputs? What is the complexity?";

  private static String document() {
    Random r = new Random(42);
    String[] sentences = {"Revenue in the third quarter rose 4% on the year, helped by the new subscription tier.",
        "Operating costs grew faster than planned because of two data-centre migrations.",
        "The board approved a share buy-back of up to 200 million dollars.",
        "Churn among small business customers fell for the fourth quarter in a row.",
        "Management expects margins to recover once the migrations finish in the spring."};
    StringBuilder sb = new StringBuilder("Here is an excerpt from a quarterly report:\n\n");
    while (sb.length() < 2_900) {
      sb.append(sentences[r.nextInt(sentences.length)]).append(' ');
    }
    sb.setLength(2_900);
    sb.append("\n\nSummarize the excerpt in three bullet points for an investor, and flag any risk.");
    return sb.toString();
  }

  @Setup
  public void setup() throws IOException {
    String text = switch (prompt) {
      case "greeting" -> GREETING;
      case "question" -> QUESTION;
      case "code" -> CODE;
      case "document" -> document();
      default -> throw new IllegalArgumentException("unknown prompt " + prompt);
    };
    request = ChatRequest.builder().model("auto").addMessage(Message.system("You are a helpful assistant."))
        .addMessage(Message.user(text)).build();
    ComplexityModel model;
    if (modelFile.isEmpty()) {
      model = ComplexityModel.trainer().train(generated());
    } else {
      try (InputStream in = Files.newInputStream(Path.of(modelFile))) {
        model = ComplexityModel.read(in);
      }
    }
    heuristic = tiers(ComplexityScorer.heuristic());
    trained = tiers(model);
    for (Router router : List.of(heuristic, trained)) {
      Router.Decision d = router.decide(request);
      if (d == null || !d.reason().startsWith("tiered: ") || d.reason().contains("abstained")) {
        throw new IllegalStateException("expected a tiered decision, got " + (d == null ? null : d.reason()));
      }
    }
  }

  private static TieredRouter tiers(ComplexityScorer scorer) {
    return TieredRouter.builder().scorer(scorer)
        .tier("simple", 0, "openai/gpt-4o-mini")
        .tier("medium", 0.3, "deepseek/deepseek-chat", "openai/gpt-4o-mini")
        .tier("complex", 0.6, "openai/gpt-4o", "deepseek/deepseek-chat")
        .tier("reasoning", 0.85, "openai/o3", "openai/gpt-4o")
        .defaultTier("medium").minConfidence(0).build();
  }

  /** Prompts made of the benchmark's own sentences, labelled by whether they hold code. */
  private static List<ComplexityModel.Example> generated() {
    Random r = new Random(7);
    String[] parts = {GREETING, QUESTION, CODE, document()};
    List<ComplexityModel.Example> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int kind = r.nextInt(parts.length);
      String text = parts[kind];
      int from = r.nextInt(Math.max(1, text.length() / 2));
      out.add(new ComplexityModel.Example(text.substring(from), kind == 2));
    }
    return out;
  }

  @Benchmark
  public Router.Decision heuristic() {
    return heuristic.decide(request);
  }

  @Benchmark
  public Router.Decision trained() {
    return trained.decide(request);
  }
}
