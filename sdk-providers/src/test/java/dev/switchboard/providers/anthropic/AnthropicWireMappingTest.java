package dev.switchboard.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentPart;
import dev.switchboard.DecodingException;
import dev.switchboard.FinishReason;
import dev.switchboard.Message;
import dev.switchboard.RateLimitException;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Secret;
import dev.switchboard.OverloadedException;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.providers.anthropic.internal.AnthropicErrorMapper;
import dev.switchboard.providers.anthropic.internal.AnthropicRequestWriter;
import dev.switchboard.providers.anthropic.internal.AnthropicResponseReader;
import dev.switchboard.providers.anthropic.internal.AnthropicStreamDecoder;
import dev.switchboard.spi.Capabilities;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Anthropic's Messages wire format, byte by byte: requests written, answers read, streams decoded. */
class AnthropicWireMappingTest {
  private static final AnthropicErrorMapper MAPPER =
      new AnthropicErrorMapper(Secret.of("sk-ant-test-key-0123456789"), "https://api.anthropic.com/v1/messages",
          Clock.systemUTC());

  private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
      + "\"days\":{\"type\":\"integer\",\"maximum\":1.00000000000000000001}},\"required\":[\"city\"]}";
  private static final ToolSpec WEATHER = ToolSpec.builder().name("weather").description("Weather by city")
      .parametersJsonSchema(SCHEMA).build();

  // ---------------------------------------------------------------- requests

  @Nested
  class Requests {
    @Test
    void anAssistantTurnsSignedThinking_isSentBackBeforeItsToolUse_andUnsignedThinkingIsNot() {
      Message assistant = Message.assistant("", List.of(ToolCall.of("toolu_1", "weather", "{\"city\":\"Oslo\"}")))
          .toBuilder()
          .addThinking(new Message.Thinking("Need the weather.", "EqQBsig", null))
          .addThinking(Message.Thinking.redacted("EmwKAh"))
          .addThinking(new Message.Thinking("from another provider, unsigned", null, null))
          .build();
      ChatRequest request = ChatRequest.builder().model("claude-sonnet-4-5").user("Weather in Oslo?")
          .addMessage(assistant).addMessage(Message.toolResult("toolu_1", "{\"temp\":3}")).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.get("messages").get(1).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":["
          + "{\"type\":\"thinking\",\"thinking\":\"Need the weather.\",\"signature\":\"EqQBsig\"},"
          + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAh\"},"
          + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Oslo\"}}]}");
    }

