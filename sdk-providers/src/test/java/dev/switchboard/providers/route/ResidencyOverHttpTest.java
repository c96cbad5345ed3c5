package dev.switchboard.providers.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.PolicyViolationException;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.route.CallMetadata;
import dev.switchboard.route.ResidencyPolicy;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Residency over real HTTP: a public API ("openai") and a compliant self-hosted server ("vllm"),
 * each an emulator that records what reaches it. Personal data and sensitive calls reach only the
 * compliant one; with no compliant candidate nothing is sent at all.
 */
@Timeout(30)
class ResidencyOverHttpTest {
  private final OpenAiEmulator publicApi = OpenAiEmulator.start();
  private final OpenAiEmulator selfHosted = OpenAiEmulator.start();
  private final Switchboard sb = Switchboard.builder()
      .provider(OpenAiProvider.builder().name("openai").baseUrl(publicApi.baseUrl()).build())
      .provider(OpenAiProvider.builder().name("vllm").baseUrl(selfHosted.baseUrl()).build())
      .interceptor(Fallback.builder().chain("assistant", "openai/gpt-4o", "vllm/llama-3.1-70b")
          .chain("public-only", "openai/gpt-4o").build())
      .interceptor(ResidencyPolicy.builder().compliantProviders("vllm").build())
      .build();

  @AfterEach
  void close() {
    sb.close();
    publicApi.close();
    selfHosted.close();
  }

  @Test
  void aValidCardNumber_neverReachesTheNonCompliantProvider() {
    selfHosted.enqueue(Reply.text("handled on our own servers"));
    ChatResponse answer = sb.chat(ChatRequest.of("assistant", "Refund the charge on card 4111 1111 1111 1111, please."));

    assertThat(answer.provider()).isEqualTo("vllm");
    assertThat(publicApi.requestCount()).as("the public API saw nothing").isZero();
    assertThat(selfHosted.requestCount()).isEqualTo(1);
  }

  @Test
  void anEmailAddress_neverReachesTheNonCompliantProvider() {
    selfHosted.enqueue(Reply.text("ok"));
    sb.chat(ChatRequest.of("assistant", "Write to jane.doe@example.com about the delay."));
    assertThat(publicApi.requestCount()).isZero();
    assertThat(selfHosted.requestCount()).isEqualTo(1);
  }

  @Test
  void aRequestTaggedConfidential_goesOnlyToTheCompliantProvider() {
    selfHosted.enqueue(Reply.text("ok"));
    ChatRequest tagged = CallMetadata.attach(ChatRequest.of("assistant", "Summarise the board minutes."),
        CallMetadata.builder().sensitivity(CallMetadata.Sensitivity.CONFIDENTIAL).build());
    assertThat(sb.chat(tagged).provider()).isEqualTo("vllm");
    assertThat(publicApi.requestCount()).isZero();
  }

  @Test
  void withNoCompliantCandidate_nothingIsSent_andTheErrorSaysWhyWithoutTheData() {
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("public-only", "My card is 4111 1111 1111 1111")))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("it holds a card number in message 1")
        .hasMessageContaining("may go only to compliant providers [vllm]")
        .hasMessageContaining("[openai/gpt-4o] is not compliant")
        .hasMessageNotContaining("4111");
    assertThat(publicApi.requestCount()).isZero();
    assertThat(selfHosted.requestCount()).isZero();
  }

  @Test
  void anOrdinaryRequest_goesToThePrimaryAsUsual() {
    publicApi.enqueue(Reply.text("fine"));
    assertThat(sb.chat(ChatRequest.of("assistant", "What is order 2024-12-06-17 about?")).provider())
        .isEqualTo("openai");
    assertThat(selfHosted.requestCount()).isZero();
  }
}
