package dev.switchboard.providers.openai;

/**
 * One named way in which a server that speaks the OpenAI chat-completions protocol differs from
 * OpenAI. A {@link Vendor} switches on the quirks of its servers ({@link Vendor#quirks()}); the
 * quirks marked <em>always on</em> are tolerated from every server, because tolerating them costs
 * nothing where they do not occur. Each quirk has a test in this package; docs/providers.md has the
 * table of which vendor shows which quirk, with sources and open questions.
 *
 * <p>Immutable and thread-safe, as enums are.
 */
public enum Quirk {
  // ---- switched per vendor: what is written on the wire ----

  /**
   * The output limit goes out as {@code max_completion_tokens}, OpenAI's current name (its reasoning
   * models accept no other); without this quirk it goes out as {@code max_tokens}, the only name
   * most compatible servers (Together, vLLM, TGI, llama.cpp) know.
   */
  MAX_COMPLETION_TOKENS(false),

  /**
   * Streams ask for usage with {@code stream_options.include_usage}. DashScope reports usage in a
   * stream only when asked this way; vendors without this quirk either report usage unasked (GLM,
   * OpenRouter) or are not known to accept the field.
   */
  STREAM_USAGE_OPTION(false),

  /** The API key goes in an {@code api-key} header instead of {@code Authorization: Bearer} (Azure OpenAI). */
  API_KEY_HEADER(false),

  /**
   * The model names an Azure deployment: requests go to {@code
   * {baseUrl}/openai/deployments/{model}/chat/completions} (or {@code /embeddings}) with the {@code
   * api-version} query parameter, instead of {@code {baseUrl}/chat/completions}.
   */
  DEPLOYMENT_IN_PATH(false),

  /** {@code messages[].name} is left out: Groq answers 400 when it is present. */
  NO_MESSAGE_NAME(false),

  /** {@link OpenAiOptions#thinking()} goes out as the top-level {@code enable_thinking} flag (DashScope). */
  THINKING_AS_ENABLE_THINKING(false),

  /** {@link OpenAiOptions#thinking()} goes out as {@code thinking: {"type": "enabled"|"disabled"}} (GLM, DeepSeek). */
  THINKING_AS_TYPE_OBJECT(false),

  /** {@link OpenAiOptions#thinking()} goes out as {@code reasoning: {"enabled": ...}} (OpenRouter). */
  THINKING_AS_REASONING_OBJECT(false),

  /**
   * {@link OpenAiOptions#thinking()} goes out as {@code chat_template_kwargs: {"enable_thinking":
   * ...}}, which vLLM and SGLang pass to the chat template of hybrid-thinking models (Qwen3).
   */
  THINKING_AS_CHAT_TEMPLATE_KWARGS(false),

  /**
   * Calls that are not streamed send {@code enable_thinking: false} unless {@link
   * OpenAiOptions#thinking()} says otherwise: DashScope rejects thinking on non-streamed calls
   * ("parameter.enable_thinking must be set to false for non-streaming calls") for the Qwen3 models
   * that think by default.
   */
  NO_THINKING_WITHOUT_STREAM(false),

  /**
   * Error bodies carry the vendor's own numeric business code as a string in {@code error.code}
   * (GLM/Zhipu: {@code 1301} content filter, {@code 1113} account in arrears, {@code 1211} no such
   * model, {@code 1261} prompt too long, {@code 1302} too much concurrency, {@code 1000}-{@code
   * 1004} authentication), which decides the exception over the HTTP status.
   */
  BUSINESS_ERROR_CODES(false),

  /**
   * Reasoning arrives inside the content as {@code <think>…</think>} at the start of the answer
   * (DeepSeek-R1 on Together, Qwen3 or R1 on vLLM or SGLang started without a reasoning parser): it
   * is split off into {@code ChatResponse.reasoning()} and {@code ReasoningDelta} events, also when
   * a tag is cut across two stream chunks. Content that does not open with the tag is untouched.
   */
  THINK_TAGS(false),

  /**
   * An assistant turn that called tools carries its reasoning back as {@code reasoning_content}
   * (the text of {@code Message.thinking()}): DeepSeek's thinking mode answers 400 when a tool
   * loop leaves it out. Turns without tool calls never carry it (see {@link #NO_REASONING_ECHO}).
   */
  REASONING_ON_TOOL_TURNS(false),

  // ---- always on: tolerated from every server ----

  /**
   * Reasoning arrives as {@code reasoning_content} (DeepSeek, Qwen, GLM) or {@code reasoning} (vLLM,
   * OpenRouter) next to {@code content}, in answers and stream deltas.
   */
  REASONING_CONTENT(true),

  /**
   * Reasoning is never sent back in later assistant turns: the DeepSeek reasoner answers 400 when
   * {@code reasoning_content} is in the input messages. ({@link dev.switchboard.Message} carries no
   * reasoning, and extra fields cannot reach into {@code messages}.)
   */
  NO_REASONING_ECHO(true),

  /**
   * Prompt-cache usage as {@code prompt_cache_hit_tokens} / {@code prompt_cache_miss_tokens}
   * (DeepSeek) instead of {@code prompt_tokens_details.cached_tokens}; the input is their sum when
   * {@code prompt_tokens} is missing.
   */
  CACHE_HIT_MISS_USAGE(true),

  /**
   * An error inside a 200 stream as a chunk with an {@code error} object, possibly next to {@code
   * choices} with {@code finish_reason: "error"} (OpenRouter), or as an {@code event: error}.
   */
  ERROR_IN_STREAM(true),

  /** Extra usage fields such as {@code cost}, {@code cost_details} and {@code is_byok} (OpenRouter) are ignored. */
  USAGE_COST(true),

  /** Usage in {@code x_groq.usage} of the last chunk instead of a top-level {@code usage} (Groq). */
  X_GROQ_USAGE(true),

  /** SSE comment lines used as keep-alives, e.g. {@code : OPENROUTER PROCESSING}, are skipped. */
  SSE_COMMENTS(true),

  /**
   * Error bodies in other shapes: {@code {"error":"text"}}, flat {@code {"message","code","type"}}
   * (TEI, some vLLM versions), {@code {"detail":...}}, or HTML from a proxy.
   */
  ERROR_BODY_SHAPES(true),

  /**
   * Content-filter rejections under other names: {@code data_inspection_failed} (DashScope), {@code
   * content_filter} (Azure OpenAI, also as a stream {@code finish_reason}).
   */
  CONTENT_FILTER_CODES(true);

  private final boolean alwaysOn;

  Quirk(boolean alwaysOn) {
    this.alwaysOn = alwaysOn;
  }

  /** True for quirks tolerated from every server; false for those a {@link Vendor} switches on. */
  public boolean isAlwaysOn() {
    return alwaysOn;
  }
}
