package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ModelNotFoundException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ModelDirectory#of}: validation when built, resolution, and what an unknown name is told. */
class AliasDirectoryTest {
  private static final String KNOWN = " Known: anthropic/<model>, openai/<model>, fast, ranker";

  private final ModelDirectory directory = ModelDirectory.of(Set.of("openai", "anthropic"),
      ordered("ranker", "fast", "fast", "anthropic/claude-haiku"));

  @Test
  void resolves_providerModel_atTheFirstSlash_andAliasesThroughOtherAliases() {
    assertThat(directory.resolve("openai/gpt-4o")).isEqualTo(new ModelRef("openai", "gpt-4o"));
    assertThat(directory.resolve("openai/org/model:v1")).isEqualTo(new ModelRef("openai", "org/model:v1"));
    assertThat(directory.resolve("ranker")).isEqualTo(new ModelRef("anthropic", "claude-haiku"));
    assertThat(directory.resolve("fast")).isEqualTo(new ModelRef("anthropic", "claude-haiku"));
  }

  @Test
  void providersAndAliases_areReadBackAsDefined_andCannotBeChanged() {
    Set<String> providers = new HashSet<>(Set.of("openai"));
    Map<String, String> aliases = ordered("zeta", "openai/a", "alpha", "zeta");
    ModelDirectory d = ModelDirectory.of(providers, aliases);
    providers.add("anthropic");
    aliases.put("beta", "openai/b");

    assertThat(d.providers()).containsExactly("openai");
    assertThat(d.aliases()).containsExactly(Map.entry("zeta", "openai/a"), Map.entry("alpha", "zeta"));
    assertThatThrownBy(() -> d.aliases().put("x", "openai/x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.providers().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(directory).hasToString("ModelDirectory[providers=[anthropic, openai], aliases=[ranker, fast]]");
  }

  @Test
  void rejectsAliases_thatAreBlank_containASlash_orAreNamedLikeAProvider() {
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("", "openai/a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias must be non-blank and contain no '/', got: ''");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of(" ", "openai/a")))
        .hasMessage("alias must be non-blank and contain no '/', got: ' '");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("my/alias", "openai/a")))
        .hasMessage("alias must be non-blank and contain no '/', got: 'my/alias'");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("openai", "openai/a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("alias 'openai' has the same name as a provider");
  }

  @Test
  void rejectsCycles_showingThePath() {
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), ordered("a", "b", "b", "c", "c", "a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("alias cycle: a -> b -> c -> a");
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("openai"), Map.of("self", "self")))
        .hasMessage("alias cycle: self -> self");
  }

  @Test
  void rejectsAliases_thatDoNotEndAtProviderModel_ofARegisteredProvider() {
    String registered = ", which is not \"provider/model\" for a registered provider; registered providers: "
        + "[anthropic, openai]";
    Set<String> providers = Set.of("openai", "anthropic");
    assertThatThrownBy(() -> ModelDirectory.of(providers, ordered("r", "q", "q", "mistral/large")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias 'r' resolves to 'mistral/large'" + registered);
    assertThatThrownBy(() -> ModelDirectory.of(providers, Map.of("r", "openai")))
        .hasMessage("alias 'r' resolves to 'openai'" + registered);
    assertThatThrownBy(() -> ModelDirectory.of(providers, Map.of("r", "openai/")))
        .hasMessage("alias 'r' resolves to 'openai/'" + registered);
    assertThatThrownBy(() -> ModelDirectory.of(Set.of("", "openai"), Map.of("r", "/gpt-4o")))
        .as("an empty provider name is no provider").isInstanceOf(IllegalArgumentException.class);
    assertThat(ModelDirectory.of(providers, Map.of("r", "openai/g")).resolve("r")).isEqualTo(new ModelRef("openai", "g"));
  }

  @Test
  void anUnknownProvider_isNamed_withTheClosestProviderAndTheSameModel() {
    assertThat(notFound(directory, "opnai/gpt-4o")).hasMessage("unknown model 'opnai/gpt-4o': no provider named "
        + "'opnai'. Did you mean 'openai/gpt-4o'?" + KNOWN);
    assertThat(notFound(directory, "OpenAI/gpt-4o").suggestion()).as("case does not matter").contains("openai/gpt-4o");
  }

  @Test
  void aNameWithoutSlash_isNeitherAliasNorProviderModel_andMaySuggestEither() {
    ModelNotFoundException e = notFound(directory, "rankr");
    assertThat(e).hasMessage("unknown model 'rankr': not an alias, and not of the form \"provider/model\". "
        + "Did you mean 'ranker'?" + KNOWN);
    assertThat(e.suggestion()).contains("ranker");
    assertThat(e.known()).containsExactly("anthropic/<model>", "openai/<model>", "fast", "ranker");
    assertThat(e.model()).isEqualTo("rankr");
    assertThat(e.provider()).isEmpty();
    assertThat(e.isRetryable()).isFalse();

    assertThat(notFound(directory, "opena")).hasMessage("unknown model 'opena': not an alias, and not of the form "
        + "\"provider/model\". Did you mean 'openai/<model>'?" + KNOWN);
  }

  @Test
  void nothingClose_suggestsNothing() {
    ModelNotFoundException e = notFound(directory, "mistral/large");
    assertThat(e).hasMessage("unknown model 'mistral/large': no provider named 'mistral'." + KNOWN);
    assertThat(e.suggestion()).isEmpty();
    assertThat(notFound(directory, "gpt-4o")).hasMessage("unknown model 'gpt-4o': not an alias, and not of the form "
        + "\"provider/model\"." + KNOWN);
    assertThat(notFound(directory, "/gpt-4o").suggestion()).isEmpty();
  }

  @Test
  void aProviderWithoutModel_saysSo_andSuggestsTheForm() {
    assertThat(notFound(directory, "openai/")).hasMessage("unknown model 'openai/': no model after 'openai/'. "
        + "Did you mean 'openai/<model>'?" + KNOWN);
  }

  @Test
  void aNameWithNothingBeforeItsSlash_namesNoProvider_andIsComparedWhole() {
    ModelDirectory d = ModelDirectory.of(Set.of("vllm"), Map.of());
    assertThat(notFound(d, "/vllm")).hasMessage("unknown model '/vllm': not an alias, and not of the form "
        + "\"provider/model\". Did you mean 'vllm/<model>'? Known: vllm/<model>");
  }

  @Test
  void anEmptyDirectory_saysWhatToDo() {
    ModelNotFoundException e = notFound(ModelDirectory.of(Set.of(), Map.of()), "openai/gpt-4o");
    assertThat(e).hasMessage("unknown model 'openai/gpt-4o': no provider named 'openai'. Known: nothing (register "
        + "a provider)");
    assertThat(e.known()).isEmpty();
  }

  @Test
  void suggestions_allowTwoEditsForShortNames_andOneInThreeCharactersForLongOnes() {
    ModelDirectory d = ModelDirectory.of(Set.of("groq", "openrouter"), Map.of());
    assertThat(notFound(d, "grok/llama").suggestion()).contains("groq/llama");
    assertThat(notFound(d, "gr/llama").suggestion()).as("2 edits, 2 allowed").contains("groq/llama");
    assertThat(notFound(d, "g/llama").suggestion()).as("3 edits, 2 allowed").isEmpty();

    assertThat(notFound(d, "opnroutr/m").suggestion()).as("8 characters: 2 edits allowed").contains("openrouter/m");
    assertThat(notFound(d, "opnrutrr/m").suggestion()).as("8 characters, 3 edits").isEmpty();
    assertThat(notFound(d, "xpnrxuter/m").suggestion()).as("9 characters: 3 edits allowed").contains("openrouter/m");
    assertThat(notFound(d, "xxenrouterxx/m").suggestion()).as("12 characters: 4 edits allowed")
        .contains("openrouter/m");
    assertThat(notFound(d, "xxxxxxxxxxxx/m").suggestion()).as("12 characters, 10 edits").isEmpty();
  }

  @Test
  void aliasesAreComparedWithTheWholeName_providersWithThePartBeforeTheSlash() {
    ModelDirectory d = ModelDirectory.of(Set.of("openai"), Map.of("ranker", "openai/gpt-4o"));
    assertThat(notFound(d, "opnai/gpt-4o").suggestion()).contains("openai/gpt-4o");
    assertThat(notFound(d, "rankr/x").suggestion()).as("'rankr/x' is 3 edits from 'ranker'").isEmpty();
    assertThat(notFound(d, "ranke").suggestion()).contains("ranker");
  }

  @Test
  void ties_goToTheFirstAliasAsDefined_thenToAliasesBeforeProviders_thenToTheFirstProviderByName() {
    ModelDirectory d = ModelDirectory.of(Set.of("gpu", "gpv"), ordered("gpt", "gpu/m", "gps", "gpu/m"));
    assertThat(notFound(d, "gpx").suggestion()).contains("gpt");
    ModelDirectory providersOnly = ModelDirectory.of(Set.of("grok", "groq", "grow"), Map.of());
    assertThat(notFound(providersOnly, "gro/m").suggestion()).contains("grok/m");
  }

  @Test
  void distance_isTheLevenshteinDistance() {
    assertThat(dev.switchboard.spi.Names.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(dev.switchboard.spi.Names.distance("flaw", "lawn")).isEqualTo(2);
    assertThat(dev.switchboard.spi.Names.distance("", "abc")).isEqualTo(3);
    assertThat(dev.switchboard.spi.Names.distance("abc", "")).isEqualTo(3);
    assertThat(dev.switchboard.spi.Names.distance("abc", "abc")).isZero();
    assertThat(dev.switchboard.spi.Names.distance("ab", "ba")).isEqualTo(2);
    assertThat(dev.switchboard.spi.Names.distance("a", "b")).isEqualTo(1);
  }

  private static ModelNotFoundException notFound(ModelDirectory d, String modelString) {
    try {
      d.resolve(modelString);
    } catch (ModelNotFoundException e) {
      return e;
    }
    throw new AssertionError("resolved " + modelString);
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
