package dev.switchboard.providers.compat.internal;

/**
 * The request-side switches of one OpenAI-compatible server: what {@link
 * ChatCompletionsRequestWriter} writes differently. The OpenAI provider derives it from its
 * vendor's quirks; the self-hosted provider uses {@link #generic}. Immutable and thread-safe. Not
 * API.
 *
 * @param maxCompletionTokens the output limit as {@code max_completion_tokens} instead of {@code max_tokens}
 * @param streamUsageOption streams ask for usage with {@code stream_options.include_usage}
 * @param messageNames {@code messages[].name} is written
 * @param thinking how {@code ChatCompletionsOptions.thinking} is written
 * @param noThinkingWithoutStream non-streamed calls send {@code enable_thinking: false} unless set
 * @param vendor the vendor's name, for messages
 * @param reasoningOnToolTurns assistant turns that called tools carry their reasoning back as {@code
 *     reasoning_content} (DeepSeek's thinking mode requires it; other turns never carry it)
 */
public record ChatCompletionsDialect(boolean maxCompletionTokens, boolean streamUsageOption, boolean messageNames,
    Thinking thinking, boolean noThinkingWithoutStream, String vendor, boolean reasoningOnToolTurns) {

  public ChatCompletionsDialect(boolean maxCompletionTokens, boolean streamUsageOption, boolean messageNames,
      Thinking thinking, boolean noThinkingWithoutStream, String vendor) {
    this(maxCompletionTokens, streamUsageOption, messageNames, thinking, noThinkingWithoutStream, vendor, false);
  }

  /** Where the thinking switch goes. */
  public enum Thinking {
    /** The vendor has no switch; setting one is an invalid request. */
    NONE,
    /** {@code "enable_thinking": bool} */
    ENABLE_THINKING,
    /** {@code "thinking": {"type": "enabled"|"disabled"}} */
    TYPE_OBJECT,
    /** {@code "reasoning": {"enabled": bool}} */
    REASONING_OBJECT,
    /** {@code "chat_template_kwargs": {"enable_thinking": bool}} */
    CHAT_TEMPLATE_KWARGS
  }

  /**
   * A generic server's dialect (vLLM, SGLang, TGI, llama.cpp, LM Studio, gateways): usage asked
   * for in streams, {@code messages[].name} kept, thinking through {@code chat_template_kwargs},
   * with the given output-limit name.
   */
  public static ChatCompletionsDialect generic(boolean maxCompletionTokens) {
    return new ChatCompletionsDialect(maxCompletionTokens, true, true, Thinking.CHAT_TEMPLATE_KWARGS, false,
        "GENERIC");
  }
}
