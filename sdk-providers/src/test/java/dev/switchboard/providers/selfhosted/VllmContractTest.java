package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Secret;
import dev.switchboard.providers.openai.OpenAiOptions;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ProviderContractTest;
import dev.switchboard.testkit.ProviderEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.SelfHostedEmulator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The provider contract (TCK) for {@link SelfHostedProvider} with one vLLM replica, against the vLLM
 * emulator, with the provider's default (real) scheduler probing the replica in the background
 * meanwhile; plus the vLLM-specific request fields on the wire.
 */
class VllmContractTest extends ProviderContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
      + "\"population\":{\"type\":\"integer\"}},\"required\":[\"city\",\"population\"]}";

  @RegisterExtension
  static final EmulatorExtension<SelfHostedEmulator> VLLM = EmulatorExtension.of(SelfHostedEmulator.class, SelfHostedEmulator::start);

  @Override
  protected ProviderEmulator emulator() {
    return VLLM.emulator();
  }

  @Override
  protected ProviderAdapter newAdapter(String baseUrl) {
    return SelfHostedProvider.builder()
        .name("vllm")
        .backend(Backend.VLLM)
        .replica(baseUrl)
        .apiKey(Secret.of(apiKey()))
        .transport(transport())
        .build();
  }

  private static SelfHostedProvider provider(Backend backend) {
    return SelfHostedProvider.builder().name("vllm").backend(backend).replica(VLLM.emulator().baseUrl()).build();
  }

  private static ChatResponse send(SelfHostedProvider provider, Mode mode, ChatRequest request) {
    return mode == Mode.CHAT ? provider.chat(request).join() : provider.stream(request).collect();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void legacyVllm_getsTheJsonSchemaAsGuidedJson_andTheSamplingFields(Mode mode) throws Exception {
    VLLM.emulator().enqueue(Reply.text("{\"city\":\"Paris\",\"population\":2102650}"));
    ChatRequest request = ChatRequest.builder().model("test-model").user("Largest city of France as JSON")
        .responseFormat(ResponseFormat.jsonSchema("city_info", SCHEMA))
        .tag(SelfHostedOptions.class, SelfHostedOptions.builder().topK(20).minP(0.05).repetitionPenalty(1.05).build())
        .build();

    ChatResponse response;
    try (SelfHostedProvider provider = provider(Backend.VLLM.withLegacyGuidedDecoding())) {
      response = send(provider, mode, request);
    }

    assertThat(JSON.readTree(response.text()).get("population").asInt()).isEqualTo(2102650);
    JsonNode body = VLLM.emulator().takeRequest().json();
    assertThat(body.get("guided_json")).isEqualTo(JSON.readTree(SCHEMA));
    assertThat(body.has("response_format")).as("response_format removed for guided_json").isFalse();
    assertThat(body.get("top_k").asInt()).isEqualTo(20);
    assertThat(body.get("min_p").asDouble()).isEqualTo(0.05);
    assertThat(body.get("repetition_penalty").asDouble()).isEqualTo(1.05);
    assertThat(body.get("model").asText()).isEqualTo("test-model");
    assertThat(body.path("stream").asBoolean(false)).isEqualTo(mode == Mode.STREAM);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void currentVllm_keepsTheStandardResponseFormat(Mode mode) throws Exception {
    VLLM.emulator().enqueue(Reply.text("{\"city\":\"Lyon\",\"population\":522250}"));
    ChatRequest request = ChatRequest.builder().model("test-model").user("Another city as JSON")
        .responseFormat(ResponseFormat.jsonSchema("city_info", SCHEMA)).build();

    try (SelfHostedProvider provider = provider(Backend.VLLM)) {
      send(provider, mode, request);
    }

    RecordedRequest sent = VLLM.emulator().takeRequest();
    assertThat(sent.jsonSchemaName()).contains("city_info");
    assertThat(sent.json().has("guided_json")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void currentVllm_getsAChoiceAsStructuredOutputs(Mode mode) throws Exception {
    VLLM.emulator().enqueue(Reply.text("positive"));
    ChatRequest request = ChatRequest.builder().model("test-model").user("vLLM is wonderful! Sentiment?")
        .tag(SelfHostedOptions.class, SelfHostedOptions.builder().guidedChoice(List.of("positive", "negative")).build())
        .build();

    ChatResponse response;
    try (SelfHostedProvider provider = provider(Backend.VLLM)) {
      response = send(provider, mode, request);
    }

    assertThat(response.text()).isEqualTo("positive");
    JsonNode body = VLLM.emulator().takeRequest().json();
    assertThat(body.get("structured_outputs")).isEqualTo(JSON.readTree("{\"choice\":[\"positive\",\"negative\"]}"));
    assertThat(body.has("guided_choice")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void callersOpenAiOptions_stillReachTheWire_besideTheBackendFields(Mode mode) throws Exception {
    VLLM.emulator().enqueue(Reply.text("ok"));
    ChatRequest request = ChatRequest.builder().model("test-model").user("Hi")
        .tag(SelfHostedOptions.class, SelfHostedOptions.builder().topK(20).minP(0.05).build())
        .tag(OpenAiOptions.class, OpenAiOptions.builder().thinking(false).user("tenant-7").extraField("top_k", "5")
            .build())
        .build();

    try (SelfHostedProvider provider = provider(Backend.VLLM)) {
      send(provider, mode, request);
    }

    JsonNode body = VLLM.emulator().takeRequest().json();
    assertThat(body.get("top_k").asInt()).as("the caller's extra field wins").isEqualTo(5);
    assertThat(body.get("min_p").asDouble()).isEqualTo(0.05);
    assertThat(body.get("chat_template_kwargs")).isEqualTo(JSON.readTree("{\"enable_thinking\":false}"));
    assertThat(body.get("user").asText()).isEqualTo("tenant-7");
    assertThat(body.has("max_completion_tokens")).isFalse();
  }

  @Test
  void sendsTheApiKeyAsBearerToken_andListsModels() {
    try (SelfHostedProvider provider = SelfHostedProvider.builder().backend(Backend.VLLM)
        .replica(VLLM.emulator().baseUrl()).apiKey(Secret.of("vllm-secret-key")).build()) {
      provider.chat(ChatRequest.of("test-model", "Hi")).join();

      assertThat(VLLM.emulator().takeRequest().header("Authorization")).contains("Bearer vllm-secret-key");
      assertThat(provider.listModels().join()).containsExactlyElementsOf(SelfHostedEmulator.DEFAULT_MODELS);
      assertThat(provider.capabilities("simulated-model").maxContextTokens())
          .hasValue(SelfHostedEmulator.DEFAULT_MAX_MODEL_LEN);
      assertThat(provider.toString()).doesNotContain("vllm-secret-key");
    }
  }
}
