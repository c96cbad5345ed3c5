package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {
  record Tenant(String id) {}

  @Test
  void chatRequest_isAValue_withTypedTags() {
    ChatRequest a = ChatRequest.builder().model("openai/gpt-4o").system("be brief").user("hi")
        .temperature(0.2).tag(Tenant.class, new Tenant("acme")).build();
    ChatRequest b = a.toBuilder().build();
    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.tag(Tenant.class)).contains(new Tenant("acme"));
    assertThat(a.tag(String.class)).isEmpty();
    assertThat(a.toBuilder().tag(Tenant.class, null).build().tags()).isEmpty();
    assertThat(a.toString()).contains("openai/gpt-4o", "Tenant").doesNotContain("be brief");
  }

  @Test
  void exceptions_areRetryableByType_unlessTheirDetailsSayOtherwise() {
    ErrorDetails unstated = ErrorDetails.of("p", "m");
    assertThat(unstated.retryable()).isEmpty();
    assertThat(new RateLimitException("x", unstated).isRetryable()).isTrue();
    assertThat(new OverloadedException("x", unstated).isRetryable()).isTrue();
    assertThat(new ServerException("x", unstated).isRetryable()).isTrue();
    assertThat(new ChatTimeoutException("x", unstated).isRetryable()).isTrue();
    assertThat(new TransportException("x", unstated).isRetryable()).isTrue();
    assertThat(new InvalidRequestException("x", unstated).isRetryable()).isFalse();
    assertThat(new AuthenticationException("x", unstated).isRetryable()).isFalse();
    assertThat(new ChatException("x", unstated).isRetryable()).isFalse();

    ErrorDetails notRetryable = unstated.toBuilder().retryable(false).build();
    assertThat(new RateLimitException("too large", notRetryable).isRetryable()).isFalse();
    assertThat(new ChatException("x", unstated.toBuilder().retryable(true).build()).isRetryable()).isTrue();
    assertThat(new OverloadedException("x", unstated).withAttempts(java.util.List.of()))
        .isExactlyInstanceOf(OverloadedException.class);
    assertThat(unstated.toString()).doesNotContain("retryable");
    assertThat(unstated.statusInBody()).isEmpty();
    ErrorDetails inStream = unstated.toBuilder().statusCode(200).statusInBody(529).build();
    assertThat(inStream.statusInBody()).hasValue(529);
    assertThat(inStream.toBuilder().build().statusInBody()).hasValue(529);
    assertThat(inStream.toString()).contains("status=200, statusInBody=529");
    assertThat(notRetryable.toString()).contains("retryable=false");
  }

  @Test
  void message_carriesThinking_onlyOnAssistantTurns() {
    Message.Thinking signed = new Message.Thinking("why", "sig", null);
    Message m = Message.assistant("a").toBuilder().addThinking(signed).addThinking(Message.Thinking.redacted("x"))
        .build();
    assertThat(m.thinking()).containsExactly(signed, Message.Thinking.redacted("x"));
    assertThat(m.toBuilder().build()).isEqualTo(m).isNotEqualTo(Message.assistant("a"));
    assertThat(m.toString()).contains("thinking=2").doesNotContain("why").doesNotContain("sig");
    assertThat(Message.Thinking.redacted("x").toString()).isEqualTo("Thinking[redacted]");
    assertThatThrownBy(() -> Message.builder(Role.USER).text("u").addThinking(signed).build())
        .hasMessageContaining("only an ASSISTANT message carries thinking");
    ChatResponse r = ChatResponse.builder().text("a").addThinking(signed).build();
    assertThat(r.message().thinking()).containsExactly(signed);
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }

  @Test
  void usage_tellsAReportedZeroFromAnAbsentPart() {
    Usage plain = Usage.of(10, 5);
    Usage zeroCached = Usage.builder().inputTokens(10).cachedInputTokens(0).outputTokens(5).build();
    assertThat(plain.reported(Usage.Part.CACHED_INPUT)).isFalse();
    assertThat(zeroCached.reported(Usage.Part.CACHED_INPUT)).isTrue();
    assertThat(zeroCached.toBuilder().build().reported(Usage.Part.CACHED_INPUT)).isTrue();
    assertThat(plain.toBuilder().build().reported(Usage.Part.CACHED_INPUT)).isFalse();
    assertThat(plain.plus(zeroCached).reported(Usage.Part.CACHED_INPUT)).isTrue();
    assertThat(plain).isEqualTo(zeroCached);
  }

  @Test
  void choices_ofARequestAndOfAResponse() {
    ChatRequest one = ChatRequest.of("a/b", "x");
    assertThat(one.choices()).isEqualTo(1);
    ChatRequest three = one.toBuilder().choices(3).build();
    assertThat(three.choices()).isEqualTo(3);
    assertThat(three).isNotEqualTo(one);
    assertThat(three.withModel("c/d").choices()).isEqualTo(3);
    assertThat(three.toString()).contains("choices=3");
    assertThatThrownBy(() -> one.toBuilder().choices(0).build()).hasMessage("ChatRequest.choices must be within [1, 128], got 0");

    ChatResponse single = ChatResponse.builder().text("a").build();
    assertThat(single.choices()).extracting(ChatResponse.Choice::text).containsExactly("a");
    ChatResponse both = single.toBuilder().addChoice(new ChatResponse.Choice(1, Message.assistant("b"), null,
        FinishReason.LENGTH)).build();
    assertThat(both.choices()).extracting(ChatResponse.Choice::text).containsExactly("a", "b");
    assertThat(both.withProvider("p").choices()).hasSize(2);
    assertThat(both.toBuilder().build()).isEqualTo(both).isNotEqualTo(single);
    assertThatThrownBy(() -> ChatResponse.builder().addChoice(new ChatResponse.Choice(0, Message.assistant("x"), null,
        FinishReason.STOP))).hasMessageContaining("choices 1 and up");
  }

  @Test
  void chatRequest_build_namesTheBadField() {
    assertThatThrownBy(() -> ChatRequest.builder().user("x").build()).hasMessageContaining("ChatRequest.model");
    assertThatThrownBy(() -> ChatRequest.builder().model("a/b").build()).hasMessageContaining("messages is empty");
    assertThatThrownBy(() -> ChatRequest.builder().model("a/b").user("x").temperature(3.0).build())
        .hasMessageContaining("temperature must be within [0, 2], got 3.0");
    assertThatThrownBy(() -> ChatRequest.builder().model("a/b").user("x").maxOutputTokens(0).build())
        .hasMessageContaining("maxOutputTokens must be > 0");
    assertThatThrownBy(() -> ChatRequest.builder().model("a/b").user("x").timeout(Duration.ZERO).build())
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> ChatRequest.builder().model("a/b").user("x").toolChoice(ToolChoice.REQUIRED).build())
        .hasMessageContaining("needs at least one tool");
  }

  @Test
  void toolSpec_andResponseFormat_validateTheirJson() {
    assertThatThrownBy(() -> ToolSpec.of("get weather", "", "{}")).hasMessageContaining("ToolSpec name");
    assertThatThrownBy(() -> ToolSpec.of("w", "", "{not json")).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ToolSpec.of("w", "", "[1]")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> ResponseFormat.jsonSchema("r", "nope")).hasMessageContaining("'r' jsonSchema");
    assertThat(ResponseFormat.jsonSchema("r", "{\"type\":\"object\"}").strict()).isTrue();
  }

  @Test
  void message_rules() {
    assertThatThrownBy(() -> Message.builder(Role.TOOL).text("x").build()).hasMessageContaining("toolCallId");
    assertThatThrownBy(() -> Message.builder(Role.SYSTEM).part(ContentPart.imageBytes(new byte[] {1}, "image/png")).build())
        .hasMessageContaining("images belong in USER");
    Message m = Message.user(ContentPart.text("what is "), ContentPart.imageUrl(java.net.URI.create("https://x/y.png")),
        ContentPart.text("this?"));
    assertThat(m.text()).isEqualTo("what is this?");
    assertThat(m.hasImages()).isTrue();
    assertThat(m.toBuilder().build()).isEqualTo(m);
  }

  @Test
  void usage_partsMustFitInWholes_andAddUp() {
    Usage u = Usage.builder().inputTokens(100).cachedInputTokens(60).cacheWriteInputTokens(10)
        .outputTokens(50).reasoningTokens(20).build();
    assertThat(u.uncachedInputTokens()).isEqualTo(30);
    assertThat(u.plus(Usage.of(1, 1)).totalTokens()).isEqualTo(152);
    assertThatThrownBy(() -> Usage.builder().inputTokens(10).cachedInputTokens(11).build())
        .hasMessageContaining("inputTokens must include cache tokens");
    assertThatThrownBy(() -> Usage.builder().outputTokens(1).reasoningTokens(2).build())
        .hasMessageContaining("outputTokens must include reasoning tokens");
  }

  @Test
  void finishReason_mapsProviderWords() {
    assertThat(FinishReason.fromProviderWord("end_turn")).isEqualTo(FinishReason.STOP);
    assertThat(FinishReason.fromProviderWord("max_tokens")).isEqualTo(FinishReason.LENGTH);
    assertThat(FinishReason.fromProviderWord("tool_use")).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(FinishReason.fromProviderWord("weird")).isEqualTo(FinishReason.OTHER);
  }

  @Test
  void secret_neverShowsItsValue() {
    String canary = "sk-canary-0123456789abcdef";
    Secret s = Secret.of(canary);
    assertThat(s.toString()).doesNotContain(canary).contains("****");
    assertThat(s.redact("key " + canary + " rejected")).isEqualTo("key **** rejected");
    assertThat(Secret.fromEnv("SWITCHBOARD_SURELY_UNSET_VAR").isPresent()).isFalse();
    assertThat(Secret.fromEnv("X").toString()).contains("env:X");
  }

  @Test
  void withers_changeOneThing_shareTheRest_andReturnTheSameObjectWhenNothingChanges() {
    ChatRequest request = ChatRequest.builder().model("openai/gpt-4o").addMessage(Message.user("hi"))
        .temperature(0.2).tag(String.class, "tenant-a").build();
    ChatRequest moved = request.withModel("gpt-4o");
    assertThat(moved.model()).isEqualTo("gpt-4o");
    assertThat(moved.messages()).isSameAs(request.messages());
    assertThat(moved.tag(String.class)).contains("tenant-a");
    assertThat(moved.temperature()).isEqualTo(request.temperature());
    assertThat(moved).isEqualTo(request.toBuilder().model("gpt-4o").build());
    assertThat(request.withModel("openai/gpt-4o")).isSameAs(request);
    assertThatThrownBy(() -> request.withModel(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ChatRequest.model is required");

    ChatResponse response = ChatResponse.builder().id("r").model("m").text("Paris").usage(Usage.of(3, 1)).build();
    Attempt attempt = new Attempt("openai", "m", 200, Duration.ofMillis(5), Usage.of(3, 1), java.util.Optional.empty());
    ChatResponse attributed = response.withProvider("openai").withAttempts(java.util.List.of(attempt));
    assertThat(attributed.provider()).isEqualTo("openai");
    assertThat(attributed.attempts()).containsExactly(attempt);
    assertThat(attributed.text()).isEqualTo("Paris");
    assertThat(attributed.usage()).isEqualTo(response.usage());
    assertThat(attributed).isEqualTo(response.toBuilder().provider("openai").addAttempt(attempt).build());
    assertThat(attributed.withProvider("openai")).isSameAs(attributed);
    assertThat(attributed.withAttempts(java.util.List.of(attempt))).isSameAs(attributed);
  }
}
