package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.FinishReason;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.Role;
import dev.switchboard.Secret;
import dev.switchboard.ServerException;
import dev.switchboard.Usage;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.providers.compat.internal.ChatCompletionsDialect;
import dev.switchboard.providers.openai.internal.QuirkDialects;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.compat.internal.ChatCompletionsRequestWriter;
import dev.switchboard.providers.compat.internal.ChatCompletionsResponseReader;
import dev.switchboard.providers.compat.internal.ChatCompletionsStreamDecoder;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import dev.switchboard.providers.testing.RawHttpServer;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One test (at least) per {@link Quirk}: what each vendor profile writes, and what the decoders
 * tolerate. Bodies are the vendors' documented shapes, cut to what matters.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiQuirksTest {
  private static final String KEY = "sk-quirks-0123456789abcdef";

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> EMULATOR = EmulatorExtension.openAi();

  // ---------------------------------------------------------------- request side

  @Nested
  class Requests {
    @Test
    void maxCompletionTokens_forOpenAiAndAzure_maxTokensForTheRest() {
      ChatRequest request = ChatRequest.builder().model("m").user("hi").maxOutputTokens(100).build();

      for (Vendor v : Vendor.values()) {
        JsonNode body = body(request, false, v);
        boolean expected = v == Vendor.OPENAI || v == Vendor.AZURE_OPENAI;
        assertThat(body.has("max_completion_tokens")).as(v.name()).isEqualTo(expected);
        assertThat(body.has("max_tokens")).as(v.name()).isEqualTo(!expected);
      }
      // Together: max_tokens only
      assertThat(body(request, false, Vendor.TOGETHER).get("max_tokens").asInt()).isEqualTo(100);
      // the builder setting wins over the vendor's choice
      ChatCompletionsDialect overridden = QuirkDialects.of(Vendor.OPENAI.quirks(), false, "OPENAI");
      assertThat(json(ChatCompletionsRequestWriter.write(request, false, overridden)).has("max_tokens")).isTrue();
    }

    @Test
    void streamUsageOption_isAskedFor_onlyWhereTheVendorHasTheQuirk() {
      ChatRequest request = ChatRequest.of("qwen-plus", "hi");

      assertThat(body(request, true, Vendor.QWEN).path("stream_options").path("include_usage").asBoolean()).isTrue();
      assertThat(body(request, true, Vendor.DEEPSEEK).has("stream_options")).isTrue();
      assertThat(body(request, true, Vendor.GLM).has("stream_options")).isFalse();
      assertThat(body(request, true, Vendor.TOGETHER).has("stream_options")).isFalse();
      assertThat(body(request, true, Vendor.OPENROUTER).has("stream_options")).isFalse();
      assertThat(body(request, false, Vendor.QWEN).has("stream_options")).isFalse();
    }

    @Test
    void noMessageName_forGroq() {
      ChatRequest request = ChatRequest.builder().model("llama-3.3-70b-versatile")
          .addMessage(Message.builder(Role.USER).text("hi").name("alice").build()).build();

      assertThat(body(request, false, Vendor.GROQ).get("messages").get(0).has("name")).isFalse();
      assertThat(body(request, false, Vendor.GENERIC).get("messages").get(0).get("name").asText()).isEqualTo("alice");
    }

    @Test
    void thinkingSwitch_isWrittenTheWayEachVendorReadsIt() {
      ChatRequest on = thinking(true);
      ChatRequest off = thinking(false);

      assertThat(body(on, true, Vendor.QWEN).get("enable_thinking").asBoolean()).isTrue();
      assertThat(body(off, true, Vendor.DEEPSEEK).get("thinking").toString()).isEqualTo("{\"type\":\"disabled\"}");
      assertThat(body(on, true, Vendor.GLM).get("thinking").toString()).isEqualTo("{\"type\":\"enabled\"}");
      assertThat(body(off, true, Vendor.OPENROUTER).get("reasoning").toString()).isEqualTo("{\"enabled\":false}");
      assertThat(body(on, true, Vendor.GENERIC).get("chat_template_kwargs").toString())
          .isEqualTo("{\"enable_thinking\":true}");
    }

    @Test
    void thinkingSwitch_forAVendorWithoutOne_isAnInvalidRequest_beforeAnythingIsSent() {
      try (OpenAiProvider openai = OpenAiProvider.builder().vendor(Vendor.OPENAI).baseUrl("http://127.0.0.1:9/v1")
          .build()) {
        assertThatThrownBy(() -> Futures.await(openai.chat(thinking(true))))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("OPENAI has no switch for thinking")
            .hasMessageContaining("reasoningEffort");
      }
    }

    @Test
    void noThinkingWithoutStream_forQwen_unlessTheCallerSaysOtherwise() {
      ChatRequest plain = ChatRequest.of("qwen3-32b", "hi");

      assertThat(body(plain, false, Vendor.QWEN).get("enable_thinking").asBoolean()).isFalse();
      assertThat(body(plain, true, Vendor.QWEN).has("enable_thinking")).isFalse();
      assertThat(body(thinking(true), false, Vendor.QWEN).get("enable_thinking").asBoolean()).isTrue();
      ChatRequest extra = plain.toBuilder().tag(OpenAiOptions.class,
          OpenAiOptions.builder().extraField("enable_thinking", "true").build()).build();
      assertThat(body(extra, false, Vendor.QWEN).get("enable_thinking").asBoolean()).isTrue();
      assertThat(body(plain, false, Vendor.DEEPSEEK).has("enable_thinking")).isFalse();
    }

    @Test
    void noReasoningEcho_anAnswersReasoningNeverGoesBackInTheNextTurn() {
      ChatResponse first = ChatResponse.builder().provider("deepseek").model("deepseek-reasoner")
          .text("9.11 is smaller.").reasoning("Compare 9.11 and 9.8 digit by digit...")
          .addThinking(new dev.switchboard.Message.Thinking("Compare 9.11 and 9.8 digit by digit...", "sig", null))
          .build();
      ChatRequest next = ChatRequest.builder().model("deepseek-reasoner")
          .user("Which is smaller, 9.11 or 9.8?")
          .addMessage(first.message())
          .user("And 9.8 or 9.08?")
          .build();

      String body = new String(ChatCompletionsRequestWriter.write(next, false,
          QuirkDialects.of(Vendor.DEEPSEEK.quirks(), null, "DEEPSEEK")), StandardCharsets.UTF_8);

      assertThat(first.message().thinking()).as("the answer keeps its thinking").hasSize(1);
      assertThat(body).doesNotContain("reasoning").doesNotContain("digit by digit").doesNotContain("thinking")
          .contains("9.11 is smaller.");
    }

    @Test
    void openRouterRoutingPreferences_travelAsTheProviderField() {
      ChatRequest request = ChatRequest.builder().model("meta-llama/llama-3.1-70b-instruct").user("hi")
          .tag(OpenAiOptions.class, OpenAiOptions.builder()
              .extraField("provider", "{\"order\":[\"together\",\"deepinfra\"],\"allow_fallbacks\":false}").build())
          .build();

      assertThat(body(request, false, Vendor.OPENROUTER).get("provider").toString())
          .isEqualTo("{\"order\":[\"together\",\"deepinfra\"],\"allow_fallbacks\":false}");
    }

    @Test
    void openRouterAppAttribution_andDetectedVendor_reachTheServer() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      emulator.enqueue(Reply.text("ok"));
      try (OpenAiProvider p = OpenAiProvider.builder().vendor(Vendor.OPENROUTER).baseUrl(emulator.baseUrl())
          .apiKey(Secret.of(KEY)).appAttribution("https://switchboard.dev", "Switchboard tests").build()) {
        assertThat(p.name()).isEqualTo("openrouter");
        assertThat(Futures.await(p.chat(ChatRequest.of("openai/gpt-4o-mini", "hi"))).text()).isEqualTo("ok");
      }
      RecordedRequest sent = emulator.takeRequest();
      assertThat(sent.header("HTTP-Referer")).hasValue("https://switchboard.dev");
      assertThat(sent.header("X-Title")).hasValue("Switchboard tests");
      assertThat(sent.header("Authorization")).hasValue("Bearer " + KEY);
    }

    private ChatRequest thinking(boolean on) {
      return ChatRequest.builder().model("qwen3-32b").user("hi")
          .tag(OpenAiOptions.class, OpenAiOptions.builder().thinking(on).build()).build();
    }
  }

  // ---------------------------------------------------------------- Azure: key header, deployment path

  @Nested
  class Azure {
    @Test
    void apiKeyHeader_andDeploymentInPath_withTheDefaultApiVersion() throws Exception {
      try (RawHttpServer server = new RawHttpServer(1, c -> answer(c, COMPLETION));
          OpenAiProvider azure = OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI)
              .baseUrl(root(server) + "/openai/").apiKey(Secret.of(KEY)).build()) {
        ChatResponse r = Futures.await(azure.chat(ChatRequest.of("my gpt-4o", "hi")));

        assertThat(r.text()).isEqualTo("Hello!");
        String head = server.accepted.get(0).get(10, TimeUnit.SECONDS).requestHead;
        assertThat(head).startsWith("POST /openai/deployments/my%20gpt-4o/chat/completions?api-version="
            + OpenAiProvider.AZURE_API_VERSION + " HTTP/1.1\r\n");
        assertThat(head.toLowerCase(java.util.Locale.ROOT)).contains("\r\napi-key: " + KEY.toLowerCase(
            java.util.Locale.ROOT) + "\r\n").doesNotContain("authorization:");
        assertThat(azure.name()).isEqualTo("azure");
      }
    }

    @Test
    void aMissingDeployment_404_namesTheDeploymentsUrl_withoutAPlaceholder() throws Exception {
      String notFound = "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this "
          + "resource does not exist.\"}}";
      try (RawHttpServer server = new RawHttpServer(1, c -> {
            byte[] body = notFound.getBytes(StandardCharsets.UTF_8);
            c.write("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n" + notFound);
            c.socket.close();
          });
          OpenAiProvider azure = OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI).baseUrl(root(server))
              .apiKey(Secret.of(KEY)).build()) {
        assertThatThrownBy(() -> Futures.await(azure.chat(ChatRequest.of("gpt-4o-prod", "hi"))))
            .isInstanceOf(dev.switchboard.ModelNotFoundException.class)
            .hasMessageContaining("/openai/deployments/gpt-4o-prod/chat/completions")
            .hasMessageNotContaining("{model}");
      }
    }

    @Test
    void embeddings_goToTheDeploymentToo_withAnExplicitApiVersion() throws Exception {
      try (RawHttpServer server = new RawHttpServer(1, c -> answer(c,
              "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.25]}],\"usage\":{\"prompt_tokens\":2}}"));
          OpenAiProvider azure = OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI).baseUrl(root(server))
              .queryParam("api-version", "2025-01-01-preview").apiKey(Secret.of(KEY)).build()) {
        assertThat(Futures.await(azure.embed(EmbeddingRequest.of("emb-small", "hi"))).embeddings()).hasSize(1);

        assertThat(server.accepted.get(0).get(10, TimeUnit.SECONDS).requestHead)
            .startsWith("POST /openai/deployments/emb-small/embeddings?api-version=2025-01-01-preview HTTP/1.1");
      }
    }

    @Test
    void baseUrl_isRequired_andMustNotNameADeployment() {
      assertThatThrownBy(() -> OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAiProvider.baseUrl is required");
      assertThatThrownBy(() -> OpenAiProvider.builder().vendor(Vendor.AZURE_OPENAI)
          .baseUrl("https://r.openai.azure.com/openai/deployments/gpt-4o").build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the model of each request names");
    }

    private String root(RawHttpServer server) {
      String v1 = server.baseUrl();
      return v1.substring(0, v1.length() - "/v1".length());
    }

    private void answer(RawHttpServer.Connection c, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n" + json);
      c.socket.close();
    }
  }

  // ---------------------------------------------------------------- response side

  @Nested
  class Responses {
    @Test
    void reasoningContent_fromDeepSeekAnswers_andQwenStreams() {
      ChatResponse answer = read("{\"id\":\"a\",\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"reasoning_content\":\"Think.\",\"content\":\"Answer.\"},"
          + "\"finish_reason\":\"stop\"}]}");
      assertThat(answer.reasoning()).hasValue("Think.");
      assertThat(answer.text()).isEqualTo("Answer.");

      Result r = decode(OpenAiQuirksTest::plainMapper, chunk("{\"reasoning_content\":\"Step 1.\",\"content\":null}", null)
          + chunk("{\"content\":\"Done.\"}", "stop") + "data: [DONE]\n\n");
      assertThat(r.events).containsSubsequence(new ChatEvent.ReasoningDelta("Step 1."), new ChatEvent.TextDelta("Done."));
      assertThat(r.completed().reasoning()).hasValue("Step 1.");
    }

    @Test
    void cacheHitMissUsage_fromDeepSeek() {
      ChatResponse withPromptTokens = read(answerWithUsage("{\"prompt_tokens\":100,\"completion_tokens\":10,"
          + "\"prompt_cache_hit_tokens\":64,\"prompt_cache_miss_tokens\":36}"));
      assertThat(withPromptTokens.usage()).isEqualTo(
          Usage.builder().inputTokens(100).cachedInputTokens(64).outputTokens(10).build());

      ChatResponse withoutPromptTokens = read(answerWithUsage("{\"completion_tokens\":10,"
          + "\"prompt_cache_hit_tokens\":64,\"prompt_cache_miss_tokens\":36}"));
      assertThat(withoutPromptTokens.usage().inputTokens()).isEqualTo(100);
      assertThat(withoutPromptTokens.usage().cachedInputTokens()).isEqualTo(64);
    }

    @Test
    void usageCost_fromOpenRouter_isIgnoredAndTheTokensRead() {
      ChatResponse r = read(answerWithUsage("{\"prompt_tokens\":194,\"completion_tokens\":2,\"total_tokens\":196,"
          + "\"cost\":0.95,\"is_byok\":false,\"cost_details\":{\"upstream_inference_cost\":19},"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":100},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}"));

      assertThat(r.usage()).isEqualTo(Usage.of(194, 2));
    }

    @Test
    void errorInStream_openRouterStyle_afterText_isAStreamExceptionWithThePartialAnswer() {
      String body = ": OPENROUTER PROCESSING\n\n"
          + chunk("{\"content\":\"Half an ans\"}", null)
          + "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"error\":{\"code\":\"server_error\","
          + "\"message\":\"Provider disconnected unexpectedly\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
          + "\"finish_reason\":\"error\"}]}\n\n";

      Result r = decode(OpenAiQuirksTest::plainMapper, body);

      assertThat(r.failure).isInstanceOf(ChatStreamException.class)
          .hasMessageContaining("Provider disconnected unexpectedly");
      ChatStreamException failure = (ChatStreamException) r.failure;
      assertThat(failure.partialResponse().text()).isEqualTo("Half an ans");
      assertThat(failure.getCause()).isInstanceOf(ServerException.class);
      assertThat(((ChatException) failure.getCause()).isRetryable()).isTrue();
    }

    @Test
    void errorInStream_beforeAnyEvent_isTheMappedException_andFinishReasonErrorAloneFailsToo() {
      Result first = decode(OpenAiQuirksTest::plainMapper, "data: {\"error\":{\"code\":429,\"message\":\"Rate limited "
          + "upstream\"},\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"error\"}]}\n\n");
      assertThat(first.failure).isExactlyInstanceOf(RateLimitException.class);

      Result bare = decode(OpenAiQuirksTest::plainMapper, chunk("{}", "error"));
      assertThat(bare.failure).isExactlyInstanceOf(ServerException.class);
    }

    @Test
    void errorInA200Body_nextToAChoiceFinishedWithError_isMapped() {
      assertThatThrownBy(() -> read("{\"error\":{\"code\":502,\"message\":\"Upstream failed\"},\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"error\"}]}"))
          .isExactlyInstanceOf(ServerException.class).hasMessageContaining("Upstream failed");
    }

    @Test
    void xGroqUsage_inTheLastChunk() {
      String body = chunk("{\"content\":\"Hi\"}", null)
          + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
          + "\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"queue_time\":0.07,\"prompt_tokens\":23,\"prompt_time\":0.006,"
          + "\"completion_tokens\":19,\"completion_time\":0.022,\"total_tokens\":42}}}\n\n"
          + "data: [DONE]\n\n";

      assertThat(decode(OpenAiQuirksTest::plainMapper, body).completed().usage()).isEqualTo(Usage.of(23, 19));
    }

    @Test
    void sseComments_asKeepAlives_areSkipped() {
      String body = ": OPENROUTER PROCESSING\n\n" + chunk("{\"content\":\"a\"}", null)
          + ": OPENROUTER PROCESSING\n\n" + chunk("{\"content\":\"b\"}", "stop") + "data: [DONE]\n\n";

      assertThat(decode(OpenAiQuirksTest::plainMapper, body).completed().text()).isEqualTo("ab");
    }

    @Test
    void contentFilterCodes_fromDashScopeAndAzure() {
      ChatException dashScope = plainMapper().map(400, headers(), ("{\"error\":{\"code\":\"data_inspection_failed\","
          + "\"param\":null,\"message\":\"Input data may contain inappropriate content.\","
          + "\"type\":\"data_inspection_failed\"}}").getBytes(StandardCharsets.UTF_8), "qwen", "qwen-plus");
      assertThat(dashScope).isExactlyInstanceOf(ContentFilteredException.class);

      Result azure = decode(OpenAiQuirksTest::plainMapper,
          "data: {\"choices\":[],\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n"
              + chunk("{\"content\":\"Some\"}", null) + chunk("{}", "content_filter") + "data: [DONE]\n\n");
      assertThat(azure.completed().finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
    }

    @Test
    void errorBodyShapes_flatTeiStyle_andPlainString() {
      ChatException tei = plainMapper().map(413, headers(), ("{\"message\":\"batch size 64 > maximum allowed batch "
          + "size 32\",\"code\":413,\"type\":\"validation\"}").getBytes(StandardCharsets.UTF_8), "tei", "bge");
      assertThat(tei).isExactlyInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("maximum allowed batch size 32");

      ChatException text = plainMapper().map(404, headers(),
          "{\"error\":\"model 'nope' not found\"}".getBytes(StandardCharsets.UTF_8), "local", "nope");
      assertThat(text).isExactlyInstanceOf(ModelNotFoundException.class).hasMessageContaining("model 'nope' not found");
    }

    @Test
    void businessErrorCodes_fromGlm_decideOverTheHttpStatus() {
      ChatCompletionsErrorMapper glm = new ChatCompletionsErrorMapper(Secret.of(KEY), "https://open.bigmodel.cn/api/paas/v4/chat/completions",
          Clock.systemUTC(), true, "OpenAiProvider", "OPENAI_API_KEY");

      assertThat(glmError(glm, 400, "1261", "Prompt 超长")).isExactlyInstanceOf(ContextLengthExceededException.class)
          .satisfies(e -> assertThat(e.details().providerCode()).hasValue("1261"));
      assertThat(glmError(glm, 400, "1301", "系统检测到输入或生成内容可能包含不安全或敏感内容"))
          .isExactlyInstanceOf(ContentFilteredException.class);
      ChatException arrears = glmError(glm, 429, "1113", "您的账户已欠费，请充值后重试。");
      assertThat(arrears).isExactlyInstanceOf(QuotaExceededException.class);
      assertThat(arrears.isRetryable()).isFalse();
      ChatException concurrency = glmError(glm, 429, "1302", "您当前使用该API的并发数过高");
      assertThat(concurrency).isExactlyInstanceOf(RateLimitException.class);
      assertThat(concurrency.isRetryable()).isTrue();
      assertThat(glmError(glm, 400, "1211", "模型不存在")).isExactlyInstanceOf(ModelNotFoundException.class);
      assertThat(glmError(glm, 401, "1002", "Authorization Token非法")).isExactlyInstanceOf(AuthenticationException.class);
      assertThat(glm.mapBodyError(200, headers(), WireJson.parse("{\"error\":{\"code\":\"1301\",\"message\":\"x\"}}", "body"),
          "glm", "glm-4.6", "an error event in the stream")).isExactlyInstanceOf(ContentFilteredException.class);

      // without the quirk, the same 429 is an ordinary (retryable) rate limit
      assertThat(glmError(plainMapper(), 429, "1113", "欠费")).isExactlyInstanceOf(RateLimitException.class);
    }

    @Test
    void severalChoices_areSentAsN_andKeptApart_inChatAndInAStreamWhoseChoicesInterleave() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      emulator.enqueue(Reply.raw(200, Map.of("content-type", "application/json"), "{\"id\":\"c1\",\"object\":"
          + "\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"Red\"},\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"Blue\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
          + "\"completion_tokens\":4,\"total_tokens\":9}}"));
      String chunk = "data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":";
      emulator.enqueue(Reply.raw(200, Map.of("content-type", "text/event-stream"),
          chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Re\"}}]}\n\n"
          + chunk + "[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"Bl\"}}]}\n\n"
          + chunk + "[{\"index\":1,\"delta\":{\"content\":\"ue\"},\"finish_reason\":\"stop\"}]}\n\n"
          + chunk + "[{\"index\":0,\"delta\":{\"content\":\"d\"},\"finish_reason\":\"stop\"}]}\n\n"
          + "data: [DONE]\n\n"));
      try (OpenAiProvider openai = OpenAiProvider.builder().vendor(Vendor.OPENAI).baseUrl(emulator.baseUrl())
          .apiKey(dev.switchboard.Secret.of(KEY)).build()) {
        ChatRequest two = ChatRequest.builder().model("gpt-4o").user("A colour?").choices(2).build();
        ChatResponse chat = Futures.await(openai.chat(two));
        assertThat(chat.text()).isEqualTo("Red");
        assertThat(chat.choices()).extracting(ChatResponse.Choice::index, ChatResponse.Choice::text,
            ChatResponse.Choice::finishReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "Red", dev.switchboard.FinishReason.STOP),
                org.assertj.core.groups.Tuple.tuple(1, "Blue", dev.switchboard.FinishReason.LENGTH));
        assertThat(emulator.takeRequest().bodyText()).contains("\"n\":2");

        List<ChatEvent> events = new java.util.ArrayList<>();
        try (dev.switchboard.ChatStream stream = openai.stream(two)) {
          stream.forEach(events::add);
        }
        assertThat(events.stream().filter(e -> e instanceof ChatEvent.TextDelta).map(e -> ((ChatEvent.TextDelta) e).text()))
            .as("events are choice 0's only").containsExactly("Re", "d");
        ChatResponse streamed = ((ChatEvent.Completed) events.get(events.size() - 1)).response();
        assertThat(streamed.choices()).extracting(ChatResponse.Choice::text).containsExactly("Red", "Blue");
      }
    }

    @Test
    void deepSeekToolLoop_sendsTheReasoningBackOnTheToolCallTurn_only() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      emulator.enqueue(Reply.builder().reasoning("The user wants the weather; call the tool.")
          .addToolCall("call_w", "weather", "{\"city\":\"Oslo\"}").build());
      emulator.enqueue(Reply.builder().reasoning("3 degrees: say so.").text("3 degrees in Oslo.").streamPieces(3)
          .build());
      emulator.enqueue(Reply.text("You're welcome."));
      try (OpenAiProvider deepseek = OpenAiProvider.builder().vendor(Vendor.DEEPSEEK).baseUrl(emulator.baseUrl())
          .apiKey(dev.switchboard.Secret.of(KEY)).build()) {
        ChatRequest first = ChatRequest.builder().model("deepseek-v4-pro").user("Weather in Oslo?")
            .addTool(dev.switchboard.ToolSpec.of("weather", "The weather", "{\"type\":\"object\"}")).build();
        ChatResponse call = Futures.await(deepseek.chat(first));
        assertThat(call.message().thinking()).extracting(dev.switchboard.Message.Thinking::text)
            .containsExactly("The user wants the weather; call the tool.");
        emulator.takeRequest();

        ChatRequest second = first.toBuilder().addMessage(call.message())
            .addMessage(dev.switchboard.Message.toolResult("call_w", "{\"temp\":3}")).build();
        ChatResponse answer;
        try (dev.switchboard.ChatStream stream = deepseek.stream(second)) {
          answer = stream.collect();
        }
        JsonNode sent = emulator.takeRequest().json().path("messages");
        assertThat(sent.get(1).path("reasoning_content").asText())
            .isEqualTo("The user wants the weather; call the tool.");

        ChatRequest third = second.toBuilder().addMessage(answer.message()).user("Thanks!").build();
        Futures.await(deepseek.chat(third));
        JsonNode later = emulator.takeRequest().json().path("messages");
        assertThat(later.get(1).has("reasoning_content")).as("the tool-call turn, in every later request").isTrue();
        assertThat(later.get(3).has("reasoning_content")).as("a turn without tool calls: never").isFalse();
      }
    }

    @Test
    void requestTooLargeForTheTokensPerMinuteLimit_isANonRetryableRateLimit_inChatAndStream() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      String body = "{\"error\":{\"message\":\"Request too large for gpt-4o in organization org-abc on tokens per "
          + "min (TPM): Limit 30000, Requested 52000.\",\"type\":\"tokens\",\"param\":null,"
          + "\"code\":\"rate_limit_exceeded\"}}";
      emulator.enqueue(Reply.raw(429, Map.of("content-type", "application/json"), body));
      emulator.enqueue(Reply.raw(429, Map.of("content-type", "application/json"), body));
      try (OpenAiProvider openai = OpenAiProvider.builder().vendor(Vendor.OPENAI).baseUrl(emulator.baseUrl())
          .apiKey(dev.switchboard.Secret.of(KEY)).build()) {
        ChatRequest big = ChatRequest.of("gpt-4o", "a very long prompt");
        assertThatThrownBy(() -> Futures.await(openai.chat(big))).isInstanceOfSatisfying(RateLimitException.class,
            e -> assertThat(e.isRetryable()).isFalse());
        try (dev.switchboard.ChatStream stream = openai.stream(big)) {
          assertThatThrownBy(stream::collect).isInstanceOfSatisfying(RateLimitException.class,
              e -> assertThat(e.isRetryable()).isFalse());
        }
      }
    }

    @Test
    void openRouterErrorChunkMidStream_overHttpInFragments_keepsThePartialAnswerAndTheStatusInside() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      String chunk = "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":\"x\",\"choices\":";
      emulator.enqueue(Reply.builder().raw(200, Map.of("content-type", "text/event-stream"),
          ": OPENROUTER PROCESSING\n\n"
          + chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Grüße \"}}]}\n\n"
          + chunk + "[{\"index\":0,\"delta\":{\"content\":\"aus 東京\"},\"finish_reason\":\"error\"}],"
          + "\"error\":{\"code\":502,\"message\":\"Provider returned error\"}}\n\n").fragmentBytes(4).build());
      try (OpenAiProvider openrouter = OpenAiProvider.builder().vendor(Vendor.OPENROUTER).baseUrl(emulator.baseUrl())
          .apiKey(dev.switchboard.Secret.of(KEY)).build();
          dev.switchboard.ChatStream stream = openrouter.stream(ChatRequest.of("x", "hi"))) {
        assertThatThrownBy(stream::collect).isInstanceOfSatisfying(dev.switchboard.ChatStreamException.class, e -> {
          assertThat(e.partialResponse().text()).isEqualTo("Grüße aus 東京");
          assertThat(e.partialResponse().rawFinishReason()).contains("error");
          ChatException cause = (ChatException) e.getCause();
          assertThat(cause.statusCode()).hasValue(200);
          assertThat(cause.details().statusInBody()).hasValue(502);
          assertThat(e.getMessage()).contains("in the middle of the stream");
        });
      }
    }

    @Test
    void thinkTags_together_splitsReasoningFromTheContent_inChatAndInAStreamCutInsideTheTags() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      String content = "<think>\nFrance's capital... Paris.\n</think>\n\nParis.";
      emulator.enqueue(Reply.text(content));
      emulator.enqueue(Reply.builder().text(content).streamPieces(content.length()).build()); // one char a chunk
      emulator.enqueue(Reply.text(content));
      try (OpenAiProvider together = OpenAiProvider.builder().vendor(Vendor.TOGETHER).baseUrl(emulator.baseUrl())
          .apiKey(dev.switchboard.Secret.of(KEY)).build();
          OpenAiProvider openai = OpenAiProvider.builder().vendor(Vendor.OPENAI).baseUrl(emulator.baseUrl())
              .apiKey(dev.switchboard.Secret.of(KEY)).build()) {
        ChatResponse chat = Futures.await(together.chat(ChatRequest.of("deepseek-ai/DeepSeek-R1", "Capital?")));
        assertThat(chat.text()).isEqualTo("Paris.");
        assertThat(chat.reasoning()).contains("\nFrance's capital... Paris.\n");

        List<ChatEvent> events = new java.util.ArrayList<>();
        try (dev.switchboard.ChatStream stream = together.stream(ChatRequest.of("deepseek-ai/DeepSeek-R1", "Capital?"))) {
          stream.forEach(events::add);
        }
        String reasoning = events.stream().filter(e -> e instanceof ChatEvent.ReasoningDelta)
            .map(e -> ((ChatEvent.ReasoningDelta) e).text()).collect(java.util.stream.Collectors.joining());
        String text = events.stream().filter(e -> e instanceof ChatEvent.TextDelta)
            .map(e -> ((ChatEvent.TextDelta) e).text()).collect(java.util.stream.Collectors.joining());
        assertThat(reasoning).isEqualTo("\nFrance's capital... Paris.\n");
        assertThat(text).isEqualTo("Paris.");
        ChatResponse streamed = ((ChatEvent.Completed) events.get(events.size() - 1)).response();
        assertThat(streamed.text()).isEqualTo("Paris.");
        assertThat(streamed.reasoning()).contains("\nFrance's capital... Paris.\n");

        ChatResponse untouched = Futures.await(openai.chat(ChatRequest.of("gpt-4o", "Capital?")));
        assertThat(untouched.text()).as("a vendor without the quirk keeps the content").isEqualTo(content);
      }
    }

    @Test
    void glmProviderFollowsItsBusinessCodes_endToEnd() {
      OpenAiEmulator emulator = EMULATOR.emulator();
      emulator.enqueue(Reply.raw(429, Map.of("content-type", "application/json"),
          "{\"error\":{\"code\":\"1113\",\"message\":\"您的账户已欠费，请充值后重试。\"}}"));
      try (OpenAiProvider glm = OpenAiProvider.builder().vendor(Vendor.GLM).baseUrl(emulator.baseUrl()).build()) {
        assertThatThrownBy(() -> Futures.await(glm.chat(ChatRequest.of("glm-4.6", "hi"))))
            .isExactlyInstanceOf(QuotaExceededException.class);
      }
    }

    private ChatException glmError(ChatCompletionsErrorMapper mapper, int status, String code, String message) {
      return mapper.map(status, headers(), ("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}")
          .getBytes(StandardCharsets.UTF_8), "glm", "glm-4.6");
    }

    private String answerWithUsage(String usage) {
      return "{\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
          + "\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}";
    }
  }

  // ---------------------------------------------------------------- the quirk list itself

  @ParameterizedTest
  @EnumSource(Quirk.class)
  void everyQuirk_isInTheQuirksTableOfTheProviderDocs(Quirk quirk) throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "providers.md"));

    assertThat(docs).contains("`" + quirk.name() + "`");
  }

  @Test
  void vendorQuirks_areNeverAlwaysOnOnes() {
    for (Vendor v : Vendor.values()) {
      assertThat(v.quirks()).as(v.name()).noneMatch(Quirk::isAlwaysOn);
    }
    Set<Quirk> used = EnumSet.noneOf(Quirk.class);
    for (Vendor v : Vendor.values()) {
      used.addAll(v.quirks());
    }
    for (Quirk q : Quirk.values()) {
      assertThat(q.isAlwaysOn() || used.contains(q)).as(q + " is switched on by some vendor").isTrue();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}";

  private static JsonNode body(ChatRequest request, boolean stream, Vendor vendor) {
    return json(ChatCompletionsRequestWriter.write(request, stream, QuirkDialects.of(vendor.quirks(), null, vendor.name())));
  }

  private static JsonNode json(byte[] bytes) {
    return WireJson.parse(new String(bytes, StandardCharsets.UTF_8), "request body");
  }

  static ChatCompletionsErrorMapper plainMapper() {
    return new ChatCompletionsErrorMapper(Secret.of(KEY), "https://api.example.com/v1/chat/completions", Clock.systemUTC(),
        false, "OpenAiProvider", "OPENAI_API_KEY");
  }

  private static ChatResponse read(String body) {
    return ChatCompletionsResponseReader.read(200, headers(), body.getBytes(StandardCharsets.UTF_8), "p", "m", plainMapper());
  }

  private static String chunk(String delta, String finish) {
    return "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
        + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
  }

  private static HttpHeaders headers() {
    Map<String, List<String>> map = new LinkedHashMap<>();
    map.put("content-type", List.of("text/event-stream"));
    return HttpHeaders.of(map, (a, b) -> true);
  }

  private static Result decode(java.util.function.Supplier<ChatCompletionsErrorMapper> mapper, String body) {
    PushChatStream out = new PushChatStream();
    ChatCompletionsStreamDecoder decoder = new ChatCompletionsStreamDecoder(out, "p", "m", 200, headers(), mapper.get(), 1 << 20);
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < bytes.length; i += 7) {
        decoder.onBytes(ByteBuffer.wrap(bytes, i, Math.min(7, bytes.length - i)).slice());
      }
      decoder.onComplete();
    } catch (RuntimeException e) {
      decoder.onError(e);
    }
    Result r = new Result();
    try {
      ChatEvent e;
      while ((e = out.poll()) != null) {
        r.events.add(e);
      }
    } catch (ChatException e) {
      r.failure = e;
    }
    return r;
  }

  static final class Result {
    final List<ChatEvent> events = new ArrayList<>();
    ChatException failure;

    ChatResponse completed() {
      assertThat(failure).as("stream failure").isNull();
      return ((ChatEvent.Completed) events.get(events.size() - 1)).response();
    }
  }
}
