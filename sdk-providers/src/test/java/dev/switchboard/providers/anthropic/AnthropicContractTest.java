package dev.switchboard.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Secret;
import dev.switchboard.OverloadedException;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.Usage;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.AnthropicEmulator;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.ProviderContractTest;
import dev.switchboard.testkit.ProviderEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The provider contract (TCK) for {@link AnthropicProvider}, against the Anthropic wire emulator,
 * plus what only Anthropic does: errors inside a 200 stream, thinking, the top-level system prompt,
 * tool results as blocks of a user turn, and the cases where Anthropic's protocol differs from the
 * contract's OpenAI-shaped defaults (no refusal field, no content-filter stop reason, no separate
 * reasoning-token count, 504 and 400 for timeouts and billing).
 */
class AnthropicContractTest extends ProviderContractTest {

  @RegisterExtension
  static final EmulatorExtension<AnthropicEmulator> ANTHROPIC =
      EmulatorExtension.of(AnthropicEmulator.class, AnthropicEmulator::start);

  private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

  @Override
  protected ProviderEmulator emulator() {
    return ANTHROPIC.emulator();
  }

  @Override
  protected ProviderAdapter newAdapter(String baseUrl) {
    return AnthropicProvider.builder().name("anthropic").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
  }

  @Override
  protected String apiKey() {
    return "sk-ant-test-key-0123456789";
  }

  /** Anthropic answers a timeout with 504 {@code timeout_error} and an empty credit balance with 400. */
  @Override
  protected int expectedStatus(ErrorKind kind, int usual) {
    switch (kind) {
      case REQUEST_TIMEOUT:
        return 504;
      case QUOTA:
        return 400;
      default:
        return usual;
    }
  }

  // ---------------------------------------------------------------- contract cases Anthropic answers its own way

  /** Anthropic has no content-filter stop reason: its streaming classifiers stop with {@code refusal}. */
  @Override
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonContentFilter_asAnAnswerNotAnError(Mode mode) {
    emulator().enqueue(Reply.builder().text("Here is the first part").finishReason(FinishReason.CONTENT_FILTER)
        .build());

    ChatResponse response = send(mode, request().user("Something borderline").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.REFUSAL);
    assertThat(response.rawFinishReason()).contains("refusal");
    assertThat(response.text()).isEqualTo("Here is the first part");
  }

  /** Anthropic has no refusal field: a refusal is text with the stop reason {@code refusal}. */
  @Override
  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsRefusal_apartFromTheText(Mode mode) {
    emulator().enqueue(Reply.builder().refusal("I can't help with that request.").build());

    ChatResponse response = send(mode, request().user("Something I must refuse").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.REFUSAL);
    assertThat(response.text()).isEqualTo("I can't help with that request.");
    assertThat(response.refusal()).isEmpty();
    assertThat(response.toolCalls()).isEmpty();
  }

