package dev.switchboard.providers.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentPart;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Secret;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.OllamaEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ollama-specific behaviour end to end, against the Ollama emulator on loopback: the {@code done}
 * line's counts, {@code format}, {@code options} and {@code keep_alive} on the wire, an error line
 * in the middle of a stream, discovery, embeddings, and a server that is not running.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OllamaProviderTest {

  @RegisterExtension
  static final EmulatorExtension<OllamaEmulator> OLLAMA = EmulatorExtension.of(OllamaEmulator.class,
      OllamaEmulator::start);

  private OllamaProvider provider;

  @BeforeEach
  void startProvider() {
    provider = OllamaProvider.builder().baseUrl(OLLAMA.emulator().baseUrl()).build();
  }

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private static OllamaEmulator emulator() {
    return OLLAMA.emulator();
  }

  private ChatResponse chat(ChatRequest request) {
    return Futures.await(provider.chat(request));
  }

  private List<ChatEvent> stream(ChatRequest request) {
    List<ChatEvent> events = new ArrayList<>();
    try (ChatStream stream = provider.stream(request)) {
      for (ChatEvent e : stream) {
        events.add(e);
      }
    }
    return events;
  }

  private static ChatResponse completed(List<ChatEvent> events) {
    assertThat(events.get(events.size() - 1)).isInstanceOf(ChatEvent.Completed.class);
    return ((ChatEvent.Completed) events.get(events.size() - 1)).response();
  }

  @org.junit.jupiter.api.Test
  void thinkTagsInTheContent_areSplitIntoReasoning_inChatAndInAStreamCutIntoBytePieces() {
    String content = "<think>\nDeepSeek-R1 distills write this.\n</think>\n\nParis.";
    emulator().enqueue(Reply.text(content));
    emulator().enqueue(Reply.builder().text(content).streamPieces(content.length()).fragmentBytes(5).build());

    ChatResponse chat = chat(ChatRequest.of("test-model", "Capital?"));
    assertThat(chat.text()).isEqualTo("Paris.");
    assertThat(chat.reasoning()).contains("\nDeepSeek-R1 distills write this.\n");

    ChatResponse streamed = completed(stream(ChatRequest.of("test-model", "Capital?")));
    assertThat(streamed.text()).isEqualTo("Paris.");
    assertThat(streamed.reasoning()).contains("\nDeepSeek-R1 distills write this.\n");
  }

  // ---------------------------------------------------------------- the done line

  @Nested
  class Usage_ {
    @Test
    void doneLineCounts_areTheUsage_inBothModes() {
      emulator().enqueue(Reply.builder().text("Hi there.").usage(40, 12).build());
      emulator().enqueue(Reply.builder().text("Hi there.").usage(40, 12).build());

      ChatResponse chatted = chat(ChatRequest.of("test-model", "Hi"));
      List<ChatEvent> events = stream(ChatRequest.of("test-model", "Hi"));

      assertThat(chatted.usage()).isEqualTo(Usage.of(40, 12));
      assertThat(events.get(events.size() - 2)).as("the usage report comes with the done line, right before Completed")
          .isEqualTo(new ChatEvent.UsageReport(Usage.of(40, 12)));
      assertThat(completed(events).usage()).isEqualTo(Usage.of(40, 12));
      assertThat(completed(events).text()).isEqualTo(chatted.text());
    }

    @Test
    void realOllamaBodies_verbatim_inBothModes() {
      String json = "{\"model\":\"llama3.2\",\"created_at\":\"2023-12-12T14:13:43.416799Z\",\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"Hello! How are you today?\"},\"done\":true,\"total_duration\":5191566416,"
          + "\"load_duration\":2154458,\"prompt_eval_count\":26,\"prompt_eval_duration\":383809000,"
          + "\"eval_count\":298,\"eval_duration\":4799921000}";
      String ndjson = "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"The\",\"images\":null},\"done\":false}\n"
          + "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"done\":true,"
          + "\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":26,"
          + "\"prompt_eval_duration\":342546000,\"eval_count\":282,\"eval_duration\":4535599000}\n";
      emulator().enqueue(Reply.raw(200, Map.of("content-type", "application/json; charset=utf-8"), json));
      emulator().enqueue(Reply.raw(200, Map.of("content-type", "application/x-ndjson"), ndjson));

      ChatResponse chatted = chat(ChatRequest.of("llama3.2", "Hello"));
      ChatResponse streamed = completed(stream(ChatRequest.of("llama3.2", "Hello")));

      assertThat(chatted.text()).isEqualTo("Hello! How are you today?");
      assertThat(chatted.usage()).isEqualTo(Usage.of(26, 298));
      assertThat(chatted.finishReason()).isEqualTo(FinishReason.STOP);
      assertThat(streamed.text()).isEqualTo("The");
      assertThat(streamed.usage()).isEqualTo(Usage.of(26, 282));
      assertThat(streamed.model()).isEqualTo("llama3.2");
    }

    @Test
    void toolCallsWithoutIds_getStableIds_inBothModes() {
      String message = "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":"
          + "\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}]}";
      emulator().enqueue(Reply.raw(200, Map.of("content-type", "application/json"), "{\"model\":\"m\",\"message\":"
          + message + ",\"done_reason\":\"stop\",\"done\":true,\"prompt_eval_count\":5,\"eval_count\":3}"));
      emulator().enqueue(Reply.raw(200, Map.of("content-type", "application/x-ndjson"), "{\"model\":\"m\",\"message\":"
          + message + ",\"done\":false}\n{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
          + "\"done_reason\":\"stop\",\"done\":true,\"prompt_eval_count\":5,\"eval_count\":3}\n"));

      ChatResponse chatted = chat(ChatRequest.of("m", "Weather?"));
      ChatResponse streamed = completed(stream(ChatRequest.of("m", "Weather?")));

      ToolCall expected = ToolCall.of("call_0", "get_weather", "{\"city\":\"Paris\"}");
      assertThat(chatted.toolCalls()).containsExactly(expected);
      assertThat(streamed.toolCalls()).containsExactly(expected);
      assertThat(streamed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }
  }

  // ---------------------------------------------------------------- the wire

  @Nested
  class Wire {
    @Test
    void jsonSchemaFormat_isTheBareSchema_andJsonObjectIsTheWordJson() {
      String schema = "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"},"
          + "\"available\":{\"type\":\"boolean\"}},\"required\":[\"age\",\"available\"]}";
      emulator().enqueue(Reply.text("{\"age\":22,\"available\":false}"));
      emulator().enqueue(Reply.text("{}"));

      ChatResponse r = chat(ChatRequest.builder().model("llama3.1").user("Age and availability as JSON")
          .responseFormat(ResponseFormat.jsonSchema("person", schema)).build());
      stream(ChatRequest.builder().model("llama3.1").user("JSON please").responseFormat(ResponseFormat.JSON_OBJECT)
          .build());

      assertThat(r.text()).isEqualTo("{\"age\":22,\"available\":false}");
      JsonNode first = emulator().takeRequest().json();
      assertThat(first.get("format")).isEqualTo(WireJson.parse(schema, "schema"));
      assertThat(first.get("stream").asBoolean(true)).isFalse();
      JsonNode second = emulator().takeRequest().json();
      assertThat(second.get("format").asText()).isEqualTo("json");
      assertThat(second.get("stream").asBoolean(false)).isTrue();
    }

    @Test
    void optionsKeepAliveThinkAndKey_reachTheWire() {
      provider.close();
      provider = OllamaProvider.builder().baseUrl(emulator().baseUrl()).keepAlive(Duration.ofMinutes(10))
          .apiKey(Secret.of("proxy-token-123456")).header("X-Tenant", "t1").build();
      emulator().enqueue(Reply.text("Ok."));
      emulator().enqueue(Reply.text("Ok."));

      chat(ChatRequest.builder().model("qwen3").user("hi").temperature(0.3).maxOutputTokens(64).stop(List.of("END"))
          .tag(OllamaOptions.class, OllamaOptions.builder().numCtx(16384).topK(20).repeatPenalty(1.1).seed(42L)
              .option("min_p", "0.05").keepAlive("-1").think(false).build())
          .build());
      stream(ChatRequest.of("qwen3", "hi"));

      RecordedRequest first = emulator().takeRequest();
      JsonNode body = first.json();
      assertThat(first.path()).isEqualTo("/api/chat");
      assertThat(first.header("Authorization")).hasValue("Bearer proxy-token-123456");
      assertThat(first.header("X-Tenant")).hasValue("t1");
      assertThat(body.get("options").toString()).isEqualTo("{\"temperature\":0.3,\"num_predict\":64,"
          + "\"stop\":[\"END\"],\"num_ctx\":16384,\"top_k\":20,\"repeat_penalty\":1.1,\"seed\":42,\"min_p\":0.05}");
      assertThat(body.get("keep_alive").asInt()).as("the request's keep_alive wins").isEqualTo(-1);
      assertThat(body.get("think").asBoolean(true)).isFalse();
      JsonNode second = emulator().takeRequest().json();
      assertThat(second.get("keep_alive").asText()).as("the provider's default").isEqualTo("600s");
      assertThat(second.has("options")).isFalse();
      assertThat(second.get("stream").asBoolean()).isTrue();
    }

    @Test
    void imagesGoInline_andAnImageByUrlFailsBeforeAnyRequest() {
      emulator().enqueue(Reply.text("A cat."));

      chat(ChatRequest.builder().model("llava").addMessage(Message.user(ContentPart.text("What is this?"),
          ContentPart.imageBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png"))).build());
      ChatException byUrl = catchThrowableOfType(ChatException.class, () -> chat(ChatRequest.builder().model("llava")
          .addMessage(Message.user(ContentPart.imageUrl(URI.create("https://example.com/cat.png")))).build()));

      assertThat(emulator().takeRequest().json().get("messages").get(0).get("images").get(0).asText())
          .isEqualTo("iVBORw==");
      assertThat(byUrl).isInstanceOf(InvalidRequestException.class).hasMessageContaining("inline");
      assertThat(emulator().requestCount()).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- failures

  @Nested
  class Failures {
    @Test
    void errorLineMidStream_failsWithThePartialAnswer_andTheMappedCause() {
      emulator().enqueue(Reply.builder().text("The first words").fault(Fault.MID_STREAM_ERROR).build());
      List<ChatEvent> before = new ArrayList<>();

      ChatStreamException e = catchThrowableOfType(ChatStreamException.class, () -> {
        try (ChatStream stream = provider.stream(ChatRequest.of("test-model", "Go"))) {
          for (ChatEvent event : stream) {
            before.add(event);
          }
        }
      });

      assertThat(e).hasMessageContaining("runner process has terminated").hasCauseInstanceOf(ServerException.class);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.partialResponse().text()).isEqualTo("The first words");
      assertThat(before).isNotEmpty().noneMatch(ev -> ev instanceof ChatEvent.Completed);
    }

    @Test
    void errorLineBeforeAnyContent_isThePlainMappedException_andNotStreamedA500() {
      emulator().enqueue(Reply.builder().fault(Fault.MID_STREAM_ERROR).build());
      emulator().enqueue(Reply.builder().fault(Fault.MID_STREAM_ERROR).build());

      ChatException streamed = catchThrowableOfType(ChatException.class, () -> stream(ChatRequest.of("m", "Go")));
      ChatException chatted = catchThrowableOfType(ChatException.class, () -> chat(ChatRequest.of("m", "Go")));

      assertThat(streamed).isExactlyInstanceOf(ServerException.class);
      assertThat(streamed.statusCode()).hasValue(200);
      assertThat(chatted).isExactlyInstanceOf(ServerException.class);
      assertThat(chatted.statusCode()).hasValue(500);
    }

    @Test
    void modelNotFound_saysToPullIt() {
      emulator().enqueue(Reply.error(dev.switchboard.testkit.ErrorKind.MODEL_NOT_FOUND));

      ChatException e = catchThrowableOfType(ChatException.class, () -> chat(ChatRequest.of("llama9", "hi")));

      assertThat(e).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("ollama pull llama9");
    }

    @Test
    void serverNotRunning_isARetryableTransportError_sayingSo_inBothModes() throws IOException {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      String base = "http://127.0.0.1:" + port;
      try (OllamaProvider down = OllamaProvider.builder().baseUrl(base).build()) {
        ChatException chatted = catchThrowableOfType(ChatException.class,
            () -> Futures.await(down.chat(ChatRequest.of("llama3.2", "hi"))));
        ChatException streamed = catchThrowableOfType(ChatException.class, () -> {
          try (ChatStream s = down.stream(ChatRequest.of("llama3.2", "hi"))) {
            s.collect();
          }
        });
        ChatException listed = catchThrowableOfType(ChatException.class, () -> Futures.await(down.listModels()));

        for (ChatException e : List.of(chatted, streamed, listed)) {
          assertThat(e).isExactlyInstanceOf(TransportException.class);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("Ollama does not seem to be running at " + base);
        }
        assertThat(chatted.getMessage()).contains("llama3.2");
      }
    }
  }

  // ---------------------------------------------------------------- discovery

  @Nested
  class Discovery {
    @Test
    void listModels_readsTags() {
      List<OllamaModel> models = Futures.await(provider.listModels());

      assertThat(models).extracting(OllamaModel::name)
          .containsExactly("test-model:latest", "simulated-model:latest", "nomic-embed-text:latest");
      OllamaModel first = models.get(0);
      assertThat(first.family()).hasValue("llama");
      assertThat(first.parameterSize()).hasValue("8.0B");
      assertThat(first.quantizationLevel()).hasValue("Q4_K_M");
      assertThat(first.sizeBytes()).isPositive();
      assertThat(first.modifiedAt()).isPresent();
      assertThat(emulator().takeRequest().path()).isEqualTo("/api/tags");
    }

    @Test
    void loadedModels_readsPs_andFeedsTheContextLengthIntoCapabilities() {
      assertThat(Futures.await(provider.loadedModels())).isEmpty();
      Capabilities before = provider.capabilities("llama3.2");
      emulator().loadModel("llama3.2", 8192);
      emulator().enqueue(Reply.text("Loaded by this call."));
      chat(ChatRequest.of("test-model", "hi"));

      List<LoadedModel> loaded = Futures.await(provider.loadedModels());

      assertThat(loaded).extracting(LoadedModel::name).containsExactly("llama3.2:latest", "test-model:latest");
      assertThat(loaded.get(0).contextLength()).hasValue(8192);
      assertThat(loaded.get(0).sizeVramBytes()).isPositive();
      assertThat(loaded.get(0).expiresAt()).isPresent();
      assertThat(before.maxContextTokens()).isEmpty();
      Capabilities after = provider.capabilities("llama3.2");
      assertThat(after.maxContextTokens()).hasValue(8192);
      assertThat(provider.capabilities("test-model:latest").maxContextTokens()).hasValue(4096);
      assertThat(after.tools()).hasValue(true);
      assertThat(after.jsonSchema()).hasValue(true);
      assertThat(after.streamingUsage()).hasValue(true);
      assertThat(after.vision()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- embeddings

  @Nested
  class Embeddings {
    @Test
    void embed_returnsOneVectorPerInput_closeForNearDuplicates_throughSwitchboard() {
      try (Switchboard sb = Switchboard.builder().provider(provider).build()) {
        EmbeddingResponse r = sb.embed(EmbeddingRequest.of("ollama/nomic-embed-text",
            "The quick brown fox jumps over the lazy dog",
            "The quick brown fox jumped over the lazy dog",
            "Quarterly revenue grew twelve percent"));

        assertThat(r.embeddings()).hasSize(3);
        assertThat(r.embeddings().get(0).dimensions()).isEqualTo(64);
        assertThat(r.embeddings().get(0).cosine(r.embeddings().get(1))).isGreaterThan(0.8);
        assertThat(r.embeddings().get(0).cosine(r.embeddings().get(2))).isLessThan(0.5);
        assertThat(r.usage().inputTokens()).isPositive();
        assertThat(r.usage().outputTokens()).isZero();
        assertThat(r.provider()).isEqualTo("ollama");
      }
      RecordedRequest sent = emulator().takeRequest();
      assertThat(sent.path()).isEqualTo("/api/embed");
      assertThat(sent.json().get("input")).hasSize(3);
    }

    @Test
    void embed_passesDimensionsAndKeepAlive() {
      EmbeddingResponse r = Futures.await(provider.embed(EmbeddingRequest.builder().model("nomic-embed-text")
          .addInput("hello").dimensions(16).tag(OllamaOptions.class, OllamaOptions.builder().keepAlive("1h").build())
          .build()));

      assertThat(r.embeddings().get(0).dimensions()).isEqualTo(16);
      JsonNode body = emulator().takeRequest().json();
      assertThat(body.get("dimensions").asInt()).isEqualTo(16);
      assertThat(body.get("keep_alive").asText()).isEqualTo("1h");
    }

    @Test
    void embed_withAModelThatIsNotInstalled_failsSayingToPullIt() {
      ChatException e = catchThrowableOfType(ChatException.class,
          () -> Futures.await(provider.embed(EmbeddingRequest.of("mxbai-embed-large", "hi"))));

      assertThat(e).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("ollama pull mxbai-embed-large");
      assertThat(e.statusCode()).hasValue(404);
    }
  }

  // ---------------------------------------------------------------- configuration

  @Nested
  class Configuration {
    @ParameterizedTest(name = "OLLAMA_HOST={0}")
    @CsvSource({
        "127.0.0.1,                      http://127.0.0.1:11434",
        "localhost:8080,                 http://localhost:8080",
        ":11435,                         http://127.0.0.1:11435",
        "0.0.0.0,                        http://127.0.0.1:11434",
        "0.0.0.0:11434,                  http://127.0.0.1:11434",
        "ollama.internal,                http://ollama.internal:11434",
        "https://ollama.example.com,     https://ollama.example.com",
        "http://gpu-box:8000/ollama,     http://gpu-box:8000/ollama",
        "[::1]:11434,                    http://[::1]:11434",
        "::1,                            http://[::1]:11434",
        "'  10.0.0.5:11434  ',           http://10.0.0.5:11434"})
    void ollamaHost_becomesABaseUrl(String host, String baseUrl) {
      assertThat(OllamaProvider.baseUrlFromHost(host)).isEqualTo(baseUrl);
    }

    @Test
    void badOllamaHost_failsNamingTheVariable() {
      for (String bad : List.of("host:99999", "host:port", "ftp://host", "[::1")) {
        assertThatThrownBy(() -> OllamaProvider.baseUrlFromHost(bad)).as(bad)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OLLAMA_HOST");
      }
    }

    @Test
    void fromEnv_readsHostAndOptionalKey() {
      try (OllamaProvider p = OllamaProvider.fromEnv(Map.of("OLLAMA_HOST", "gpu-box:11500")::get,
          Secret.fromEnv("SWITCHBOARD_TEST_UNSET_OLLAMA_KEY"))) {
        assertThat(p.baseUrl()).isEqualTo("http://gpu-box:11500");
        assertThat(p.name()).isEqualTo("ollama");
        assertThat(p.toString()).contains("no apiKey");
      }
      try (OllamaProvider p = OllamaProvider.fromEnv(name -> null, Secret.of("k-123456789"))) {
        assertThat(p.baseUrl()).isEqualTo(OllamaProvider.DEFAULT_BASE_URL);
        assertThat(p.toString()).contains("apiKey=value").doesNotContain("k-123456789");
      }
    }

    @Test
    void builder_validates_andNamesTheField() {
      assertThatThrownBy(() -> OllamaProvider.builder().baseUrl("http://127.0.0.1:11434/v1").build())
          .hasMessageContaining("OllamaProvider.baseUrl").hasMessageContaining("/v1");
      assertThatThrownBy(() -> OllamaProvider.builder().baseUrl("http://127.0.0.1:11434/api").build())
          .hasMessageContaining("without /api");
      assertThatThrownBy(() -> OllamaProvider.builder().baseUrl("127.0.0.1:11434").build())
          .hasMessageContaining("OllamaProvider.baseUrl");
      assertThatThrownBy(() -> OllamaProvider.builder().baseUrl("http://user:pw@host:11434").build())
          .hasMessageContaining("credentials").hasMessageNotContaining("pw");
      assertThatThrownBy(() -> OllamaProvider.builder().name("my provider").build())
          .hasMessageContaining("OllamaProvider.name");
      assertThatThrownBy(() -> OllamaProvider.builder().timeout(Duration.ZERO).build())
          .hasMessageContaining("OllamaProvider.timeout");
      assertThatThrownBy(() -> OllamaProvider.builder().maxResponseBytes(0).build())
          .hasMessageContaining("OllamaProvider.maxResponseBytes");
      assertThatThrownBy(() -> OllamaProvider.builder().keepAlive("a while"))
          .hasMessageContaining("OllamaProvider.keepAlive");
      assertThatThrownBy(() -> OllamaProvider.builder().header("Accept", "text/plain").build())
          .hasMessageContaining("OllamaProvider.header 'Accept'");
      try (OllamaProvider p = OllamaProvider.builder().baseUrl("http://127.0.0.1:11434///").keepAlive("5m").build()) {
        assertThat(p.baseUrl()).isEqualTo("http://127.0.0.1:11434");
        assertThat(p.toString()).contains("keepAlive=5m");
      }
    }

    @Test
    void closedProvider_refusesNewCalls() {
      provider.close();

      ChatException e = catchThrowableOfType(ChatException.class, () -> chat(ChatRequest.of("m", "hi")));

      assertThat(e).hasMessageContaining("is closed");
      assertThat(emulator().requestCount()).isZero();
    }
  }
}
