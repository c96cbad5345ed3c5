package dev.switchboard.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.switchboard.ChatClient;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Message;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Ticker;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow traffic: a sampled share of some routes' calls is also sent, asynchronously, to a
 * candidate model through a client of its own (a second {@code Switchboard}, so that its cost is
 * counted apart), and each pair of answers is written as one JSON line for offline comparison.
 * The caller's call is neither delayed nor changed: the shadow starts beside it, its outcome is
 * only written down, and beyond {@link Builder#maxInFlight} concurrent shadows the sample is
 * skipped (counted in {@link #skipped()}). Streams are not shadowed. Thread-safe.
 *
 * <pre>{@code
 * Switchboard shadowClient = Switchboard.builder().provider(deepseek).listener(shadowLedger).build();
 * ShadowTraffic shadow = ShadowTraffic.builder(shadowClient, "deepseek/deepseek-v4-pro")
 *     .routes("ranker").sample(0.05).writeTo(Files.newBufferedWriter(Path.of("shadow.jsonl"))).build();
 * }</pre>
 */
public final class ShadowTraffic implements Interceptor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShadowTraffic.class);
  private static final JsonFactory JSON = new JsonFactory();

  /** One pair: what the caller got and what the candidate answered (or how it failed). */
  public record Pair(String route, String prompt, ChatResponse primary, Duration primaryLatency, String candidate,
      ChatResponse shadow, ChatException shadowError, Duration shadowLatency) {}

  private final ChatClient client;
  private final String candidate;
  private final Set<String> routes;
  private final double sample;
  private final SplittableRandom random;
  private final Writer out;
  private final Ticker ticker;
  private final Semaphore inFlight;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  private ShadowTraffic(Builder b) {
    this.client = b.client;
    this.candidate = b.candidate;
    this.routes = Set.copyOf(b.routes);
    this.sample = b.sample;
    this.random = new SplittableRandom(b.seed);
    this.out = b.out;
    this.ticker = b.ticker;
    this.inFlight = new Semaphore(b.maxInFlight);
  }

  /** Shadows to {@code candidate} (a model string {@code client} knows) through {@code client}. */
  public static Builder builder(ChatClient client, String candidate) {
    return new Builder(client, candidate);
  }

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    ChatRequest request = chain.request();
    long start = ticker.read();
    CompletableFuture<ChatResponse> primary = chain.proceed(request);
    if (!routes.contains(request.model()) || !sampled()) {
      return primary;
    }
    if (!inFlight.tryAcquire()) {
      skipped.incrementAndGet();
      return primary;
    }
    CompletableFuture<ChatResponse> shadow;
    try {
      shadow = client.chatAsync(request.withModel(candidate));
    } catch (RuntimeException e) {
      shadow = Futures.failed(e);
    }
    long shadowStart = ticker.read();
    CompletableFuture<Duration> shadowEnded = shadow.handle((r, e) -> Duration.ofNanos(ticker.read() - shadowStart));
    CompletableFuture<ChatResponse> shadowResult = shadow;
    primary.whenComplete((answer, failed) -> {
      Duration primaryLatency = Duration.ofNanos(ticker.read() - start);
      shadowEnded.whenComplete((shadowLatency, never) -> {
        try {
          if (answer != null) {
            ChatResponse s = shadowResult.isCompletedExceptionally() ? null : shadowResult.join();
            ChatException error = null;
            if (s == null) {
              Throwable t = Futures.unwrap(shadowResult.handle((r, e) -> e).join());
              error = t instanceof ChatException ce ? ce : new ChatException("shadow call failed: " + t,
                  dev.switchboard.ErrorDetails.of("", candidate), t);
            }
            write(new Pair(request.model(), lastUser(request), answer, primaryLatency, candidate, s, error,
                shadowLatency));
          }
        } finally {
          inFlight.release();
        }
      });
    });
    return primary;
  }

  @Override
  public ChatStream interceptStream(Chain chain) {
    return chain.proceedStream(chain.request());
  }

  private synchronized boolean sampled() {
    return random.nextDouble() < sample;
  }

  private void write(Pair p) {
    String line = toJson(p);
    synchronized (out) {
      try {
        out.write(line);
        out.write('\n');
        out.flush();
        written.incrementAndGet();
      } catch (IOException e) {
        log.warn("shadow traffic: could not write a pair for route '{}': {}", p.route(), e.toString());
      }
    }
  }

  /** One pair as a JSON line: route, prompt, both models, answers, latencies, usage and cost, the shadow's error. */
  public static String toJson(Pair p) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);
      g.writeStartObject();
      g.writeStringField("route", p.route());
      g.writeStringField("prompt", p.prompt());
      side(g, "primary", p.primary(), p.primary().provider() + "/" + p.primary().model(), p.primaryLatency(), null);
      side(g, "shadow", p.shadow(), p.candidate(), p.shadowLatency(), p.shadowError());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void side(JsonGenerator g, String name, ChatResponse r, String model, Duration latency,
      ChatException error) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeStringField("model", model);
    g.writeNumberField("latencyMs", latency.toNanos() / 1_000_000.0);
    if (r != null) {
      g.writeStringField("answer", r.text());
      g.writeNumberField("inputTokens", r.usage().inputTokens());
      g.writeNumberField("outputTokens", r.usage().outputTokens());
      BigDecimal cost = r.cost().total();
      g.writeNumberField("costUsd", cost.signum() == 0 ? BigDecimal.ZERO : cost.stripTrailingZeros());
    }
    if (error != null) {
      g.writeStringField("error", error.getClass().getSimpleName() + ": " + error.getMessage());
    }
    g.writeEndObject();
  }

  private static String lastUser(ChatRequest r) {
    List<Message> m = r.messages();
    for (int i = m.size() - 1; i >= 0; i--) {
      if (m.get(i).role() == dev.switchboard.Role.USER) {
        return m.get(i).text();
      }
    }
    return "";
  }

  /** Pairs written so far. */
  public long written() {
    return written.get();
  }

  /** Samples skipped because {@link Builder#maxInFlight} shadows were running. */
  public long skipped() {
    return skipped.get();
  }

  /** Closes the writer (shadows still running write nothing more). */
  @Override
  public void close() {
    synchronized (out) {
      try {
        out.close();
      } catch (IOException e) {
        log.warn("shadow traffic: could not close the pair writer: {}", e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "ShadowTraffic[" + routes + " -> " + candidate + ", " + sample + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final ChatClient client;
    private final String candidate;
    private final java.util.Set<String> routes = new java.util.LinkedHashSet<>();
    private double sample = 0.05;
    private long seed = 1;
    private Writer out;
    private Ticker ticker = Ticker.system();
    private int maxInFlight = 16;

    private Builder(ChatClient client, String candidate) {
      this.client = Objects.requireNonNull(client, "client");
      this.candidate = Objects.requireNonNull(candidate, "candidate");
    }

    /** The model strings (aliases, routes) whose calls are shadowed. */
    public Builder routes(String... routes) {
      this.routes.addAll(List.of(routes));
      return this;
    }

    /** The share of those calls shadowed, 0..1. Default 0.05. */
    public Builder sample(double share) {
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("sample must be within [0, 1], got " + share);
      }
      this.sample = share;
      return this;
    }

    /** The sampling's seed, for a repeatable choice of calls. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where pairs go, one JSON line each; closed by {@link ShadowTraffic#close()}. */
    public Builder writeTo(Writer out) {
      this.out = Objects.requireNonNull(out, "out");
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** At most this many shadows run at once; samples beyond are skipped. Default 16. */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    public ShadowTraffic build() {
      if (routes.isEmpty()) {
        throw new IllegalStateException("ShadowTraffic needs the routes to shadow: routes(\"ranker\")");
      }
      if (out == null) {
        throw new IllegalStateException("ShadowTraffic needs somewhere to write pairs: writeTo(writer)");
      }
      return new ShadowTraffic(this);
    }
  }
}
