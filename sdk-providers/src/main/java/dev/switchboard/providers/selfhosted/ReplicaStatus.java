package dev.switchboard.providers.selfhosted;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A snapshot of one replica of a {@link SelfHostedProvider}, for dashboards, logs and tests: what
 * the pool knew about it at the moment {@link SelfHostedProvider#replicas()} was called.
 *
 * @param baseUrl the replica's root URL, e.g. {@code http://gpu-3:8000}
 * @param healthy whether calls may go to it: its last health probe answered 200 and no call to it
 *     has failed at the transport level since
 * @param running requests the server reported running at the last scrape (0 when unknown)
 * @param waiting requests the server reported queued at the last scrape (0 when unknown)
 * @param kvCacheUsage KV-cache usage as a fraction (1 = full) at the last scrape, when the server
 *     exports it
 * @param prefixCacheHitRate the share of prompt tokens served from the server's prefix cache, when
 *     it exports it: SGLang's {@code sglang:cache_hit_rate}; vLLM's hits over queries of {@code
 *     vllm:prefix_cache_hits_total} and {@code vllm:prefix_cache_queries_total} since it started
 *     (before V1, {@code vllm:gpu_prefix_cache_hit_rate}). A replica that already holds a
 *     workload's prompts answers it faster: a routing signal
 * @param inFlight calls this client has sent to it that have not finished yet
 * @param sinceLastScrape how long ago its metrics were last read successfully; empty if never
 * @param lastError why it was last marked unhealthy (or its metrics could not be read), if ever
 *
 * <p>Immutable and thread-safe.
 */
public record ReplicaStatus(
    String baseUrl,
    boolean healthy,
    int running,
    int waiting,
    OptionalDouble kvCacheUsage,
    OptionalDouble prefixCacheHitRate,
    int inFlight,
    Optional<Duration> sinceLastScrape,
    Optional<String> lastError) {

  public ReplicaStatus {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(kvCacheUsage, "kvCacheUsage");
    Objects.requireNonNull(prefixCacheHitRate, "prefixCacheHitRate");
    Objects.requireNonNull(sinceLastScrape, "sinceLastScrape");
    Objects.requireNonNull(lastError, "lastError");
  }

  /** The score the pool routes by, lowest first: {@code running + waiting + inFlight}. */
  public int loadScore() {
    return running + waiting + inFlight;
  }
}
