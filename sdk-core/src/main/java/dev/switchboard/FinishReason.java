package dev.switchboard;

/** Why the model stopped, normalized across providers; the provider's own word is kept on the response. */
public enum FinishReason {
  /** Natural end or a stop sequence. */
  STOP,
  /** The output token limit was reached. */
  LENGTH,
  /** The model asked for one or more tool calls. */
  TOOL_CALLS,
  /** Output was withheld by the provider's content filter. */
  CONTENT_FILTER,
  /** The model refused. */
  REFUSAL,
  /** Anything else; see {@link ChatResponse#rawFinishReason()}. */
  OTHER;

  /** Maps OpenAI- and Anthropic-style words; unknown words become {@link #OTHER}. */
  public static FinishReason fromProviderWord(String word) {
    if (word == null) {
      return OTHER;
    }
    switch (word) {
      case "stop":
      case "end_turn":
      case "stop_sequence":
      case "eos":
        return STOP;
      case "length":
      case "max_tokens":
      case "model_context_window_exceeded":
        return LENGTH;
      case "tool_calls":
      case "function_call":
      case "tool_use":
        return TOOL_CALLS;
      case "content_filter":
        return CONTENT_FILTER;
      case "refusal":
        return REFUSAL;
      default:
        return OTHER;
    }
  }
}
