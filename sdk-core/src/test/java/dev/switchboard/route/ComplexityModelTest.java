package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComplexityModelTest {
  private static final List<SyntheticPrompts.Labelled> PROMPTS = SyntheticPrompts.generate(5, 3_000);

  private static List<ComplexityModel.Example> examples(List<SyntheticPrompts.Labelled> prompts) {
    List<ComplexityModel.Example> out = new ArrayList<>();
    for (SyntheticPrompts.Labelled l : prompts) {
      out.add(new ComplexityModel.Example(l.prompt(), l.hard()));
    }
    return out;
  }

  /** The chance that a random hard prompt outscores a random easy one (ties count half). */
  private static double auc(ComplexityScorer scorer, List<SyntheticPrompts.Labelled> prompts) {
    List<Double> hard = new ArrayList<>();
    List<Double> easy = new ArrayList<>();
    for (SyntheticPrompts.Labelled l : prompts) {
      (l.hard() ? hard : easy).add(scorer.score(ChatRequest.of("auto", l.prompt())).value());
    }
    double wins = 0;
    for (double h : hard) {
      for (double e : easy) {
        wins += h > e ? 1 : h == e ? 0.5 : 0;
      }
    }
    return wins / ((double) hard.size() * easy.size());
  }

  private static byte[] bytes(ComplexityModel model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.write(out);
    return out.toByteArray();
  }

  @Test
  void learnsTheHiddenLabel_onPromptsItDidNotSee() {
    ComplexityModel model = ComplexityModel.trainer().train(examples(PROMPTS.subList(0, 2_000)));
    List<SyntheticPrompts.Labelled> heldOut = PROMPTS.subList(2_000, 3_000);

    // The label is "usually hard" kinds at 85% and the rest at 10%: a perfect ranking of kinds
    // scores about 0.87, so 0.8 is well above chance (0.5) and below what noise allows.
    assertThat(auc(model, heldOut)).isGreaterThan(0.8);
    assertThat(model.training().examples()).isEqualTo(2_000);
    assertThat(model.training().positives()).isBetween(600, 900);
  }

  @Test
  void training_isDeterministic_andTheSeedMatters() throws IOException {
    List<ComplexityModel.Example> train = examples(PROMPTS.subList(0, 500));
    ComplexityModel a = ComplexityModel.trainer().seed(7).train(train);
    ComplexityModel b = ComplexityModel.trainer().seed(7).train(train);
    ComplexityModel c = ComplexityModel.trainer().seed(8).train(train);

    assertThat(bytes(a)).isEqualTo(bytes(b));
    assertThat(a).isEqualTo(b);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void savedAndLoaded_scoresTheSame() throws IOException {
    ComplexityModel model = ComplexityModel.trainer().hashBits(12).label("hard kinds").train(
        examples(PROMPTS.subList(0, 800)));
    byte[] json = bytes(model);

    ComplexityModel loaded = ComplexityModel.read(new ByteArrayInputStream(json));

    assertThat(loaded).isEqualTo(model);
    assertThat(loaded.label()).isEqualTo("hard kinds");
    assertThat(loaded.hashBits()).isEqualTo(12);
    for (SyntheticPrompts.Labelled l : PROMPTS.subList(2_000, 2_050)) {
      ChatRequest r = ChatRequest.of("auto", l.prompt());
      assertThat(loaded.score(r)).isEqualTo(model.score(r));
    }
    // 2^12 floats and a 2^18-bit vocabulary in base64, and a little JSON around them
    assertThat(json.length).isBetween(60_000, 70_000);
  }

  @Test
  void confidence_isTheShareOfWordsSeenInTraining() {
    ComplexityModel model = ComplexityModel.trainer().train(List.of(
        new ComplexityModel.Example("write a python function to sort a list", true),
        new ComplexityModel.Example("hello how are you today", false)));

    assertThat(model.score(ChatRequest.of("auto", "write a python function")).confidence()).isEqualTo(1);
    assertThat(model.score(ChatRequest.of("auto", "Schreibe eine Funktion bitte")).confidence()).isLessThan(0.3);
    assertThat(model.score(ChatRequest.of("auto", "")).confidence()).isZero();
    assertThat(model.score(ChatRequest.of("auto", "write a poem")).confidence()).isCloseTo(2 / 3.0,
        org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void examples_fromOutcomes_areStrongWins() {
    assertThat(ComplexityModel.Example.fromOutcomes("p", 1, 0).label()).isTrue();
    assertThat(ComplexityModel.Example.fromOutcomes("p", 1, 1).label()).as("a tie").isFalse();
    assertThat(ComplexityModel.Example.fromOutcomes("p", 0, 1).label()).isFalse();
    assertThat(ComplexityModel.Example.fromOutcomes("p", 9, 7).label()).as("judge scores").isTrue();
  }

  @Test
  void examples_fromCsv() throws IOException {
    List<ComplexityModel.Example> read = ComplexityModel.Example.readCsv(new StringReader(
        "id,prompt,label\n1,\"Compare A, B and \"\"C\"\"\nline two\",1\n2,hi,false\n"));
    assertThat(read).containsExactly(new ComplexityModel.Example("Compare A, B and \"C\"\nline two", true),
        new ComplexityModel.Example("hi", false));
    assertThatThrownBy(() -> ComplexityModel.Example.readCsv(new StringReader("prompt,label\nhi,maybe\n")))
        .hasMessage("examples CSV row 1: label 'maybe' is not 1, 0, true or false");
    assertThatThrownBy(() -> ComplexityModel.Example.readCsv(new StringReader("text,label\nhi,1\n")))
        .hasMessage("examples CSV has no column 'prompt'; it has [text, label]");
  }

  @Test
  void read_saysWhatIsWrong() {
    assertThatThrownBy(() -> read("{\"format\": \"something else\"}"))
        .hasMessage("not a complexity model: expected \"format\": \"switchboard.complexity-model\"");
    assertThatThrownBy(() -> read("{\"format\": \"switchboard.complexity-model\", \"version\": 2}"))
        .hasMessage("complexity model version 2 is not supported; this build reads version 1");
    assertThatThrownBy(() -> read("{\"format\": \"switchboard.complexity-model\", \"version\": 1, \"hashBits\": 8, "
        + "\"weights\": \"AAAA\"}")).hasMessage("complexity model: weights hold 0 floats, expected 256 for hashBits 8");
    assertThatThrownBy(() -> read("not json")).hasMessageStartingWith("not a complexity model: ");
  }

  private static ComplexityModel read(String json) throws IOException {
    return ComplexityModel.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void trainer_validates() {
    assertThatThrownBy(() -> ComplexityModel.trainer().train(List.of(new ComplexityModel.Example("a", true))))
        .hasMessage("ComplexityModel.Trainer.train needs examples of both labels, got 1 positive of 1");
    assertThatThrownBy(() -> ComplexityModel.trainer().hashBits(30))
        .hasMessage("ComplexityModel.Trainer.hashBits must be within [4, 24], got 30");
    assertThatThrownBy(() -> ComplexityModel.trainer().epochs(0))
        .hasMessage("ComplexityModel.Trainer.epochs must be at least 1, got 0");
  }
}
