package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import dev.switchboard.ServerException;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolChoice;
import dev.switchboard.ToolSpec;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.compat.internal.ChatCompletionsRequestWriter;
import dev.switchboard.providers.compat.internal.ChatCompletionsResponseReader;
import dev.switchboard.providers.compat.internal.ChatCompletionsStreamDecoder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OpenAiWireMappingTest {
  private static final ChatCompletionsErrorMapper MAPPER =
      new ChatCompletionsErrorMapper(Secret.of("sk-test-key-0123456789"), "https://api.example.com/v1/chat/completions",
          Clock.systemUTC(), false, "OpenAiProvider", "OPENAI_API_KEY");

  private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
      + "\"days\":{\"type\":\"integer\",\"maximum\":1.00000000000000000001}},\"required\":[\"city\"]}";

  // ---------------------------------------------------------------- requests

  @Nested
  class Requests {
    private ChatRequest richRequest() {
      return ChatRequest.builder()
          .model("gpt-4o")
          .system("Be brief.")
          .addMessage(Message.user(ContentPart.text("What is in this image?"),
              ContentPart.imageUrl(URI.create("https://example.com/cat.png")),
              ContentPart.imageBytes(new byte[] {1, 2, 3}, "image/png")))
          .addMessage(Message.assistant("Let me check.", List.of(ToolCall.of("call_1", "weather", "{\"city\":\"Oslo\"}"))))
          .addMessage(Message.toolResult("call_1", "{\"temp\":3}"))
          .addMessage(Message.builder(dev.switchboard.Role.USER).text("and tomorrow?").name("alice").build())
          .addTool(ToolSpec.builder().name("weather").description("Weather by city").parametersJsonSchema(SCHEMA)
              .strict(true).build())
          .toolChoice(ToolChoice.named("weather"))
          .parallelToolCalls(false)
          .responseFormat(ResponseFormat.jsonSchema("answer", SCHEMA, true))
          .temperature(0.2)
          .topP(0.9)
          .maxOutputTokens(256)
          .stop(List.of("END", "STOP"))
          .seed(42L)
          .build();
    }

    @Test
    void writesEveryField_ofARichRequest() {
      JsonNode body = json(ChatCompletionsRequestWriter.write(richRequest(), false, false));

      assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
      JsonNode messages = body.get("messages");
      assertThat(messages).hasSize(5);
      assertThat(messages.get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Be brief.\"}");
      JsonNode user = messages.get(1);
      assertThat(user.get("content").get(0).toString()).isEqualTo("{\"type\":\"text\",\"text\":\"What is in this image?\"}");
      assertThat(user.get("content").get(1).toString())
          .isEqualTo("{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}");
      assertThat(user.get("content").get(2).path("image_url").path("url").asText())
          .isEqualTo("data:image/png;base64,AQID");
      JsonNode assistant = messages.get(2);
      assertThat(assistant.get("content").asText()).isEqualTo("Let me check.");
      assertThat(assistant.get("tool_calls").get(0).toString()).isEqualTo("{\"id\":\"call_1\",\"type\":\"function\","
          + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}");
      assertThat(messages.get(3).toString())
          .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"temp\\\":3}\"}");
      assertThat(messages.get(4).toString())
          .isEqualTo("{\"role\":\"user\",\"content\":\"and tomorrow?\",\"name\":\"alice\"}");

      JsonNode function = body.get("tools").get(0).get("function");
      assertThat(body.get("tools").get(0).get("type").asText()).isEqualTo("function");
      assertThat(function.get("name").asText()).isEqualTo("weather");
      assertThat(function.get("description").asText()).isEqualTo("Weather by city");
      assertThat(function.get("parameters")).isEqualTo(WireJson.parse(SCHEMA, "schema"));
      assertThat(function.get("strict").asBoolean()).isTrue();
      assertThat(body.get("tool_choice").toString()).isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}");
      assertThat(body.get("parallel_tool_calls").asBoolean()).isFalse();
      JsonNode format = body.get("response_format");
      assertThat(format.get("type").asText()).isEqualTo("json_schema");
      assertThat(format.get("json_schema").get("name").asText()).isEqualTo("answer");
      assertThat(format.get("json_schema").get("strict").asBoolean()).isTrue();
      assertThat(format.get("json_schema").get("schema")).isEqualTo(WireJson.parse(SCHEMA, "schema"));
      assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
      assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
      assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
      assertThat(body.has("max_completion_tokens")).isFalse();
      assertThat(body.get("stop").toString()).isEqualTo("[\"END\",\"STOP\"]");
      assertThat(body.get("seed").asLong()).isEqualTo(42);
      assertThat(body.has("stream")).isFalse();
      assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void copiesSchemaNumbers_exactly() {
      String body = new String(ChatCompletionsRequestWriter.write(richRequest(), false, false), StandardCharsets.UTF_8);

      assertThat(body).contains("\"maximum\":1.00000000000000000001");
    }

    @Test
    void streamRequest_asksForUsageInTheLastChunk() {
      JsonNode body = json(ChatCompletionsRequestWriter.write(ChatRequest.of("gpt-4o", "hi"), true, false));

      assertThat(body.get("stream").asBoolean()).isTrue();
      assertThat(body.get("stream_options").toString()).isEqualTo("{\"include_usage\":true}");
      assertThat(body.get("messages").get(0).toString()).isEqualTo("{\"role\":\"user\",\"content\":\"hi\"}");
    }

    @Test
    void maxCompletionTokens_replacesMaxTokens_whenAskedFor() {
      ChatRequest request = ChatRequest.builder().model("o3").user("hi").maxOutputTokens(100).build();

      JsonNode body = json(ChatCompletionsRequestWriter.write(request, false, true));

      assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(100);
      assertThat(body.has("max_tokens")).isFalse();
    }

    @Test
    void toolChoiceAndParallelToolCalls_areLeftOut_withoutTools() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").toolChoice(ToolChoice.NONE)
          .parallelToolCalls(true).responseFormat(ResponseFormat.JSON_OBJECT).build();

      JsonNode body = json(ChatCompletionsRequestWriter.write(request, false, false));

      assertThat(body.has("tool_choice")).isFalse();
      assertThat(body.has("parallel_tool_calls")).isFalse();
      assertThat(body.get("response_format").toString()).isEqualTo("{\"type\":\"json_object\"}");
    }

    @Test
    void assistantTurnWithOnlyToolCalls_hasNoContent() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi")
          .addMessage(Message.assistant("", List.of(ToolCall.of("c1", "f", "{}"))))
          .addMessage(Message.toolResult("c1", "ok"))
          .build();

      JsonNode assistant = json(ChatCompletionsRequestWriter.write(request, false, false)).get("messages").get(1);

      assertThat(assistant.has("content")).isFalse();
      assertThat(assistant.get("tool_calls")).hasSize(1);
    }

    @Test
    void openAiOptions_addFields_replaceFields_andRemoveFields() {
      OpenAiOptions options = OpenAiOptions.builder()
          .user("tenant-42")
          .serviceTier("flex")
          .reasoningEffort("low")
          .logitBias(50256, -100)
          .logitBias(11, 5)
          .extraField("top_k", "40")
          .extraField("temperature", "1.5")
          .extraField("stream_options", "null")
          .extraField("metadata", "{\"job\":\"ranking\"}")
          .build();
      ChatRequest request = ChatRequest.builder().model("m").user("hi").temperature(0.1)
          .tag(OpenAiOptions.class, options).build();

      byte[] bytes = ChatCompletionsRequestWriter.write(request, true, false);
      JsonNode body = json(bytes);

      assertThat(body.get("user").asText()).isEqualTo("tenant-42");
      assertThat(body.get("service_tier").asText()).isEqualTo("flex");
      assertThat(body.get("reasoning_effort").asText()).isEqualTo("low");
      assertThat(body.get("logit_bias").toString()).isEqualTo("{\"11\":5,\"50256\":-100}");
      assertThat(body.get("top_k").asInt()).isEqualTo(40);
      assertThat(body.get("temperature").asDouble()).isEqualTo(1.5);
      assertThat(body.get("metadata").toString()).isEqualTo("{\"job\":\"ranking\"}");
      assertThat(body.has("stream_options")).isFalse();
      assertThat(body.get("stream").asBoolean()).isTrue();
      String text = new String(bytes, StandardCharsets.UTF_8);
      assertThat(text.indexOf("\"temperature\"")).isEqualTo(text.lastIndexOf("\"temperature\""));
    }

    @Test
    void openAiOptions_validate_andNameTheField() {
      assertThatThrownBy(() -> OpenAiOptions.builder().extraField("model", "\"x\""))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot replace 'model'");
      assertThatThrownBy(() -> OpenAiOptions.builder().extraField("top_k", "{oops"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAiOptions.extraField 'top_k'");
      assertThatThrownBy(() -> OpenAiOptions.builder().logitBias(1, 101))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAiOptions.logitBias");
      assertThatThrownBy(() -> OpenAiOptions.builder().user(" ").build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAiOptions.user");
    }
  }

  // ---------------------------------------------------------------- responses

  @Nested
  class Responses {
    @Test
    void readsAnswer_withCachedAndReasoningUsage() {
      String body = """
          {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06",
           "system_fingerprint":"fp_1","service_tier":"default",
           "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null,
             "annotations":[]},"logprobs":null,"finish_reason":"stop"}],
           "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
             "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0,
               "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}
          """;

      ChatResponse r = read(body, headers(Map.of("x-request-id", "req_9")));

      assertThat(r.id()).isEqualTo("chatcmpl-1");
      assertThat(r.provider()).isEqualTo("openai");
      assertThat(r.model()).isEqualTo("gpt-4o-2024-08-06");
      assertThat(r.text()).isEqualTo("Hello!");
      assertThat(r.refusal()).isEmpty();
      assertThat(r.reasoning()).isEmpty();
      assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
      assertThat(r.rawFinishReason()).hasValue("stop");
      assertThat(r.requestId()).hasValue("req_9");
      assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(2006).cachedInputTokens(1920).outputTokens(300)
          .reasoningTokens(256).build());
    }

    @Test
    void readsRefusal() {
      ChatResponse r = read("""
          {"id":"x","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,
            "refusal":"I can't help with that."},"finish_reason":"stop"}]}
          """, headers(Map.of()));

      assertThat(r.text()).isEmpty();
      assertThat(r.refusal()).hasValue("I can't help with that.");
    }

    @Test
    void readsReasoningContent_andReasoning() {
      ChatResponse deepseek = read("""
          {"id":"x","model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant",
            "content":"42","reasoning_content":"Think: 6*7."},"finish_reason":"stop"}],
           "usage":{"prompt_tokens":10,"completion_tokens":20,"prompt_cache_hit_tokens":8,
             "prompt_cache_miss_tokens":2}}
          """, headers(Map.of()));
      ChatResponse vllm = read("""
          {"id":"x","model":"qwen3","choices":[{"index":0,"message":{"role":"assistant",
            "content":"42","reasoning":"Think harder."},"finish_reason":"stop"}]}
          """, headers(Map.of()));

      assertThat(deepseek.reasoning()).hasValue("Think: 6*7.");
      assertThat(deepseek.usage().cachedInputTokens()).isEqualTo(8);
      assertThat(vllm.reasoning()).hasValue("Think harder.");
    }

    @Test
    void toleratesBigNumbers_unknownFields_partsContent_andObjectArguments() {
      ChatResponse r = read("""
          {"id":"x","created":123456789012345678901234567890,"weird":1e400,"nested":{"a":[1,2,{"b":null}]},
           "model":"m","choices":[{"index":0,"message":{"role":"assistant",
             "content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}],
             "tool_calls":[{"id":"call_9","type":"function","function":{"name":"f","arguments":{"a":1}}}]},
             "finish_reason":"stop","extra":{"x":1}}],
           "usage":{"prompt_tokens":99999999999999999999999,"completion_tokens":5.0,"total_tokens":-1}}
          """, headers(Map.of()));

      assertThat(r.text()).isEqualTo("Hello");
      assertThat(r.toolCalls()).containsExactly(ToolCall.of("call_9", "f", "{\"a\":1}"));
      assertThat(r.finishReason()).as("quirk: 'stop' with tool calls").isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(r.rawFinishReason()).hasValue("stop");
      assertThat(r.usage()).isEqualTo(Usage.of(0, 5));
    }

    @Test
    void readsToolCalls() {
      ChatResponse r = read("""
          {"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,
            "tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{\\"x\\":1}"}},
                          {"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]},
            "finish_reason":"tool_calls"}]}
          """, headers(Map.of()));

      assertThat(r.toolCalls()).containsExactly(ToolCall.of("a", "f", "{\"x\":1}"), ToolCall.of("b", "g", "{}"));
      assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void errorObjectInA200Body_isMappedLikeAnErrorStatus() {
      ChatException e = catchThrowableOfType(ChatException.class, () -> read(
          "{\"error\":{\"message\":\"Rate limit exceeded\",\"type\":\"rate_limit_exceeded\",\"code\":429}}",
          headers(Map.of())));

      assertThat(e).isExactlyInstanceOf(RateLimitException.class);
      assertThat(e.statusCode()).hasValue(200);
    }

    @Test
    void nonJsonOrChoicelessBody_isADecodingException_withExcerpt() {
      assertThatThrownBy(() -> read("<html><body>Welcome to nginx!</body></html>", headers(Map.of())))
          .isExactlyInstanceOf(DecodingException.class)
          .hasMessageContaining("is not valid JSON")
          .hasMessageContaining("Welcome to nginx!");
      assertThatThrownBy(() -> read("{\"id\":\"x\",\"object\":\"list\",\"data\":[]}", headers(Map.of())))
          .isExactlyInstanceOf(DecodingException.class)
          .hasMessageContaining("has no choices")
          .hasMessageContaining("\"object\":\"list\"");
      assertThatThrownBy(() -> read("", headers(Map.of())))
          .isExactlyInstanceOf(DecodingException.class);
    }

    private ChatResponse read(String body, HttpHeaders headers) {
      return ChatCompletionsResponseReader.read(200, headers, body.getBytes(StandardCharsets.UTF_8), "openai", "gpt-4o", MAPPER);
    }
  }

  // ---------------------------------------------------------------- streams

  @Nested
  class Streams {
    /** A recorded OpenAI stream: two parallel tool calls, arguments split over chunks, usage last. */
    private static final String PARALLEL_TOOL_CALLS = String.join("",
        "data: {\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null},"
            + "\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
            + "[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
            + "\"arguments\":\"\"}}]},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            + "\"function\":{\"arguments\":\"{\\\"city\\\": \"}}]},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
            + "\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"\"}}]},"
            + "\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            + "\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]},\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
            + "\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}}]},\"finish_reason\":null}],"
            + "\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-7\",\"choices\":[],\"usage\":{\"prompt_tokens\":80,\"completion_tokens\":40,"
            + "\"total_tokens\":120,\"prompt_tokens_details\":{\"cached_tokens\":64},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n",
        "data: [DONE]\n\n");

    @Test
    void mergesParallelToolCallsByIndex_andReportsUsageFromTheLastChunk() {
      Result r = decode(sse(), chunks(PARALLEL_TOOL_CALLS, 7));

      assertThat(r.failure).isNull();
      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.ToolCallDelta).containsExactly(
          new ChatEvent.ToolCallDelta(0, "call_a", "weather", ""),
          new ChatEvent.ToolCallDelta(0, null, null, "{\"city\": "),
          new ChatEvent.ToolCallDelta(1, "call_b", "time", ""),
          new ChatEvent.ToolCallDelta(0, null, null, "\"Oslo\"}"),
          new ChatEvent.ToolCallDelta(1, null, null, "{\"tz\":\"CET\"}"));
      Usage usage = Usage.builder().inputTokens(80).cachedInputTokens(64).outputTokens(40).build();
      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.UsageReport)
          .containsExactly(new ChatEvent.UsageReport(usage));
      ChatResponse response = r.completed();
      assertThat(response.id()).isEqualTo("chatcmpl-7");
      assertThat(response.model()).isEqualTo("gpt-4o-mini");
      assertThat(response.toolCalls()).containsExactly(
          ToolCall.of("call_a", "weather", "{\"city\": \"Oslo\"}"),
          ToolCall.of("call_b", "time", "{\"tz\":\"CET\"}"));
      assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(response.rawFinishReason()).hasValue("tool_calls");
      assertThat(response.usage()).isEqualTo(usage);
      assertThat(response.requestId()).hasValue("req_s");
      assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(ChatEvent.Completed.class);
    }

    @Test
    void sameResult_whateverTheChunkBoundaries() {
      ChatResponse inOnePiece = decode(sse(), whole(PARALLEL_TOOL_CALLS)).completed();
      ChatResponse byteByByte = decode(sse(), chunks(PARALLEL_TOOL_CALLS, 1)).completed();

      assertThat(byteByByte).isEqualTo(inOnePiece);
    }

    @Test
    void decodesText_reasoning_andRefusalDeltas_withCrLf() {
      String body = "data: {\"id\":\"c\",\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":"
          + "{\"reasoning_content\":\"Hmm. \"}}]}\r\n\r\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"Ok.\"}}]}\r\n\r\n"
          + ": keep-alive\r\n\r\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\u2028there\"}}]}\r\n\r\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"No.\"},\"finish_reason\":\"stop\"}]}\r\n\r\n"
          + "data: [DONE]\r\n\r\n";

      Result r = decode(sse(), chunks(body, 5));

      assertThat(r.events).containsSubsequence(new ChatEvent.ReasoningDelta("Hmm. "), new ChatEvent.ReasoningDelta("Ok."),
          new ChatEvent.TextDelta("Hi \u2028there"), new ChatEvent.RefusalDelta("No."));
      ChatResponse response = r.completed();
      assertThat(response.text()).isEqualTo("Hi \u2028there");
      assertThat(response.reasoning()).hasValue("Hmm. Ok.");
      assertThat(response.refusal()).hasValue("No.");
      assertThat(response.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void toolCallsWithoutIndex_areKeyedByIdThenContinued() {
      String body = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\","
          + "\"arguments\":\"{\\\"x\\\":\"}}]}}]}\n\n"
          + "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"1}\"}}]}}]}\n\n"
          + "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"g\","
          + "\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n"
          + "data: [DONE]\n\n";

      ChatResponse response = decode(sse(), whole(body)).completed();

      assertThat(response.toolCalls()).containsExactly(ToolCall.of("a", "f", "{\"x\":1}"), ToolCall.of("b", "g", "{}"));
    }

    @Test
    void completes_atBodyEndAfterFinishReason_withoutDone() {
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"length\"}]}";

      ChatResponse response = decode(sse(), whole(body)).completed();

      assertThat(response.text()).isEqualTo("Hi");
      assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void repeatedIdenticalUsage_isReportedOnce() {
      String usage = "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}";
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]," + usage + "}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]," + usage + "}\n\n"
          + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n"
          + "data: [DONE]\n\n";

      Result r = decode(sse(), whole(body));

      assertThat(r.events).filteredOn(e -> e instanceof ChatEvent.UsageReport).hasSize(2);
      assertThat(r.completed().usage()).isEqualTo(Usage.of(3, 2));
    }

    @Test
    void truncatedStream_failsWithThePartialAnswer() {
      String body = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"}}]}\n\n";

      Result r = decode(sse(), whole(body));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("truncated");
      ChatStreamException e = (ChatStreamException) r.failure;
      assertThat(e.partialResponse().text()).isEqualTo("Once upon");
      assertThat(e.partialResponse().finishReason()).isEqualTo(FinishReason.OTHER);
      assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void errorChunkFirst_failsWithTheMappedException() {
      String body = "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_exceeded\"}}\n\n";

      Result r = decode(sse(), whole(body));

      assertThat(r.events).isEmpty();
      assertThat(r.failure).isExactlyInstanceOf(RateLimitException.class).hasMessageContaining("Rate limit reached");
    }

    @Test
    void errorEventAfterText_failsWithAStreamException_carryingTheMappedOne() {
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"}}]}\n\n"
          + "event: error\ndata: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n";

      Result r = decode(sse(), whole(body));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class)
          .hasMessageContaining("The server had an error")
          .hasCauseExactlyInstanceOf(ServerException.class);
      assertThat(((ChatStreamException) r.failure).partialResponse().text()).isEqualTo("Hal");
    }

    @Test
    void errorChunkWithAStatusInside_keepsBothStatuses_andThePartialAnswerBeforeIt() {
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n"
          + "data: {\"error\":{\"message\":\"Provider returned error\",\"code\":502}}\n\n";

      Result r = decode(sse(), whole(body));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("in the stream");
      ChatException mapped = (ChatException) r.failure.getCause();
      assertThat(mapped).isExactlyInstanceOf(ServerException.class);
      assertThat(mapped.statusCode()).hasValue(200);
      assertThat(mapped.details().statusInBody()).hasValue(502);
      assertThat(((ChatStreamException) r.failure).partialResponse().text()).isEqualTo("Par");
    }

    @Test
    void errorChunkCarryingADeltaFinishReasonAndUsage_keepsThemAllInThePartialAnswer() {
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is\"},\"finish_reason\":\"error\"}],"
          + "\"error\":{\"message\":\"upstream died\",\"code\":502},"
          + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n";

      Result r = decode(sse(), chunks(body, 7));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("upstream died");
      ChatResponse partial = ((ChatStreamException) r.failure).partialResponse();
      assertThat(partial.text()).isEqualTo("Paris");
      assertThat(partial.rawFinishReason()).contains("error");
      assertThat(partial.usage().inputTokens()).isEqualTo(5);
      assertThat(partial.usage().outputTokens()).isEqualTo(3);
      assertThat(((ChatException) r.failure.getCause()).details().statusInBody()).hasValue(502);
    }

    @Test
    void malformedChunk_isADecodingExceptionBeforeEvents_andAStreamExceptionAfter() {
      Result first = decode(sse(), whole("data: {not json\n\n"));
      Result later = decode(sse(), whole("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
          + "data: [1,2]\n\n"));

      assertThat(first.failure).isExactlyInstanceOf(DecodingException.class).hasMessageContaining("{not json");
      assertThat(later.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("not a JSON object");
      assertThat(((ChatStreamException) later.failure).partialResponse().text()).isEqualTo("a");
    }

    @Test
    void connectionErrorMidStream_isAStreamException_andBeforeEventsATransportException() {
      PushChatStream out = new PushChatStream();
      ChatCompletionsStreamDecoder decoder = decoder(out, sse());
      decoder.onBytes(utf8("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n"));
      decoder.onError(new IOException("connection reset"));
      Result mid = drain(out);

      PushChatStream out2 = new PushChatStream();
      decoder(out2, sse()).onError(new IOException("connection reset"));
      Result early = drain(out2);

      assertThat(mid.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("connection reset");
      assertThat(((ChatStreamException) mid.failure).partialResponse().text()).isEqualTo("par");
      assertThat(early.failure).isExactlyInstanceOf(TransportException.class);
      assertThat(early.failure.isRetryable()).isTrue();
    }

    @Test
    void oversizedEvent_failsNamingTheLimit() {
      PushChatStream out = new PushChatStream();
      ChatCompletionsStreamDecoder decoder = new ChatCompletionsStreamDecoder(out, "openai", "gpt-4o", 200, sse(), MAPPER, 64);
      String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "x".repeat(100) + "\"}}]}\n\n";
      Result r;
      try {
        decoder.onBytes(utf8(body));
        decoder.onComplete();
        r = drain(out);
      } catch (RuntimeException e) {
        decoder.onError(e);
        r = drain(out);
      }

      assertThat(r.failure).isExactlyInstanceOf(DecodingException.class).hasMessageContaining("maxResponseBytes");
    }

    @Test
    void plainJsonAnswerToAStreamRequest_becomesTheSameEvents() {
      String body = "{\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
          + "\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";

      Result r = decode(headers(Map.of("content-type", "application/json")), chunks(body, 10));

      assertThat(r.events).containsExactly(new ChatEvent.TextDelta("Hello"),
          new ChatEvent.UsageReport(Usage.of(1, 1)), r.events.get(2));
      assertThat(r.completed().text()).isEqualTo("Hello");
    }

    // ---- helpers ----

    private HttpHeaders sse() {
      return headers(Map.of("content-type", "text/event-stream", "x-request-id", "req_s"));
    }

    private ChatCompletionsStreamDecoder decoder(PushChatStream out, HttpHeaders headers) {
      return new ChatCompletionsStreamDecoder(out, "openai", "gpt-4o", 200, headers, MAPPER, 1024 * 1024);
    }

    /** Feeds the chunks like StreamingBodySubscriber does, then drains the stream. */
    private Result decode(HttpHeaders headers, List<byte[]> chunks) {
      PushChatStream out = new PushChatStream();
      ChatCompletionsStreamDecoder decoder = decoder(out, headers);
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
      out.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
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

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }

  @org.junit.jupiter.api.Test
  void usageParts_reportedAsZero_stayZero_andAbsentOnesStayUnreported() {
    Usage reportedZero = dev.switchboard.providers.compat.internal.ChatCompletionsWire.usage(WireJson.parse(
        "{\"prompt_tokens\":10,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}", "usage"));
    Usage absent = dev.switchboard.providers.compat.internal.ChatCompletionsWire.usage(WireJson.parse(
        "{\"prompt_tokens\":10,\"completion_tokens\":5}", "usage"));
    assertThat(reportedZero.reported(Usage.Part.CACHED_INPUT)).isTrue();
    assertThat(reportedZero.reported(Usage.Part.REASONING)).isTrue();
    assertThat(absent.reported(Usage.Part.CACHED_INPUT)).isFalse();
    assertThat(absent.reported(Usage.Part.REASONING)).isFalse();
    assertThat(absent).isEqualTo(reportedZero).as("equality compares the counts");
  }
}
