package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each heuristic feature reacts to its cue and to nothing else in a plain question. */
class HeuristicScorerTest {
  private static final String PLAIN = "Where is the nearest train station";

  private static double feature(String text, int feature) {
    return PromptScan.read(ChatRequest.of("auto", text), null).feature(feature);
  }

  private static double score(ChatRequest request) {
    return ComplexityScorer.heuristic().score(request).value();
  }

  @Test
  void plainQuestion_hasNoCues() {
    for (int f = PromptScan.CODE; f <= PromptScan.NON_LATIN; f++) {
      assertThat(feature(PLAIN, f)).as(PromptScan.FEATURES.get(f)).isZero();
    }
    assertThat(feature(PLAIN, PromptScan.TOKENS)).isZero();
  }

  @Test
  void length_growsWithTokens_andSaturates() {
    String words = "lorem ipsum dolor sit amet ".repeat(20);
    double shorter = feature(words, PromptScan.TOKENS);
    double longer = feature(words.repeat(4), PromptScan.TOKENS);
    assertThat(shorter).isBetween(0.1, 0.9);
    assertThat(longer).isGreaterThan(shorter);
    assertThat(feature(words.repeat(40), PromptScan.TOKENS)).isEqualTo(1);
  }

  @Test
  void code_fencesKeywordsAndSymbols() {
    assertThat(feature("Fix this:\n```python\ndef f(x):\n    return x[0]\n```", PromptScan.CODE)).isGreaterThan(0.6);
    assertThat(feature("why does my java interface throw an exception", PromptScan.CODE)).isBetween(0.3, 0.8);
    assertThat(feature("int main() { return a[i] == b; }", PromptScan.CODE)).isGreaterThan(0.3);
  }

  @Test
  void math_wordsDigitsOperatorsAndLatex() {
    assertThat(feature("Prove the theorem: the integral of $\\frac{1}{x^2}$ from 1 to 10 equals 9/10",
        PromptScan.MATH)).isGreaterThan(0.8);
    assertThat(feature("what is 12 * 7 + 3", PromptScan.MATH)).isBetween(0.1, 0.6);
    assertThat(feature("x ≤ y ∑ z", PromptScan.MATH)).as("Unicode operators").isGreaterThan(0);
  }

  @Test
  void steps_phrasesFirstThenAndNumberedLines() {
    assertThat(feature("Explain step by step", PromptScan.STEPS)).isGreaterThan(0.7);
    assertThat(feature("First boil the water, then add the pasta", PromptScan.STEPS)).isGreaterThan(0.4);
    assertThat(feature("Then do it first", PromptScan.STEPS)).as("then before first is no sequence").isZero();
    assertThat(feature("Do these:\n1. wash\n2. dry\n3) fold", PromptScan.STEPS)).isGreaterThan(0.3);
    assertThat(feature("I have 1. apple", PromptScan.STEPS)).as("a number mid-line is no list").isZero();
  }

  @Test
  void comparison_andQuestions() {
    assertThat(feature("Postgres vs MySQL: pros and cons", PromptScan.COMPARISON)).isGreaterThan(0.8);
    assertThat(feature("what is the difference between a list and a tuple", PromptScan.COMPARISON))
        .isGreaterThan(0.4);
    assertThat(feature("Why? How? When??? Where?", PromptScan.QUESTIONS)).as("a run of ? is one question")
        .isEqualTo(0.75);
    assertThat(feature("Why?", PromptScan.QUESTIONS)).isZero();
  }

  @Test
  void depth_countsTurns_andNonLatin_theShareOfOtherScripts() {
    ChatRequest.Builder b = ChatRequest.builder().model("auto").addMessage(Message.system("be brief"));
    for (int i = 0; i < 6; i++) {
      b.addMessage(Message.user("question " + i)).addMessage(Message.assistant("answer " + i));
    }
    ChatRequest deep = b.addMessage(Message.user(PLAIN)).build();
    assertThat(PromptScan.read(deep, null).feature(PromptScan.DEPTH)).isEqualTo(1);
    assertThat(feature("请解释一下量子纠缠", PromptScan.NON_LATIN)).isEqualTo(1);
    assertThat(feature("café au lait", PromptScan.NON_LATIN)).as("accented Latin is Latin").isZero();
    assertThat(feature("Explain 量子 please", PromptScan.NON_LATIN)).isBetween(0.1, 0.3);
  }

  @Test
  void score_isANoisyOrInRange_andEachCueRaisesIt() {
    double plain = score(ChatRequest.of("auto", PLAIN));
    double code = score(ChatRequest.of("auto", PLAIN + "? ```js\nconst x = f(y);\n```"));
    double codeAndSteps = score(ChatRequest.of("auto", PLAIN + "? ```js\nconst x = f(y);\n``` Explain step by step."));
    assertThat(plain).isZero();
    assertThat(code).isGreaterThan(plain);
    assertThat(codeAndSteps).isGreaterThan(code).isLessThanOrEqualTo(1);
  }

  @Test
  void readsOnlyTheLastUserMessage_andItsEnds() {
    ChatRequest earlierCode = ChatRequest.builder().model("auto")
        .addMessage(Message.user("```python\nprint(1)\n```")).addMessage(Message.assistant("1"))
        .addMessage(Message.user(PLAIN)).build();
    assertThat(PromptScan.read(earlierCode, null).feature(PromptScan.CODE)).isZero();
    String middle = "plain words only ".repeat(40) + "```python def return import``` " + "plain words only ".repeat(40);
    assertThat(feature(middle, PromptScan.CODE)).as("the middle of a long prompt is not read").isZero();
    assertThat(feature("```python def``` " + "plain words only ".repeat(60), PromptScan.CODE)).isGreaterThan(0);
  }

  @Test
  void noText_meansNoConfidence() {
    ChatRequest image = ChatRequest.builder().model("auto")
        .addMessage(Message.user(ContentPart.imageUrl(URI.create("https://example.com/cat.png")))).build();
    assertThat(ComplexityScorer.heuristic().score(image).confidence()).isZero();
    assertThat(ComplexityScorer.heuristic().score(ChatRequest.of("auto", "hi")).confidence()).isEqualTo(1);
    assertThat(ComplexityScorer.heuristic().score(ChatRequest.builder().model("auto")
        .messages(List.of(Message.system("only a system prompt"))).build()).confidence()).isZero();
  }
}