  // ---------------------------------------------------------------- Anthropic only

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void overloadedBeforeAnyText_failsAsRetryableOverloadedException(Mode mode) {
    emulator().enqueue(Reply.builder().fault(Fault.MID_STREAM_ERROR).build());

    ChatException error = sendExpectingFailure(mode, request().user("Busy?").build()).error();

    assertThat(error).isExactlyInstanceOf(OverloadedException.class);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.details().providerCode()).contains("overloaded_error");
    assertThat(error.statusCode()).hasValue(mode == Mode.CHAT ? 529 : 200);
    if (mode == Mode.STREAM) {
      assertThat(error.details().statusInBody()).as("the error event's own status, next to the 200").hasValue(529);
      assertThat(error.getMessage()).contains("in the stream");
    }
  }

  @Test
  void severalChoices_areRefusedBeforeSending() {
    ChatRequest two = request().user("Two colours").choices(2).build();
    try (dev.switchboard.spi.ProviderAdapter anthropic = newAdapter(emulator().baseUrl())) {
      assertThatThrownBy(() -> anthropic.chat(two).join()).cause()
          .isInstanceOf(dev.switchboard.InvalidRequestException.class)
          .hasMessageContaining("one answer per request").hasMessageContaining("choices(2)");
      assertThatThrownBy(() -> anthropic.stream(two).collect())
          .isInstanceOf(dev.switchboard.InvalidRequestException.class);
    }
    assertThat(emulator().requestCount()).isZero();
  }

  @Test
  void overloadedAfterText_failsWithThePartialAnswer_andTheMappedCause() {
    emulator().enqueue(Reply.builder().text("The first words of").fault(Fault.MID_STREAM_ERROR).build());

    Failure failure = sendExpectingFailure(Mode.STREAM, request().user("Busy?").build());

    assertThat(failure.error()).isInstanceOf(ChatStreamException.class);
    ChatStreamException broken = (ChatStreamException) failure.error();
    assertThat(broken.partialResponse().text()).isEqualTo("The first words of");
    assertThat(broken.partialResponse().finishReason()).isEqualTo(FinishReason.OTHER);
    assertThat(broken.partialResponse().usage().inputTokens()).as("input usage from message_start").isPositive();
    assertThat(broken.getCause()).isExactlyInstanceOf(OverloadedException.class);
    assertThat(((ChatException) broken.getCause()).isRetryable()).isTrue();
    assertThat(broken.getMessage()).contains("overloaded_error", "partial answer");
    assertThat(failure.eventsBefore()).filteredOn(e -> e instanceof ChatEvent.TextDelta).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void thinking_isSentWithItsBudget_andComesBackAsReasoning(Mode mode) {
    emulator().enqueue(Reply.builder().reasoning("7 x 6 is 42; check: 6 x 7 = 42.").text("42")
        .usage(20, 90).build());

    ChatResponse response = send(mode, request().user("6 x 7?")
        .tag(AnthropicOptions.class, AnthropicOptions.builder().thinkingBudgetTokens(2048).build()).build());

    assertThat(response.text()).isEqualTo("42");
    assertThat(response.reasoning()).contains("7 x 6 is 42; check: 6 x 7 = 42.");
    assertThat(response.usage().outputTokens()).isEqualTo(90);
    JsonNode body = emulator().takeRequest().json();
    assertThat(body.path("thinking").toString()).isEqualTo("{\"type\":\"enabled\",\"budget_tokens\":2048}");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(2048 + AnthropicProvider.DEFAULT_MAX_TOKENS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void aToolLoopWithThinking_sendsTheSignedThinkingBack_beforeTheToolUse(Mode mode) {
    emulator().enqueue(Reply.builder().reasoning("I need the weather first.")
        .addToolCall("toolu_w", "weather", "{\"city\":\"Oslo\"}").build());
    emulator().enqueue(Reply.text("3 degrees in Oslo."));
    ChatRequest first = request().user("Weather in Oslo?")
        .tag(AnthropicOptions.class, AnthropicOptions.builder().thinkingBudgetTokens(1024).build()).build();

    ChatResponse call = send(mode, first);
    assertThat(call.message().thinking()).singleElement()
        .satisfies(t -> assertThat(t.signature()).as("the signature came back").isNotEmpty());
    emulator().takeRequest();

    ChatRequest second = first.toBuilder().addMessage(call.message())
        .addMessage(dev.switchboard.Message.toolResult("toolu_w", "{\"temp\":3}")).build();
    assertThat(send(mode, second).text()).isEqualTo("3 degrees in Oslo.");

    JsonNode assistant = emulator().takeRequest().json().path("messages").get(1);
    assertThat(assistant.path("content").get(0).path("type").asText()).isEqualTo("thinking");
    assertThat(assistant.path("content").get(0).path("thinking").asText()).isEqualTo("I need the weather first.");
    assertThat(assistant.path("content").get(0).path("signature").asText()).isEqualTo(
        call.message().thinking().get(0).signature());
    assertThat(assistant.path("content").get(1).path("type").asText()).isEqualTo("tool_use");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void systemPrompts_goToTheTopLevelSystemField_withHeadersAndPath(Mode mode) {
    emulator().enqueue(Reply.text("Ok."));

    send(mode, request().system("You are terse.").user("Ready?").system("Answer in one word.").build());

    RecordedRequest sent = emulator().takeRequest();
    JsonNode body = sent.json();
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.header("x-api-key")).contains(apiKey());
    assertThat(sent.header("anthropic-version")).contains(AnthropicProvider.DEFAULT_ANTHROPIC_VERSION);
    assertThat(sent.header("authorization")).isEmpty();
    assertThat(body.path("system").toString())
        .isEqualTo("[{\"type\":\"text\",\"text\":\"You are terse.\"},{\"type\":\"text\",\"text\":\"Answer in one word.\"}]");
    assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Ready?\"}]");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(AnthropicProvider.DEFAULT_MAX_TOKENS);
    assertThat(sent.systemText()).contains("You are terse.\nAnswer in one word.");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void toolCallsAndResults_goOnTheWireAsToolUseAndToolResultBlocks(Mode mode) {
    emulator().enqueue(Reply.text("Paris is sunny, Tokyo is rainy."));
    List<ToolCall> calls = List.of(ToolCall.of("toolu_a", "get_weather", "{\"city\":\"Paris\"}"),
        ToolCall.of("toolu_b", "get_weather", "{\"city\":\"Tokyo\"}"));

    send(mode, request()
        .addTool(WEATHER)
        .user("Weather in Paris and Tokyo?")
        .addMessage(Message.assistant("Checking both.", calls))
        .addMessage(Message.toolResult("toolu_a", "sunny"))
        .addMessage(Message.toolResult("toolu_b", "rainy"))
        .user("Summarize.")
        .build());

    JsonNode messages = emulator().takeRequest().json().path("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.get(1).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"Checking both.\"},"
        + "{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
        + "{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"get_weather\",\"input\":{\"city\":\"Tokyo\"}}]}");
    assertThat(messages.get(2).toString()).isEqualTo("{\"role\":\"user\",\"content\":["
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_a\",\"content\":\"sunny\"},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_b\",\"content\":\"rainy\"},"
        + "{\"type\":\"text\",\"text\":\"Summarize.\"}]}");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void jsonSchema_isAForcedTool_andItsInputIsTheAnswerText(Mode mode) {
    String schema = "{\"type\":\"object\",\"properties\":{\"rank\":{\"type\":\"integer\"}},\"required\":[\"rank\"]}";
    emulator().enqueue(Reply.text("{\"rank\":3}"));

    ChatResponse response = send(mode, request().user("Rank it")
        .responseFormat(ResponseFormat.jsonSchema("ranking", schema)).build());

    assertThat(response.text()).isEqualTo("{\"rank\":3}");
    assertThat(response.toolCalls()).isEmpty();
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.rawFinishReason()).contains("tool_use");
    JsonNode body = emulator().takeRequest().json();
    assertThat(body.path("tools").get(0).path("name").asText()).isEqualTo("ranking");
    assertThat(body.path("tools").get(0).path("input_schema").toString()).isEqualTo(schema);
    assertThat(body.path("tool_choice").toString())
        .isEqualTo("{\"type\":\"tool\",\"name\":\"ranking\",\"disable_parallel_tool_use\":true}");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void cachedAndCacheWriteTokens_areAddedToTheInput(Mode mode) {
    emulator().enqueue(Reply.builder().text("Cached.").usage(Usage.builder().inputTokens(1500)
        .cachedInputTokens(1000).cacheWriteInputTokens(300).outputTokens(20).build()).build());

    Usage usage = send(mode, request().user("Long shared prefix ...")
        .tag(AnthropicOptions.class, AnthropicOptions.builder().cacheConversation(true).build()).build()).usage();

    assertThat(usage).isEqualTo(Usage.builder().inputTokens(1500).cachedInputTokens(1000)
        .cacheWriteInputTokens(300).outputTokens(20).build());
    assertThat(usage.uncachedInputTokens()).isEqualTo(200);
    assertThat(emulator().takeRequest().json().path("messages").get(0).path("content").toString())
        .isEqualTo("[{\"type\":\"text\",\"text\":\"Long shared prefix ...\",\"cache_control\":{\"type\":\"ephemeral\"}}]");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void requestAnthropicWouldReject_failsBeforeSending(Mode mode) {
    ChatException error = sendExpectingNoRequest(mode, request().user("Hot").temperature(1.5).build());

    assertThat(error).isInstanceOf(InvalidRequestException.class);
    assertThat(error.getMessage()).contains("temperature", "[0, 1]", "Nothing was sent", MODEL);
  }

  private ChatException sendExpectingNoRequest(Mode mode, dev.switchboard.ChatRequest request) {
    int before = emulator().requestCount();
    ChatException error = null;
    try {
      if (mode == Mode.CHAT) {
        adapter().chat(request.toBuilder().model(MODEL).build()).join();
      } else {
        adapter().stream(request.toBuilder().model(MODEL).build()).collect();
      }
    } catch (ChatException e) {
      error = e;
    } catch (java.util.concurrent.CompletionException e) {
      error = (ChatException) e.getCause();
    }
    assertThat(error).as("a failure").isNotNull();
    assertThat(emulator().requestCount()).as("requests sent").isEqualTo(before);
    return error;
  }
}
