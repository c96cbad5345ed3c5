package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Secret;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class VendorTest {

  @ParameterizedTest
  @CsvSource({
      "https://api.openai.com/v1, OPENAI",
      "https://api.deepseek.com, DEEPSEEK",
      "https://dashscope-intl.aliyuncs.com/compatible-mode/v1, QWEN",
      "https://dashscope.aliyuncs.com/compatible-mode/v1, QWEN",
      "https://open.bigmodel.cn/api/paas/v4, GLM",
      "https://api.z.ai/api/paas/v4, GLM",
      "https://openrouter.ai/api/v1, OPENROUTER",
      "https://api.groq.com/openai/v1, GROQ",
      "https://api.together.xyz/v1, TOGETHER",
      "https://my-resource.openai.azure.com, GENERIC",
      "http://localhost:8000/v1, GENERIC",
      "not a url, GENERIC"})
  void detect_recognizesVendorsByHost_andNeverGuessesAzure(String baseUrl, Vendor expected) {
    assertThat(Vendor.detect(baseUrl)).isEqualTo(expected);
  }

  @Test
  void builderWithoutVendor_detectsItButKeepsTheNameOpenai() {
    try (OpenAiProvider p = OpenAiProvider.builder().baseUrl("https://api.deepseek.com").build()) {
      assertThat(p.vendor()).isEqualTo(Vendor.DEEPSEEK);
      assertThat(p.name()).isEqualTo("openai");
    }
    try (OpenAiProvider p = OpenAiProvider.builder().build()) {
      assertThat(p.vendor()).isEqualTo(Vendor.OPENAI);
      assertThat(p.baseUrl()).isEqualTo(OpenAiProvider.DEFAULT_BASE_URL);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Vendor.class, names = {"AZURE_OPENAI", "GENERIC"}, mode = EnumSource.Mode.EXCLUDE)
  void builderWithVendor_defaultsNameAndBaseUrl(Vendor vendor) {
    try (OpenAiProvider p = OpenAiProvider.builder().vendor(vendor).build()) {
      assertThat(p.name()).isEqualTo(vendor.defaultName());
      assertThat(p.baseUrl()).isEqualTo(vendor.defaultBaseUrl().orElseThrow());
      assertThat(p.vendor()).isEqualTo(vendor);
      assertThat(p.toString()).contains("vendor=" + vendor);
    }
  }

  @Test
  void fromEnv_readsTheVendorsVariables() {
    Map<String, String> env = Map.of("DEEPSEEK_API_KEY", "sk-deep-0123456789abcdef");
    try (OpenAiProvider p = OpenAiProvider.fromEnv(Vendor.DEEPSEEK, env::get, k -> Secret.of(env.getOrDefault(k, "")))) {
      assertThat(p.name()).isEqualTo("deepseek");
      assertThat(p.baseUrl()).isEqualTo("https://api.deepseek.com");
      assertThat(p.toString()).contains("apiKey=value").doesNotContain("sk-deep");
    }
    Map<String, String> qwen = Map.of("DASHSCOPE_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1");
    try (OpenAiProvider p = OpenAiProvider.fromEnv(Vendor.QWEN, qwen::get, k -> Secret.of(""))) {
      assertThat(p.baseUrl()).isEqualTo("https://dashscope.aliyuncs.com/compatible-mode/v1");
      assertThat(p.toString()).contains("no apiKey");
    }
    assertThat(Vendor.QWEN.apiKeyEnv()).isEqualTo("DASHSCOPE_API_KEY");
    assertThat(Vendor.GLM.apiKeyEnv()).isEqualTo("ZHIPUAI_API_KEY");
    assertThat(Vendor.AZURE_OPENAI.baseUrlEnv()).isEqualTo("AZURE_OPENAI_ENDPOINT");
  }

  @Test
  void fromEnv_forAzureAndGenericServers_needsTheBaseUrl_andNamesTheVariable() {
    assertThatThrownBy(() -> OpenAiProvider.fromEnv(Vendor.AZURE_OPENAI, k -> null, k -> Secret.of("")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("AZURE_OPENAI_ENDPOINT");
    assertThatThrownBy(() -> OpenAiProvider.fromEnv(Vendor.GENERIC, k -> null, k -> Secret.of("")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("OPENAI_BASE_URL");

    Map<String, String> env = Map.of("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com",
        "OPENAI_API_VERSION", "2025-01-01-preview");
    try (OpenAiProvider p = OpenAiProvider.fromEnv(Vendor.AZURE_OPENAI, env::get, k -> Secret.of("azure-key-123"))) {
      assertThat(p.name()).isEqualTo("azure");
      assertThat(p.toString()).contains("queryParams=[api-version]");
    }
  }
}
