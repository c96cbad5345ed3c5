package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.internal.ModelCatalog;
import dev.switchboard.spi.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelCatalogTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "gpt-4o, gpt-4o",
      "gpt-4o-2024-08-06, gpt-4o",
      "GPT-4o, gpt-4o",
      "gpt-4o-2024-05-13, gpt-4o-2024-05-13",
      "gpt-4o-mini, gpt-4o-mini",
      "gpt-4o-mini-2024-07-18, gpt-4o-mini",
      "gpt-4.1-nano, gpt-4.1",
      "gpt-4.1-mini-2025-04-14, gpt-4.1",
      "o1-2024-12-17, o1",
      "o1-mini, o1-mini",
      "o3-mini-2025-01-31, o3-mini",
      "o4-mini, o4-mini",
      "gpt-3.5-turbo-0125, gpt-3.5-turbo",
      "openai/gpt-4o-mini, gpt-4o-mini",
      "deepseek-chat, deepseek-chat",
      "deepseek/deepseek-reasoner, deepseek-reasoner",
      "qwen3-32b, qwen3",
      "Qwen/Qwen3-235B-A22B, qwen3",
      "qwen3:8b, qwen3",
      "qwen3-vl-plus, qwen3-vl",
      "qwen-plus-latest, qwen-plus",
      "qwen-max-2025-01-25, qwen-max",
      "glm-4-plus, glm-4",
      "glm-4.7, glm-4",
      "glm-4.5-air, glm-4.5",
      "glm-4.5v, glm-4.5v",
      "glm-4v-plus, glm-4v",
      "glm-4.6, glm-4.6"})
  void modelNames_findTheirFamily(String model, String family) {
    assertThat(ModelCatalog.lookup(model)).isEqualTo(ModelCatalog.lookup(family)).isNotEqualTo(Capabilities.UNKNOWN);
  }

  @ParameterizedTest
  @CsvSource({"gpt-4o-audio-preview", "gpt-4o-mini-search-preview", "o3-pro", "o1-pro-2025-03-19", "gpt-5-turbo",
      "llama-3.3-70b-versatile", "text-embedding-3-small", "glm-4vision-x", "qwen2.5-72b-instruct", "my-deployment"})
  void variantsAndUnknownModels_areUnknown(String model) {
    assertThat(ModelCatalog.lookup(model)).isEqualTo(Capabilities.UNKNOWN);
  }

  @Test
  void figures_ofRepresentativeFamilies() {
    Capabilities gpt4o = ModelCatalog.lookup("gpt-4o");
    assertThat(gpt4o.tools()).hasValue(true);
    assertThat(gpt4o.jsonSchema()).hasValue(true);
    assertThat(gpt4o.vision()).hasValue(true);
    assertThat(gpt4o.streamingUsage()).hasValue(true);
    assertThat(gpt4o.maxContextTokens()).hasValue(128_000);
    assertThat(gpt4o.maxOutputTokens()).hasValue(16_384);

    assertThat(ModelCatalog.lookup("gpt-4o-2024-05-13").jsonSchema()).hasValue(false);
    assertThat(ModelCatalog.lookup("o1-mini").tools()).hasValue(false);
    assertThat(ModelCatalog.lookup("o3-mini").vision()).hasValue(false);
    assertThat(ModelCatalog.lookup("gpt-4.1").maxContextTokens()).hasValue(1_047_576);
    assertThat(ModelCatalog.lookup("deepseek-chat").jsonSchema()).hasValue(false);
    assertThat(ModelCatalog.lookup("deepseek-reasoner").tools()).isEmpty();
    assertThat(ModelCatalog.lookup("qwen3-32b").maxContextTokens()).isEmpty();
    assertThat(ModelCatalog.lookup("qwen3-vl-plus").vision()).hasValue(true);
    assertThat(ModelCatalog.lookup("glm-4.6").maxContextTokens()).hasValue(204_800);
  }

  @Test
  void providerCapabilities_comeFromTheCatalog_throughSwitchboard() {
    try (Switchboard sb = Switchboard.builder()
        .provider(OpenAiProvider.builder().build())
        .provider(OpenAiProvider.builder().vendor(Vendor.OPENROUTER).build())
        .provider(OpenAiProvider.builder().vendor(Vendor.TOGETHER).build())
        .build()) {
      assertThat(sb.capabilities("openai/gpt-4o-mini")).isEqualTo(ModelCatalog.lookup("gpt-4o-mini"));
      assertThat(sb.capabilities("openrouter/openai/gpt-4o")).isEqualTo(ModelCatalog.lookup("gpt-4o"));
      assertThat(sb.capabilities("openai/some-new-model")).isEqualTo(Capabilities.UNKNOWN);
      // Together is neither asked for stream usage nor known to send it: that one feature becomes "try".
      Capabilities together = sb.capabilities("together/deepseek-ai/DeepSeek-V3");
      assertThat(together).isEqualTo(Capabilities.UNKNOWN);
      Capabilities togetherQwen = sb.capabilities("together/Qwen/Qwen3-235B-A22B");
      assertThat(togetherQwen.streamingUsage()).isEmpty();
      assertThat(togetherQwen.tools()).hasValue(true);
    }
  }
}
