package dev.switchboard.providers.openai.internal;

import dev.switchboard.providers.compat.internal.ChatCompletionsDialect;
import dev.switchboard.providers.compat.internal.ChatCompletionsDialect.Thinking;
import dev.switchboard.providers.openai.Quirk;
import java.util.Set;

/**
 * The {@link ChatCompletionsDialect} a vendor's {@link Quirk}s amount to: the one place that turns
 * the public quirk names into the shared wire code's switches. Stateless and thread-safe. Not API.
 */
public final class QuirkDialects {
  private QuirkDialects() {}

  /** The dialect of a vendor with {@code quirks}; {@code maxCompletionTokens} may override the vendor's choice. */
  public static ChatCompletionsDialect of(Set<Quirk> quirks, Boolean maxCompletionTokens, String vendor) {
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
    return new ChatCompletionsDialect(
        maxCompletionTokens != null ? maxCompletionTokens : quirks.contains(Quirk.MAX_COMPLETION_TOKENS),
        quirks.contains(Quirk.STREAM_USAGE_OPTION),
        !quirks.contains(Quirk.NO_MESSAGE_NAME),
        thinking,
        quirks.contains(Quirk.NO_THINKING_WITHOUT_STREAM),
        vendor,
        quirks.contains(Quirk.REASONING_ON_TOOL_TURNS));
  }
}
