package dev.switchboard.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.providers.anthropic.AnthropicProvider;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.AnthropicEmulator;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One cached-token story told in both providers' conventions must come out as one {@link Usage}:
 * 1000 prompt tokens of which 800 were read from the prompt cache, and 50 output tokens. OpenAI
 * counts the cache inside the prompt ({@code prompt_tokens: 1000, cached_tokens: 800}); Anthropic
 * beside it ({@code input_tokens: 200, cache_read_input_tokens: 800}). Decoded by the real adapters
 * over loopback, from literal wire bodies and from the emulators' own rendering, whole and streamed.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UsageNormalizationTest {
  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  @RegisterExtension
  static final EmulatorExtension<AnthropicEmulator> ANTHROPIC =
      EmulatorExtension.of(AnthropicEmulator.class, AnthropicEmulator::start);

  /** The story, normalized: inputs include the cache, which is a part of them. */
  private static final Usage STORY = Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(50).build();

  private static final String OPENAI_JSON = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
      + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Ranked.\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":50,\"total_tokens\":1050,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":800}}}";

  private static final String OPENAI_SSE = String.join("",
      "data: {\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
          + "\"content\":\"Ranked.\"},\"finish_reason\":null}],\"usage\":null}\n\n",
      "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
          + "\"usage\":null}\n\n",
      "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":50,"
          + "\"total_tokens\":1050,\"prompt_tokens_details\":{\"cached_tokens\":800}}}\n\n",
      "data: [DONE]\n\n");

  private static final String ANTHROPIC_JSON = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Ranked.\"}],"
      + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":200,"
      + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":800,\"output_tokens\":50}}";

  private static final String ANTHROPIC_SSE = String.join("",
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
          + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
          + "\"usage\":{\"input_tokens\":200,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":800,"
          + "\"output_tokens\":1}}}\n\n",
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Ranked.\"}}\n\n",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":50}}\n\n",
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

  /** How the answer travels. */
  enum Form {
    JSON,
    STREAM
  }

  private Switchboard switchboard;

  @BeforeEach
  void start() {
    switchboard = Switchboard.builder()
        .provider(OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl()).apiKey(Secret.of("sk-test-1234"))
            .build())
        .provider(AnthropicProvider.builder().baseUrl(ANTHROPIC.emulator().baseUrl())
            .apiKey(Secret.of("sk-ant-test-1234")).build())
        .build();
  }

  @AfterEach
  void stop() {
    switchboard.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void sameStory_fromLiteralOpenAiAndAnthropicBodies_isTheSameUsage(Form form) {
    OPENAI.emulator().enqueue(form == Form.JSON ? raw(OPENAI_JSON, "application/json") : raw(OPENAI_SSE,
        "text/event-stream"));
    ANTHROPIC.emulator().enqueue(form == Form.JSON ? raw(ANTHROPIC_JSON, "application/json") : raw(ANTHROPIC_SSE,
        "text/event-stream"));

    Usage openAi = call("openai/gpt-4o", form);
    Usage anthropic = call("anthropic/claude-sonnet-4-5", form);

    assertThat(openAi).isEqualTo(STORY);
    assertThat(anthropic).isEqualTo(STORY);
    assertThat(anthropic.uncachedInputTokens()).isEqualTo(200);
    assertThat(anthropic.totalTokens()).isEqualTo(1050);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void sameStory_renderedByEachEmulatorInItsOwnConvention_isTheSameUsage(Form form) {
    Reply reply = Reply.builder().text("Ranked.")
        .usage(Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(50).build()).build();
    OPENAI.emulator().enqueue(reply);
    ANTHROPIC.emulator().enqueue(reply);

    assertThat(call("openai/gpt-4o", form)).isEqualTo(STORY);
    assertThat(call("anthropic/claude-sonnet-4-5", form)).isEqualTo(STORY);
    assertThat(ANTHROPIC.emulator().takeRequest().streamRequested()).isEqualTo(form == Form.STREAM);
  }

  @Test
  void anthropicCacheWrites_areInputToo_andStreamedUsageIsReportedOnceWithTheFinalCount() {
    ANTHROPIC.emulator().enqueue(raw(ANTHROPIC_SSE.replace("\"cache_creation_input_tokens\":0",
        "\"cache_creation_input_tokens\":300"), "text/event-stream"));

    List<ChatEvent> events = new ArrayList<>();
    try (ChatStream stream = switchboard.stream(ChatRequest.of("anthropic/claude-sonnet-4-5", "Rank"))) {
      stream.forEach(events::add);
    }

    Usage expected = STORY.toBuilder().inputTokens(1300).cacheWriteInputTokens(300).build();
    assertThat(events).filteredOn(e -> e instanceof ChatEvent.UsageReport)
        .containsExactly(new ChatEvent.UsageReport(expected));
    assertThat(((ChatEvent.Completed) events.get(events.size() - 1)).response().usage()).isEqualTo(expected);
  }

  private Usage call(String model, Form form) {
    ChatRequest request = ChatRequest.of(model, "Rank these results");
    if (form == Form.JSON) {
      return switchboard.chat(request).usage();
    }
    try (ChatStream stream = switchboard.stream(request)) {
      ChatResponse response = stream.collect();
      return response.usage();
    }
  }

  private static Reply raw(String body, String contentType) {
    return Reply.raw(200, Map.of("content-type", contentType, "request-id", "req_raw", "x-request-id", "req_raw"),
        body);
  }
}
