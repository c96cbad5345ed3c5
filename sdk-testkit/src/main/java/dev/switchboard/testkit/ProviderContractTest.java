package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.ProviderAdapter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every provider adapter must meet (the TCK), checked against a {@link
 * ProviderEmulator} of the adapter's wire protocol. Every case runs twice, through {@link
 * Switchboard#chat} and through {@link Switchboard#stream} ({@link Mode}); in stream mode the
 * deltas must add up to the final {@link ChatEvent.Completed} response, which must be the one and
 * last Completed event.
 *
 * <pre>{@code
 * class OpenAiContractTest extends ProviderContractTest {
 *   @RegisterExtension
 *   static EmulatorExtension<OpenAiEmulator> openAi = EmulatorExtension.openAi();
 *
 *   protected ProviderEmulator emulator() { return openAi.emulator(); }
 *
 *   protected ProviderAdapter newAdapter(String baseUrl) {
 *     return OpenAiProvider.builder().name("openai").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test builds a fresh adapter and a {@link Switchboard} around it and calls the model
 * {@code "<adapter name>/test-model"}. Besides what each case checks, every failure must name the
 * provider and model, carry the HTTP status when there was one, never contain the API key, and
 * come from exactly one request (adapters never retry). An adapter that cannot support a case
 * overrides its method with JUnit's {@code Disabled} annotation and a reason (and the same test annotations).
 *
 * <p>Every test is bounded by a {@link Timeout}; nothing sleeps. Not thread-safe: JUnit runs the
 * cases of one class one at a time (the emulator is shared and reset before each).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
public abstract class ProviderContractTest extends ProviderFailureContract {
  // ---------------------------------------------------------------- answers

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsText_withModelUsageAndStreamFlagOnTheWire(Mode mode) {
    emulator().enqueue(Reply.builder().text("Paris is the capital of France.").model("test-model-2025-01-01")
        .usage(12, 8).build());

    ChatResponse response = send(mode, request().user("What is the capital of France?").build());

    assertThat(response.text()).isEqualTo("Paris is the capital of France.");
    assertThat(response.model()).isEqualTo("test-model-2025-01-01");
    assertThat(response.provider()).isEqualTo(adapter.name());
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.toolCalls()).isEmpty();
    assertThat(response.usage().inputTokens()).isEqualTo(12);
    assertThat(response.usage().outputTokens()).isEqualTo(8);
    RecordedRequest sent = takeOnlyRequest();
    assertThat(sent.model()).contains(MODEL);
    assertThat(sent.streamRequested()).as("stream requested on the wire").isEqualTo(mode == Mode.STREAM);
    assertThat(sent.messages()).containsExactly(new RecordedRequest.Turn("user", "What is the capital of France?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsSystemPrompt_onTheWire(Mode mode) {
    emulator().enqueue(Reply.text("Ok."));

    send(mode, request().system("You are terse. Answer in one word.").user("Ready?").build());

    RecordedRequest sent = takeOnlyRequest();
    assertThat(sent.systemText()).contains("You are terse. Answer in one word.");
    assertThat(sent.messages()).containsExactly(new RecordedRequest.Turn("user", "Ready?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsMultiTurnHistory_inOrder(Mode mode) {
    emulator().enqueue(Reply.text("Your name is Ada."));

    ChatResponse response = send(mode, request()
        .user("My name is Ada.")
        .addMessage(Message.assistant("Nice to meet you, Ada."))
        .user("What is my name?")
        .build());

    assertThat(response.text()).isEqualTo("Your name is Ada.");
    assertThat(takeOnlyRequest().messages()).containsExactly(
        new RecordedRequest.Turn("user", "My name is Ada."),
        new RecordedRequest.Turn("assistant", "Nice to meet you, Ada."),
        new RecordedRequest.Turn("user", "What is my name?"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsToolCall_withIdNameAndArguments(Mode mode) {
    emulator().enqueue(Reply.toolCalls(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}")));

    ChatResponse response = send(mode, request().user("Weather in Paris?").addTool(WEATHER).addTool(TIME).build());

    assertThat(response.toolCalls()).containsExactly(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(response.message().toolCalls()).isEqualTo(response.toolCalls());
    assertThat(takeOnlyRequest().toolNames()).containsExactly("get_weather", "get_time");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsParallelToolCalls_inOrder(Mode mode) {
    List<ToolCall> calls = List.of(
        ToolCall.of("call_a", "get_weather", "{\"city\":\"Paris\"}"),
        ToolCall.of("call_b", "get_weather", "{\"city\":\"Tokyo\"}"),
        ToolCall.of("call_c", "get_time", "{\"city\":\"Lima\"}"));
    emulator().enqueue(Reply.builder().toolCalls(calls).build());

    ChatResponse response = send(mode, request().user("Weather in Paris and Tokyo, time in Lima?")
        .addTool(WEATHER).addTool(TIME).build());

    assertThat(response.toolCalls()).containsExactlyElementsOf(calls);
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reassemblesToolArguments_splitAcrossManyDeltas(Mode mode) {
    String arguments = "{\"city\":\"São Paulo\",\"units\":\"metric\",\"days\":[1,2,3],"
        + "\"note\":\"quotes \\\" and braces {} inside\",\"emoji\":\"☀️\"}";
    emulator().enqueue(Reply.builder().addToolCall("call_9", "get_weather", arguments).streamPieces(40).build());

    ChatResponse response = send(mode, request().user("Weather?").addTool(WEATHER).build());

    assertThat(response.toolCalls()).hasSize(1);
    assertThat(response.toolCalls().get(0).argumentsJson()).isEqualTo(arguments);
    assertThat(response.toolCalls().get(0).name()).isEqualTo("get_weather");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsToolResult_backAsToolTurn(Mode mode) {
    emulator().enqueue(Reply.text("It is 18°C and sunny in Paris."));
    ToolCall call = ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}");

    ChatResponse response = send(mode, request()
        .addTool(WEATHER)
        .user("Weather in Paris?")
        .addMessage(Message.assistant("", List.of(call)))
        .addMessage(Message.toolResult("call_1", "{\"temperature\":18,\"sky\":\"sunny\"}"))
        .build());

    assertThat(response.text()).isEqualTo("It is 18°C and sunny in Paris.");
    List<RecordedRequest.Turn> turns = takeOnlyRequest().messages();
    assertThat(turns).extracting(RecordedRequest.Turn::role).containsExactly("user", "assistant", "tool");
    assertThat(turns.get(2).text()).isEqualTo("{\"temperature\":18,\"sky\":\"sunny\"}");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void sendsJsonSchema_andReturnsJsonText(Mode mode) throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
        + "\"population\":{\"type\":\"integer\"}},\"required\":[\"city\",\"population\"],"
        + "\"additionalProperties\":false}";
    emulator().enqueue(Reply.text("{\"city\":\"Paris\",\"population\":2102650}"));

    ChatResponse response = send(mode, request().user("Largest city of France as JSON")
        .responseFormat(ResponseFormat.jsonSchema("city_info", schema)).build());

    assertThat(JSON.readTree(response.text())).isEqualTo(JSON.readTree("{\"city\":\"Paris\",\"population\":2102650}"));
    RecordedRequest sent = takeOnlyRequest();
    if (namesJsonSchema()) {
      assertThat(sent.jsonSchemaName()).contains("city_info");
    }
    assertThat(sent.jsonSchema()).map(s -> s.path("properties").has("population")).contains(true);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsUsage_withCachedInputTokens(Mode mode) {
    Assumptions.assumeTrue(reportsCachedInputTokens(), "the provider reports no cached input tokens");
    emulator().enqueue(Reply.builder().text("Cached.")
        .usage(Usage.builder().inputTokens(1200).cachedInputTokens(1000).outputTokens(20).build()).build());

    Usage usage = send(mode, request().user("Long shared prefix ...").build()).usage();

    assertThat(usage.inputTokens()).isEqualTo(1200);
    assertThat(usage.cachedInputTokens()).isEqualTo(1000);
    assertThat(usage.uncachedInputTokens()).isEqualTo(200);
    assertThat(usage.outputTokens()).isEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsUsage_withReasoningTokens(Mode mode) {
    Assumptions.assumeTrue(reportsReasoningTokens(), "the provider reports no reasoning tokens");
    emulator().enqueue(Reply.builder().text("42")
        .usage(Usage.builder().inputTokens(50).outputTokens(300).reasoningTokens(256).build()).build());

    Usage usage = send(mode, request().user("Think hard: 6 x 7?").build()).usage();

    assertThat(usage.outputTokens()).isEqualTo(300);
    assertThat(usage.reasoningTokens()).isEqualTo(256);
    assertThat(usage.inputTokens()).isEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void surfacesReasoningText_apartFromTheAnswer(Mode mode) {
    emulator().enqueue(Reply.builder()
        .reasoning("Six times seven: 6 x 7 = 42. Double-check: 7 x 6 = 42.")
        .text("42")
        .build());

    ChatResponse response = send(mode, request().user("6 x 7?").build());

    assertThat(response.text()).isEqualTo("42");
    assertThat(response.reasoning()).contains("Six times seven: 6 x 7 = 42. Double-check: 7 x 6 = 42.");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonStop_forANaturalEnd(Mode mode) {
    emulator().enqueue(Reply.builder().text("Done.").finishReason(FinishReason.STOP).build());

    ChatResponse response = send(mode, request().user("Finish").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonLength_whenTheTokenLimitCutsTheAnswer(Mode mode) {
    emulator().enqueue(Reply.builder().text("Once upon a time, there was a").finishReason(FinishReason.LENGTH).build());

    ChatResponse response = send(mode, request().user("Tell a long story").maxOutputTokens(8).build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(response.text()).isEqualTo("Once upon a time, there was a");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonToolCalls_whenTheModelCallsATool(Mode mode) {
    emulator().enqueue(Reply.builder().text("Let me check.").addToolCall("call_7", "get_time", "{\"city\":\"Oslo\"}")
        .build());

    ChatResponse response = send(mode, request().user("Time in Oslo?").addTool(TIME).build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(response.text()).isEqualTo("Let me check.");
    assertThat(response.toolCalls()).containsExactly(ToolCall.of("call_7", "get_time", "{\"city\":\"Oslo\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void reportsFinishReasonContentFilter_asAnAnswerNotAnError(Mode mode) {
    emulator().enqueue(Reply.builder().text("Here is the first part").finishReason(FinishReason.CONTENT_FILTER)
        .build());

    ChatResponse response = send(mode, request().user("Something borderline").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
    assertThat(response.text()).isEqualTo("Here is the first part");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void keepsUnknownFinishWord_asOtherWithTheRawWord(Mode mode) {
    emulator().enqueue(Reply.builder().text("Bye").finishReason(FinishReason.OTHER, "eos_token_reached").build());

    ChatResponse response = send(mode, request().user("Say bye").build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.OTHER);
    assertThat(response.rawFinishReason()).contains("eos_token_reached");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void returnsRefusal_apartFromTheText(Mode mode) {
    Assumptions.assumeTrue(supportsRefusal(), "the provider has no separate refusal");
    emulator().enqueue(Reply.builder().refusal("I can't help with that request.").build());

    ChatResponse response = send(mode, request().user("Something I must refuse").build());

    assertThat(response.refusal()).contains("I can't help with that request.");
    assertThat(response.text()).isEmpty();
    assertThat(response.toolCalls()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void preservesUnicodeAndEscapes_bothWays(Mode mode) {
    String text = "Grüße — 你好 👋 \"quoted\" back\\slash\nnew line\ttab \u2028 separator é";
    emulator().enqueue(Reply.builder().text(text).streamPieces(23).build());

    ChatResponse response = send(mode, request().user(text).build());

    assertThat(response.text()).isEqualTo(text);
    assertThat(takeOnlyRequest().lastUserText()).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void carriesProviderRequestId_onTheResponse(Mode mode) {
    Assumptions.assumeTrue(sendsRequestId(), "the provider sends no request id");
    emulator().enqueue(Reply.text("Tracked."));

    ChatResponse response = send(mode, request().user("Track me").build());

    assertThat(response.requestId()).hasValueSatisfying(id -> assertThat(id).isNotBlank());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  protected void answersAsSimulatedModel_whenNothingIsQueued(Mode mode) {
    ChatResponse response = send(mode, request().user("Say hello").build());

    assertThat(response.text()).containsIgnoringCase("hello").contains(MODEL);
    assertThat(response.usage().inputTokens()).isPositive();
    assertThat(response.usage().outputTokens()).isPositive();
  }

}