    @Test
    void writesEveryField_ofARichRequest() {
      ChatRequest request = ChatRequest.builder()
          .model("claude-sonnet-4-5")
          .system("Be brief.")
          .addMessage(Message.user(ContentPart.text("What is in these images?"),
              ContentPart.imageUrl(URI.create("https://example.com/cat.png")),
              ContentPart.imageBytes(new byte[] {1, 2, 3}, "image/png"),
              ContentPart.imageUrl(URI.create("data:image/jpeg;base64,/9j/4A=="))))
          .addMessage(Message.assistant("Let me check.", List.of(ToolCall.of("toolu_1", "weather",
              "{\"city\": \"Oslo\", \"days\": 2}"))))
          .addMessage(Message.toolResult("toolu_1", "{\"temp\":3}"))
          .addMessage(Message.builder(dev.switchboard.Role.USER).text("and tomorrow?").name("alice").build())
          .addTool(WEATHER)
          .toolChoice(ToolChoice.named("weather"))
          .parallelToolCalls(false)
          .temperature(0.2)
          .topP(0.9)
          .maxOutputTokens(256)
          .stop(List.of("END", "STOP"))
          .seed(42L)
          .tag(AnthropicOptions.class, AnthropicOptions.builder().topK(40).userId("tenant-42").build())
          .build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(fieldNames(body)).containsExactly("model", "max_tokens", "system", "messages", "tools",
          "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "metadata");
      assertThat(body.get("model").asText()).isEqualTo("claude-sonnet-4-5");
      assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
      assertThat(body.get("system").asText()).isEqualTo("Be brief.");
      JsonNode messages = body.get("messages");
      assertThat(messages).hasSize(3);
      assertThat(messages.get(0).toString()).isEqualTo("{\"role\":\"user\",\"content\":["
          + "{\"type\":\"text\",\"text\":\"What is in these images?\"},"
          + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.png\"}},"
          + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AQID\"}},"
          + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"/9j/4A==\"}}]}");
      assertThat(messages.get(1).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":["
          + "{\"type\":\"text\",\"text\":\"Let me check.\"},"
          + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Oslo\",\"days\":2}}]}");
      assertThat(messages.get(2).toString()).isEqualTo("{\"role\":\"user\",\"content\":["
          + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"{\\\"temp\\\":3}\"},"
          + "{\"type\":\"text\",\"text\":\"and tomorrow?\"}]}");
      assertThat(body.get("tools")).isEqualTo(WireJson.parse("[{\"name\":\"weather\",\"description\":\"Weather by city\","
          + "\"input_schema\":" + SCHEMA + "}]", "tools"));
      assertThat(body.get("tool_choice").toString())
          .isEqualTo("{\"type\":\"tool\",\"name\":\"weather\",\"disable_parallel_tool_use\":true}");
      assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
      assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
      assertThat(body.get("top_k").asInt()).isEqualTo(40);
      assertThat(body.get("stop_sequences").toString()).isEqualTo("[\"END\",\"STOP\"]");
      assertThat(body.get("metadata").toString()).isEqualTo("{\"user_id\":\"tenant-42\"}");
    }

    @Test
    void copiesSchemaAndArgumentNumbers_exactly() {
      ChatRequest request = ChatRequest.builder().model("m").addTool(WEATHER)
          .user("hi")
          .addMessage(Message.assistant("", List.of(ToolCall.of("t", "weather", "{\"n\":12345678901234567890123}"))))
          .addMessage(Message.toolResult("t", "ok"))
          .build();

      String body = new String(AnthropicRequestWriter.write(request, false, 4096), StandardCharsets.UTF_8);

      assertThat(body).contains("\"maximum\":1.00000000000000000001").contains("{\"n\":12345678901234567890123}");
    }

    @Test
    void consecutiveTurnsOfOneSide_areMerged_andToolResultsComeFirst() {
      ChatRequest request = ChatRequest.builder().model("m")
          .user("First.")
          .user("Second.")
          .addMessage(Message.assistant("", List.of(ToolCall.of("t1", "weather", ""))))
          .user("Ignore the tool.")
          .addMessage(Message.toolResult("t1", "sunny"))
          .addMessage(Message.assistant("A"))
          .addMessage(Message.assistant("B"))
          .build();

      JsonNode messages = json(AnthropicRequestWriter.write(request, false, 4096)).get("messages");

      assertThat(messages.toString()).isEqualTo("["
          + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"First.\"},"
          + "{\"type\":\"text\",\"text\":\"Second.\"}]},"
          + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"weather\","
          + "\"input\":{}}]},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"sunny\"},"
          + "{\"type\":\"text\",\"text\":\"Ignore the tool.\"}]},"
          + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"A\"},{\"type\":\"text\",\"text\":\"B\"}]}]");
    }

    @Test
    void maxTokens_isTheDefault_plusTheThinkingBudget_whenUnset() {
      ChatRequest plain = ChatRequest.of("m", "hi");
      ChatRequest thinking = plain.toBuilder()
          .tag(AnthropicOptions.class, AnthropicOptions.builder().thinkingBudgetTokens(3000).build()).build();

      assertThat(json(AnthropicRequestWriter.write(plain, false, 1000)).get("max_tokens").asInt()).isEqualTo(1000);
      JsonNode body = json(AnthropicRequestWriter.write(thinking, true, 1000));
      assertThat(body.get("max_tokens").asInt()).isEqualTo(4000);
      assertThat(body.get("thinking").toString()).isEqualTo("{\"type\":\"enabled\",\"budget_tokens\":3000}");
      assertThat(body.get("stream").asBoolean()).isTrue();
      assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"hi\"}]");
    }

    static Stream<Arguments> toolChoices() {
      return Stream.of(
          Arguments.of(null, null, null),
          Arguments.of(null, false, "{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"),
          Arguments.of(ToolChoice.AUTO, null, "{\"type\":\"auto\"}"),
          Arguments.of(ToolChoice.NONE, false, "{\"type\":\"none\"}"),
          Arguments.of(ToolChoice.REQUIRED, null, "{\"type\":\"any\"}"),
          Arguments.of(ToolChoice.REQUIRED, false, "{\"type\":\"any\",\"disable_parallel_tool_use\":true}"),
          Arguments.of(ToolChoice.named("weather"), null, "{\"type\":\"tool\",\"name\":\"weather\"}"));
    }

