package dev.switchboard.providers.openai;

import dev.switchboard.providers.testing.DefaultTimeoutsContract;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import java.time.Duration;

/**
 * The {@link DefaultTimeoutsContract} for {@link OpenAiProvider}: with nothing configured but a
 * manual clock under the transport, the idle limit inside a stream (the transport's default, 120 s),
 * the wait for a stream's response headers and the whole-call limit of {@code chat()} (both the
 * builder's {@code timeout}, default 60 s) end the call, and the JDK's header and connect timeouts
 * become typed, retryable timeouts.
 */
class DefaultTimeoutsTest extends DefaultTimeoutsContract {

  @Override
  protected ProviderAdapter provider(String root, HttpTransport transport) {
    return OpenAiProvider.builder().baseUrl(root + "/v1").transport(transport).build();
  }

  @Override
  protected String model() {
    return "openai/gpt-4o-mini";
  }

  @Override
  protected Duration providerDefault() {
    return Duration.ofSeconds(60);
  }

  @Override
  protected String providerDefaultAsWritten() {
    return "60s";
  }

  @Override
  protected String builderSetting() {
    return "OpenAiProvider.builder().timeout";
  }

  @Override
  protected String endpointPath() {
    return "/v1/chat/completions";
  }

  /** The first chunk of a chat-completions stream. */
  @Override
  protected String firstEvent() {
    return chatCompletionsChunk("gpt-4o-mini");
  }
}
