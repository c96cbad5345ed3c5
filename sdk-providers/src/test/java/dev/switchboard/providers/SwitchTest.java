package dev.switchboard.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.FinishReason;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.providers.anthropic.AnthropicProvider;
import dev.switchboard.providers.ollama.OllamaProvider;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.providers.selfhosted.Backend;
import dev.switchboard.providers.selfhosted.SelfHostedProvider;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ProviderEmulator;
import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.AnthropicEmulator;
import dev.switchboard.testkit.OllamaEmulator;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.SelfHostedEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Switching a workload is a one-string change: the same {@link ChatRequest}, sent to {@code
 * openai/…}, {@code anthropic/…}, {@code ollama/…} and {@code vllm/…} by changing only the model
 * string, returns equivalent responses from four different wire protocols — through {@code chat()}
 * and through {@code stream()}.
 */
@Timeout(30)
class SwitchTest {
  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  @RegisterExtension
  static final EmulatorExtension<AnthropicEmulator> ANTHROPIC = EmulatorExtension.anthropic();

  @RegisterExtension
  static final EmulatorExtension<OllamaEmulator> OLLAMA = EmulatorExtension.ollama();

  @RegisterExtension
  static final EmulatorExtension<SelfHostedEmulator> VLLM = EmulatorExtension.vllm();

  private static Switchboard switchboard;

  @BeforeAll
  static void start() {
    switchboard = Switchboard.builder()
        .provider(OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl()).apiKey(Secret.of("k")).build())
        .provider(AnthropicProvider.builder().baseUrl(ANTHROPIC.emulator().baseUrl()).apiKey(Secret.of("k")).build())
        .provider(OllamaProvider.builder().baseUrl(OLLAMA.emulator().baseUrl()).build())
        .provider(SelfHostedProvider.builder().name("vllm").backend(Backend.VLLM)
            .replica(VLLM.emulator().baseUrl()).build())
        .build();
  }

  @AfterAll
  static void stop() {
    switchboard.close();
  }

  private static final List<String> MODELS =
      List.of("openai/test-model", "anthropic/test-model", "ollama/test-model", "vllm/test-model");

  private static Map<String, ProviderEmulator> emulators() {
    return Map.of("openai", OPENAI.emulator(), "anthropic", ANTHROPIC.emulator(), "ollama", OLLAMA.emulator(),
        "vllm", VLLM.emulator());
  }

  private static ChatResponse send(ChatRequest request, boolean stream) {
    if (!stream) {
      return switchboard.chat(request);
    }
    StringBuilder deltas = new StringBuilder();
    ChatResponse done = null;
    try (ChatStream s = switchboard.stream(request)) {
      for (ChatEvent e : s) {
        if (e instanceof ChatEvent.TextDelta d) {
          deltas.append(d.text());
        } else if (e instanceof ChatEvent.Completed c) {
          done = c.response();
        }
      }
    }
    assertThat(done).isNotNull();
    assertThat(deltas.toString()).isEqualTo(done.text());
    return done;
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void sameRequest_differentModelString_equivalentAnswers(boolean stream) {
    ChatRequest base = ChatRequest.builder().model("placeholder")
        .system("You rank search results.")
        .user("Rank: a) cheap flights b) flight deals c) airline news")
        .maxOutputTokens(200)
        .build();
    Reply reply = Reply.builder().text("b, a, c — deals first, then prices, then news.")
        .usage(42, 13).streamPieces(5).build();

    List<ChatResponse> answers = new ArrayList<>();
    for (String model : MODELS) {
      emulators().get(model.substring(0, model.indexOf('/'))).enqueue(reply);
      answers.add(send(base.toBuilder().model(model).build(), stream));
    }

    for (int i = 0; i < MODELS.size(); i++) {
      ChatResponse r = answers.get(i);
      String provider = MODELS.get(i).substring(0, MODELS.get(i).indexOf('/'));
      assertThat(r.provider()).isEqualTo(provider);
      assertThat(r.text()).as(provider).isEqualTo("b, a, c — deals first, then prices, then news.");
      assertThat(r.finishReason()).as(provider).isEqualTo(FinishReason.STOP);
      assertThat(r.usage()).as(provider).isEqualTo(answers.get(0).usage());
      assertThat(r.usage().inputTokens()).isEqualTo(42);
      assertThat(r.usage().outputTokens()).isEqualTo(13);
      assertThat(r.attempts()).hasSize(1);
    }
    for (String name : List.of("openai", "anthropic", "ollama", "vllm")) {
      var recorded = emulators().get(name).takeRequest();
      assertThat(recorded.systemText()).as(name).contains("You rank search results.");
      assertThat(recorded.lastUserText()).as(name).contains("cheap flights");
      assertThat(recorded.streamRequested()).as(name).isEqualTo(stream);
    }
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void sameToolCall_fromEveryProvider(boolean stream) {
    ChatRequest base = ChatRequest.builder().model("placeholder")
        .user("What's the weather in Paris?")
        .addTool(ToolSpec.of("get_weather", "Current weather",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"))
        .build();
    Reply reply = Reply.builder().addToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")
        .usage(30, 8).build();
    for (String model : MODELS) {
      String provider = model.substring(0, model.indexOf('/'));
      emulators().get(provider).enqueue(reply);
      ChatResponse r = send(base.toBuilder().model(model).build(), stream);
      assertThat(r.finishReason()).as(provider).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(r.toolCalls()).as(provider).extracting(ToolCall::name, ToolCall::argumentsJson)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("get_weather", "{\"city\":\"Paris\"}"));
      assertThat(emulators().get(provider).takeRequest().toolNames()).as(provider).containsExactly("get_weather");
    }
  }
}
