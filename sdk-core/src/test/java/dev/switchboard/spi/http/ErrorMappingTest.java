package dev.switchboard.spi.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

  @Test
  void credentialsIn_namesTheHeaderOrQueryParameterThatCarriesThem() {
    assertThat(ErrorMapping.credentialsIn(Map.of("API-Key", "x"), Map.of())).isEqualTo("the 'API-Key' header");
    assertThat(ErrorMapping.credentialsIn(Map.of("X-Title", "t"), Map.of("key", "k")))
        .isEqualTo("the 'key' query parameter");
    assertThat(ErrorMapping.credentialsIn(Map.of("X-Title", "t"), Map.of("api-version", "2024"))).isNull();
  }

  @Test
  void describeKey_namesTheSourceNeverTheValue() {
    assertThat(ErrorMapping.describeKey(Secret.of("sk-secret-value-123"), "OpenAiProvider"))
        .isEqualTo("the API key given to OpenAiProvider.builder().apiKey(...)");
    assertThat(ErrorMapping.describeKey(Secret.fromEnv("SWITCHBOARD_TEST_UNSET_KEY"), "OpenAiProvider"))
        .isEqualTo("the API key in the environment variable SWITCHBOARD_TEST_UNSET_KEY");
  }
}