    @ParameterizedTest
    @MethodSource("toolChoices")
    void toolChoice_mapsToAnthropicsWords(ToolChoice choice, Boolean parallel, String expected) {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").addTool(WEATHER).toolChoice(choice)
          .parallelToolCalls(parallel).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.has("tool_choice")).isEqualTo(expected != null);
      if (expected != null) {
        assertThat(body.get("tool_choice").toString()).isEqualTo(expected);
      }
    }

    @Test
    void toolChoice_isLeftOut_withoutTools() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").toolChoice(ToolChoice.NONE)
          .parallelToolCalls(false).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.has("tools")).isFalse();
      assertThat(body.has("tool_choice")).isFalse();
    }

    @Test
    void jsonSchema_isAForcedTool_namedLikeTheSchema() {
      ChatRequest request = ChatRequest.builder().model("m").user("Where?")
          .responseFormat(ResponseFormat.jsonSchema("place", SCHEMA)).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(AnthropicRequestWriter.schemaTool(request)).isEqualTo("place");
      JsonNode tool = body.get("tools").get(0);
      assertThat(body.get("tools")).hasSize(1);
      assertThat(tool.get("name").asText()).isEqualTo("place");
      assertThat(tool.get("description").asText()).contains("final answer", "'place'");
      assertThat(tool.get("input_schema")).isEqualTo(WireJson.parse(SCHEMA, "schema"));
      assertThat(body.get("tool_choice").toString())
          .isEqualTo("{\"type\":\"tool\",\"name\":\"place\",\"disable_parallel_tool_use\":true}");
    }

    @Test
    void jsonSchema_withTheCallersTools_letsTheModelCallAnyTool() {
      ChatRequest request = ChatRequest.builder().model("m").user("Where?").addTool(WEATHER)
          .responseFormat(ResponseFormat.jsonSchema("place", SCHEMA)).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.get("tools")).extracting(t -> t.get("name").asText()).containsExactly("weather", "place");
      assertThat(body.get("tool_choice").toString()).isEqualTo("{\"type\":\"any\"}");
    }

    @Test
    void jsonSchema_withToolChoiceNone_offersOnlyTheAnswerTool() {
      ChatRequest request = ChatRequest.builder().model("m").user("Where?").addTool(WEATHER)
          .toolChoice(ToolChoice.NONE).responseFormat(ResponseFormat.jsonSchema("place", SCHEMA)).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.get("tools")).extracting(t -> t.get("name").asText()).containsExactly("place");
      assertThat(body.get("tool_choice").get("type").asText()).isEqualTo("tool");
    }

    @Test
    void jsonObject_isAForcedToolTakingAnyObject() {
      ChatRequest request = ChatRequest.builder().model("m").user("JSON please")
          .responseFormat(ResponseFormat.JSON_OBJECT).build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.get("tools").get(0).get("name").asText()).isEqualTo(AnthropicRequestWriter.JSON_OBJECT_TOOL);
      assertThat(body.get("tools").get(0).get("input_schema").toString()).isEqualTo("{\"type\":\"object\"}");
      assertThat(AnthropicRequestWriter.schemaTool(ChatRequest.builder().model("m").user("x")
          .responseFormat(ResponseFormat.TEXT).build())).isNull();
    }

    static Stream<Arguments> rejected() {
      ChatRequest.Builder base = ChatRequest.builder().model("m").user("hi");
      AnthropicOptions thinking = AnthropicOptions.builder().thinkingBudgetTokens(2048).build();
      return Stream.of(
          Arguments.of(base.build().toBuilder().temperature(1.2).build(), "temperature must be within [0, 1]"),
          Arguments.of(base.build().toBuilder().addTool(WEATHER).toolChoice(ToolChoice.REQUIRED)
              .responseFormat(ResponseFormat.jsonSchema("place", SCHEMA)).build(), "cannot be combined with toolChoice"),
          Arguments.of(base.build().toBuilder().addTool(WEATHER)
              .responseFormat(ResponseFormat.jsonSchema("weather", SCHEMA)).build(), "has the name of the JSON"),
          Arguments.of(base.build().toBuilder().tag(AnthropicOptions.class, thinking)
              .responseFormat(ResponseFormat.jsonSchema("place", SCHEMA)).build(), "thinking cannot be combined"),
          Arguments.of(base.build().toBuilder().tag(AnthropicOptions.class, thinking).addTool(WEATHER)
              .toolChoice(ToolChoice.named("weather")).build(), "thinking cannot be combined with toolChoice"),
          Arguments.of(base.build().toBuilder().tag(AnthropicOptions.class, thinking).maxOutputTokens(2048).build(),
              "must exceed the thinking budget"),
          Arguments.of(base.build().toBuilder().addTool(WEATHER)
              .addMessage(Message.assistant("", List.of(ToolCall.of("t", "weather", "{\"city\":"))))
              .addMessage(Message.toolResult("t", "x")).build(), "are not a JSON object"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void requestsAnthropicWouldReject_failBeforeSending(ChatRequest request, String message) {
      assertThatThrownBy(() -> AnthropicRequestWriter.write(request, false, 4096))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void cacheBreakpoints_markTheLastTool_theLastSystemBlock_andTheLastMessageBlock() {
      ChatRequest request = ChatRequest.builder().model("m").system("Long instructions.").user("Question?")
          .addTool(ToolSpec.of("a", "", "{\"type\":\"object\"}")).addTool(WEATHER)
          .tag(AnthropicOptions.class, AnthropicOptions.builder().cacheTools(true).cacheSystem(true)
              .cacheConversation(true).build())
          .build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      String ephemeral = "{\"type\":\"ephemeral\"}";
      assertThat(body.get("tools").get(0).has("cache_control")).isFalse();
      assertThat(body.get("tools").get(1).get("cache_control").toString()).isEqualTo(ephemeral);
      assertThat(body.get("system").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"Long instructions.\","
          + "\"cache_control\":" + ephemeral + "}]");
      assertThat(body.get("messages").get(0).get("content").toString())
          .isEqualTo("[{\"type\":\"text\",\"text\":\"Question?\",\"cache_control\":" + ephemeral + "}]");
    }

    @Test
    void extraFields_addReplaceAndRemoveFields() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").maxOutputTokens(10)
          .tag(AnthropicOptions.class, AnthropicOptions.builder()
              .extraField("service_tier", "\"auto\"")
              .extraField("max_tokens", "77")
              .extraField("system", "null")
              .build())
          .system("dropped")
          .build();

      JsonNode body = json(AnthropicRequestWriter.write(request, false, 4096));

      assertThat(body.get("service_tier").asText()).isEqualTo("auto");
      assertThat(body.get("max_tokens").asInt()).isEqualTo(77);
      assertThat(body.has("system")).isFalse();
      assertThatThrownBy(() -> AnthropicOptions.builder().extraField("messages", "[]"))
          .hasMessageContaining("cannot replace 'messages'");
      assertThatThrownBy(() -> AnthropicOptions.builder().thinkingBudgetTokens(512))
          .hasMessageContaining("AnthropicOptions.thinkingBudgetTokens must be >= 1024");
      assertThat(AnthropicOptions.builder().userId("u").cacheSystem(true).build().toString())
          .isEqualTo("AnthropicOptions[userId=set, cache=system]");
    }
  }

  // ---------------------------------------------------------------- answers

  @Nested
  class Answers {
    private ChatResponse read(String body, String schemaTool) {
      return AnthropicResponseReader.read(200, headers(Map.of("request-id", "req_a")),
          body.getBytes(StandardCharsets.UTF_8), "anthropic", "claude-sonnet-4-5", schemaTool, MAPPER);
    }

    @Test
    void readsTextThinkingToolUseAndNormalizedUsage() {
      ChatResponse r = read("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":["
          + "{\"type\":\"thinking\",\"thinking\":\"Need weather.\",\"signature\":\"EqQB\"},"
          + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAh\"},"
          + "{\"type\":\"text\",\"text\":\"Checking \"},{\"type\":\"text\",\"text\":\"now.\"},"
          + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"weather\",\"input\":{\"city\":\"Oslo\",\"n\":1.50}},"
          + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}}],"
          + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":200,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":800,"
          + "\"output_tokens\":50,\"service_tier\":\"standard\"}}", null);

      assertThat(r.id()).isEqualTo("msg_01");
      assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
      assertThat(r.text()).isEqualTo("Checking now.");
      assertThat(r.reasoning()).contains("Need weather.\n\n[redacted thinking]");
      assertThat(r.message().thinking()).containsExactly(new Message.Thinking("Need weather.", "EqQB", null),
          Message.Thinking.redacted("EmwKAh"));
      assertThat(r.toolCalls()).containsExactly(ToolCall.of("toolu_01", "weather", "{\"city\":\"Oslo\",\"n\":1.50}"));
      assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(r.rawFinishReason()).contains("tool_use");
      assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(1100).cachedInputTokens(800)
          .cacheWriteInputTokens(100).outputTokens(50).build());
      assertThat(r.requestId()).contains("req_a");
    }

    @Test
    void thinkingTokensInTheOutputDetails_areReasoningTokens_andUnreportedPartsStayUnreported() {
      ChatResponse thinking = read("{\"id\":\"msg_t\",\"content\":[{\"type\":\"text\",\"text\":\"42\"}],"
          + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":30,\"cache_read_input_tokens\":0,"
          + "\"output_tokens\":300,\"output_tokens_details\":{\"thinking_tokens\":256}}}", null);
      assertThat(thinking.usage().reasoningTokens()).isEqualTo(256);
      assertThat(thinking.usage().reported(Usage.Part.REASONING)).isTrue();
      assertThat(thinking.usage().reported(Usage.Part.CACHED_INPUT)).as("reported as 0").isTrue();
      assertThat(thinking.usage().cachedInputTokens()).isZero();
      assertThat(thinking.usage().reported(Usage.Part.CACHE_WRITE_INPUT)).as("not in the body").isFalse();

      ChatResponse plain = read("{\"id\":\"msg_p\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
          + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}", null);
      assertThat(plain.usage().reported(Usage.Part.REASONING)).isFalse();
      assertThat(plain.usage().reported(Usage.Part.CACHED_INPUT)).isFalse();
    }

    @Test
    void answerToolInput_isTheText_andAPlainStop() {
      ChatResponse r = read("{\"id\":\"msg_2\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_9\","
          + "\"name\":\"place\",\"input\":{\"city\":\"Oslo\"}}],\"stop_reason\":\"tool_use\","
          + "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}", "place");

      assertThat(r.text()).isEqualTo("{\"city\":\"Oslo\"}");
      assertThat(r.toolCalls()).isEmpty();
      assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
      assertThat(r.rawFinishReason()).contains("tool_use");
    }

    static Stream<Arguments> stopReasons() {
      return Stream.of(
          Arguments.of("end_turn", FinishReason.STOP),
          Arguments.of("stop_sequence", FinishReason.STOP),
          Arguments.of("max_tokens", FinishReason.LENGTH),
          Arguments.of("model_context_window_exceeded", FinishReason.LENGTH),
          Arguments.of("refusal", FinishReason.REFUSAL),
          Arguments.of("pause_turn", FinishReason.OTHER),
          Arguments.of("something_new", FinishReason.OTHER));
    }

    @ParameterizedTest
    @MethodSource("stopReasons")
    void mapsStopReasons_keepingTheRawWord(String word, FinishReason expected) {
      ChatResponse r = read("{\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"stop_reason\":\"" + word + "\"}",
          null);

      assertThat(r.finishReason()).isEqualTo(expected);
      assertThat(r.rawFinishReason()).contains(word);
    }

    @Test
    void toleratesBigNumbers_missingFields_andStringInput() {
      ChatResponse r = read("{\"content\":[{\"type\":\"tool_use\",\"name\":\"weather\",\"input\":\"{\\\"a\\\":1}\"},"
          + "{\"type\":\"citations_thing\"}],\"usage\":{\"input_tokens\":99999999999999999999999,"
          + "\"output_tokens\":-3,\"cache_read_input_tokens\":\"12\"},\"extra\":{\"x\":[1,2]}}", null);

      assertThat(r.id()).isEmpty();
      assertThat(r.model()).isEqualTo("claude-sonnet-4-5");
      assertThat(r.toolCalls()).containsExactly(ToolCall.of("toolu_0", "weather", "{\"a\":1}"));
      assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(r.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void errorBodyWithStatus200_isMappedLikeAnErrorStatus() {
      assertThatThrownBy(() -> read("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
          + "\"message\":\"Overloaded\"}}", null))
          .isInstanceOf(OverloadedException.class)
          .satisfies(e -> assertThat(((ChatException) e).isRetryable()).isTrue())
          .hasMessageContaining("an error object in an HTTP 200 body");
    }

    @Test
    void nonJsonOrContentlessBody_isADecodingException_withExcerpt() {
      assertThatThrownBy(() -> read("<html>oops</html>", null)).isInstanceOf(DecodingException.class)
          .hasMessageContaining("is not valid JSON").hasMessageContaining("<html>oops</html>");
      assertThatThrownBy(() -> read("[1,2]", null)).isInstanceOf(DecodingException.class)
          .hasMessageContaining("is not a JSON object");
      assertThatThrownBy(() -> read("{\"id\":\"msg\"}", null)).isInstanceOf(DecodingException.class)
          .hasMessageContaining("has no content array").hasMessageContaining("/v1/messages");
    }
  }

  // ---------------------------------------------------------------- streams

  @Nested
  class Streams {
    /** A stream as Anthropic sends it: cache usage, thinking, text, two tool calls, a ping. */
    private static final String FULL = String.join("",
        "event: message_start\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01S\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":200,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":800,"
            + "\"output_tokens\":1}}}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Two cities.\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCg\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking \\u2028both.\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_a\","
            + "\"name\":\"weather\",\"input\":{}}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
            + "\"partial_json\":\"{\\\"city\\\": \"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
            + "\"partial_json\":\"\\\"Oslo\\\"}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_b\","
            + "\"name\":\"time\",\"input\":{}}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}\n\n",
        "event: message_delta\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
            + "\"usage\":{\"output_tokens\":50}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    @Test
    void decodesThinkingTextAndToolCalls_keyedByTheirPositionAmongToolBlocks() {
      Result r = decode(null, chunks(FULL, 7));

      assertThat(r.failure).isNull();
      assertThat(r.events).containsSubsequence(new ChatEvent.ReasoningDelta("Two cities."),
          new ChatEvent.TextDelta("Checking \u2028both."));
      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.ToolCallDelta).containsExactly(
          new ChatEvent.ToolCallDelta(0, "toolu_a", "weather", ""),
          new ChatEvent.ToolCallDelta(0, null, null, "{\"city\": "),
          new ChatEvent.ToolCallDelta(0, null, null, "\"Oslo\"}"),
          new ChatEvent.ToolCallDelta(1, "toolu_b", "time", ""),
          new ChatEvent.ToolCallDelta(1, null, null, "{}"));
      Usage usage = Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(50).build();
      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.UsageReport)
          .containsExactly(new ChatEvent.UsageReport(usage));
      ChatResponse response = r.completed();
      assertThat(response.id()).isEqualTo("msg_01S");
      assertThat(response.model()).isEqualTo("claude-sonnet-4-5-20250929");
      assertThat(response.text()).isEqualTo("Checking \u2028both.");
      assertThat(response.reasoning()).contains("Two cities.");
      assertThat(response.message().thinking()).containsExactly(new Message.Thinking("Two cities.", "EqQBCg", null));
      assertThat(response.toolCalls()).containsExactly(ToolCall.of("toolu_a", "weather", "{\"city\": \"Oslo\"}"),
          ToolCall.of("toolu_b", "time", "{}"));
      assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(response.usage()).isEqualTo(usage);
      assertThat(response.requestId()).contains("req_s");
    }

    @Test
    void sameResult_whateverTheChunkBoundaries_andLineEndings() {
      ChatResponse inOnePiece = decode(null, whole(FULL)).completed();
      ChatResponse byteByByte = decode(null, chunks(FULL, 1)).completed();
      ChatResponse crlf = decode(null, chunks(FULL.replace("\n", "\r\n"), 3)).completed();

      assertThat(byteByByte).isEqualTo(inOnePiece);
      assertThat(crlf).isEqualTo(inOnePiece);
    }

    @Test
    void eventsWithoutEventNames_areDecodedByTheirType() {
      String dataOnly = Arrays.stream(FULL.split("\n")).filter(line -> !line.startsWith("event:"))
          .reduce("", (a, b) -> a + b + "\n");

      assertThat(decode(null, whole(dataOnly)).completed()).isEqualTo(decode(null, whole(FULL)).completed());
    }

    @Test
    void streamedAnswersEqualTheWholeAnswer_forThinkingBlocksAndRedactedThinking() {
      String stream = start(10, 0) + block(0, "{\"type\":\"thinking\",\"thinking\":\"\"}",
          delta(0, "thinking_delta", "thinking", "First."))
          + block(1, "{\"type\":\"redacted_thinking\",\"data\":\"abc\"}")
          + block(2, "{\"type\":\"thinking\",\"thinking\":\"\"}", delta(2, "thinking_delta", "thinking", "Second."))
          + block(3, "{\"type\":\"text\",\"text\":\"Hi\"}") + end("end_turn", 7);
      String whole = "{\"id\":\"msg_s\",\"model\":\"claude-sonnet-4-5\",\"content\":["
          + "{\"type\":\"thinking\",\"thinking\":\"First.\"},{\"type\":\"redacted_thinking\",\"data\":\"abc\"},"
          + "{\"type\":\"thinking\",\"thinking\":\"Second.\"},{\"type\":\"text\",\"text\":\"Hi\"}],"
          + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":10,\"output_tokens\":7}}";

      ChatResponse streamed = decode(null, whole(stream)).completed();
      ChatResponse read = AnthropicResponseReader.read(200, sse(), whole.getBytes(StandardCharsets.UTF_8),
          "anthropic", "claude-sonnet-4-5", null, MAPPER);

      assertThat(streamed.reasoning()).contains("First.\n\n[redacted thinking]\n\nSecond.");
      assertThat(streamed).isEqualTo(read);
    }

    @Test
    void answerToolInput_streamsAsText() {
      String stream = start(10, 0)
          + block(0, "{\"type\":\"tool_use\",\"id\":\"toolu_x\",\"name\":\"place\",\"input\":{}}",
              delta(0, "input_json_delta", "partial_json", "{\"city\":"),
              delta(0, "input_json_delta", "partial_json", "\"Oslo\"}"))
          + end("tool_use", 9);

      Result r = decode("place", whole(stream));

      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.ToolCallDelta).isEmpty();
      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.TextDelta).containsExactly(
          new ChatEvent.TextDelta("{\"city\":"), new ChatEvent.TextDelta("\"Oslo\"}"));
      ChatResponse response = r.completed();
      assertThat(response.text()).isEqualTo("{\"city\":\"Oslo\"}");
      assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void usageInMessageDelta_replacesTheFieldsItRepeats() {
      String stream = start(100, 0) + block(0, "{\"type\":\"text\",\"text\":\"Hi\"}")
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          + "\"usage\":{\"input_tokens\":40,\"cache_read_input_tokens\":60,\"output_tokens\":12}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

      ChatResponse response = decode(null, whole(stream)).completed();

      assertThat(response.usage()).isEqualTo(Usage.builder().inputTokens(100).cachedInputTokens(60).outputTokens(12)
          .build());
    }

    @Test
    void errorEventBeforeContent_failsWithTheMappedRetryableException() {
      String stream = start(10, 0) + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
          + "\"message\":\"Overloaded\"}}\n\n";

      Result r = decode(null, chunks(stream, 11));

      assertThat(r.events).isEmpty();
      assertThat(r.failure).isExactlyInstanceOf(OverloadedException.class);
      assertThat(r.failure.isRetryable()).isTrue();
      assertThat(r.failure.statusCode()).hasValue(200);
      assertThat(r.failure.details().statusInBody()).as("the status the error event stands for").hasValue(529);
      assertThat(r.failure.details().providerCode()).contains("overloaded_error");
    }

    @Test
    void errorEventAfterText_failsWithAStreamException_carryingTheMappedOne() {
      String stream = start(10, 0) + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" + delta(0, "text_delta", "text", "Half")
          + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}\n\n";

      Result r = decode(null, whole(stream));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class);
      ChatStreamException broken = (ChatStreamException) r.failure;
      assertThat(broken.partialResponse().text()).isEqualTo("Half");
      assertThat(broken.partialResponse().usage().inputTokens()).isEqualTo(10);
      assertThat(broken.getCause()).isExactlyInstanceOf(RateLimitException.class);
      assertThat(broken.getMessage()).contains("after 1 events", "rate_limit_error");
    }

    @Test
    void truncatedStream_failsWithThePartialAnswer() {
      String stream = start(10, 0) + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"Start\"}}\n\n" + delta(0, "text_delta", "text", "ed")
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          + "\"usage\":{\"output_tokens\":3}}\n\n";

      Result r = decode(null, whole(stream));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("without message_stop");
      assertThat(((ChatStreamException) r.failure).partialResponse().text()).isEqualTo("Started");
      assertThat(((ChatStreamException) r.failure).partialResponse().usage().outputTokens()).isEqualTo(3);
      assertThat(r.failure.isRetryable()).isTrue();
    }

    @Test
    void malformedEvent_isADecodingExceptionBeforeEvents_andAStreamExceptionAfter() {
      String bad = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\n\n";
      String text = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"ok\"}}\n\n";

      Result before = decode(null, whole(start(1, 0) + bad + end("end_turn", 1)));
      Result after = decode(null, whole(start(1, 0) + text + bad + end("end_turn", 1)));

      assertThat(before.failure).isExactlyInstanceOf(DecodingException.class).hasMessageContaining("not valid JSON");
      assertThat(after.failure).isExactlyInstanceOf(ChatStreamException.class);
      assertThat(((ChatStreamException) after.failure).partialResponse().text()).isEqualTo("ok");
    }

    @Test
    void connectionErrorMidStream_isAStreamException_andBeforeEventsATransportException() {
      PushChatStream out = new PushChatStream();
      AnthropicStreamDecoder decoder = decoder(out, null, sse());
      decoder.onBytes(utf8(start(5, 0)));
      decoder.onError(new IOException("Connection reset"));
      assertThat(drain(out).failure).isExactlyInstanceOf(TransportException.class);

      PushChatStream out2 = new PushChatStream();
      AnthropicStreamDecoder decoder2 = decoder(out2, null, sse());
      decoder2.onBytes(utf8(start(5, 0) + block(0, "{\"type\":\"text\",\"text\":\"Hel\"}")));
      decoder2.onError(new IOException("Connection reset"));
      Result r = drain(out2);
      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("Connection reset");
      assertThat(((ChatStreamException) r.failure).partialResponse().text()).isEqualTo("Hel");
    }

    @Test
    void oversizedEvent_failsNamingTheLimit() {
      PushChatStream out = new PushChatStream();
      AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(out, "anthropic", "claude", 200, sse(), null, MAPPER,
          64);
      try {
        decoder.onBytes(utf8(start(5, 0)));
        decoder.onComplete();
      } catch (RuntimeException e) {
        decoder.onError(e);
      }
      assertThat(drain(out).failure).isInstanceOf(DecodingException.class).hasMessageContaining("maxEventBytes=64")
          .hasMessageContaining("AnthropicProvider.builder().maxResponseBytes(...)");
    }

    @Test
    void plainJsonAnswerToAStreamRequest_becomesTheSameEvents() {
      String body = "{\"id\":\"msg_j\",\"model\":\"claude\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
          + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Oslo\"}}],"
          + "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}";
      PushChatStream out = new PushChatStream();
      AnthropicStreamDecoder decoder = decoder(out, null,
          headers(Map.of("content-type", "application/json", "request-id", "req_j")));
      for (byte[] chunk : chunks(body, 9)) {
        decoder.onBytes(ByteBuffer.wrap(chunk));
      }
      decoder.onComplete();

      Result r = drain(out);
      assertThat(r.events).startsWith(new ChatEvent.TextDelta("Hi"),
          new ChatEvent.ToolCallDelta(0, "toolu_1", "weather", "{\"city\":\"Oslo\"}"),
          new ChatEvent.UsageReport(Usage.of(3, 4)));
      assertThat(r.completed().requestId()).contains("req_j");
      assertThat(r.completed().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    // ---- stream pieces ----

    private String start(long input, long cacheRead) {
      return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
          + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":" + input
          + ",\"cache_read_input_tokens\":" + cacheRead + ",\"output_tokens\":1}}}\n\n";
    }

    private String block(int index, String contentBlock, String... deltas) {
      return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":" + index
          + ",\"content_block\":" + contentBlock + "}\n\n" + String.join("", deltas)
          + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":" + index + "}\n\n";
    }

    private String delta(int index, String type, String field, String value) {
      return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":" + index
          + ",\"delta\":{\"type\":\"" + type + "\",\"" + field + "\":" + WireJson.write(value) + "}}\n\n";
    }

    private String end(String stopReason, long output) {
      return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
          + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + output + "}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }

    // ---- helpers ----

    private HttpHeaders sse() {
      return headers(Map.of("content-type", "text/event-stream; charset=utf-8", "request-id", "req_s"));
    }

    private AnthropicStreamDecoder decoder(PushChatStream out, String schemaTool, HttpHeaders headers) {
      return new AnthropicStreamDecoder(out, "anthropic", "claude-sonnet-4-5", 200, headers, schemaTool, MAPPER,
          1024 * 1024);
    }

    /** Feeds the chunks like StreamingBodySubscriber does, then drains the stream. */
    private Result decode(String schemaTool, List<byte[]> chunks) {
      PushChatStream out = new PushChatStream();
      AnthropicStreamDecoder decoder = decoder(out, schemaTool, sse());
      try {
        for (byte[] chunk : chunks) {
          decoder.onBytes(ByteBuffer.wrap(chunk).asReadOnlyBuffer());
        }
        decoder.onComplete();
      } catch (RuntimeException e) {
        decoder.onError(e);
      }
      return drain(out);
    }

    private Result drain(PushChatStream out) {
      Result r = new Result();
      try {
        ChatEvent e;
        while ((e = out.poll()) != null) {
          r.events.add(e);
        }
      } catch (ChatException e) {
        r.failure = e;
      }
      assertThat(out.isFinished()).as("the stream has ended").isTrue();
      return r;
    }
  }

  // ---------------------------------------------------------------- the provider's settings

  @Nested
  class ProviderSettings {
    @Test
    void builder_validates_andNamesTheField() {
      assertThatThrownBy(() -> AnthropicProvider.builder().name("an thropic").build())
          .hasMessageContaining("AnthropicProvider.name");
      assertThatThrownBy(() -> AnthropicProvider.builder().baseUrl("https://api.anthropic.com/v1").build())
          .hasMessageContaining("without /v1");
      assertThatThrownBy(() -> AnthropicProvider.builder().baseUrl("https://api.anthropic.com/v1/messages/").build())
          .hasMessageContaining("appends /v1/messages");
      assertThatThrownBy(() -> AnthropicProvider.builder().baseUrl("api.anthropic.com").build())
          .hasMessageContaining("absolute http(s) URL");
      assertThatThrownBy(() -> AnthropicProvider.builder().anthropicVersion(" ").build())
          .hasMessageContaining("AnthropicProvider.anthropicVersion");
      assertThatThrownBy(() -> AnthropicProvider.builder().defaultMaxTokens(0).build())
          .hasMessageContaining("AnthropicProvider.defaultMaxTokens must be > 0");
      assertThatThrownBy(() -> AnthropicProvider.builder().header("X-Api-Key", "k").build())
          .hasMessageContaining("use apiKey(Secret)");
      assertThatThrownBy(() -> AnthropicProvider.builder().header("Content-Type", "text/plain").build())
          .hasMessageContaining("set by the provider itself");
    }

    @Test
    void defaults_andToString_neverShowTheKey() {
      try (AnthropicProvider p = AnthropicProvider.builder().apiKey(Secret.of("sk-ant-secret-value-123456"))
          .header("anthropic-beta", "prompt-caching-2024-07-31").build()) {
        assertThat(p.name()).isEqualTo("anthropic");
        assertThat(p.baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(p.toString()).doesNotContain("sk-ant-secret").doesNotContain("prompt-caching")
            .contains("anthropicVersion=2023-06-01", "defaultMaxTokens=4096", "anthropic-beta");
      }
    }

    @Test
    void fromEnv_readsTheBaseUrl_andSendsAKeyOnlyWhenSet() {
      Map<String, String> env = Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/");
      try (AnthropicProvider withKey = AnthropicProvider.fromEnv(env::get, Secret.of("sk-ant-k-0123456789"));
          AnthropicProvider without = AnthropicProvider.fromEnv(k -> null, Secret.fromEnv("SWITCHBOARD_UNSET_KEY"))) {
        assertThat(withKey.baseUrl()).isEqualTo("http://127.0.0.1:9");
        assertThat(withKey.toString()).contains("apiKey=value");
        assertThat(without.baseUrl()).isEqualTo(AnthropicProvider.DEFAULT_BASE_URL);
        assertThat(without.toString()).contains("no apiKey");
      }
    }

    static Stream<Arguments> models() {
      return Stream.of(
          Arguments.of("claude-3-haiku-20240307", 200_000, 4_096),
          Arguments.of("claude-3-opus-latest", 200_000, 4_096),
          Arguments.of("claude-3-5-sonnet-20241022", 200_000, 8_192),
          Arguments.of("claude-3-5-haiku-latest", 200_000, 8_192),
          Arguments.of("claude-3-7-sonnet-20250219", 200_000, 64_000),
          Arguments.of("claude-sonnet-4-20250514", 200_000, 64_000),
          Arguments.of("claude-sonnet-4-5", 200_000, 64_000),
          Arguments.of("claude-haiku-4-5-20251001", 200_000, 64_000),
          Arguments.of("claude-opus-4-1-20250805", 200_000, 32_000),
          Arguments.of("claude-opus-4-20250514", 200_000, 32_000),
          Arguments.of("claude-opus-4-5", 200_000, 64_000),
          Arguments.of("claude-opus-4-6", 200_000, null),
          Arguments.of("claude-2.1", null, null),
          Arguments.of("my-gateway-model", null, null));
    }

    @ParameterizedTest
    @MethodSource("models")
    void capabilities_byModelFamily(String model, Integer context, Integer output) {
      try (AnthropicProvider p = AnthropicProvider.builder().build()) {
        Capabilities c = p.capabilities(model);

        assertThat(c.tools()).contains(true);
        assertThat(c.vision()).contains(true);
        assertThat(c.jsonSchema()).contains(true);
        assertThat(c.streamingUsage()).contains(true);
        assertThat(c.maxContextTokens().isPresent() ? c.maxContextTokens().getAsInt() : null).isEqualTo(context);
        assertThat(c.maxOutputTokens().isPresent() ? c.maxOutputTokens().getAsInt() : null).isEqualTo(output);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static final class Result {
    final List<ChatEvent> events = new ArrayList<>();
    ChatException failure;

    ChatResponse completed() {
      assertThat(failure).as("stream failure").isNull();
      assertThat(events).isNotEmpty();
      assertThat(events.get(events.size() - 1)).isInstanceOf(ChatEvent.Completed.class);
      assertThat(events.stream().filter(e -> e instanceof ChatEvent.Completed).count()).isEqualTo(1);
      return ((ChatEvent.Completed) events.get(events.size() - 1)).response();
    }
  }

  /** The UTF-8 bytes of {@code s} in pieces of {@code size}, so multi-byte characters are cut too. */
  private static List<byte[]> chunks(String s, int size) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += size) {
      out.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
    }
    return out;
  }

  private static List<byte[]> whole(String s) {
    return List.of(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
  }

  private static JsonNode json(byte[] bytes) {
    return WireJson.parse(new String(bytes, StandardCharsets.UTF_8), "request body");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }
}
