package dev.switchboard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.Role;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class DatasetTest {

  private static Dataset parse(String text) throws IOException {
    return Dataset.parse(new StringReader(text), "qa.jsonl");
  }

  private static DatasetException error(String text) {
    return catchThrowableOfType(DatasetException.class, () -> parse(text));
  }

  @Test
  void readsPromptsMessagesReferencesAndMetadata() throws IOException {
    Dataset d = EvaluationTest.fixture();

    assertThat(d.name()).isEqualTo("fixture.jsonl");
    assertThat(d.examples()).extracting(Example::id).containsExactly("q1", "q2", "q3", "4"); // blank line skipped
    Example q1 = d.examples().get(0);
    assertThat(q1.messages()).hasSize(1);
    assertThat(q1.messages().get(0).role()).isEqualTo(Role.USER);
    assertThat(q1.prompt()).isEqualTo("Capital of France?");
    assertThat(q1.referenceText()).contains("Paris");
    assertThat(q1.metadata().get("topic").textValue()).isEqualTo("geography");
    Example q3 = d.examples().get(2);
    assertThat(q3.messages()).extracting(m -> m.role()).containsExactly(Role.SYSTEM, Role.USER);
    assertThat(q3.prompt()).isEqualTo("Largest planet?");
    assertThat(q3.metadata().isEmpty()).isTrue();
    assertThat(d.limit(2).size()).isEqualTo(2);
  }

  @Test
  void jsonReferences_areKept_andMetadataIsCopied() throws IOException {
    Dataset d = parse("{\"id\": \"r\", \"prompt\": \"rank\", \"reference\": {\"d1\": 2}, \"metadata\": {\"k\": 1}}");
    Example r = d.examples().get(0);
    assertThat(r.reference().orElseThrow().get("d1").intValue()).isEqualTo(2);
    assertThat(r.referenceText()).contains("{\"d1\":2}");
    r.metadata().put("k", 99); // a copy
    assertThat(r.metadata().get("k").intValue()).isEqualTo(1);
  }

  @Test
  void badRows_nameTheLineAndTheField() {
    assertThat(error("{\"id\": \"a\", \"prompt\": \"x\"}\n{\"id\": \"b\", \"prompt\": ").getMessage())
        .startsWith("qa.jsonl line 2: not valid JSON");
    assertThat(error("[1, 2]").getMessage()).isEqualTo("qa.jsonl line 1: a row must be a JSON object, got an array");
    assertThat(error("{\"prompt\": \"x\"}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'id': missing; every row needs a unique id");
    assertThat(error("{\"id\": 1.5, \"prompt\": \"x\"}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'id': must be a non-blank string or an integer, got a number");
    assertThat(error("{\"id\": \"a\"}").getMessage()).isEqualTo("qa.jsonl line 1, field 'prompt': missing; a row "
        + "needs 'prompt' (a string) or 'messages' (an array of {role, content})");
    assertThat(error("{\"id\": \"a\", \"prompt\": \"x\", \"messages\": []}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'messages': a row has either 'prompt' or 'messages', not both");
    assertThat(error("{\"id\": \"a\", \"prompt\": \"  \"}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'prompt': must be a non-blank string, got a blank string");
    DatasetException role = error("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, "
        + "{\"role\": \"bot\", \"content\": \"x\"}]}");
    assertThat(role.getMessage())
        .isEqualTo("qa.jsonl line 1, field 'messages[1].role': 'bot' is not one of system, user, assistant");
    assertThat(role.line()).isEqualTo(1);
    assertThat(role.field()).isEqualTo("messages[1].role");
    assertThat(error("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": 3}]}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'messages[0].content': must be a string, got a number");
    assertThat(error("{\"id\": \"a\", \"messages\": [{\"role\": \"system\", \"content\": \"s\"}]}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'messages': has no user message");
    assertThat(error("{\"id\": \"a\", \"prompt\": \"x\", \"metadata\": [1]}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'metadata': must be an object, got an array");
    assertThat(error("{\"id\": \"a\", \"prompt\": \"x\", \"refrence\": \"y\"}").getMessage())
        .isEqualTo("qa.jsonl line 1, field 'refrence': unknown field; a row has id, prompt or messages, reference and "
            + "metadata");
    DatasetException duplicate = error("{\"id\": \"a\", \"prompt\": \"x\"}\n\n{\"id\": \"a\", \"prompt\": \"y\"}");
    assertThat(duplicate.getMessage()).isEqualTo("qa.jsonl line 3, field 'id': 'a' is already used on line 1");
    assertThat(duplicate.source()).isEqualTo("qa.jsonl");
  }
}
