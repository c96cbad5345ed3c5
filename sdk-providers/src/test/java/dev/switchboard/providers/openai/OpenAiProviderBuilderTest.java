package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.Secret;
import dev.switchboard.spi.Futures;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpenAiProviderBuilderTest {
  private static final String KEY = "sk-builder-0123456789abcdef";

  static Stream<Arguments> invalidBuilders() {
    return Stream.of(
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.name("open/ai"), "OpenAiProvider.name"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.name(""), "OpenAiProvider.name"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl("api.openai.com/v1"), "OpenAiProvider.baseUrl"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl("ftp://example.com/v1"), "OpenAiProvider.baseUrl"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl(null), "OpenAiProvider.baseUrl"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl("https://x.example/v1/chat/completions"),
            "without /chat/completions"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl("https://x.example/v1?api-version=1"),
            "queryParam(name, value)"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.baseUrl("https://me:secret@x.example/v1"),
            "must not contain credentials"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.timeout(Duration.ZERO), "OpenAiProvider.timeout"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.connectTimeout(Duration.ofSeconds(-1)),
            "OpenAiProvider.connectTimeout"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.maxResponseBytes(0), "OpenAiProvider.maxResponseBytes"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.header("Host", "x"), "OpenAiProvider.header 'Host'"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.header("Content-Type", "text/plain"),
            "OpenAiProvider.header 'Content-Type'"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.queryParam(" ", "x"), "OpenAiProvider.queryParam"),
        Arguments.of((Consumer<OpenAiProvider.Builder>) b -> b.httpClient(HttpClient.newHttpClient())
            .connectTimeout(Duration.ofSeconds(1)), "OpenAiProvider.connectTimeout"));
  }

  @ParameterizedTest
  @MethodSource("invalidBuilders")
  void build_rejectsBadSettings_namingTheField(Consumer<OpenAiProvider.Builder> setting, String message) {
    OpenAiProvider.Builder b = OpenAiProvider.builder();
    setting.accept(b);

    assertThatThrownBy(b::build).isInstanceOf(RuntimeException.class).hasMessageContaining(message);
  }

  @Test
  void defaults_pointAtOpenAi() {
    try (OpenAiProvider p = OpenAiProvider.builder().build()) {
      assertThat(p.name()).isEqualTo("openai");
      assertThat(p.baseUrl()).isEqualTo("https://api.openai.com/v1");
    }
  }

  @Test
  void toString_neverShowsTheKey_orHeaderAndQueryValues() {
    try (OpenAiProvider p = OpenAiProvider.builder()
        .apiKey(Secret.of(KEY))
        .header("api-key", "azure-secret-value")
        .queryParam("key", "query-secret-value")
        .build()) {
      assertThat(p.toString())
          .doesNotContain(KEY)
          .doesNotContain("azure-secret-value")
          .doesNotContain("query-secret-value")
          .contains("api-key", "key");
    }
  }

  @Test
  void fromEnv_readsBaseUrl_andSendsAKeyOnlyIfSet() {
    Map<String, String> env = Map.of("OPENAI_BASE_URL", "http://localhost:8000/v1");
    try (OpenAiProvider local = OpenAiProvider.fromEnv(null, env::get,
        k -> Secret.fromEnv("SWITCHBOARD_TEST_UNSET_KEY"))) {
      assertThat(local.baseUrl()).isEqualTo("http://localhost:8000/v1");
      assertThat(local.toString()).contains("no apiKey");
    }
    try (OpenAiProvider cloud = OpenAiProvider.fromEnv(null, k -> null, k -> Secret.of(KEY))) {
      assertThat(cloud.baseUrl()).isEqualTo(OpenAiProvider.DEFAULT_BASE_URL);
      assertThat(cloud.toString()).contains("apiKey=value").doesNotContain(KEY);
    }
  }

  @Test
  void fromEnv_withNeitherKeyNorBaseUrl_failsNamingTheVariables() {
    assertThatThrownBy(() -> OpenAiProvider.fromEnv(null, k -> null, k -> Secret.fromEnv("SWITCHBOARD_TEST_UNSET_KEY")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OpenAiProvider.fromEnv() found no API key for https://api.openai.com/v1")
        .hasMessageContaining("OPENAI_API_KEY is not set").hasMessageContaining("OPENAI_BASE_URL");
    assertThatThrownBy(() -> OpenAiProvider.fromEnv(Vendor.DEEPSEEK, k -> null, k -> Secret.of("")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DEEPSEEK_API_KEY")
        .hasMessageContaining("https://api.deepseek.com");
  }

  @Test
  void closedProvider_failsCallsAndStreams_withoutSending() {
    OpenAiProvider p = OpenAiProvider.builder().baseUrl("http://127.0.0.1:9/v1").build();
    p.close();
    p.close();

    assertThatThrownBy(() -> Futures.await(p.chat(ChatRequest.of("m", "hi"))))
        .isInstanceOf(ChatException.class).hasMessageContaining("is closed");
    try (ChatStream stream = p.stream(ChatRequest.of("m", "hi"))) {
      assertThatThrownBy(stream::collect).isInstanceOf(ChatException.class).hasMessageContaining("is closed");
    }
  }
}
