package dev.switchboard.providers.selfhosted.internal;

import dev.switchboard.providers.compat.internal.ChatCompletionsClient;
import dev.switchboard.providers.selfhosted.ReplicaStatus;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of a pool: its URLs, the chat-completions client that talks to it, what the last probe and scrape
 * found, and the calls in flight. Times are readings of the pool's ticker, compared by difference.
 *
 * <p>Probe results are applied in order of the probes' start: each probe takes a sequence number
 * ({@link #beginCheck}) and its results are dropped when a newer probe, or a call failure, was
 * applied meanwhile, so a slow 200 from before a connection reset cannot put the replica back.
 * Thread-safe: state changes under this object's lock; the in-flight count is atomic. Not API.
 */
public final class Replica {
  private final int index;
  private final String baseUrl;
  private final URI healthUri;
  private final URI metricsUri;
  private final URI modelsUri;
  private final ChatCompletionsClient client;
  private final AtomicInteger inFlight = new AtomicInteger();

  // guarded by this
  private boolean healthy = true; // optimistic until the first probe says otherwise
  private int running;
  private int waiting;
  private double kvCacheUsage = Double.NaN;
  private double prefixCacheHitRate = Double.NaN;
  private boolean scraped;
  private long lastScrape;
  private boolean checked;
  private long lastCheck;
  private boolean failed;
  private long lastFailure;
  private String lastError;
  private long nextSeq;
  private long appliedSeq;
  private Map<String, Integer> models; // null until listed since the last recovery

  public Replica(int index, String baseUrl, URI healthUri, URI metricsUri, URI modelsUri,
      ChatCompletionsClient client) {
    this.index = index;
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.healthUri = healthUri;
    this.metricsUri = metricsUri;
    this.modelsUri = modelsUri;
    this.client = Objects.requireNonNull(client, "client");
  }

  public int index() {
    return index;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public URI healthUri() {
    return healthUri;
  }

  public URI metricsUri() {
    return metricsUri;
  }

  public URI modelsUri() {
    return modelsUri;
  }

  /** The client for its OpenAI-compatible {@code /v1} API. */
  public ChatCompletionsClient client() {
    return client;
  }

  public int inFlight() {
    return inFlight.get();
  }

  void acquire() {
    inFlight.incrementAndGet();
  }

  /** One call sent to this replica ended. */
  public void release() {
    inFlight.decrementAndGet();
  }

  public synchronized boolean isHealthy() {
    return healthy;
  }

  /** {@code running + waiting + inFlight}. */
  public synchronized int score() {
    return running + waiting + inFlight.get();
  }

  /** Whether a probe or a call ever failed; see {@link #lastFailure()}. */
  synchronized boolean hasFailed() {
    return failed;
  }

  synchronized long lastFailure() {
    return lastFailure;
  }

  /** Whether the background refresh should probe it now. */
  public synchronized boolean isDue(long now, long scrapeIntervalNanos, long retryIntervalNanos) {
    if (!checked) {
      return true;
    }
    return now - lastCheck >= (healthy ? scrapeIntervalNanos : retryIntervalNanos);
  }

  /** Starts a probe at {@code now}; returns its sequence number. */
  public synchronized long beginCheck(long now) {
    checked = true;
    lastCheck = now;
    return ++nextSeq;
  }

  /**
   * Applies a health answer; returns whether it was applied (not superseded) and, for a healthy
   * answer, the caller should go on to scrape metrics.
   */
  public synchronized boolean applyHealth(long seq, boolean ok, String error, long now) {
    if (seq <= appliedSeq) {
      return false;
    }
    appliedSeq = seq;
    if (ok) {
      if (!healthy) {
        models = null; // it may have restarted with other models
      }
      healthy = true;
    } else {
      markDown(error, now);
    }
    return true;
  }

  /** Applies a scrape of probe {@code seq}, unless a newer probe or a failure came first. */
  public synchronized void applyLoad(long seq, ControlPlane.Load load, long now) {
    if (seq < appliedSeq) {
      return;
    }
    this.running = load.running();
    this.waiting = load.waiting();
    this.kvCacheUsage = load.kvCacheUsage();
    this.prefixCacheHitRate = load.prefixCacheHitRate();
    this.scraped = true;
    this.lastScrape = now;
  }

  /** Records why the metrics could not be read; the replica stays healthy with its old load. */
  public synchronized void applyScrapeFailure(long seq, String error) {
    if (seq >= appliedSeq) {
      lastError = error;
    }
  }

  /** A call to it failed at the transport level: out of the pool until a probe answers 200. */
  public synchronized void markFailed(String error, long now) {
    appliedSeq = ++nextSeq; // probes started before this failure no longer count
    lastCheck = now;
    checked = true;
    markDown(error, now);
  }

  private void markDown(String error, long now) {
    healthy = false;
    failed = true;
    lastFailure = now;
    lastError = error;
  }

  /** The models it served at the last listing since it last became healthy; null if not listed. */
  public synchronized Map<String, Integer> models() {
    return models;
  }

  /** Records a model listing: model id to {@code max_model_len}, or 0 when unreported. */
  public synchronized void applyModels(Map<String, Integer> models) {
    this.models = Map.copyOf(models);
  }

  public synchronized ReplicaStatus snapshot(long now) {
    return new ReplicaStatus(baseUrl, healthy, running, waiting,
        Double.isNaN(kvCacheUsage) ? OptionalDouble.empty() : OptionalDouble.of(kvCacheUsage),
        Double.isNaN(prefixCacheHitRate) ? OptionalDouble.empty() : OptionalDouble.of(prefixCacheHitRate),
        inFlight.get(),
        scraped ? Optional.of(Duration.ofNanos(Math.max(0, now - lastScrape))) : Optional.empty(),
        Optional.ofNullable(lastError));
  }

  @Override
  public String toString() {
    return "Replica[" + baseUrl + "]";
  }
}
