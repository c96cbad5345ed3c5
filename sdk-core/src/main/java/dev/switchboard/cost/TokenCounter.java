package dev.switchboard.cost;

import dev.switchboard.ChatRequest;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.TokenEstimates;

/**
 * Counts the input tokens a request will be billed for on a model, before it is sent: what
 * budgets reserve and cost estimates price ({@link ModelPrice#estimate(ChatRequest, long)}).
 * Implementations must be thread-safe and fast (they run on every call that a budget checks).
 */
@FunctionalInterface
public interface TokenCounter {

  /** About four characters a token, an image about 250 ({@link TokenEstimates}); no tokenizer. */
  TokenCounter ESTIMATE = (model, request) -> TokenEstimates.input(request);

  long inputTokens(ModelRef model, ChatRequest request);

  /**
   * Counts with OpenAI's tokenizers through JTokkit ({@code com.knuddels:jtokkit}, an optional
   * dependency: add it to use this): the encoding of the model's name where JTokkit knows it
   * ({@code gpt-4o} → o200k_base, {@code gpt-4} → cl100k_base), else o200k_base — exact for
   * OpenAI's models, a closer estimate than {@link #ESTIMATE} for others (their tokenizers
   * differ). Text and tool definitions are tokenized; each message adds OpenAI's framing of 3
   * tokens and its role's, and the reply's priming 3 more; images count about 250 tokens. Throws {@link
   * IllegalStateException} when JTokkit is not on the class path.
   */
  static TokenCounter tiktoken() {
    return TiktokenCounter.create();
  }
}
