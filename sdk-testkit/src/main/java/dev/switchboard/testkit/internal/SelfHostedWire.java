package dev.switchboard.testkit.internal;

import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.ServerKind;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A self-hosted model server (vLLM unless told another {@link ServerKind}) as its clients see it: the OpenAI chat-completions protocol under {@code /v1}
 * (rendered by {@link OpenAiWire}), plus the server's own endpoints at the root:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 with an empty body, or 503 with an empty body when set unhealthy
 *       (as vLLM answers once its engine died).
 *   <li>{@code GET /metrics}: a Prometheus text exposition in vLLM V1's shape: {@code # HELP} and
 *       {@code # TYPE} lines, process and Python series, and the {@code vllm:} gauges, counters and
 *       a histogram, each labelled with {@code model_name} (the first model) and {@code engine} for
 *       two data-parallel engines, over which the scripted load is split.
 *   <li>{@code GET /v1/models}: vLLM's model cards with {@code owned_by: "vllm"}, {@code root} and
 *       {@code max_model_len}.
 * </ul>
 *
 * These three are background traffic and not {@linkplain #isRecorded recorded}; counters tell how
 * often each was asked. Unlike other renderers it holds state (health, load, counters), all
 * thread-safe.
 *
 * <p>With another {@link ServerKind} it stands in for SGLang, TGI or llama.cpp's
 * server instead: their metric names, llama.cpp's 503 body while loading, and each server's own
 * error bodies for the {@link ErrorKind}s it has one for (TGI {@code {"error", "error_type"}},
 * llama.cpp {@code {"error": {"code", "message", "type"}}}, SGLang {@code {"object": "error", ...}}).
 */
public final class SelfHostedWire implements WireRenderer {
  static final String HEALTH_PATH = "/health";
  static final String METRICS_PATH = "/metrics";
  /** Data-parallel engines the load is spread over, as vLLM V1 labels them ({@code engine="0"}, ...). */
  static final int ENGINES = 2;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final OpenAiWire openAi;
  private final ServerKind kind;
  private final List<String> models;
  private final int maxModelLen;
  private volatile boolean healthy = true;
  private volatile Load load = Load.IDLE;
  private volatile long[] prefixCache; // {hits, queries} in tokens, or null: not exported
  private final AtomicInteger healthChecks = new AtomicInteger();
  private final AtomicInteger metricsScrapes = new AtomicInteger();
  private final AtomicInteger modelListings = new AtomicInteger();

  private record Load(int running, int waiting, double kvCacheUsage) {
    static final Load IDLE = new Load(0, 0, 0.0);
  }

  public SelfHostedWire(List<String> models, int maxModelLen) {
    this(models, maxModelLen, ServerKind.VLLM);
  }

  public SelfHostedWire(List<String> models, int maxModelLen, ServerKind kind) {
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a vLLM server serves at least one model");
    }
    if (maxModelLen <= 0) {
      throw new IllegalArgumentException("maxModelLen must be > 0, got " + maxModelLen);
    }
    this.openAi = new OpenAiWire(models);
    this.models = List.copyOf(models);
    this.maxModelLen = maxModelLen;
  }

  public void setHealthy(boolean healthy) {
    this.healthy = healthy;
  }

  public boolean isHealthy() {
    return healthy;
  }

  public void setPrefixCache(long hits, long queries) {
    if (hits < 0 || queries < hits) {
      throw new IllegalArgumentException("need 0 <= hits <= queries, got " + hits + " and " + queries);
    }
    this.prefixCache = new long[] {hits, queries};
  }

  public void setLoad(int running, int waiting, double kvCacheUsage) {
    if (running < 0 || waiting < 0) {
      throw new IllegalArgumentException("running and waiting must be >= 0, got " + running + " and " + waiting);
    }
    if (!(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
      throw new IllegalArgumentException("kvCacheUsage must be within [0, 1], got " + kvCacheUsage);
    }
    this.load = new Load(running, waiting, kvCacheUsage);
  }

  public int healthChecks() {
    return healthChecks.get();
  }

  public int metricsScrapes() {
    return metricsScrapes.get();
  }

  public int modelListings() {
    return modelListings.get();
  }

  /** Back to a healthy, idle server with zeroed counters. */
  public void reset() {
    healthy = true;
    load = Load.IDLE;
    prefixCache = null;
    healthChecks.set(0);
    metricsScrapes.set(0);
    modelListings.set(0);
  }

  @Override
  public String protocolName() {
    return kind.label() + " (OpenAI-compatible)";
  }

  @Override
  public String basePath() {
    return "";
  }

  @Override
  public RecordedRequest read(String method, String path, Map<String, List<String>> headers, byte[] body) {
    return openAi.read(method, path, headers, body);
  }

  @Override
  public boolean isChat(RecordedRequest request) {
    return openAi.isChat(request);
  }

  @Override
  public WireResponse render(Reply reply, RenderContext context) {
    if (reply.errorKind().isPresent() && reply.raw().isEmpty() && reply.fault().isEmpty()) {
      WireResponse own = ServerErrors.render(kind, reply.errorKind().get(), models.get(0));
      if (own != null) {
        return own;
      }
    }
    return openAi.render(reply, context);
  }

  @Override
  public boolean isRecorded(RecordedRequest request) {
    return !(request.method().equals("GET") && isServerEndpoint(pathOnly(request.path())));
  }

  @Override
  public WireResponse renderOther(RenderContext context) {
    RecordedRequest request = context.request();
    String path = pathOnly(request.path());
    if (!request.method().equals("GET") || !isServerEndpoint(path)) {
      return openAi.renderOther(context);
    }
    switch (path) {
      case HEALTH_PATH:
        healthChecks.incrementAndGet();
        if (!healthy && kind == ServerKind.LLAMA_CPP) {
          return WireResponse.of(503, Map.of("content-type", "application/json"),
              "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
        }
        return WireResponse.of(healthy ? 200 : 503, Map.of(), "");
      case METRICS_PATH:
        metricsScrapes.incrementAndGet();
        return WireResponse.of(200, Map.of("content-type", "text/plain; version=0.0.4; charset=utf-8"),
            metrics(load));
      default:
        modelListings.incrementAndGet();
        return WireResponse.of(200, Map.of("content-type", "application/json"), modelList());
    }
  }

  private static boolean isServerEndpoint(String path) {
    return path.equals(HEALTH_PATH) || path.equals(METRICS_PATH) || path.equals(OpenAiWire.MODELS_PATH);
  }

  private String modelList() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    int n = 0;
    for (String id : models) {
      ObjectNode card = data.addObject();
      card.put("id", id);
      card.put("object", "model");
      card.put("created", OpenAiWire.CREATED);
      card.put("owned_by", kind == ServerKind.LLAMA_CPP ? "llamacpp" : kind.name().toLowerCase());
      card.put("root", id);
      card.putNull("parent");
      card.put("max_model_len", maxModelLen);
      ObjectNode permission = card.putArray("permission").addObject();
      permission.put("id", "modelperm-emu-" + (++n));
      permission.put("object", "model_permission");
      permission.put("created", OpenAiWire.CREATED);
      permission.put("allow_create_engine", false);
      permission.put("allow_sampling", true);
      permission.put("allow_logprobs", true);
      permission.put("allow_search_indices", false);
      permission.put("allow_view", true);
      permission.put("allow_fine_tuning", false);
      permission.put("organization", "*");
      permission.putNull("group");
      permission.put("is_blocking", false);
    }
    return root.toString();
  }

  /** The exposition for {@code load}, split over {@link #ENGINES} engines. */
  private String metrics(Load load) {
    if (kind != ServerKind.VLLM) {
      return ServerErrors.metrics(kind, load.running(), load.waiting(), load.kvCacheUsage(), prefixCache,
          escapeLabel(models.get(0)));
    }
    String model = escapeLabel(models.get(0));
    StringBuilder out = new StringBuilder(4096);
    out.append("# HELP python_gc_objects_collected_total Objects collected during gc\n")
        .append("# TYPE python_gc_objects_collected_total counter\n")
        .append("python_gc_objects_collected_total{generation=\"0\"} 18231.0\n")
        .append("python_gc_objects_collected_total{generation=\"1\"} 2712.0\n")
        .append("python_gc_objects_collected_total{generation=\"2\"} 311.0\n")
        .append("# HELP process_resident_memory_bytes Resident memory size in bytes.\n")
        .append("# TYPE process_resident_memory_bytes gauge\n")
        .append("process_resident_memory_bytes 2.147483648e+09\n");
    gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", model,
        split(load.running()));
    gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", model,
        split(load.waiting()));
    out.append("# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.\n")
        .append("# TYPE vllm:kv_cache_usage_perc gauge\n");
    for (int e = 0; e < ENGINES; e++) {
      out.append("vllm:kv_cache_usage_perc{engine=\"").append(e).append("\",model_name=\"").append(model)
          .append("\"} ").append(load.kvCacheUsage()).append('\n');
    }
    long[] cache = prefixCache;
    if (cache != null) { // vLLM V1 counts prefix-cache hits and queries in tokens, per engine
      out.append("# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.\n")
          .append("# TYPE vllm:prefix_cache_queries_total counter\n");
      for (int e = 0; e < ENGINES; e++) {
        out.append("vllm:prefix_cache_queries_total{engine=\"").append(e).append("\",model_name=\"").append(model)
            .append("\"} ").append((double) (e == 0 ? cache[1] : 0)).append('\n');
      }
      out.append("# HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.\n")
          .append("# TYPE vllm:prefix_cache_hits_total counter\n");
      for (int e = 0; e < ENGINES; e++) {
        out.append("vllm:prefix_cache_hits_total{engine=\"").append(e).append("\",model_name=\"").append(model)
            .append("\"} ").append((double) (e == 0 ? cache[0] : 0)).append('\n');
      }
    }
    out.append("# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n")
        .append("# TYPE vllm:prompt_tokens_total counter\n");
    for (int e = 0; e < ENGINES; e++) {
      out.append("vllm:prompt_tokens_total{engine=\"").append(e).append("\",model_name=\"").append(model)
          .append("\"} ").append(1200.0 * (e + 1)).append('\n');
    }
    out.append("# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n")
        .append("# TYPE vllm:time_to_first_token_seconds histogram\n");
    double[] bounds = {0.02, 0.08, 0.32, 1.28};
    long[] counts = {3, 9, 14, 15};
    for (int i = 0; i < bounds.length; i++) {
      out.append("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"").append(bounds[i])
          .append("\",model_name=\"").append(model).append("\"} ").append((double) counts[i]).append('\n');
    }
    out.append("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"").append(model)
        .append("\"} 15.0\n")
        .append("vllm:time_to_first_token_seconds_count{engine=\"0\",model_name=\"").append(model)
        .append("\"} 15.0\n")
        .append("vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"").append(model)
        .append("\"} 2.7305\n");
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String model, int[] values) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n");
    for (int e = 0; e < values.length; e++) {
      out.append(name).append("{engine=\"").append(e).append("\",model_name=\"").append(model).append("\"} ")
          .append((double) values[e]).append('\n');
    }
  }

  /** {@code total} spread over the engines, the first ones taking the remainder. */
  private static int[] split(int total) {
    int[] parts = new int[ENGINES];
    for (int e = 0; e < ENGINES; e++) {
      parts[e] = total / ENGINES + (e < total % ENGINES ? 1 : 0);
    }
    return parts;
  }

  private static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
