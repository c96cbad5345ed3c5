package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.SelfHostedWire;
import java.util.List;

/**
 * A {@link ProviderEmulator} standing in for one replica of a self-hosted model server: vLLM,
 * SGLang, TGI or llama.cpp's {@code llama-server}. Chat completions under {@code /v1} as {@link
 * OpenAiEmulator} renders them, plus each server's own {@code GET /health}, {@code GET /metrics}
 * (its metric names: {@code vllm:*}, {@code sglang:*}, {@code tgi_*}, {@code llamacpp:*}) and
 * {@code GET /v1/models}, and its own error bodies where it has them: a queued {@link
 * Reply#error(ErrorKind)} answers as that server does (TGI {@code {"error", "error_type"}} with 422,
 * 424 or 429; llama.cpp {@code {"error": {"code", "message", "type"}}}, e.g. {@code
 * exceed_context_size_error}; SGLang's context-length 400), else as OpenAI does.
 *
 * <p>vLLM's exposition is V1's: {@code model_name} and {@code engine} labels over two
 * data-parallel engines, so that a reader must sum the label sets; its model cards carry {@code
 * max_model_len}.
 *
 * <pre>{@code
 * try (SelfHostedEmulator tgi = SelfHostedEmulator.start(ServerKind.TGI)) {
 *   tgi.setLoad(4, 2, 0);                          // 4 in the batch, 2 queued
 *   tgi.enqueue(Reply.error(ErrorKind.OVERLOADED)); // 429 {"error_type": "overloaded"}
 *   // point SelfHostedProvider.builder().backend(Backend.TGI).replica(tgi.baseUrl()) at it ...
 * }
 * }</pre>
 *
 * <p>{@link #baseUrl()} is the server root. Health probes, scrapes and model listings are not
 * recorded, only counted. Thread-safe; {@link #reset()} makes it healthy and idle again.
 */
public final class SelfHostedEmulator extends AbstractEmulator<SelfHostedEmulator> {

  /** The models {@code GET /v1/models} lists unless others are given; the first labels the metrics. */
  public static final List<String> DEFAULT_MODELS = OpenAiEmulator.DEFAULT_MODELS;

  /** The context window ({@code max_model_len}) reported unless another is given. */
  public static final int DEFAULT_MAX_MODEL_LEN = 8192;

  private final ServerKind kind;
  private final SelfHostedWire wire;

  private SelfHostedEmulator(ServerKind kind, SelfHostedWire wire) {
    super(kind.label() + " emulator", wire);
    this.kind = kind;
    this.wire = wire;
  }

  /** Starts a vLLM server on 127.0.0.1 and a free port, serving {@link #DEFAULT_MODELS}. */
  public static SelfHostedEmulator start() {
    return start(ServerKind.VLLM);
  }

  /** Starts one on 127.0.0.1 and a free port, serving {@link #DEFAULT_MODELS}. */
  public static SelfHostedEmulator start(ServerKind kind) {
    return start(kind, DEFAULT_MODELS, DEFAULT_MAX_MODEL_LEN);
  }

  /** Starts one serving {@code models}, each with a context window of {@code maxModelLen}. */
  public static SelfHostedEmulator start(ServerKind kind, List<String> models, int maxModelLen) {
    return new SelfHostedEmulator(kind, new SelfHostedWire(models, maxModelLen, kind));
  }

  public ServerKind kind() {
    return kind;
  }

  /** The server root, e.g. {@code http://127.0.0.1:54321}; the OpenAI API is under {@code /v1}. */
  @Override
  public String baseUrl() {
    return super.baseUrl();
  }

  /** Makes {@code GET /health} answer 200 or 503 (llama.cpp: "Loading model"); returns this emulator. */
  public SelfHostedEmulator setHealthy(boolean healthy) {
    wire.setHealthy(healthy);
    return this;
  }

  public boolean isHealthy() {
    return wire.isHealthy();
  }

  /**
   * Sets what {@code GET /metrics} reports: running, queued, and KV-cache use in [0, 1] (TGI
   * exports none); returns this emulator.
   */
  public SelfHostedEmulator setLoad(int running, int waiting, double kvCacheUsage) {
    wire.setLoad(running, waiting, kvCacheUsage);
    return this;
  }

  /**
   * Sets the prefix cache's hits and queries (tokens): vLLM exports both counters, SGLang their
   * ratio as {@code sglang:cache_hit_rate}; returns this emulator.
   */
  public SelfHostedEmulator setPrefixCache(long hitTokens, long queriedTokens) {
    wire.setPrefixCache(hitTokens, queriedTokens);
    return this;
  }

  /** How many {@code GET /metrics} requests arrived since start or the last reset. */
  public int metricsScrapes() {
    return wire.metricsScrapes();
  }

  /** How many {@code GET /health} requests arrived since start or the last reset. */
  public int healthChecks() {
    return wire.healthChecks();
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
