package dev.switchboard.providers.selfhosted.internal;

import dev.switchboard.providers.selfhosted.Backend;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.TransportException;
import dev.switchboard.spi.Futures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background refresh of a self-hosted pool: rounds on the scheduler that probe each replica
 * that is due ({@code GET /health}), scrape the healthy ones' metrics into their load and list their
 * models once (remembering each model's context window). A round schedules the next when its
 * answers are applied, so rounds never overlap. Thread-safe. Not API.
 */
public final class ReplicaRefresher {
  private static final Logger log = LoggerFactory.getLogger("dev.switchboard.providers.selfhosted.SelfHostedProvider");

  private final String name;
  private final Backend backend;
  private final ReplicaPool pool;
  private final ControlPlane control;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final long scrapeNanos;
  private final long retryNanos;
  private final Map<String, Integer> maxModelLen = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object tickLock = new Object();
  private Scheduler.Cancellable nextRound; // guarded by tickLock
  private volatile CompletableFuture<Void> lastRound = CompletableFuture.completedFuture(null);

  public ReplicaRefresher(String name, Backend backend, ReplicaPool pool, ControlPlane control, Ticker ticker,
      Scheduler scheduler, long scrapeNanos, long retryNanos) {
    this.name = name;
    this.backend = backend;
    this.pool = pool;
    this.control = control;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.scrapeNanos = scrapeNanos;
    this.retryNanos = retryNanos;
  }

  /** Starts the rounds: the first at once. */
  public void start() {
    scheduleRound(0);
  }

  /** Probes every replica now, whether due or not. */
  public CompletableFuture<Void> refreshAll() {
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (Replica r : pool.replicas()) {
      work.add(refresh(r));
    }
    return CompletableFuture.allOf(work.toArray(new CompletableFuture<?>[0]));
  }

  /** The last background round, completing once its answers are applied and the next round is scheduled. */
  public CompletableFuture<Void> lastRound() {
    return lastRound;
  }

  /** How often an unhealthy replica is probed again, in nanoseconds. */
  public long retryNanos() {
    return retryNanos;
  }

  /** The context window a replica reported for {@code model}, or {@code null}. */
  public Integer maxModelLen(String model) {
    return maxModelLen.get(model);
  }

  /**
   * The models the healthy replicas serve (all replicas, when none is healthy), in order of first
   * appearance; fails only when none answers: with a {@link TransportException} if every failure was
   * at the transport level, else a {@link ChatException}.
   */
  public CompletableFuture<List<String>> listModels() {
    List<Replica> targets = new ArrayList<>();
    for (Replica r : pool.replicas()) {
      if (r.isHealthy()) {
        targets.add(r);
      }
    }
    if (targets.isEmpty()) {
      targets.addAll(pool.replicas());
    }
    List<CompletableFuture<Map<String, Integer>>> listings = new ArrayList<>();
    for (Replica r : targets) {
      listings.add(fetchModels(r));
    }
    return CompletableFuture.allOf(listings.toArray(new CompletableFuture<?>[0])).handle((v, ignored) -> {
      Set<String> models = new LinkedHashSet<>();
      List<String> errors = new ArrayList<>();
      boolean allTransport = true;
      int answered = 0;
      for (int i = 0; i < listings.size(); i++) {
        CompletableFuture<Map<String, Integer>> f = listings.get(i);
        try {
          models.addAll(f.join().keySet());
          answered++;
        } catch (RuntimeException e) {
          Throwable cause = Futures.unwrap(e);
          allTransport &= cause instanceof IOException;
          errors.add(targets.get(i).baseUrl() + ": " + ControlPlane.describe(cause));
        }
      }
      if (answered == 0) {
        String message = "none of the " + targets.size() + " replicas of " + name + " (" + backend.name()
            + ") listed its models: " + String.join("; ", errors)
            + ". Check that the servers are up and the replica URLs are right.";
        ErrorDetails details = ErrorDetails.builder().provider(name).model("").retryable(allTransport).build();
        throw allTransport ? new TransportException(message, details) : new ChatException(message, details);
      }
      return List.copyOf(models);
    });
  }

  /** Stops the rounds. Idempotent. */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (tickLock) {
      if (nextRound != null) {
        nextRound.cancel();
        nextRound = null;
      }
    }
  }

  private void scheduleRound(long delayNanos) {
    synchronized (tickLock) {
      if (closed.get()) {
        return;
      }
      try {
        nextRound = scheduler.schedule(Duration.ofNanos(delayNanos), this::round);
      } catch (RejectedExecutionException e) {
        log.warn("{}: the scheduler refused the next health/metrics refresh ({}); replica health is no longer "
            + "updated in the background", name, e.toString());
      }
    }
  }

  /** One background round: probes the replicas that are due, then schedules the next round. */
  private void round() {
    if (closed.get()) {
      return;
    }
    CompletableFuture<Void> work;
    try {
      long now = ticker.read();
      List<CompletableFuture<Void>> due = new ArrayList<>();
      for (Replica r : pool.replicas()) {
        if (r.isDue(now, scrapeNanos, retryNanos)) {
          due.add(refresh(r));
        }
      }
      work = CompletableFuture.allOf(due.toArray(new CompletableFuture<?>[0]));
    } catch (RuntimeException e) {
      log.warn("{}: a background refresh round failed: {}", name, e.toString());
      work = CompletableFuture.completedFuture(null);
    }
    lastRound = work.handle((v, e) -> {
      scheduleRound(Math.min(scrapeNanos, retryNanos));
      return null;
    });
  }

  /** Probes one replica; never fails. */
  private CompletableFuture<Void> refresh(Replica replica) {
    long seq = replica.beginCheck(ticker.read());
    return control.get(replica.healthUri(), ControlPlane.MAX_HEALTH_BYTES)
        .handle((response, error) -> {
          boolean ok = error == null && response.ok();
          String why = ok ? null : error != null
              ? "health probe failed: " + ControlPlane.describe(error)
              : "health probe answered HTTP " + response.status() + excerpt(response);
          boolean applied = replica.applyHealth(seq, ok, why, ticker.read());
          if (!ok && applied) {
            log.debug("{}: replica {} is unhealthy: {}", name, replica.baseUrl(), why);
          }
          return applied && ok;
        })
        .thenCompose(healthy -> healthy ? scrape(replica, seq) : CompletableFuture.<Void>completedFuture(null))
        .exceptionally(e -> {
          log.warn("{}: refreshing replica {} failed unexpectedly: {}", name, replica.baseUrl(), e.toString());
          return null;
        });
  }

  private CompletableFuture<Void> scrape(Replica replica, long seq) {
    CompletableFuture<Void> metrics = control.get(replica.metricsUri(), ControlPlane.MAX_METRICS_BYTES)
        .handle((response, error) -> {
          if (error != null) {
            replica.applyScrapeFailure(seq, "metrics: " + ControlPlane.describe(error));
          } else if (!response.ok()) {
            replica.applyScrapeFailure(seq, "metrics answered HTTP " + response.status()
                + (response.status() == 404 || response.status() == 501
                    ? " (are metrics enabled? SGLang needs --enable-metrics, llama.cpp --metrics)" : "")
                + excerpt(response));
          } else {
            ControlPlane.Load load = ControlPlane.readLoad(PrometheusText.parse(response.text()),
                backend.runningSeries(), backend.waitingSeries(), backend.kvCacheUsageSeries(),
                backend.prefixCacheHitRateSeries(), backend.prefixCacheCounterSeries());
            replica.applyLoad(seq, load, ticker.read());
          }
          return null;
        });
    if (replica.models() != null) {
      return metrics;
    }
    CompletableFuture<Void> models = fetchModels(replica).handle((m, e) -> null);
    return CompletableFuture.allOf(metrics, models);
  }

  /** Lists the models of {@code replica} ({@code GET /v1/models}) and remembers them and their context windows. */
  public CompletableFuture<Map<String, Integer>> fetchModels(Replica replica) {
    return control.get(replica.modelsUri(), ControlPlane.MAX_MODELS_BYTES).thenApply(response -> {
      if (!response.ok()) {
        throw new IllegalStateException("GET " + replica.modelsUri() + " answered HTTP " + response.status()
            + excerpt(response));
      }
      Map<String, Integer> models = ControlPlane.readModels(response.body());
      replica.applyModels(models);
      models.forEach((id, length) -> {
        if (length > 0) {
          maxModelLen.put(id, length);
        }
      });
      return models;
    });
  }

  private static String excerpt(ControlPlane.Response response) {
    String text = WireJson.excerpt(response.text(), 120);
    return text.isEmpty() ? "" : " (" + text + ")";
  }
}
