package dev.switchboard.providers.anthropic;

import dev.switchboard.providers.testing.DefaultTimeoutsContract;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import java.time.Duration;

/**
 * The {@link DefaultTimeoutsContract} for {@link AnthropicProvider}: with nothing configured but a
 * manual clock under the transport, the idle limit inside a stream (the transport's default, 120 s),
 * the wait for a stream's response headers and the whole-call limit of {@code chat()} (both the
 * builder's {@code timeout}, default 120 s) end the call, and the JDK's header and connect timeouts
 * become typed, retryable timeouts.
 */
class AnthropicDefaultTimeoutsTest extends DefaultTimeoutsContract {

  @Override
  protected ProviderAdapter provider(String root, HttpTransport transport) {
    return AnthropicProvider.builder().baseUrl(root).transport(transport).build();
  }

  @Override
  protected String model() {
    return "anthropic/claude-sonnet-4-5";
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
    return "AnthropicProvider.builder().timeout";
  }

  @Override
  protected String endpointPath() {
    return "/v1/messages";
  }

  /** Message start, a text block and its first delta; the start's usage is reported later, so the text comes first. */
  @Override
  protected String firstEvent() {
    return "event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\n"
        + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\""
        + FIRST_TEXT + "\"}}\n\n";
  }
}
