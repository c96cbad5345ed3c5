package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route package's values: {@link ModelRef}, {@link Target} and {@link Candidates}. */
class RouteValuesTest {

  @Test
  void modelRef_parsesAtTheFirstSlash_andPrintsBack() {
    ModelRef ref = ModelRef.parseOrNull("vllm/meta-llama/Llama-3.1-8B-Instruct");
    assertThat(ref).isEqualTo(new ModelRef("vllm", "meta-llama/Llama-3.1-8B-Instruct"));
    assertThat(ref).hasToString("vllm/meta-llama/Llama-3.1-8B-Instruct");
    assertThat(ModelRef.parseOrNull("a/b")).isEqualTo(new ModelRef("a", "b"));
    assertThat(ModelRef.parseOrNull("a//")).isEqualTo(new ModelRef("a", "/"));
  }

  @Test
  void modelRef_parseOrNull_needsTextOnBothSidesOfTheSlash() {
    assertThat(ModelRef.parseOrNull("gpt-4o")).isNull();
    assertThat(ModelRef.parseOrNull("/gpt-4o")).isNull();
    assertThat(ModelRef.parseOrNull("openai/")).isNull();
    assertThat(ModelRef.parseOrNull("/")).isNull();
    assertThat(ModelRef.parseOrNull("")).isNull();
  }

  @Test
  void modelRef_rejectsWhatNamesNoModel() {
    assertThatThrownBy(() -> new ModelRef(null, "m")).isInstanceOf(NullPointerException.class).hasMessage("provider");
    assertThatThrownBy(() -> new ModelRef("p", null)).isInstanceOf(NullPointerException.class).hasMessage("model");
    assertThatThrownBy(() -> new ModelRef("", "m")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelRef.provider must be a provider name without '/', got: ''");
    assertThatThrownBy(() -> new ModelRef("a/b", "m")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelRef.provider must be a provider name without '/', got: 'a/b'");
    assertThatThrownBy(() -> new ModelRef("p", "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ModelRef.model must not be empty (provider 'p')");
  }

  @Test
  void target_isAttachedForTheRequestsModel_andIgnoredOnceTheModelChanges() {
    ChatRequest request = ChatRequest.of("ranker", "hi");
    assertThat(Target.of(request)).as("nothing attached").isNull();

    ModelRef ref = new ModelRef("openai", "gpt-4o");
    ChatRequest resolved = Target.attach(request, ref);
    assertThat(Target.of(resolved)).isEqualTo(ref);
    assertThat(resolved.tag(Target.class)).contains(new Target("ranker", ref));
    assertThat(resolved.model()).isEqualTo("ranker");
    assertThat(resolved.messages()).isEqualTo(request.messages());

    ChatRequest changed = resolved.toBuilder().model("fast").build();
    assertThat(Target.of(changed)).as("resolved for another model string").isNull();
  }

  @Test
  void target_needsBothParts() {
    ModelRef ref = new ModelRef("openai", "gpt-4o");
    assertThatThrownBy(() -> new Target(null, ref)).isInstanceOf(NullPointerException.class)
        .hasMessage("modelString");
    assertThatThrownBy(() -> new Target("ranker", null)).isInstanceOf(NullPointerException.class).hasMessage("ref");
  }

  @Test
  void candidates_keepTheirOrder_areACopy_andAreNeverEmpty() {
    List<String> models = new ArrayList<>(List.of("premium/m", "cheap/m"));
    Candidates c = new Candidates(models);
    models.add("other/m");
    assertThat(c.modelStrings()).containsExactly("premium/m", "cheap/m");
    assertThatThrownBy(() -> c.modelStrings().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(Candidates.of("a/m", "b/m").modelStrings()).containsExactly("a/m", "b/m");
    assertThat(Candidates.of("a/m")).isEqualTo(new Candidates(List.of("a/m")));
    assertThatThrownBy(Candidates::of).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Candidates needs at least one model string");
  }
}
