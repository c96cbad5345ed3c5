package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.VllmWire;
import java.util.List;

/**
 * A {@link ProviderEmulator} standing in for one vLLM server (one replica): the OpenAI
 * chat-completions protocol exactly as {@link OpenAiEmulator} renders it, under {@code /v1}, plus
 * the server's own endpoints, scriptable per test:
 *
 * <ul>
 *   <li>{@code GET /health}: 200, or 503 after {@link #setHealthy(boolean) setHealthy(false)}.
 *   <li>{@code GET /metrics}: Prometheus text as vLLM V1 exposes it ({@code # HELP} / {@code #
 *       TYPE} lines, {@code model_name} and {@code engine} labels), with {@code
 *       vllm:num_requests_running}, {@code vllm:num_requests_waiting} and {@code
 *       vllm:kv_cache_usage_perc} from {@link #setLoad(int, int, double)}, split over two
 *       data-parallel engines so that a reader must sum the label sets.
 *   <li>{@code GET /v1/models}: vLLM model cards with {@code max_model_len}.
 * </ul>
 *
 * <p>{@link #baseUrl()} is the server root ({@code http://127.0.0.1:PORT}), as a self-hosted
 * provider is configured with, not the {@code /v1} API root. Health probes, metric scrapes and model
 * listings are background traffic: they are not recorded, so {@link #requestCount()} and {@link
 * #takeRequest()} see only the calls under test; {@link #healthChecks()}, {@link #metricsScrapes()}
 * and {@link #modelListings()} count them.
 *
 * <pre>{@code
 * try (VllmEmulator replica = VllmEmulator.start()) {
 *   replica.setLoad(4, 2, 0.35);       // 4 running, 2 queued, KV cache 35 % full
 *   replica.setHealthy(false);         // /health now answers 503
 *   // point SelfHostedProvider.builder().replica(replica.baseUrl()) at it ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #reset()} also makes it healthy and idle again and zeroes the counters.
 * The creator closes it; {@code EmulatorExtension.of(VllmEmulator.class, VllmEmulator::start)} does
 * that for tests.
 */
public final class VllmEmulator extends AbstractEmulator<VllmEmulator> {
  /** The models {@code GET /v1/models} lists unless others are given; the first labels the metrics. */
  public static final List<String> DEFAULT_MODELS = OpenAiEmulator.DEFAULT_MODELS;

  /** The {@code max_model_len} reported unless another is given. */
  public static final int DEFAULT_MAX_MODEL_LEN = 8192;

  private final VllmWire wire;

  private VllmEmulator(VllmWire wire) {
    super("vLLM emulator", wire);
    this.wire = wire;
  }

  /** Starts an emulator on 127.0.0.1 and a free port. */
  public static VllmEmulator start() {
    return new VllmEmulator(new VllmWire(DEFAULT_MODELS, DEFAULT_MAX_MODEL_LEN));
  }

  /** Starts an emulator serving {@code models}, each with {@code max_model_len} {@code maxModelLen}. */
  public static VllmEmulator start(List<String> models, int maxModelLen) {
    return new VllmEmulator(new VllmWire(models, maxModelLen));
  }

  /** The server root, e.g. {@code http://127.0.0.1:54321}; the OpenAI API is under {@code /v1}. */
  @Override
  public String baseUrl() {
    return super.baseUrl();
  }

  /** Makes {@code GET /health} answer 200 ({@code true}) or 503 ({@code false}); returns this emulator. */
  public VllmEmulator setHealthy(boolean healthy) {
    wire.setHealthy(healthy);
    return this;
  }

  public boolean isHealthy() {
    return wire.isHealthy();
  }

  /**
   * Sets what {@code GET /metrics} reports: requests running, requests waiting, and KV-cache usage
   * as a fraction in [0, 1]; returns this emulator.
   */
  public VllmEmulator setLoad(int running, int waiting, double kvCacheUsage) {
    wire.setLoad(running, waiting, kvCacheUsage);
    return this;
  }

  /**
   * Makes {@code GET /metrics} export the prefix-cache counters of vLLM V1, {@code
   * vllm:prefix_cache_hits_total} and {@code vllm:prefix_cache_queries_total} (tokens); returns
   * this emulator.
   */
  public VllmEmulator setPrefixCache(long hitTokens, long queriedTokens) {
    wire.setPrefixCache(hitTokens, queriedTokens);
    return this;
  }

  /** How many {@code GET /health} requests arrived since start or the last reset. */
  public int healthChecks() {
    return wire.healthChecks();
  }

  /** How many {@code GET /metrics} requests arrived since start or the last reset. */
  public int metricsScrapes() {
    return wire.metricsScrapes();
  }

  /** How many {@code GET /v1/models} requests arrived since start or the last reset. */
  public int modelListings() {
    return wire.modelListings();
  }

  /** Forgets replies and requests, and makes the server healthy and idle with zeroed counters. */
  @Override
  public void reset() {
    super.reset();
    wire.reset();
  }

  @Override
  public String toString() {
    return super.toString() + (wire.isHealthy() ? "" : " (unhealthy)");
  }
}
