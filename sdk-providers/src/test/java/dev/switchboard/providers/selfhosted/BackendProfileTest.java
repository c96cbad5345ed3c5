package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.ResponseFormat;
import dev.switchboard.ToolSpec;
import dev.switchboard.providers.compat.ChatCompletionsOptions;
import dev.switchboard.providers.openai.OpenAiOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The request fields each backend profile writes, read back from the {@link ChatCompletionsOptions}
 * extra fields of the adapted request. (A caller's {@link OpenAiOptions} stand for any
 * {@link ChatCompletionsOptions} a user attaches.)
 */
class BackendProfileTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
      + "\"required\":[\"city\"]}";
  private static final SelfHostedOptions SAMPLING = SelfHostedOptions.builder()
      .topK(40).minP(0.05).repetitionPenalty(1.1).build();

  private static ChatRequest.Builder request() {
    return ChatRequest.builder().model("test-model").user("Hello");
  }

  private static ChatRequest with(SelfHostedOptions options) {
    return request().tag(SelfHostedOptions.class, options).build();
  }

  private static Map<String, String> fields(ChatRequest adapted) {
    return adapted.tag(ChatCompletionsOptions.class).map(ChatCompletionsOptions::extraFields).orElse(Map.of());
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Nested
  class Vllm {

    @Test
    void writesSamplingFields() throws Exception {
      Map<String, String> fields = fields(Backend.VLLM.adapt(with(SAMPLING)));

      assertThat(fields).containsOnlyKeys("top_k", "min_p", "repetition_penalty");
      assertThat(json(fields.get("top_k")).asInt()).isEqualTo(40);
      assertThat(json(fields.get("min_p")).asDouble()).isEqualTo(0.05);
      assertThat(json(fields.get("repetition_penalty")).asDouble()).isEqualTo(1.1);
    }

    @Test
    void keepsTheStandardResponseFormat_forAJsonSchema() {
      ChatRequest r = request().responseFormat(ResponseFormat.jsonSchema("city", SCHEMA)).build();

      assertThat(Backend.VLLM.adapt(r)).isSameAs(r);
    }

    @Test
    void writesGuidedConstraints_asOneStructuredOutputsObject() throws Exception {
      Map<String, String> regex = fields(Backend.VLLM.adapt(with(SelfHostedOptions.builder()
          .guidedRegex("\\d{3}-\\d{4}").build())));
      Map<String, String> choice = fields(Backend.VLLM.adapt(with(SelfHostedOptions.builder()
          .guidedChoice(List.of("positive", "negative")).build())));
      Map<String, String> grammar = fields(Backend.VLLM.adapt(with(SelfHostedOptions.builder()
          .guidedGrammar("root ::= \"yes\" | \"no\"").build())));

      assertThat(json(regex.get("structured_outputs"))).isEqualTo(json("{\"regex\":\"\\\\d{3}-\\\\d{4}\"}"));
      assertThat(json(choice.get("structured_outputs"))).isEqualTo(json("{\"choice\":[\"positive\",\"negative\"]}"));
      assertThat(json(grammar.get("structured_outputs")).get("grammar").asText()).isEqualTo("root ::= \"yes\" | \"no\"");
      assertThat(regex).doesNotContainKeys("guided_regex", "response_format");
    }

    @Test
    void legacy_sendsAJsonSchemaAsGuidedJson_andRemovesResponseFormat() throws Exception {
      ChatRequest r = request().responseFormat(ResponseFormat.jsonSchema("city", SCHEMA)).build();

      Map<String, String> fields = fields(Backend.VLLM.withLegacyGuidedDecoding().adapt(r));

      assertThat(json(fields.get("guided_json"))).isEqualTo(json(SCHEMA));
      assertThat(fields.get("response_format")).isEqualTo("null");
    }

    @Test
    void legacy_writesGuidedFields() throws Exception {
      Backend legacy = Backend.VLLM.withLegacyGuidedDecoding();

      assertThat(json(fields(legacy.adapt(with(SelfHostedOptions.builder().guidedRegex("[a-z]+").build())))
          .get("guided_regex")).asText()).isEqualTo("[a-z]+");
      assertThat(json(fields(legacy.adapt(with(SelfHostedOptions.builder().guidedChoice(List.of("a", "b")).build())))
          .get("guided_choice"))).isEqualTo(json("[\"a\",\"b\"]"));
      assertThat(json(fields(legacy.adapt(with(SelfHostedOptions.builder().guidedGrammar("root ::= \"x\"").build())))
          .get("guided_grammar")).asText()).isEqualTo("root ::= \"x\"");
      assertThat(legacy.legacyGuidedDecoding()).isTrue();
      assertThat(legacy).isNotEqualTo(Backend.VLLM).isEqualTo(Backend.VLLM.withLegacyGuidedDecoding());
      assertThat(legacy.withLegacyGuidedDecoding()).isSameAs(legacy);
    }

    @Test
    void legacyGuidedDecoding_existsOnlyForVllm() {
      assertThatThrownBy(Backend.SGLANG::withLegacyGuidedDecoding).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("sglang");
    }
  }

  @Nested
  class Sglang {

    @Test
    void writesSamplingRegexAndEbnf() throws Exception {
      Map<String, String> sampling = fields(Backend.SGLANG.adapt(with(SAMPLING)));
      Map<String, String> regex = fields(Backend.SGLANG.adapt(with(SelfHostedOptions.builder()
          .guidedRegex("[0-9]+").build())));
      Map<String, String> ebnf = fields(Backend.SGLANG.adapt(with(SelfHostedOptions.builder()
          .guidedGrammar("root ::= \"a\"").build())));

      assertThat(sampling).containsOnlyKeys("top_k", "min_p", "repetition_penalty");
      assertThat(json(regex.get("regex")).asText()).isEqualTo("[0-9]+");
      assertThat(json(ebnf.get("ebnf")).asText()).isEqualTo("root ::= \"a\"");
    }

    @Test
    void writesAChoiceAsAnEscapedRegexAlternation() throws Exception {
      Map<String, String> fields = fields(Backend.SGLANG.adapt(with(SelfHostedOptions.builder()
          .guidedChoice(List.of("yes", "no", "maybe?", "a.b (c)")).build())));

      assertThat(json(fields.get("regex")).asText()).isEqualTo("(yes|no|maybe\\?|a\\.b \\(c\\))");
    }

    @Test
    void keepsTheStandardResponseFormat() {
      ChatRequest r = request().responseFormat(ResponseFormat.jsonSchema("city", SCHEMA)).build();

      assertThat(Backend.SGLANG.adapt(r)).isSameAs(r);
    }
  }

  @Nested
  class Tgi {

    @Test
    void sendsAJsonSchemaAsTgisGrammarObject() throws Exception {
      ChatRequest r = request().responseFormat(ResponseFormat.jsonSchema("city", SCHEMA)).build();

      Map<String, String> fields = fields(Backend.TGI.adapt(r));

      assertThat(json(fields.get("response_format"))).isEqualTo(json("{\"type\":\"json\",\"value\":" + SCHEMA + "}"));
    }

    @Test
    void sendsJsonObjectModeAsAnObjectSchema() throws Exception {
      Map<String, String> fields = fields(Backend.TGI.adapt(request().responseFormat(ResponseFormat.JSON_OBJECT)
          .build()));

      assertThat(json(fields.get("response_format")))
          .isEqualTo(json("{\"type\":\"json\",\"value\":{\"type\":\"object\"}}"));
    }

    @Test
    void sendsRegexAndChoiceAsRegexGrammar() throws Exception {
      Map<String, String> regex = fields(Backend.TGI.adapt(with(SelfHostedOptions.builder()
          .guidedRegex("\\d+").build())));
      Map<String, String> choice = fields(Backend.TGI.adapt(with(SelfHostedOptions.builder()
          .guidedChoice(List.of("red", "green")).build())));

      assertThat(json(regex.get("response_format"))).isEqualTo(json("{\"type\":\"regex\",\"value\":\"\\\\d+\"}"));
      assertThat(json(choice.get("response_format"))).isEqualTo(json("{\"type\":\"regex\",\"value\":\"(red|green)\"}"));
    }

    @Test
    void rejectsOptionsItsChatEndpointHasNoFieldFor() {
      assertThatThrownBy(() -> Backend.TGI.adapt(with(SelfHostedOptions.builder().topK(5).build())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topK").hasMessageContaining("tgi");
      assertThatThrownBy(() -> Backend.TGI.adapt(with(SelfHostedOptions.builder().minP(0.1).build())))
          .hasMessageContaining("minP");
      assertThatThrownBy(() -> Backend.TGI.adapt(with(SelfHostedOptions.builder().repetitionPenalty(1.2).build())))
          .hasMessageContaining("repetitionPenalty").hasMessageContaining("presence_penalty");
      assertThatThrownBy(() -> Backend.TGI.adapt(with(SelfHostedOptions.builder().guidedGrammar("x").build())))
          .hasMessageContaining("guidedGrammar");
    }

    @Test
    void rejectsToolsTogetherWithAnOutputConstraint() {
      ChatRequest r = request().addTool(ToolSpec.of("lookup", "Looks up", SCHEMA))
          .responseFormat(ResponseFormat.jsonSchema("city", SCHEMA)).build();

      assertThatThrownBy(() -> Backend.TGI.adapt(r)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tools");
    }
  }

  @Nested
  class LlamaCpp {

    @Test
    void writesRepeatPenaltyAndGbnfGrammars() throws Exception {
      Map<String, String> sampling = fields(Backend.LLAMA_CPP.adapt(with(SAMPLING)));
      Map<String, String> choice = fields(Backend.LLAMA_CPP.adapt(with(SelfHostedOptions.builder()
          .guidedChoice(List.of("yes", "say \"no\"")).build())));
      Map<String, String> grammar = fields(Backend.LLAMA_CPP.adapt(with(SelfHostedOptions.builder()
          .guidedGrammar("root ::= [0-9]+").build())));

      assertThat(sampling).containsOnlyKeys("top_k", "min_p", "repeat_penalty");
      assertThat(json(choice.get("grammar")).asText()).isEqualTo("root ::= \"yes\" | \"say \\\"no\\\"\"");
      assertThat(json(grammar.get("grammar")).asText()).isEqualTo("root ::= [0-9]+");
    }

    @Test
    void rejectsRegex_sinceItConstrainsByGrammarOnly() {
      assertThatThrownBy(() -> Backend.LLAMA_CPP.adapt(with(SelfHostedOptions.builder().guidedRegex("a+").build())))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GBNF");
    }
  }

  @Nested
  class Common {

    @Test
    void returnsTheRequestItself_whenThereIsNothingToTranslate() {
      ChatRequest r = request().build();

      for (Backend b : List.of(Backend.VLLM, Backend.SGLANG, Backend.TGI, Backend.LLAMA_CPP)) {
        assertThat(b.adapt(r)).as("%s", b).isSameAs(r);
      }
    }

    @Test
    void callersExtraFieldsWin_andOtherOpenAiOptionsSurvive() throws Exception {
      ChatRequest r = request()
          .tag(SelfHostedOptions.class, SAMPLING)
          .tag(OpenAiOptions.class, OpenAiOptions.builder().user("tenant-7").extraField("top_k", "5").build())
          .build();

      ChatRequest adapted = Backend.VLLM.adapt(r);
      ChatCompletionsOptions merged = adapted.tag(ChatCompletionsOptions.class).orElseThrow();

      assertThat(json(merged.extraFields().get("top_k")).asInt()).isEqualTo(5);
      assertThat(merged.extraFields()).containsKeys("min_p", "repetition_penalty");
      assertThat(merged.user()).contains("tenant-7");
      assertThat(adapted.tag(OpenAiOptions.class)).as("replaced by the merged options").isEmpty();
      assertThat(adapted.tag(SelfHostedOptions.class)).contains(SAMPLING);
    }

    @Test
    void rejectsTwoChatCompletionsOptionTags_whoseFieldsWouldCollide() {
      ChatCompletionsOptions other = Backend.VLLM.adapt(with(SAMPLING)).tag(ChatCompletionsOptions.class).orElseThrow();
      ChatRequest r = request()
          .tag(SelfHostedOptions.class, SAMPLING)
          .tag(OpenAiOptions.class, OpenAiOptions.builder().extraField("top_k", "5").build())
          .tag(ChatCompletionsOptions.class, other)
          .build();

      assertThatThrownBy(() -> Backend.VLLM.adapt(r)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 chat-completions option tags").hasMessageContaining("OpenAiOptions");
    }

    @Test
    void rejectsAGuidedConstraintTogetherWithAJsonResponseFormat_onEveryBackend() {
      ChatRequest r = request().responseFormat(ResponseFormat.JSON_OBJECT)
          .tag(SelfHostedOptions.class, SelfHostedOptions.builder().guidedChoice(List.of("a")).build()).build();

      for (Backend b : List.of(Backend.VLLM, Backend.SGLANG, Backend.TGI, Backend.LLAMA_CPP)) {
        assertThatThrownBy(() -> b.adapt(r)).as("%s", b).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("both");
      }
    }

    @Test
    void findsBackendsByName() {
      assertThat(Backend.of("vLLM")).isSameAs(Backend.VLLM);
      assertThat(Backend.of("sglang")).isSameAs(Backend.SGLANG);
      assertThat(Backend.of("text-generation-inference")).isSameAs(Backend.TGI);
      assertThat(Backend.of("llamacpp")).isSameAs(Backend.LLAMA_CPP);
      assertThat(Backend.of("llama.cpp").name()).isEqualTo("llama.cpp");
      assertThatThrownBy(() -> Backend.of("ollama")).hasMessageContaining("vllm, sglang, tgi, llama.cpp");
    }

    @Test
    void profilesNameTheirEndpointsAndSeries() {
      assertThat(Backend.VLLM.healthPath()).isEqualTo("/health");
      assertThat(Backend.VLLM.modelsPath()).isEqualTo("/v1/models");
      assertThat(Backend.VLLM.metricsPath()).isEqualTo("/metrics");
      assertThat(Backend.VLLM.kvCacheUsageSeries())
          .containsExactly("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc");
      assertThat(Backend.SGLANG.waitingSeries()).containsExactly("sglang:num_queue_reqs");
      assertThat(Backend.TGI.runningSeries()).containsExactly("tgi_batch_current_size");
      assertThat(Backend.LLAMA_CPP.waitingSeries()).containsExactly("llamacpp:requests_deferred");
      assertThat(Backend.VLLM.capabilities().tools()).contains(true);
      assertThat(Backend.TGI.capabilities().tools()).isEmpty();
    }

    @Test
    void optionsValidateAndNameTheField() {
      assertThatThrownBy(() -> SelfHostedOptions.builder().topK(0).build()).hasMessageContaining("topK");
      assertThatThrownBy(() -> SelfHostedOptions.builder().minP(1.5).build()).hasMessageContaining("minP");
      assertThatThrownBy(() -> SelfHostedOptions.builder().repetitionPenalty(0.0).build())
          .hasMessageContaining("repetitionPenalty");
      assertThatThrownBy(() -> SelfHostedOptions.builder().guidedRegex("a").guidedGrammar("b").build())
          .hasMessageContaining("at most one");
      SelfHostedOptions o = SelfHostedOptions.builder().topK(3).guidedRegex("secret-pattern").build();
      assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
      assertThat(o.toString()).contains("topK=3").doesNotContain("secret-pattern");
    }

    @Test
    void provider_failsAnUnsupportedOptionAsInvalidRequest_withoutSendingAnything() {
      ManualClock scheduler = new ManualClock();
      try (SelfHostedProvider tgi = SelfHostedProvider.builder().backend(Backend.TGI)
          .replica("http://127.0.0.1:9").scheduler(scheduler).ticker(scheduler)
          .timeout(Duration.ofSeconds(2)).build()) {
        CompletableFuture<ChatResponse> call = tgi.chat(with(SelfHostedOptions.builder().topK(5).build()));

        assertThat(call).isCompletedExceptionally();
        assertThatThrownBy(call::join).isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("topK").hasMessageContaining("tgi").hasMessageContaining("test-model");
        assertThat(tgi.replicas().get(0).inFlight()).isZero();
        assertThatThrownBy(() -> tgi.stream(with(SelfHostedOptions.builder().topK(5).build())).collect())
            .isInstanceOf(InvalidRequestException.class);
      }
    }
  }
}
