package dev.switchboard.providers.openai;

import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who serves an OpenAI-compatible endpoint, and so which {@link Quirk}s {@link OpenAiProvider}
 * switches on, which base URL it defaults to and which environment variables {@link
 * OpenAiProvider#fromEnv(Vendor)} reads.
 *
 * <pre>{@code
 * OpenAiProvider deepseek = OpenAiProvider.fromEnv(Vendor.DEEPSEEK);          // "deepseek/deepseek-chat"
 * OpenAiProvider qwen = OpenAiProvider.builder().vendor(Vendor.QWEN)           // "qwen/qwen-plus"
 *     .apiKey(Secret.fromEnv("DASHSCOPE_API_KEY")).build();
 * }</pre>
 *
 * <p>Without {@link OpenAiProvider.Builder#vendor}, the vendor is recognized from the base URL's
 * host ({@link #detect}), and anything unknown is {@link #GENERIC}. Immutable and thread-safe, as
 * enums are.
 */
public enum Vendor {
  /** OpenAI's own API. */
  OPENAI("openai", "https://api.openai.com/v1", "OPENAI",
      Quirk.MAX_COMPLETION_TOKENS, Quirk.STREAM_USAGE_OPTION),

  /**
   * Azure OpenAI. The base URL is the resource endpoint, e.g. {@code
   * https://my-resource.openai.azure.com}; the model of a request names the deployment; {@code
   * api-version} defaults to {@value OpenAiProvider#AZURE_API_VERSION}. Environment: {@code
   * AZURE_OPENAI_ENDPOINT}, {@code AZURE_OPENAI_API_KEY}, {@code OPENAI_API_VERSION}.
   */
  AZURE_OPENAI("azure", null, "AZURE_OPENAI",
      Quirk.MAX_COMPLETION_TOKENS, Quirk.STREAM_USAGE_OPTION, Quirk.API_KEY_HEADER, Quirk.DEPLOYMENT_IN_PATH),

  /** DeepSeek ({@code deepseek-chat}, {@code deepseek-reasoner}). */
  DEEPSEEK("deepseek", "https://api.deepseek.com", "DEEPSEEK",
      Quirk.STREAM_USAGE_OPTION, Quirk.THINKING_AS_TYPE_OBJECT, Quirk.REASONING_ON_TOOL_TURNS),

  /**
   * Qwen on Alibaba Cloud Model Studio (DashScope) in compatible mode. The default is the
   * international endpoint; the mainland one is {@code
   * https://dashscope.aliyuncs.com/compatible-mode/v1}, with its own keys. Environment: {@code
   * DASHSCOPE_API_KEY}, {@code DASHSCOPE_BASE_URL}.
   */
  QWEN("qwen", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE",
      Quirk.STREAM_USAGE_OPTION, Quirk.THINKING_AS_ENABLE_THINKING, Quirk.NO_THINKING_WITHOUT_STREAM),

  /**
   * GLM on Zhipu's open platform. The default is {@code open.bigmodel.cn}; Z.ai's international
   * endpoint is {@code https://api.z.ai/api/paas/v4}. Environment: {@code ZHIPUAI_API_KEY}, {@code
   * ZHIPUAI_BASE_URL}.
   */
  GLM("glm", "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI",
      Quirk.THINKING_AS_TYPE_OBJECT, Quirk.BUSINESS_ERROR_CODES),

  /**
   * OpenRouter. Model names carry their own vendor, as in {@code "openrouter/openai/gpt-4o"};
   * routing preferences go in the {@code provider} body field ({@code
   * OpenAiOptions.extraField("provider", ...)}); {@link OpenAiProvider.Builder#appAttribution} sets
   * the {@code HTTP-Referer} and {@code X-Title} headers.
   */
  OPENROUTER("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER",
      Quirk.THINKING_AS_REASONING_OBJECT),

  /** Groq. */
  GROQ("groq", "https://api.groq.com/openai/v1", "GROQ",
      Quirk.STREAM_USAGE_OPTION, Quirk.NO_MESSAGE_NAME),

  /** Together AI: the output limit only as {@code max_tokens}. */
  TOGETHER("together", "https://api.together.xyz/v1", "TOGETHER", Quirk.THINK_TAGS),

  /**
   * Any other OpenAI-compatible server, e.g. vLLM, SGLang, llama.cpp, LM Studio or a gateway:
   * {@code max_tokens}, usage asked for in streams, thinking through {@code chat_template_kwargs}.
   * It has no default base URL.
   */
  GENERIC("openai", null, "OPENAI",
      Quirk.STREAM_USAGE_OPTION, Quirk.THINKING_AS_CHAT_TEMPLATE_KWARGS, Quirk.THINK_TAGS);

  private final String defaultName;
  private final String defaultBaseUrl;
  private final String envPrefix;
  private final Set<Quirk> quirks;

  Vendor(String defaultName, String defaultBaseUrl, String envPrefix, Quirk... quirks) {
    this.defaultName = defaultName;
    this.defaultBaseUrl = defaultBaseUrl;
    this.envPrefix = envPrefix;
    EnumSet<Quirk> set = EnumSet.noneOf(Quirk.class);
    Collections.addAll(set, quirks);
    this.quirks = Collections.unmodifiableSet(set);
  }

  /** The provider name a builder with this vendor defaults to, e.g. {@code "deepseek"}. */
  public String defaultName() {
    return defaultName;
  }

  /** The base URL a builder with this vendor defaults to; empty for Azure and generic servers. */
  public Optional<String> defaultBaseUrl() {
    return Optional.ofNullable(defaultBaseUrl);
  }

  /**
   * The environment variable {@link OpenAiProvider#fromEnv(Vendor)} reads the API key from, e.g.
   * {@code DEEPSEEK_API_KEY}.
   */
  public String apiKeyEnv() {
    return envPrefix + "_API_KEY";
  }

  /**
   * The environment variable {@link OpenAiProvider#fromEnv(Vendor)} reads the base URL from, e.g.
   * {@code DEEPSEEK_BASE_URL}; for Azure {@code AZURE_OPENAI_ENDPOINT}.
   */
  public String baseUrlEnv() {
    return this == AZURE_OPENAI ? "AZURE_OPENAI_ENDPOINT" : envPrefix + "_BASE_URL";
  }

  /** The quirks switched on for this vendor; the {@linkplain Quirk#isAlwaysOn() always-on} ones are not listed. */
  public Set<Quirk> quirks() {
    return quirks;
  }

  /**
   * The vendor a base URL belongs to, by host: {@code api.openai.com}, {@code api.deepseek.com},
   * {@code *dashscope*.aliyuncs.com}, {@code open.bigmodel.cn} and {@code api.z.ai}, {@code
   * openrouter.ai}, {@code api.groq.com}, {@code api.together.xyz} (or {@code .ai}); anything else,
   * including Azure, is {@link #GENERIC}. Azure is never guessed, since its URLs address deployments
   * in two different ways.
   */
  public static Vendor detect(String baseUrl) {
    String host;
    try {
      host = URI.create(baseUrl.trim()).getHost();
    } catch (RuntimeException e) {
      return GENERIC;
    }
    if (host == null) {
      return GENERIC;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.equals("api.openai.com")) {
      return OPENAI;
    }
    if (host.equals("api.deepseek.com")) {
      return DEEPSEEK;
    }
    if (host.contains("dashscope") && host.endsWith(".aliyuncs.com")) {
      return QWEN;
    }
    if (host.equals("open.bigmodel.cn") || host.equals("api.z.ai")) {
      return GLM;
    }
    if (host.equals("openrouter.ai")) {
      return OPENROUTER;
    }
    if (host.equals("api.groq.com")) {
      return GROQ;
    }
    if (host.equals("api.together.xyz") || host.equals("api.together.ai")) {
      return TOGETHER;
    }
    return GENERIC;
  }
}
