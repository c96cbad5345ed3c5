package dev.switchboard.providers.selfhosted;

import dev.switchboard.ChatRequest;
import dev.switchboard.providers.compat.ChatCompletionsOptions;
import dev.switchboard.providers.selfhosted.internal.Dialect;
import dev.switchboard.providers.selfhosted.internal.RequestMapper;
import dev.switchboard.spi.Capabilities;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What Switchboard knows about one self-hosted model server: where its health, model list and
 * Prometheus metrics live, which series mean running requests, waiting requests and KV-cache usage,
 * and how request features the OpenAI protocol lacks are spelled in its request body. Pick one of
 * {@link #VLLM}, {@link #SGLANG}, {@link #TGI} or {@link #LLAMA_CPP} (or {@link #of(String)}).
 *
 * <p>All four serve the OpenAI chat-completions protocol under {@code /v1}; {@link
 * SelfHostedProvider} talks to each replica with the chat-completions wire code it shares with
 * {@code OpenAiProvider}, and uses this profile for everything else.
 *
 * <h2>Health, models and load</h2>
 *
 * <table>
 *   <caption>Endpoints and metric series</caption>
 *   <tr><th></th><th>vLLM</th><th>SGLang</th><th>TGI</th><th>llama.cpp server</th></tr>
 *   <tr><td>health</td><td>{@code GET /health}: 200, or 503 once the engine died (older versions
 *       answer 500)</td><td>{@code GET /health}: 503 while starting and warming up, then 200</td>
 *       <td>{@code GET /health}: 200, 503 when the model shard is down</td><td>{@code GET /health}:
 *       503 {@code "Loading model"} while loading, then 200</td></tr>
 *   <tr><td>models</td><td colspan="4">{@code GET /v1/models}; vLLM (and recent SGLang) report
 *       {@code max_model_len} per model, used for {@link Capabilities#maxContextTokens()}</td></tr>
 *   <tr><td>metrics</td><td>{@code /metrics}, always on</td><td>{@code /metrics} with {@code
 *       --enable-metrics}</td><td>{@code /metrics}, always on</td><td>{@code /metrics} with {@code
 *       --metrics} (else 501)</td></tr>
 *   <tr><td>running</td><td>{@code vllm:num_requests_running}</td><td>{@code
 *       sglang:num_running_reqs}</td><td>{@code tgi_batch_current_size}</td><td>{@code
 *       llamacpp:requests_processing}</td></tr>
 *   <tr><td>waiting</td><td>{@code vllm:num_requests_waiting}</td><td>{@code
 *       sglang:num_queue_reqs}</td><td>{@code tgi_queue_size}</td><td>{@code
 *       llamacpp:requests_deferred}</td></tr>
 *   <tr><td>KV cache (0..1)</td><td>{@code vllm:kv_cache_usage_perc}, before V1 {@code
 *       vllm:gpu_cache_usage_perc}</td><td>{@code sglang:token_usage}</td><td>none</td><td>{@code
 *       llamacpp:kv_cache_usage_ratio} (older builds; newer ones dropped it)</td></tr>
 * </table>
 *
 * <p>Running and waiting are summed over all label sets of the series: vLLM labels each gauge with
 * {@code model_name} and, with data parallelism, {@code engine}; SGLang with {@code model_name} and
 * its parallel ranks. KV-cache usage is the largest value over the label sets. A server without
 * metrics (or a series it does not export) counts as load 0; only the calls this client has in
 * flight then tell replicas apart.
 *
 * <h2>Request fields</h2>
 *
 * <p>{@link #adapt(ChatRequest)} writes {@link SelfHostedOptions} and, where needed, the {@link
 * dev.switchboard.ResponseFormat} as {@link ChatCompletionsOptions#extraFields() extra fields}. An option a backend has no field for fails with an {@link IllegalArgumentException}
 * (an {@link dev.switchboard.InvalidRequestException} through {@link SelfHostedProvider}) rather
 * than being dropped.
 *
 * <table>
 *   <caption>Switchboard feature to request body field</caption>
 *   <tr><th></th><th>vLLM ≥ 0.12 ({@link #VLLM})</th><th>vLLM &lt; 0.12 ({@link
 *       #withLegacyGuidedDecoding()})</th><th>SGLang</th><th>TGI</th><th>llama.cpp</th></tr>
 *   <tr><td>JSON-schema response format</td><td>standard {@code response_format}</td><td>{@code
 *       guided_json}: schema; {@code response_format} removed</td><td>standard</td><td>{@code
 *       response_format: {"type":"json","value":schema}} (TGI's grammar object)</td>
 *       <td>standard</td></tr>
 *   <tr><td>JSON-object response format</td><td>standard</td><td>standard</td><td>standard</td>
 *       <td>{@code {"type":"json","value":{"type":"object"}}}</td><td>standard</td></tr>
 *   <tr><td>{@code topK}</td><td>{@code top_k}</td><td>{@code top_k}</td><td>{@code top_k}</td>
 *       <td>unsupported</td><td>{@code top_k}</td></tr>
 *   <tr><td>{@code minP}</td><td>{@code min_p}</td><td>{@code min_p}</td><td>{@code min_p}</td>
 *       <td>unsupported</td><td>{@code min_p}</td></tr>
 *   <tr><td>{@code repetitionPenalty}</td><td>{@code repetition_penalty}</td><td>{@code
 *       repetition_penalty}</td><td>{@code repetition_penalty}</td><td>unsupported</td><td>{@code
 *       repeat_penalty}</td></tr>
 *   <tr><td>{@code guidedRegex}</td><td>{@code structured_outputs.regex}</td><td>{@code
 *       guided_regex}</td><td>{@code regex}</td><td>{@code response_format:
 *       {"type":"regex","value":...}}</td><td>unsupported</td></tr>
 *   <tr><td>{@code guidedChoice}</td><td>{@code structured_outputs.choice}</td><td>{@code
 *       guided_choice}</td><td>{@code regex} {@code (a|b)}</td><td>regex {@code (a|b)}</td><td>{@code
 *       grammar} {@code root ::= "a" | "b"}</td></tr>
 *   <tr><td>{@code guidedGrammar}</td><td>{@code structured_outputs.grammar}</td><td>{@code
 *       guided_grammar}</td><td>{@code ebnf}</td><td>unsupported</td><td>{@code grammar} (GBNF)</td></tr>
 * </table>
 *
 * <p>Further differences worth knowing: TGI's chat endpoint accepts {@code response_format} or
 * {@code tools} but not both (rejected here), ignores unknown fields such as {@code top_k} (hence
 * "unsupported" rather than silently sent), and its {@code tool_choice: "auto"} always picks a
 * tool. llama.cpp's chat endpoint reads {@code max_tokens} as its native {@code n_predict}, so the
 * standard field is kept; its tool calls need the server started with {@code --jinja}. A guided
 * constraint together with a JSON response format is rejected for every backend. An extra field of
 * the same name already on the request's {@link ChatCompletionsOptions} (e.g. an {@code
 * OpenAiOptions} tag) wins over the mapping.
 *
 * <p>Immutable and thread-safe.
 */
public final class Backend {
  /** vLLM 0.12 or later: structured outputs through {@code structured_outputs} and {@code response_format}. */
  public static final Backend VLLM = new Backend("vllm", Dialect.VLLM,
      List.of("vllm:num_requests_running"),
      List.of("vllm:num_requests_waiting"),
      List.of("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
      List.of("vllm:gpu_prefix_cache_hit_rate"),
      List.of("vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total",
          "vllm:prefix_cache_hits", "vllm:prefix_cache_queries"),
      Capabilities.builder().tools(true).jsonSchema(true).streamingUsage(true).build(),
      false);

  /** SGLang's OpenAI-compatible server ({@code python -m sglang.launch_server}). */
  public static final Backend SGLANG = new Backend("sglang", Dialect.SGLANG,
      List.of("sglang:num_running_reqs"),
      List.of("sglang:num_queue_reqs"),
      List.of("sglang:token_usage"),
      List.of("sglang:cache_hit_rate"),
      List.of(),
      Capabilities.builder().tools(true).jsonSchema(true).streamingUsage(true).build(),
      false);

  /** Hugging Face Text Generation Inference (its Messages API). */
  public static final Backend TGI = new Backend("tgi", Dialect.TGI,
      List.of("tgi_batch_current_size"),
      List.of("tgi_queue_size"),
      List.of(),
      List.of(),
      List.of(),
      Capabilities.builder().jsonSchema(true).streamingUsage(true).build(),
      false);

  /** llama.cpp's {@code llama-server}. */
  public static final Backend LLAMA_CPP = new Backend("llama.cpp", Dialect.LLAMA_CPP,
      List.of("llamacpp:requests_processing"),
      List.of("llamacpp:requests_deferred"),
      List.of("llamacpp:kv_cache_usage_ratio"),
      List.of(),
      List.of(),
      Capabilities.builder().jsonSchema(true).build(),
      false);

  private static final String HEALTH_PATH = "/health";
  private static final String API_PATH = "/v1";
  private static final String MODELS_PATH = "/v1/models";
  private static final String METRICS_PATH = "/metrics";

  private final String name;
  private final Dialect dialect;
  private final List<String> runningSeries;
  private final List<String> waitingSeries;
  private final List<String> kvCacheUsageSeries;
  private final List<String> prefixCacheHitRateSeries;
  private final List<String> prefixCacheCounterSeries;
  private final Capabilities capabilities;
  private final boolean legacyGuided;

  private Backend(String name, Dialect dialect, List<String> running, List<String> waiting, List<String> kvCache,
      List<String> hitRate, List<String> hitsAndQueries, Capabilities capabilities, boolean legacyGuided) {
    this.name = name;
    this.dialect = dialect;
    this.runningSeries = List.copyOf(running);
    this.waitingSeries = List.copyOf(waiting);
    this.kvCacheUsageSeries = List.copyOf(kvCache);
    this.prefixCacheHitRateSeries = List.copyOf(hitRate);
    this.prefixCacheCounterSeries = List.copyOf(hitsAndQueries);
    this.capabilities = capabilities;
    this.legacyGuided = legacyGuided;
  }

  /**
   * The backend called {@code name}, ignoring case: {@code vllm}, {@code sglang}, {@code tgi},
   * {@code llama.cpp} (also {@code llamacpp}, {@code llama-cpp}, {@code llama_cpp}).
   */
  public static Backend of(String name) {
    Objects.requireNonNull(name, "name");
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "vllm":
        return VLLM;
      case "sglang":
        return SGLANG;
      case "tgi":
      case "text-generation-inference":
        return TGI;
      case "llama.cpp":
      case "llamacpp":
      case "llama-cpp":
      case "llama_cpp":
        return LLAMA_CPP;
      default:
        throw new IllegalArgumentException("unknown self-hosted backend '" + name
            + "'; use one of vllm, sglang, tgi, llama.cpp");
    }
  }

  /** The backend's short name, e.g. {@code "vllm"}; also the default provider name. */
  public String name() {
    return name;
  }

  /** The health path relative to a replica's root: {@code /health}. */
  public String healthPath() {
    return HEALTH_PATH;
  }

  /** The OpenAI-compatible API root relative to a replica's root: {@code /v1}. */
  public String apiPath() {
    return API_PATH;
  }

  /** The model list relative to a replica's root: {@code /v1/models}. */
  public String modelsPath() {
    return MODELS_PATH;
  }

  /** The Prometheus metrics relative to a replica's root: {@code /metrics}. */
  public String metricsPath() {
    return METRICS_PATH;
  }

  /** The gauges counting requests being processed; the first one the server exports is used. */
  public List<String> runningSeries() {
    return runningSeries;
  }

  /** The gauges counting queued requests; the first one the server exports is used. */
  public List<String> waitingSeries() {
    return waitingSeries;
  }

  /** The gauges of KV-cache usage as a fraction (1 = full), in order of preference; may be empty. */
  public List<String> kvCacheUsageSeries() {
    return kvCacheUsageSeries;
  }

  /** The gauges of the prefix-cache hit rate (0..1), in order of preference; may be empty. */
  public List<String> prefixCacheHitRateSeries() {
    return prefixCacheHitRateSeries;
  }

  /**
   * Counter pairs (hits, queries) whose ratio is the prefix-cache hit rate when no gauge is there
   * (vLLM V1 counts tokens); may be empty.
   */
  public List<String> prefixCacheCounterSeries() {
    return prefixCacheCounterSeries;
  }

  /** What models on this backend can do, before anything is known about the model itself. */
  public Capabilities capabilities() {
    return capabilities;
  }

  /** Whether guided decoding goes out as vLLM's pre-0.12 {@code guided_*} fields. */
  public boolean legacyGuidedDecoding() {
    return legacyGuided;
  }

  /**
   * This vLLM profile for servers older than 0.12, which know {@code guided_json}, {@code
   * guided_regex}, {@code guided_choice} and {@code guided_grammar} instead of {@code
   * structured_outputs} (0.12 removed them). A JSON-schema response format then goes out as {@code
   * guided_json}, which those versions honour with every guided-decoding backend.
   *
   * @throws IllegalStateException for backends other than vLLM, which never had these fields
   */
  public Backend withLegacyGuidedDecoding() {
    if (dialect != Dialect.VLLM) {
      throw new IllegalStateException("guided_* request fields exist only on vLLM; backend " + name
          + " has its own (see the Backend javadoc)");
    }
    return legacyGuided ? this : new Backend(name, dialect, runningSeries, waitingSeries, kvCacheUsageSeries,
        prefixCacheHitRateSeries, prefixCacheCounterSeries, capabilities, true);
  }

  /**
   * {@code request} as this backend should receive it over the chat-completions protocol: its
   * {@link SelfHostedOptions} (and, where the backend needs it, its response format) written as
   * {@link ChatCompletionsOptions#extraFields() extra fields}, merged with the {@link
   * ChatCompletionsOptions} the request already has (e.g. an {@code OpenAiOptions} tag, whose extra
   * fields and other settings win and are kept). The merged options replace the caller's tag and
   * are keyed by {@code ChatCompletionsOptions.class}, where {@code OpenAiProvider} reads them too.
   * Returns {@code request} itself when there is nothing to translate.
   *
   * @throws IllegalArgumentException naming the backend and option when the backend has no field
   *     for an option, when a guided constraint is combined with a JSON response format, or when the
   *     request carries two {@link ChatCompletionsOptions} tags
   */
  public ChatRequest adapt(ChatRequest request) {
    return RequestMapper.adapt(Objects.requireNonNull(request, "request"), dialect, legacyGuided, name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Backend b && name.equals(b.name) && legacyGuided == b.legacyGuided;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + (legacyGuided ? 1 : 0);
  }

  @Override
  public String toString() {
    return "Backend[" + name + (legacyGuided ? ", legacy guided_* fields" : "") + "]";
  }
}
