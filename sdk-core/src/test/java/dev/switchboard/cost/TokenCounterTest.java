package dev.switchboard.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.route.ModelRef;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
  private final TokenCounter tiktoken = TokenCounter.tiktoken();

  @Test
  void countsLikeOpenAi_framingRoleAndText() {
    ChatRequest hello = ChatRequest.of("openai/gpt-4o", "Hello, world!");
    // 3 per message + "user" (1) + "Hello", ",", " world", "!" (4) + 3 for the reply's priming
    assertThat(tiktoken.inputTokens(new ModelRef("openai", "gpt-4o"), hello)).isEqualTo(11);
    assertThat(TokenCounter.ESTIMATE.inputTokens(new ModelRef("openai", "gpt-4o"), hello))
        .as("the estimate: (4 + 13 chars + 3) / 4").isEqualTo(5);
  }

  @Test
  void theModelsEncodingDecides_o200kForGpt4o_cl100kForGpt4() {
    String text = "Switchboard routes bulk traffic to cheaper models and hard queries to a premium one. "
        .repeat(20);
    ChatRequest r = ChatRequest.of("m", text);
    long o200k = tiktoken.inputTokens(new ModelRef("openai", "gpt-4o"), r);
    long cl100k = tiktoken.inputTokens(new ModelRef("openai", "gpt-4"), r);
    long unknown = tiktoken.inputTokens(new ModelRef("deepseek", "deepseek-v4-flash"), r);
    assertThat(o200k).isBetween(300L, 400L);
    assertThat(cl100k).isBetween(300L, 400L);
    assertThat(unknown).as("an unknown model is counted with o200k_base").isEqualTo(o200k);
  }

  @Test
  void aBudgetReservesWhatTheTokenizerCounts() {
    ModelPrice price = ModelPrice.of(1_000_000, 0); // $1 per input token
    ChatRequest hello = ChatRequest.builder().model("openai/gpt-4o").user("Hello, world!").maxOutputTokens(1).build();
    long counted = tiktoken.inputTokens(new ModelRef("openai", "gpt-4o"), hello);
    assertThat(price.estimate(hello, counted).worstCase()).isEqualByComparingTo("11");
  }
}
