package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThinkTagSplitterTest {
  private static final String R1 = "<think>\nThe user wants a capital. France -> Paris.\n</think>\n\nParis.";

  @Test
  void wholeAnswer_isSplitIntoReasoningAndAnswer() {
    String[] parts = ThinkTagSplitter.split(R1);
    assertThat(parts[0]).isEqualTo("\nThe user wants a capital. France -> Paris.\n");
    assertThat(parts[1]).isEqualTo("Paris.");
  }

  @ParameterizedTest(name = "pieces of {0} chars")
  @ValueSource(ints = {1, 2, 3, 5, 7, 8, 9, 13})
  void piecesOfAnySize_giveTheSameSplit_withTagsCutAnywhere(int size) {
    StringBuilder reasoning = new StringBuilder();
    StringBuilder answer = new StringBuilder();
    List<String> events = new ArrayList<>();
    ThinkTagSplitter s = new ThinkTagSplitter(r -> {
      reasoning.append(r);
      events.add("r");
    }, a -> {
      answer.append(a);
      events.add("a");
    });
    for (int i = 0; i < R1.length(); i += size) {
      s.feed(R1.substring(i, Math.min(R1.length(), i + size)));
    }
    s.finish();
    assertThat(reasoning.toString()).isEqualTo("\nThe user wants a capital. France -> Paris.\n");
    assertThat(answer.toString()).isEqualTo("Paris.");
    assertThat(events).as("no answer before the reasoning ended").containsSubsequence("r", "a")
        .doesNotContainSequence("a", "r");
  }

  @Test
  void contentWithoutAnOpeningTag_passesThroughUnchanged_evenWithATagLater() {
    assertThat(ThinkTagSplitter.split("Use <think> tags like this.")).containsExactly("", "Use <think> tags like this.");
    assertThat(ThinkTagSplitter.split("  <b>bold</b>")).containsExactly("", "  <b>bold</b>");
    assertThat(ThinkTagSplitter.split("<thi")).containsExactly("", "<thi");
    assertThat(ThinkTagSplitter.split("")).containsExactly("", "");
  }

  @Test
  void unclosedThinking_isAllReasoning_andAHeldPartialCloseIsReleasedAtTheEnd() {
    assertThat(ThinkTagSplitter.split("<think>still thinking</thi")).containsExactly("still thinking</thi", "");
  }

  @Test
  void leadingWhitespaceBeforeTheTag_isDropped_andTheAnswerKeepsItsInnerNewlines() {
    assertThat(ThinkTagSplitter.split("\n<think>a</think>line 1\nline 2")).containsExactly("a", "line 1\nline 2");
  }
}
