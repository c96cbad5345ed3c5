package dev.switchboard.providers.selfhosted.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Secret;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.http.BoundedBodySubscriber;
import java.io.IOException;
import java.net.URI;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.http.HttpTransport;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * The requests a pool makes on its own behalf: {@code GET} of a replica's health, metrics and model
 * list, each bounded by one timeout (headers and body) and a body limit, plus the readers of what
 * comes back. Sends the API key, when one is configured, as a bearer token (vLLM and SGLang check it
 * on {@code /v1/*} only; servers ignore it elsewhere). Holds no thread while waiting. Thread-safe.
 * Not API.
 */
public final class ControlPlane {
  /** Metrics of a busy vLLM with many histograms run to a few hundred kilobytes. */
  public static final int MAX_METRICS_BYTES = 8 * 1024 * 1024;
  public static final int MAX_MODELS_BYTES = 4 * 1024 * 1024;
  public static final int MAX_HEALTH_BYTES = 16 * 1024;

  private static final String USER_AGENT = "switchboard-java/0.1";

  private final HttpTransport transport;
  private final Secret apiKey;
  private final Duration timeout;

  public ControlPlane(HttpTransport transport, Secret apiKey, Duration timeout) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.apiKey = apiKey;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** A response: its status and at most the configured number of body bytes. */
  public record Response(int status, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * {@code GET uri}; completes with the response whatever its status, or exceptionally with the
   * transport failure or an {@link HttpTimeoutException} after the timeout. Never throws.
   */
  public CompletableFuture<Response> get(URI uri, int maxBytes) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .version(HttpClient.Version.HTTP_1_1) // model servers speak HTTP/1.1; this skips the h2c upgrade
        .header("Accept", "*/*")
        .header("User-Agent", USER_AGENT)
        .GET();
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key != null && !key.isBlank()) {
        b.header("Authorization", "Bearer " + key.trim());
      }
    }
    CompletableFuture<java.net.http.HttpResponse<byte[]>> exchange;
    try {
      exchange = transport.client().sendAsync(b.build(), info -> BoundedBodySubscriber.truncating(maxBytes));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Response> result = new CompletableFuture<>();
    Scheduler.Cancellable timer = transport.scheduler().schedule(timeout, () -> {
      if (result.completeExceptionally(new HttpTimeoutException("no complete answer from " + uri + " within " + timeout))) {
        exchange.cancel(true);
      }
    });
    // The timer is gone before anyone waiting for the result runs.
    exchange.whenComplete((response, error) -> {
      timer.cancel();
      if (error != null) {
        result.completeExceptionally(Futures.unwrap(error));
      } else {
        result.complete(new Response(response.statusCode(), response.body()));
      }
    });
    return result;
  }

  /** A short description of a probe failure, without secrets (URLs of replicas carry none). */
  public static String describe(Throwable failure) {
    Throwable t = Futures.unwrap(failure);
    String message = t.getMessage();
    String kind = t instanceof HttpTimeoutException ? "timeout"
        : t instanceof IOException ? "connection failed" : t.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + WireJson.excerpt(message, 160);
  }

  // ---- readers ----

  /** Load read from a metrics exposition. Fields are 0 / NaN when the server exports no such series. */
  public record Load(int running, int waiting, double kvCacheUsage, double prefixCacheHitRate) {}

  /**
   * Sums the first of {@code running} and {@code waiting} series the exposition has over all label
   * sets, and takes the largest value of the first {@code kvCache} series it has.
   */
  public static Load readLoad(PrometheusText metrics, List<String> running, List<String> waiting,
      List<String> kvCache) {
    return readLoad(metrics, running, waiting, kvCache, List.of(), List.of());
  }

  /**
   * As above, with the prefix-cache hit rate: the first of the {@code hitRate} gauges the exposition
   * has, else hits over queries of the {@code hitsAndQueries} counters (pairs: hits, queries; since
   * the server started); NaN when neither is there or nothing was queried yet.
   */
  public static Load readLoad(PrometheusText metrics, List<String> running, List<String> waiting,
      List<String> kvCache, List<String> hitRate, List<String> hitsAndQueries) {
    double rate = first(metrics, hitRate, true).orElse(Double.NaN);
    for (int i = 0; Double.isNaN(rate) && i + 1 < hitsAndQueries.size(); i += 2) {
      OptionalDouble hits = metrics.sum(hitsAndQueries.get(i));
      OptionalDouble queries = metrics.sum(hitsAndQueries.get(i + 1));
      if (hits.isPresent() && queries.isPresent() && queries.getAsDouble() > 0) {
        rate = Math.min(1, Math.max(0, hits.getAsDouble() / queries.getAsDouble()));
      }
    }
    return new Load(count(metrics, running), count(metrics, waiting), first(metrics, kvCache, true).orElse(Double.NaN),
        rate);
  }

  private static int count(PrometheusText metrics, List<String> names) {
    double v = first(metrics, names, false).orElse(0);
    if (v <= 0) {
      return 0;
    }
    return v >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.round(v);
  }

  private static OptionalDouble first(PrometheusText metrics, List<String> names, boolean max) {
    for (String name : names) {
      OptionalDouble v = max ? metrics.max(name) : metrics.sum(name);
      if (v.isPresent()) {
        return v;
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * Reads an OpenAI-style model list: {@code {"data":[{"id":...,"max_model_len":...}]}}. Maps each
   * id to its {@code max_model_len}, or 0 when the server does not report one.
   *
   * @throws IllegalArgumentException when the body is not such a list
   */
  public static Map<String, Integer> readModels(byte[] body) {
    JsonNode root = WireJson.parse(new String(body, StandardCharsets.UTF_8), "the model list");
    JsonNode data = root == null ? null : root.get("data");
    if (data == null || !data.isArray()) {
      throw new IllegalArgumentException("the model list has no \"data\" array");
    }
    Map<String, Integer> models = new LinkedHashMap<>();
    for (JsonNode model : data) {
      JsonNode id = model.get("id");
      if (id == null || !id.isTextual() || id.asText().isEmpty()) {
        continue;
      }
      JsonNode maxLen = model.get("max_model_len");
      int length = maxLen != null && maxLen.canConvertToInt() && maxLen.asInt() > 0 ? maxLen.asInt() : 0;
      models.put(id.asText(), length);
    }
    return models;
  }
}
