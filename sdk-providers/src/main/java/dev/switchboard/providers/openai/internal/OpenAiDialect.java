package dev.switchboard.providers.openai.internal;

import dev.switchboard.providers.openai.Quirk;
import java.util.Set;

/**
 * The request-side switches of one OpenAI-compatible server, derived once from its {@link Quirk}s:
 * what {@link OpenAiRequestWriter} writes differently. Immutable and thread-safe. Not API.
 *
 * @param maxCompletionTokens the output limit as {@code max_completion_tokens} instead of {@code max_tokens}
 * @param streamUsageOption streams ask for usage with {@code stream_options.include_usage}
 * @param messageNames {@code messages[].name} is written
 * @param thinking how {@code OpenAiOptions.thinking} is written
 * @param noThinkingWithoutStream non-streamed calls send {@code enable_thinking: false} unless set
 * @param vendor the vendor's name, for messages
 */
public record OpenAiDialect(boolean maxCompletionTokens, boolean streamUsageOption, boolean messageNames,
    Thinking thinking, boolean noThinkingWithoutStream, String vendor) {

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

  /** The dialect of a vendor with {@code quirks}; {@code maxCompletionTokens} may override the vendor's choice. */
  public static OpenAiDialect of(Set<Quirk> quirks, Boolean maxCompletionTokens, String vendor) {
    Thinking thinking = Thinking.NONE;
    if (quirks.contains(Quirk.THINKING_AS_ENABLE_THINKING)) {
      thinking = Thinking.ENABLE_THINKING;
    } else if (quirks.contains(Quirk.THINKING_AS_TYPE_OBJECT)) {
      thinking = Thinking.TYPE_OBJECT;
    } else if (quirks.contains(Quirk.THINKING_AS_REASONING_OBJECT)) {
      thinking = Thinking.REASONING_OBJECT;
    } else if (quirks.contains(Quirk.THINKING_AS_CHAT_TEMPLATE_KWARGS)) {
      thinking = Thinking.CHAT_TEMPLATE_KWARGS;
    }
    return new OpenAiDialect(
        maxCompletionTokens != null ? maxCompletionTokens : quirks.contains(Quirk.MAX_COMPLETION_TOKENS),
        quirks.contains(Quirk.STREAM_USAGE_OPTION),
        !quirks.contains(Quirk.NO_MESSAGE_NAME),
        thinking,
        quirks.contains(Quirk.NO_THINKING_WITHOUT_STREAM),
        vendor);
  }

  /** A generic server's dialect with the given output-limit name. */
  public static OpenAiDialect generic(boolean maxCompletionTokens) {
    return new OpenAiDialect(maxCompletionTokens, true, true, Thinking.CHAT_TEMPLATE_KWARGS, false, "GENERIC");
  }
}
