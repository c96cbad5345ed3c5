package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatClient;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every built-in scorer on small examples; NDCG computed by hand. */
class ScorersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Example example(String reference) {
    return Example.of("e1", "question?", reference);
  }

  private static Example example(JsonNode reference) {
    return Example.builder().id("e1").prompt("question?").reference(reference).build();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void exactMatch_ignoresOnlyTheEnds() {
    Scorer s = Scorer.exactMatch();
    assertThat(s.score(example("Paris"), "Paris\n")).isEqualTo(1);
    assertThat(s.score(example("Paris"), "paris")).isEqualTo(0);
    assertThat(s.score(example("Paris"), "Paris.")).isEqualTo(0);
    assertThat(s.name()).isEqualTo("exact");
    assertThat(s.requiresReference()).isTrue();
    assertThatThrownBy(() -> s.score(Example.builder().id("x").prompt("q").build(), "a"))
        .isInstanceOf(ScoringException.class).hasMessage("example 'x' has no reference; exact match compares with one");
  }

  @Test
  void normalizedMatch_ignoresCaseWhitespaceAndPunctuation_butKeepsDecimalPoints() {
    Scorer s = Scorer.normalizedMatch();
    assertThat(s.score(example("Paris"), "  PARIS. ")).isEqualTo(1);
    assertThat(s.score(example("New York City"), "new   york,\tcity!")).isEqualTo(1);
    assertThat(s.score(example("“Dune”"), "dune")).isEqualTo(1);
    assertThat(s.score(example("3.14"), "3.14.")).isEqualTo(1);
    assertThat(s.score(example("3.14"), "314")).isEqualTo(0);
    assertThat(s.score(example("1,000"), "1,000")).isEqualTo(1);
    assertThat(s.score(example("Paris"), "Lyon")).isEqualTo(0);
    assertThat(Scorers.normalize("ＡＢＣ  déjà-vu")).isEqualTo("abc déjàvu"); // NFKC folds full-width letters
  }

  @Test
  void regex_findsAFixedPattern_orTheReferenceAsOne() {
    Scorer format = Scorer.regex(Pattern.compile("^\\s*(yes|no)\\b", Pattern.CASE_INSENSITIVE));
    assertThat(format.score(example("x"), "Yes, because ...")).isEqualTo(1);
    assertThat(format.score(example("x"), "Maybe")).isEqualTo(0);
    assertThat(format.name()).isEqualTo("regex:^\\s*(yes|no)\\b");
    assertThat(format.requiresReference()).isFalse();

    Scorer byReference = Scorer.referenceRegex();
    assertThat(byReference.score(example("\\b(19|20)\\d{2}\\b"), "It happened in 1969.")).isEqualTo(1);
    assertThat(byReference.score(example("\\b(19|20)\\d{2}\\b"), "Long ago.")).isEqualTo(0);
    assertThatThrownBy(() -> byReference.score(example("(unclosed"), "x")).isInstanceOf(ScoringException.class)
        .hasMessageStartingWith("example 'e1': the reference is not a regular expression");
  }

  @Test
  void numeric_takesTheLastNumber_withinTheTolerance() {
    Scorer s = Scorer.numeric(0.01);
    assertThat(s.score(example(json("42")), "The answer is 42.")).isEqualTo(1);
    assertThat(s.score(example(json("3.14159")), "about 3.14")).isEqualTo(1); // |3.14 - 3.14159| = 0.00159
    assertThat(s.score(example(json("3.14159")), "about 3.1")).isEqualTo(0); // 0.04159 > 0.01
    assertThat(s.score(example("1234"), "6 x 200 + 34 = 1,234")).isEqualTo(1); // last number, separators dropped
    assertThat(s.score(example(json("-2.5e3")), "-2500")).isEqualTo(1);
    assertThat(s.score(example(json("7")), "seven")).isEqualTo(0); // no number: wrong, not an error
    assertThat(s.name()).isEqualTo("numeric:0.01");
    assertThatThrownBy(() -> s.score(example("none"), "1")).isInstanceOf(ScoringException.class)
        .hasMessageContaining("holds no number");
    assertThatThrownBy(() -> Scorer.numeric(-1)).hasMessage("Scorer.numeric tolerance must be a finite number >= 0, "
        + "got -1.0");
  }

  @Test
  void jsonFields_isTheShareOfReferenceFieldsEqual() {
    Scorer s = Scorer.jsonFields();
    Example invoice = example(json("{\"vendor\": \"ACME\", \"total\": 12.5, \"currency\": \"EUR\", "
        + "\"address\": {\"city\": \"Lyon\", \"zip\": \"69001\"}, \"items\": [\"a\", \"b\"]}"));
    // Six fields: vendor, total, currency, address.city, address.zip, items.
    // Right: vendor (ends trimmed), total (12.50 = 12.5), address.city, items; wrong: currency, zip missing.
    String answer = "Here it is:\n```json\n{\"vendor\": \" ACME \", \"total\": 12.50, \"currency\": \"USD\", "
        + "\"address\": {\"city\": \"Lyon\"}, \"items\": [\"a\", \"b\"], \"extra\": true}\n```";
    assertThat(s.score(invoice, answer)).isCloseTo(4 / 6.0, within(1e-12));
    assertThat(s.score(invoice, "{\"vendor\": \"ACME\", \"total\": 12.5, \"currency\": \"EUR\", \"address.city\": "
        + "\"Lyon\", \"address\": {\"zip\": \"69001\"}, \"items\": [\"a\", \"b\"]}")).isEqualTo(1);
    assertThat(s.score(invoice, "I could not read the invoice.")).isEqualTo(0);
    assertThat(s.score(invoice, "{\"items\": [\"b\", \"a\"]}")).isEqualTo(0); // arrays compare whole, in order
    assertThatThrownBy(() -> s.score(example("just text"), "{}")).isInstanceOf(ScoringException.class)
        .hasMessageContaining("needs a non-empty object as the reference");
  }

  @Test
  void ndcg_matchesTheHandComputation() {
    // Grades d1 = 3, d2 = 2, d3 = 0, d4 = 1; the answer ranks d2, d4, d1; k = 3.
    // DCG@3 = 2/log2(2) + 1/log2(3) + 3/log2(4) = 2 + 0.630930 + 1.5 = 4.130930.
    // Ideal order d1, d2, d4: IDCG@3 = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860.
    // NDCG@3 = 4.130930 / 4.761860 = 0.867503.
    Example ranked = example(json("{\"d1\": 3, \"d2\": 2, \"d3\": 0, \"d4\": 1}"));
    Scorer s = Scorer.ndcg(3);
    assertThat(s.score(ranked, "d2, d4, d1")).isCloseTo(0.867503, within(1e-6));
    assertThat(s.score(ranked, "[\"d2\", \"d4\", \"d1\", \"d3\"]")).isCloseTo(0.867503, within(1e-6));
    assertThat(s.score(ranked, "1. d2\n2. d4\n3. d1")).isCloseTo(0.867503, within(1e-6));
    assertThat(s.score(ranked, "d1, d2, d4")).isEqualTo(1.0);
    // A repeat counts once: d2, d1 (the second d2 dropped): (2 + 3/log2(3)) / 4.761860 = 3.892789 / 4.761860 = 0.817494.
    assertThat(s.score(ranked, "d2, d2, d1")).isCloseTo(0.817494, within(1e-6));
    // Only d3 (grade 0) and unknown ids: 0.
    assertThat(s.score(ranked, "d3, d9")).isEqualTo(0);
    // k = 1: only the first place counts; d2 first: 2 / 3.
    assertThat(Scorer.ndcg(1).score(ranked, "d2, d1")).isCloseTo(2 / 3.0, within(1e-12));
    // Relevant ids as an array (each graded 1): d1, d2 relevant; answer d3, d1: (0 + 1/log2(3)) / (1 + 1/log2(3)).
    assertThat(Scorer.ndcg(5).score(example(json("[\"d1\", \"d2\"]")), "d3, d1")).isCloseTo(0.386853, within(1e-6));
    assertThat(s.name()).isEqualTo("ndcg@3");
    assertThatThrownBy(() -> s.score(example(json("{\"d1\": 0}")), "d1")).isInstanceOf(ScoringException.class)
        .hasMessageContaining("grades no item above 0");
    assertThatThrownBy(() -> Scorer.ndcg(0)).hasMessage("Scorer.ndcg needs k >= 1, got 0");
  }

  @Test
  void customScorers_areLambdas() {
    Scorer lambda = (example, answer) -> answer.length() <= 5 ? 1 : 0;
    assertThat(lambda.score(example("x"), "short")).isEqualTo(1);
    assertThat(lambda.name()).isEqualTo("custom");
    assertThat(lambda.scoreAsync(example("x"), "much too long")).isCompletedWithValue(0.0);
    Scorer named = Scorer.of("mentions-reference",
        (example, answer) -> answer.contains(example.referenceText().orElseThrow()) ? 1 : 0);
    assertThat(named.score(example("Paris"), "It is Paris.")).isEqualTo(1);
    assertThat(named.name()).isEqualTo("mentions-reference");
    Scorer failing = (example, answer) -> {
      throw new ScoringException("cannot");
    };
    assertThat(failing.scoreAsync(example("x"), "y")).isCompletedExceptionally();
  }

  /** A judge client that answers every request with {@code reply} and keeps the last request. */
  private static final class JudgeClient implements ChatClient {
    private final String reply;
    ChatRequest last;

    JudgeClient(String reply) {
      this.reply = reply;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      return chatAsync(request).join();
    }

    @Override
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
      last = request;
      return CompletableFuture.completedFuture(ChatResponse.builder().text(reply).build());
    }

    @Override
    public ChatStream stream(ChatRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void judge_asksWithTheRubric_andMapsTheGradeToZeroOne() {
    JudgeClient client = new JudgeClient("The answer names the right city but adds noise.\nSCORE: 4");
    Scorer judge = Scorer.judge(client, "openai/gpt-4o", "Correct, and one word only.");

    // (4 - 1) / (5 - 1) = 0.75.
    assertThat(judge.score(example("Paris"), "Paris, of course!")).isEqualTo(0.75);
    assertThat(judge.name()).isEqualTo("judge:openai/gpt-4o");
    assertThat(judge.requiresReference()).isFalse();
    assertThat(client.last.model()).isEqualTo("openai/gpt-4o");
    assertThat(client.last.temperature()).contains(0.0);
    assertThat(client.last.messages().get(0).text()).contains("SCORE: <n>").contains("from 1 (worst) to 5 (best)");
    assertThat(client.last.messages().get(1).text()).isEqualTo("RUBRIC:\nCorrect, and one word only.\n\n"
        + "QUESTION:\nquestion?\n\nREFERENCE ANSWER:\nParis\n\nANSWER TO GRADE:\nParis, of course!");
  }

  @Test
  void judge_parsesTheLastScore_aBareNumber_andRefusesOthers() {
    Example e = example("Paris");
    LlmJudge tenPoint = LlmJudge.builder(new JudgeClient(""), "j/m").rubric("r").scale(0, 10).build();
    assertThat(tenPoint.grade(e, "Score: 3 at first... on reflection **SCORE: 7**")).isEqualTo(0.7);
    assertThat(tenPoint.grade(e, "score = 10")).isEqualTo(1.0);
    assertThat(tenPoint.grade(e, " 5. ")).isEqualTo(0.5);
    assertThatThrownBy(() -> tenPoint.grade(e, "Looks fine to me.")).isInstanceOf(ScoringException.class)
        .hasMessage("judge j/m gave no 'SCORE: <n>' for example 'e1': Looks fine to me.");
    assertThatThrownBy(() -> tenPoint.grade(e, "SCORE: 11")).isInstanceOf(ScoringException.class)
        .hasMessage("judge j/m gave 11 for example 'e1', outside its scale 0 to 10");
    assertThatThrownBy(() -> LlmJudge.builder(new JudgeClient(""), "j/m").build())
        .hasMessage("LlmJudge.rubric is required: the criteria the judge grades by");
  }

  @Test
  void grades_andRankingParsing() {
    assertThat(Scorers.ranking("```json\n[\"a\", \"b\"]\n```")).containsExactly("a", "b");
    assertThat(Scorers.ranking("- a\n- 'b'\n* c")).containsExactly("a", "b", "c");
    assertThat(Scorers.grades("e", json("{\"a\": 2}"))).isEqualTo(Map.of("a", 2.0));
    assertThatThrownBy(() -> Scorers.grades("e", json("{\"a\": \"high\"}"))).isInstanceOf(ScoringException.class)
        .hasMessage("example 'e': the grade of 'a' must be a number >= 0, got \"high\"");
    assertThat(Scorers.ndcg(List.of("x"), Map.of("x", 1.0), 10, "e")).isEqualTo(1.0);
  }
}
