package dev.switchboard.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.providers.anthropic.AnthropicProvider;
import dev.switchboard.providers.ollama.OllamaProvider;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.providers.openai.Vendor;
import dev.switchboard.providers.selfhosted.Backend;
import dev.switchboard.providers.selfhosted.SelfHostedProvider;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keeps the capability matrix in docs/providers.md true: it regenerates the rows from what each
 * adapter declares for a few representative models and fails, printing the block to paste, when
 * the section between the markers differs.
 *
 * <p>To add a provider or a model, add a {@link #sections()} entry: the adapter (built offline, no
 * key needed) and the provider's own model names.
 */
class CapabilityMatrixDocTest {
  static final String BEGIN = "<!-- capability-matrix:begin -->";
  static final String END = "<!-- capability-matrix:end -->";
  /** A replica nobody listens on: self-hosted adapters probe it in the background and find it down. */
  private static final String NO_SERVER = "http://127.0.0.1:9";

  /** One adapter and the models to show for it. */
  record Section(Supplier<ProviderAdapter> adapter, List<String> models) {}

  static List<Section> sections() {
    return List.of(
        new Section(() -> OpenAiProvider.builder().build(),
            List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3", "o4-mini", "gpt-3.5-turbo")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI)
            .baseUrl("https://example.openai.azure.com").build(), List.of("gpt-4o")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.DEEPSEEK).build(),
            List.of("deepseek-chat", "deepseek-reasoner")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.QWEN).build(),
            List.of("qwen3-32b", "qwen-plus", "qwen-max")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.GLM).build(), List.of("glm-4.6", "glm-4.5")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.OPENROUTER).build(),
            List.of("openai/gpt-4o-mini", "deepseek/deepseek-chat")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.GROQ).build(), List.of("llama-3.3-70b-versatile")),
        new Section(() -> OpenAiProvider.builder().vendor(Vendor.TOGETHER).build(),
            List.of("Qwen/Qwen3-235B-A22B-fp8-tput")),
        new Section(() -> AnthropicProvider.builder().build(),
            List.of("claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-haiku-latest")),
        new Section(() -> OllamaProvider.builder().build(), List.of("llama3.1:8b")),
        new Section(() -> selfHosted(Backend.VLLM), List.of("Qwen/Qwen3-32B")),
        new Section(() -> selfHosted(Backend.SGLANG), List.of("Qwen/Qwen3-32B")),
        new Section(() -> selfHosted(Backend.TGI), List.of("meta-llama/Llama-3.1-8B-Instruct")),
        new Section(() -> selfHosted(Backend.LLAMA_CPP), List.of("qwen3-8b-q4_k_m")));
  }

  private static ProviderAdapter selfHosted(Backend backend) {
    return SelfHostedProvider.builder().backend(backend).replica(NO_SERVER)
        .scrapeInterval(Duration.ofHours(1)).unhealthyRetryInterval(Duration.ofHours(1)).build();
  }

  @Test
  void providersDoc_capabilityMatrix_matchesWhatTheAdaptersDeclare() throws IOException {
    String expected = matrix();
    Path doc = providersDoc();
    String text = Files.readString(doc);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertThat(begin).as(doc + " has the marker " + BEGIN).isNotNegative();
    assertThat(end).as(doc + " has the marker " + END + " after " + BEGIN).isGreaterThan(begin);
    String actual = text.substring(begin + BEGIN.length(), end).strip();

    if (!actual.equals(expected)) {
      throw new AssertionError("The capability matrix in " + doc + " is out of date.\n\n" + diff(actual, expected)
          + "\nReplace the lines between " + BEGIN + " and " + END + " with:\n\n" + expected + "\n");
    }
  }

  /** The matrix as markdown, one row per model, in {@link #sections()} order. */
  static String matrix() {
    StringBuilder sb = new StringBuilder()
        .append("| model string | tools | JSON schema | vision | usage in stream | max context | max output |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Section section : sections()) {
      try (ProviderAdapter adapter = section.adapter().get()) {
        for (String model : section.models()) {
          Capabilities c = adapter.capabilities(model);
          sb.append("| `").append(adapter.name()).append('/').append(model).append("` | ")
              .append(flag(c.tools())).append(" | ")
              .append(flag(c.jsonSchema())).append(" | ")
              .append(flag(c.vision())).append(" | ")
              .append(flag(c.streamingUsage())).append(" | ")
              .append(number(c.maxContextTokens())).append(" | ")
              .append(number(c.maxOutputTokens())).append(" |\n");
        }
      }
    }
    return sb.toString().strip();
  }

  private static String flag(Optional<Boolean> v) {
    return v.map(b -> b ? "yes" : "no").orElse("try");
  }

  private static String number(OptionalInt v) {
    return v.isPresent() ? String.format(Locale.ROOT, "%,d", v.getAsInt()) : "try";
  }

  private static String diff(String actual, String expected) {
    List<String> is = actual.lines().toList();
    List<String> shouldBe = expected.lines().toList();
    List<String> out = new ArrayList<>();
    for (String line : is) {
      if (!shouldBe.contains(line)) {
        out.add("- " + line);
      }
    }
    for (String line : shouldBe) {
      if (!is.contains(line)) {
        out.add("+ " + line);
      }
    }
    if (out.isEmpty()) {
      out.add("(same rows, different order or spacing)");
    }
    return String.join("\n", out) + "\n";
  }

  private static Path providersDoc() {
    Path fromModule = Path.of("..", "docs", "providers.md");
    return Files.exists(fromModule) ? fromModule : Path.of("docs", "providers.md");
  }
}
