package dev.switchboard.providers.ollama;

import dev.switchboard.providers.testing.DefaultTimeoutsContract;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import java.time.Duration;

/**
 * The {@link DefaultTimeoutsContract} for {@link OllamaProvider}: with nothing configured but a
 * manual clock under the transport, the idle limit inside an NDJSON stream (the transport's default,
 * 120 s), the wait for a stream's response headers and the whole-call limit of {@code chat()} (both
 * the builder's {@code timeout}, default 120 s, which includes loading the model) end the call, and
 * the JDK's header and connect timeouts become typed, retryable timeouts.
 */
class OllamaDefaultTimeoutsTest extends DefaultTimeoutsContract {

  @Override
  protected ProviderAdapter provider(String root, HttpTransport transport) {
    return OllamaProvider.builder().baseUrl(root).transport(transport).build();
  }

  @Override
  protected String model() {
    return "ollama/llama3.2";
  }

  @Override
  protected Duration providerDefault() {
    return Duration.ofSeconds(120);
  }

  @Override
  protected String providerDefaultAsWritten() {
    return "2m";
  }

  @Override
  protected String builderSetting() {
    return "OllamaProvider.builder().timeout";
  }

  @Override
  protected String endpointPath() {
    return "/api/chat";
  }

  @Override
  protected String streamContentType() {
    return "application/x-ndjson";
  }

  /** The first NDJSON line of an answer. */
  @Override
  protected String firstEvent() {
    return "{\"model\":\"llama3.2\",\"created_at\":\"2025-06-01T10:00:00.000000Z\",\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"" + FIRST_TEXT + "\"},\"done\":false}\n";
  }
}
