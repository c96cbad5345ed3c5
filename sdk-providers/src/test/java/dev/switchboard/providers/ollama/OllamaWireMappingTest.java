package dev.switchboard.providers.ollama;

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
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ModelNotFoundException;
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
import dev.switchboard.providers.ollama.internal.OllamaErrorMapper;
import dev.switchboard.providers.ollama.internal.OllamaRequestWriter;
import dev.switchboard.providers.ollama.internal.OllamaResponseReader;
import dev.switchboard.providers.ollama.internal.OllamaStreamDecoder;
import dev.switchboard.providers.ollama.internal.OllamaWire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OllamaWireMappingTest {
  private static final OllamaErrorMapper MAPPER =
      new OllamaErrorMapper(Secret.of("ollama-key-0123456789"), "http://127.0.0.1:11434", Clock.systemUTC());
  private static final HttpHeaders NDJSON = HttpHeaders.of(Map.of("content-type", List.of("application/x-ndjson")),
      (a, b) -> true);

  private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
      + "\"days\":{\"type\":\"integer\",\"maximum\":1.00000000000000000001}},\"required\":[\"city\"]}";

  // ---------------------------------------------------------------- requests

  @Nested
  class Requests {
    @Test
    void writesMessagesToolsFormatAndOptions_ofARichRequest() {
      ChatRequest request = ChatRequest.builder()
          .model("llava:13b")
          .system("Be brief.")
          .addMessage(Message.user(ContentPart.text("What is in "), ContentPart.text("this image?"),
              ContentPart.imageBytes(new byte[] {1, 2, 3}, "image/png"),
              ContentPart.imageUrl(URI.create("data:image/jpeg;base64,BAUG"))))
          .addMessage(Message.assistant("Let me check.",
              List.of(ToolCall.of("call_1", "weather", "{\"city\":\"Oslo\",\"n\":1.50}"))))
          .addMessage(Message.toolResult("call_1", "{\"temp\":3}"))
          .addTool(ToolSpec.builder().name("weather").description("Weather by city").parametersJsonSchema(SCHEMA)
              .build())
          .responseFormat(ResponseFormat.jsonSchema("answer", SCHEMA, true))
          .temperature(0.2)
          .topP(0.9)
          .maxOutputTokens(256)
          .stop(List.of("END", "STOP"))
          .seed(42L)
          .build();

      byte[] bytes = OllamaRequestWriter.chat(request, false, null, "ollama");
      JsonNode body = json(bytes);

      assertThat(body.get("model").asText()).isEqualTo("llava:13b");
      JsonNode messages = body.get("messages");
      assertThat(messages).hasSize(4);
      assertThat(messages.get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Be brief.\"}");
      assertThat(messages.get(1).toString()).isEqualTo(
          "{\"role\":\"user\",\"content\":\"What is in this image?\",\"images\":[\"AQID\",\"BAUG\"]}");
      assertThat(messages.get(2).toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"Let me check.\","
          + "\"tool_calls\":[{\"function\":{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\",\"n\":1.5}}}]}");
      assertThat(messages.get(3).toString())
          .isEqualTo("{\"role\":\"tool\",\"content\":\"{\\\"temp\\\":3}\",\"tool_name\":\"weather\"}");
      JsonNode tool = body.get("tools").get(0);
      assertThat(tool.get("type").asText()).isEqualTo("function");
      assertThat(tool.get("function").get("name").asText()).isEqualTo("weather");
      assertThat(tool.get("function").get("description").asText()).isEqualTo("Weather by city");
      assertThat(tool.get("function").get("parameters")).isEqualTo(WireJson.parse(SCHEMA, "schema"));
      assertThat(body.get("format")).as("the bare schema, no name or strict flag").isEqualTo(WireJson.parse(SCHEMA, "s"));
      assertThat(body.get("options").toString()).isEqualTo("{\"temperature\":0.2,\"top_p\":0.9,\"num_predict\":256,"
          + "\"stop\":[\"END\",\"STOP\"],\"seed\":42}");
      assertThat(body.get("stream").asBoolean(true)).isFalse();
      assertThat(body.has("keep_alive")).isFalse();
      assertThat(body.has("think")).isFalse();
      assertThat(body.has("tool_choice")).isFalse();
      assertThat(new String(bytes, StandardCharsets.UTF_8)).as("numbers copied exactly")
          .contains("\"maximum\":1.00000000000000000001").contains("\"arguments\":{\"city\":\"Oslo\",\"n\":1.50}");
    }

    @Test
    void streamIsAlwaysWritten_becauseOllamaStreamsByDefault() {
      assertThat(json(OllamaRequestWriter.chat(ChatRequest.of("m", "hi"), true, null, "ollama")).get("stream").asBoolean())
          .isTrue();
      assertThat(json(OllamaRequestWriter.chat(ChatRequest.of("m", "hi"), false, null, "ollama")).get("stream")
          .isBoolean()).isTrue();
    }

    @Test
    void ollamaOptions_overrideRequestSampling_addOptions_keepAliveAndThink() {
      OllamaOptions options = OllamaOptions.builder()
          .numCtx(8192)
          .temperature(0.7)
          .topK(40)
          .repeatPenalty(1.1)
          .numPredict(-1)
          .seed(7L)
          .option("min_p", "0.05")
          .option("stop", "[\"###\"]")
          .keepAlive(Duration.ofMinutes(30))
          .think(true)
          .build();
      ChatRequest request = ChatRequest.builder().model("qwen3").user("hi").temperature(0.1).maxOutputTokens(10)
          .seed(1L).tag(OllamaOptions.class, options).build();

      JsonNode body = json(OllamaRequestWriter.chat(request, true, "5m", "ollama"));

      assertThat(body.get("options").toString()).isEqualTo("{\"temperature\":0.7,\"num_predict\":-1,\"seed\":7,"
          + "\"num_ctx\":8192,\"top_k\":40,\"repeat_penalty\":1.1,\"min_p\":0.05,\"stop\":[\"###\"]}");
      assertThat(body.get("keep_alive").asText()).as("the request's keep_alive wins").isEqualTo("1800s");
      assertThat(body.get("think").isBoolean()).isTrue();
    }

    @Test
    void keepAlive_goesOutAsANumberOfSecondsOrAsADurationString() {
      ChatRequest plain = ChatRequest.of("m", "hi");
      ChatRequest forever = plain.toBuilder().tag(OllamaOptions.class, OllamaOptions.builder().keepAlive("-1")
          .thinkLevel("high").build()).build();

      assertThat(json(OllamaRequestWriter.chat(plain, false, "10m", "ollama")).get("keep_alive").isTextual()).isTrue();
      JsonNode body = json(OllamaRequestWriter.chat(forever, false, "10m", "ollama"));
      assertThat(body.get("keep_alive").isIntegralNumber()).isTrue();
      assertThat(body.get("keep_alive").asInt()).isEqualTo(-1);
      assertThat(body.get("think").asText()).isEqualTo("high");
    }

    @Test
    void jsonObjectFormat_isTheWordJson() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").responseFormat(ResponseFormat.JSON_OBJECT)
          .build();

      assertThat(json(OllamaRequestWriter.chat(request, false, null, "ollama")).get("format").asText()).isEqualTo("json");
    }

    @Test
    void imageByUrl_failsSayingOllamaNeedsInlineBytes() {
      ChatRequest request = ChatRequest.builder().model("llava")
          .addMessage(Message.user(ContentPart.text("What is this?"),
              ContentPart.imageUrl(URI.create("https://example.com/cat.png"))))
          .build();

      assertThatThrownBy(() -> OllamaRequestWriter.chat(request, false, null, "ollama"))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.provider()).isEqualTo("ollama");
            assertThat(e.model()).isEqualTo("llava");
          })
          .hasMessageContaining("inline")
          .hasMessageContaining("ContentPart.imageBytes")
          .hasMessageContaining("https://example.com/cat.png");
    }

    @Test
    void earlierToolCallWhoseArgumentsAreNotAnObject_failsAsInvalidRequest() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi")
          .addMessage(Message.assistant("", List.of(ToolCall.of("c1", "f", "{\"broken\":"))))
          .addMessage(Message.toolResult("c1", "ok"))
          .build();

      assertThatThrownBy(() -> OllamaRequestWriter.chat(request, false, null, "ollama"))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("JSON object").hasMessageContaining("c1");
    }

    @Test
    void emptyToolArguments_goOutAsAnEmptyObject_andAnUnknownToolResultHasNoToolName() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi")
          .addMessage(Message.assistant("", List.of(ToolCall.of("c1", "now", ""))))
          .addMessage(Message.toolResult("c1", "12:00"))
          .addMessage(Message.toolResult("elsewhere", "?"))
          .build();

      JsonNode messages = json(OllamaRequestWriter.chat(request, false, null, "ollama")).get("messages");

      assertThat(messages.get(1).path("tool_calls").get(0).path("function").path("arguments").toString())
          .isEqualTo("{}");
      assertThat(messages.get(2).get("tool_name").asText()).isEqualTo("now");
      assertThat(messages.get(3).has("tool_name")).isFalse();
    }

    @Test
    void toolChoice_noneSendsNoTools_namedSendsOnlyThatTool() {
      ToolSpec a = ToolSpec.of("a", "A", "{\"type\":\"object\"}");
      ToolSpec b = ToolSpec.of("b", "B", "{\"type\":\"object\"}");
      ChatRequest base = ChatRequest.builder().model("m").user("hi").addTool(a).addTool(b).build();

      JsonNode none = json(OllamaRequestWriter.chat(base.toBuilder().toolChoice(ToolChoice.NONE).build(), false, null,
          "ollama"));
      JsonNode named = json(OllamaRequestWriter.chat(base.toBuilder().toolChoice(ToolChoice.named("b")).build(), false,
          null, "ollama"));
      JsonNode required = json(OllamaRequestWriter.chat(base.toBuilder().toolChoice(ToolChoice.REQUIRED).build(), false,
          null, "ollama"));

      assertThat(none.has("tools")).isFalse();
      assertThat(named.get("tools")).hasSize(1);
      assertThat(named.get("tools").get(0).path("function").path("name").asText()).isEqualTo("b");
      assertThat(required.get("tools")).hasSize(2);
    }

    @Test
    void embedBody_listsInputs_withDimensionsOptionsAndKeepAlive() {
      EmbeddingRequest request = EmbeddingRequest.builder().model("nomic-embed-text").addInput("a").addInput("b c")
          .dimensions(256).tag(OllamaOptions.class, OllamaOptions.builder().numCtx(2048).keepAlive("0").build())
          .build();

      assertThat(new String(OllamaRequestWriter.embed(request, "5m"), StandardCharsets.UTF_8)).isEqualTo(
          "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b c\"],\"dimensions\":256,\"options\":{\"num_ctx\":2048},"
              + "\"keep_alive\":0}");
      assertThat(new String(OllamaRequestWriter.embed(EmbeddingRequest.of("e", "x"), null), StandardCharsets.UTF_8))
          .isEqualTo("{\"model\":\"e\",\"input\":[\"x\"]}");
    }

    @Test
    void ollamaOptions_validate_andNameTheField() {
      assertThatThrownBy(() -> OllamaOptions.builder().numCtx(0)).hasMessageContaining("OllamaOptions.numCtx");
      assertThatThrownBy(() -> OllamaOptions.builder().numPredict(-3)).hasMessageContaining("OllamaOptions.numPredict");
      assertThatThrownBy(() -> OllamaOptions.builder().keepAlive("soon")).hasMessageContaining("OllamaOptions.keepAlive");
      assertThatThrownBy(() -> OllamaOptions.builder().option("min_p", "{oops"))
          .hasMessageContaining("OllamaOptions.option 'min_p'");
      assertThatThrownBy(() -> OllamaOptions.builder().numCtx(4096).option("num_ctx", "8192").build())
          .hasMessageContaining("'num_ctx' twice");
      assertThatThrownBy(() -> OllamaOptions.builder().think(true).thinkLevel("low").build())
          .hasMessageContaining("think");
      OllamaOptions ok = OllamaOptions.builder().keepAlive("1h30m").keepAlive("300").numPredict(-2).build();
      assertThat(ok.keepAlive()).hasValue("300");
      assertThat(ok.toBuilder().build()).isEqualTo(ok);
      assertThat(ok.toString()).contains("keepAlive=300").contains("numPredict=-2");
    }

    @Test
    void keepAliveDurations_areGoDurations() {
      assertThat(OllamaWire.keepAlive(Duration.ofMinutes(5))).isEqualTo("300s");
      assertThat(OllamaWire.keepAlive(Duration.ofMillis(1500))).isEqualTo("1500ms");
      assertThat(OllamaWire.keepAlive(Duration.ZERO)).isEqualTo("0");
      assertThat(OllamaWire.keepAlive(Duration.ofSeconds(-1))).isEqualTo("-1");
    }
  }

  // ---------------------------------------------------------------- responses

  @Nested
  class Responses {
    @Test
    void readsAnswer_withThinkingToolCallsWithoutIds_andUsage() {
      String body = """
          {"model":"qwen3:8b","created_at":"2025-01-01T00:00:00.123456789Z",
           "message":{"role":"assistant","content":"","thinking":"Need the weather.",
             "tool_calls":[{"function":{"name":"weather","arguments":{"city":"Oslo","days":[1,2]}}},
                           {"function":{"index":1,"name":"time","arguments":{}}}]},
           "done_reason":"stop","done":true,"total_duration":885095291,"load_duration":3753500,
           "prompt_eval_count":122,"prompt_eval_duration":328493000,"eval_count":33,"eval_duration":552222000}
          """;

      ChatResponse r = chat(body);

      assertThat(r.provider()).isEqualTo("ollama");
      assertThat(r.model()).isEqualTo("qwen3:8b");
      assertThat(r.id()).isEmpty();
      assertThat(r.text()).isEmpty();
      assertThat(r.reasoning()).hasValue("Need the weather.");
      assertThat(r.toolCalls()).containsExactly(ToolCall.of("call_0", "weather", "{\"city\":\"Oslo\",\"days\":[1,2]}"),
          ToolCall.of("call_1", "time", "{}"));
      assertThat(r.finishReason()).as("Ollama says stop when it calls tools").isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(r.rawFinishReason()).hasValue("stop");
      assertThat(r.usage()).isEqualTo(Usage.of(122, 33));
      assertThat(r.requestId()).isEmpty();
    }

    @Test
    void keepsToolCallIds_whenOllamaSendsThem() {
      ChatResponse r = chat("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
          + "[{\"id\":\"call_abc\",\"function\":{\"index\":0,\"name\":\"f\",\"arguments\":{\"x\":1}}}]},"
          + "\"done\":true,\"done_reason\":\"stop\"}");

      assertThat(r.toolCalls()).containsExactly(ToolCall.of("call_abc", "f", "{\"x\":1}"));
    }

    @Test
    void mapsDoneReasons() {
      assertThat(chat(answer("length")).finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(chat(answer("load")).finishReason()).isEqualTo(FinishReason.OTHER);
      assertThat(chat(answer("load")).rawFinishReason()).hasValue("load");
      ChatResponse old = chat("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true}");
      assertThat(old.finishReason()).as("old versions send no done_reason").isEqualTo(FinishReason.STOP);
      assertThat(old.usage()).as("counts left out (prompt from cache)").isEqualTo(Usage.ZERO);
    }

    @Test
    void toleratesHugeNumbersAndUnknownFields() {
      ChatResponse r = chat("{\"model\":\"m\",\"weird\":1e400,\"message\":{\"role\":\"assistant\",\"content\":\"hi\","
          + "\"images\":null},\"done\":true,\"prompt_eval_count\":99999999999999999999999,\"eval_count\":5.0}");

      assertThat(r.text()).isEqualTo("hi");
      assertThat(r.usage()).isEqualTo(Usage.of(0, 5));
    }

    @Test
    void errorObjectInA200Body_isMappedByItsMessage() {
      assertThatThrownBy(() -> chat("{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}"))
          .isInstanceOfSatisfying(ModelNotFoundException.class, e -> assertThat(e.statusCode()).hasValue(200))
          .hasMessageContaining("ollama pull m");
    }

    @Test
    void nonJsonOrMessagelessBody_isADecodingException_withExcerpt() {
      assertThatThrownBy(() -> chat("<html>Welcome to nginx!</html>")).isExactlyInstanceOf(DecodingException.class)
          .hasMessageContaining("not valid JSON").hasMessageContaining("Welcome to nginx!");
      assertThatThrownBy(() -> chat("{\"models\":[]}")).isExactlyInstanceOf(DecodingException.class)
          .hasMessageContaining("without a message");
      assertThatThrownBy(() -> chat("")).isExactlyInstanceOf(DecodingException.class);
    }

    @Test
    void readsEmbeddings_withUsage_andChecksTheirCount() {
      String body = "{\"model\":\"all-minilm\",\"embeddings\":[[0.1,-0.2,0.3],[0.5,0.5,0.5]],"
          + "\"total_duration\":14143917,\"load_duration\":1019500,\"prompt_eval_count\":8}";

      EmbeddingResponse r = OllamaResponseReader.embed(200, NDJSON, utf8(body), "ollama", "all-minilm", 2, MAPPER);

      assertThat(r.embeddings()).hasSize(2);
      assertThat(r.embeddings().get(0).toArray()).containsExactly(0.1f, -0.2f, 0.3f);
      assertThat(r.embeddings().get(1).index()).isEqualTo(1);
      assertThat(r.usage()).isEqualTo(Usage.of(8, 0));
      assertThat(r.model()).isEqualTo("all-minilm");
      assertThatThrownBy(() -> OllamaResponseReader.embed(200, NDJSON, utf8(body), "ollama", "all-minilm", 3, MAPPER))
          .isInstanceOf(DecodingException.class).hasMessageContaining("2 vectors for 3 inputs");
    }

    @Test
    void readsTagsAndPs_toleratingMissingFields() {
      String tags = """
          {"models":[{"name":"codellama:13b","model":"codellama:13b","modified_at":"2023-11-04T14:56:49.277302595-07:00",
            "size":7365960935,"digest":"9f438cb9","details":{"format":"gguf","family":"llama","families":null,
            "parameter_size":"13B","quantization_level":"Q4_0"}},
           {"model":"bare:latest"},{"size":1}]}
          """;
      String ps = """
          {"models":[{"name":"mistral:latest","model":"mistral:latest","size":5137025024,
            "expires_at":"2024-06-04T14:38:31.83753-07:00","size_vram":5137025024,"context_length":8192},
           {"name":"old:latest","size":10,"size_vram":0}]}
          """;

      List<OllamaModel> models = OllamaResponseReader.models(200, utf8(tags), "ollama", MAPPER);
      List<LoadedModel> loaded = OllamaResponseReader.loaded(200, utf8(ps), "ollama", MAPPER);

      assertThat(models).containsExactly(
          OllamaModel.builder().name("codellama:13b").sizeBytes(7365960935L)
              .modifiedAt(Instant.parse("2023-11-04T21:56:49.277302595Z")).digest("9f438cb9").family("llama")
              .parameterSize("13B").quantizationLevel("Q4_0").build(),
          OllamaModel.builder().name("bare:latest").build());
      assertThat(loaded.get(0)).isEqualTo(LoadedModel.builder().name("mistral:latest").sizeBytes(5137025024L)
          .sizeVramBytes(5137025024L).expiresAt(Instant.parse("2024-06-04T21:38:31.83753Z")).contextLength(8192)
          .build());
      assertThat(loaded.get(1).contextLength()).isEmpty();
      assertThat(OllamaResponseReader.loaded(200, utf8("{\"models\":null}"), "ollama", MAPPER)).isEmpty();
    }

    private String answer(String doneReason) {
      return "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true,\"done_reason\":\""
          + doneReason + "\",\"prompt_eval_count\":1,\"eval_count\":1}";
    }

    private ChatResponse chat(String body) {
      return OllamaResponseReader.chat(200, NDJSON, utf8(body), "ollama", "m", MAPPER);
    }
  }

  // ---------------------------------------------------------------- streams

  @Nested
  class Streams {
    /** A recorded-style stream: thinking, text, two tool calls on separate lines (no ids), then done. */
    private static final String STREAM = String.join("",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"\",\"thinking\":\"Hmm, \"},\"done\":false}\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"\",\"thinking\":\"weather.\"},\"done\":false}\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Grüße \"},\"done\":false}\r\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"👋\\u2028ok\"},\"done\":false}\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\"}}}]},"
            + "\"done\":false}\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"\",\"tool_calls\":[{\"function\":{\"index\":0,\"name\":\"time\",\"arguments\":{}}}]},"
            + "\"done\":false}\n",
        "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:01Z\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":4883583458,"
            + "\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":342546000,"
            + "\"eval_count\":282,\"eval_duration\":4535599000}\n");

    @Test
    void decodesThinkingTextAndToolCalls_thenUsageFromTheDoneLine() {
      Result r = decode(chunks(STREAM, 17));

      assertThat(r.failure).isNull();
      assertThat(r.events.subList(0, r.events.size() - 1)).containsExactly(
          new ChatEvent.ReasoningDelta("Hmm, "),
          new ChatEvent.ReasoningDelta("weather."),
          new ChatEvent.TextDelta("Grüße "),
          new ChatEvent.TextDelta("👋\u2028ok"),
          new ChatEvent.ToolCallDelta(0, "call_0", "weather", "{\"city\":\"Oslo\"}"),
          new ChatEvent.ToolCallDelta(1, "call_1", "time", "{}"),
          new ChatEvent.UsageReport(Usage.of(26, 282)));
      ChatResponse response = r.completed();
      assertThat(response.model()).isEqualTo("qwen3:8b");
      assertThat(response.text()).isEqualTo("Grüße 👋\u2028ok");
      assertThat(response.reasoning()).hasValue("Hmm, weather.");
      assertThat(response.toolCalls()).containsExactly(ToolCall.of("call_0", "weather", "{\"city\":\"Oslo\"}"),
          ToolCall.of("call_1", "time", "{}"));
      assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
      assertThat(response.usage()).isEqualTo(Usage.of(26, 282));
    }

    @Test
    void sameEvents_whereverTheBodyIsSplit() {
      List<ChatEvent> whole = decode(List.of(utf8(STREAM))).events;
      byte[] bytes = utf8(STREAM);
      for (int cut = 0; cut <= bytes.length; cut += 7) {
        List<ChatEvent> split = decode(List.of(Arrays.copyOfRange(bytes, 0, cut),
            Arrays.copyOfRange(bytes, cut, bytes.length))).events;
        assertThat(split).as("split at %d", cut).isEqualTo(whole);
      }
      assertThat(decode(chunks(STREAM, 1)).events).as("byte by byte").isEqualTo(whole);
    }

    @Test
    void linesAfterDone_areIgnored() {
      Result r = decode(List.of(utf8("{\"message\":{\"content\":\"a\"},\"done\":true,\"done_reason\":\"length\"}\n"
          + "{\"message\":{\"content\":\"late\"},\"done\":false}\nnot json\n")));

      assertThat(r.completed().text()).isEqualTo("a");
      assertThat(r.completed().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void errorLineFirst_failsWithTheMappedException() {
      Result r = decode(List.of(utf8("{\"error\":\"model \\\"m\\\" not found, try pulling it first\"}\n")));

      assertThat(r.events).isEmpty();
      assertThat(r.failure).isExactlyInstanceOf(ModelNotFoundException.class).hasMessageContaining("ollama pull m");
    }

    @Test
    void errorLineAfterText_failsWithAStreamException_carryingTheMappedOne() {
      Result r = decode(List.of(utf8("{\"message\":{\"content\":\"Hal\"},\"done\":false}\n"
          + "{\"error\":\"llama runner process has terminated: signal: killed\"}\n")));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class)
          .hasMessageContaining("runner process has terminated")
          .hasCauseExactlyInstanceOf(ServerException.class);
      assertThat(r.failure.isRetryable()).isTrue();
      assertThat(((ChatStreamException) r.failure).partialResponse().text()).isEqualTo("Hal");
    }

    @Test
    void bodyWithoutDoneLine_isTruncated_withThePartialAnswer() {
      Result r = decode(List.of(utf8("{\"message\":{\"content\":\"Once upon\"},\"done\":false}")));

      assertThat(r.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("truncated");
      ChatStreamException e = (ChatStreamException) r.failure;
      assertThat(e.partialResponse().text()).isEqualTo("Once upon");
      assertThat(e.partialResponse().finishReason()).isEqualTo(FinishReason.OTHER);
      assertThat(e.isRetryable()).isTrue();
    }

    @Test
    void malformedLine_isADecodingExceptionBeforeEvents_andAStreamExceptionAfter() {
      Result first = decode(List.of(utf8("{not json\n")));
      Result later = decode(List.of(utf8("{\"message\":{\"content\":\"a\"},\"done\":false}\n[1,2]\n")));

      assertThat(first.failure).isExactlyInstanceOf(DecodingException.class).hasMessageContaining("{not json");
      assertThat(later.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("not a JSON object");
      assertThat(((ChatStreamException) later.failure).partialResponse().text()).isEqualTo("a");
    }

    @Test
    void connectionErrorMidStream_isAStreamException_andBeforeEventsATransportException() {
      PushChatStream out = new PushChatStream();
      OllamaStreamDecoder decoder = decoder(out, 1024 * 1024);
      decoder.onBytes(ByteBuffer.wrap(utf8("{\"message\":{\"content\":\"par\"},\"done\":false}\n")));
      decoder.onError(new IOException("connection reset"));
      Result mid = drain(out);

      PushChatStream out2 = new PushChatStream();
      decoder(out2, 1024 * 1024).onError(new IOException("connection reset"));
      Result early = drain(out2);

      assertThat(mid.failure).isExactlyInstanceOf(ChatStreamException.class).hasMessageContaining("connection reset");
      assertThat(((ChatStreamException) mid.failure).partialResponse().text()).isEqualTo("par");
      assertThat(early.failure).isExactlyInstanceOf(TransportException.class);
      assertThat(early.failure.isRetryable()).isTrue();
    }

    @Test
    void oversizedLine_failsNamingTheLimit() {
      PushChatStream out = new PushChatStream();
      OllamaStreamDecoder decoder = decoder(out, 64);
      try {
        decoder.onBytes(ByteBuffer.wrap(utf8("{\"message\":{\"content\":\"" + "x".repeat(100) + "\"}}\n")));
        decoder.onComplete();
      } catch (RuntimeException e) {
        decoder.onError(e);
      }

      assertThat(drain(out).failure).isExactlyInstanceOf(DecodingException.class)
          .hasMessageContaining("maxResponseBytes").hasMessageContaining("maxLineBytes=64");
    }

    // ---- helpers ----

    private OllamaStreamDecoder decoder(PushChatStream out, int maxLineBytes) {
      return new OllamaStreamDecoder(out, "ollama", "m", 200, NDJSON, MAPPER, maxLineBytes);
    }

    /** Feeds the chunks like StreamingBodySubscriber does, then drains the stream. */
    private Result decode(List<byte[]> chunks) {
      PushChatStream out = new PushChatStream();
      OllamaStreamDecoder decoder = decoder(out, 1024 * 1024);
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
    byte[] bytes = utf8(s);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += size) {
      out.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode json(byte[] bytes) {
    return WireJson.parse(new String(bytes, StandardCharsets.UTF_8), "request body");
  }
}
