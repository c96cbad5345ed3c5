package dev.switchboard.observe;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatListener} that records calls in a Micrometer {@link MeterRegistry}, named after the
 * OpenTelemetry GenAI semantic conventions where they have a name: register it with {@code
 * Switchboard.builder().listener(metrics)}. Needs {@code io.micrometer:micrometer-core}, an
 * optional dependency of Switchboard.
 *
 * <table>
 *   <caption>Meters (tags in brackets)</caption>
 *   <tr><td>{@code gen_ai.client.operation.duration}</td><td>timer, per attempt [gen_ai.operation.name,
 *       gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model, error.type]</td></tr>
 *   <tr><td>{@code gen_ai.client.token.usage}</td><td>summary, per attempt with usage [the same less
 *       error.type, plus gen_ai.token.type = input | output]</td></tr>
 *   <tr><td>{@code switchboard.call.duration}</td><td>timer, per call [switchboard.route, outcome =
 *       success | failure | cancelled, error.type]</td></tr>
 *   <tr><td>{@code switchboard.cost} (usd)</td><td>counter, each attempt's cost [gen_ai.provider.name,
 *       gen_ai.request.model, switchboard.route]</td></tr>
 *   <tr><td>{@code switchboard.cost.saved} (usd)</td><td>counter, what each cache hit's answer cost
 *       [switchboard.route, cache]</td></tr>
 *   <tr><td>{@code switchboard.cache.hits}</td><td>counter [switchboard.route, cache]</td></tr>
 *   <tr><td>{@code switchboard.routing.decisions}</td><td>counter, calls a router sent on
 *       [switchboard.route, tier, gen_ai.request.model = the first candidate]</td></tr>
 *   <tr><td>{@code switchboard.cache.lookup}</td><td>timer, each lookup [switchboard.route, cache =
 *       exact | semantic, result = hit | miss]</td></tr>
 *   <tr><td>{@code switchboard.cache.unavailable}</td><td>counter, shared cache failures [switchboard.route,
 *       cache, error.type]</td></tr>
 *   <tr><td>{@code switchboard.retries}, {@code switchboard.fallbacks}</td><td>counters
 *       [switchboard.route, error.type]</td></tr>
 *   <tr><td>{@code switchboard.circuit.state}</td><td>gauge, 0 closed, 1 half-open, 2 open
 *       [gen_ai.provider.name, gen_ai.request.model]</td></tr>
 *   <tr><td>{@code switchboard.time_to_first_token}</td><td>timer, streams [switchboard.route]</td></tr>
 *   <tr><td>{@code switchboard.overhead}</td><td>timer, per call [switchboard.route]</td></tr>
 *   <tr><td>{@code switchboard.feedback.score}, {@code switchboard.feedback.negative_score}</td>
 *       <td>summaries [gen_ai.provider.name, gen_ai.response.model, switchboard.route]</td></tr>
 * </table>
 *
 * <p>The route is the model string the caller used ({@link CallInfo#model()}): an alias, a route
 * name or {@code "provider/model"}. A cancelled exchange's tokens are estimated ({@link
 * Usage#estimated()}) and counted like reported ones. Tags take only values from configuration and error class
 * names, never prompts, response ids, user ids or feedback tags, so the number of series stays
 * bounded. Every series of a meter has the same tag keys ({@code error.type} is {@code "none"} on
 * success), as Prometheus requires.
 *
 * <p>{@code switchboard.overhead} is the call's time less the time in which some attempt was in
 * flight (the union of the attempts' intervals, so that overlapping hedges count once) and less
 * the back-off waits before retries, clamped at 0: the time spent in Switchboard and its
 * interceptors. Cancelled calls are left out of it. Timers and the token summary publish histogram
 * buckets at the boundaries the GenAI conventions advise, unless {@link Builder#histograms} is off. Micrometer summaries take no negative amounts,
 * so a negative feedback score is recorded, negated, in {@code switchboard.feedback.negative_score}:
 * the mean score is {@code (score_sum - negative_score_sum) / (score_count + negative_score_count)}.
 *
 * <p>Durations are measured on the {@link Ticker} given to the builder, which must be the {@code
 * Switchboard}'s ({@link CallInfo#startNanos()} is read from it). What a call needs is kept until
 * it ends and no longer. Thread-safe; never throws (a meter that cannot be recorded is logged and
 * dropped).
 */
@SuppressWarnings("exports") // takes a type of an optional module, which its users require themselves
public final class MicrometerMetrics implements ChatListener {
  private static final Logger log = LoggerFactory.getLogger(MicrometerMetrics.class);

  static final String NONE = "none";
  static final String UNKNOWN = "unknown";
  private static final String OPERATION = "gen_ai.operation.name";
  private static final String PROVIDER = "gen_ai.provider.name";
  private static final String REQUEST_MODEL = "gen_ai.request.model";
  private static final String RESPONSE_MODEL = "gen_ai.response.model";
  private static final String TOKEN_TYPE = "gen_ai.token.type";
  private static final String ERROR_TYPE = "error.type";
  private static final String ROUTE = "switchboard.route";
  private static final String OUTCOME = "outcome";
  private static final String CACHE = "cache";

  // Bucket boundaries advised by the GenAI semantic conventions (overhead: ours, at in-process scale).
  private static final double[] OPERATION_SECONDS =
      {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
  private static final double[] FIRST_TOKEN_SECONDS =
      {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};
  private static final double[] OVERHEAD_SECONDS =
      {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
  private static final double[] TOKENS =
      {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};

  private final MeterRegistry registry;
  private final Ticker ticker;
  private final PriceCatalog prices;
  private final Meter.MeterProvider<Timer> attemptDuration;
  private final Meter.MeterProvider<DistributionSummary> tokenUsage;
  private final Meter.MeterProvider<Timer> callDuration;
  private final Meter.MeterProvider<Counter> cost;
  private final Meter.MeterProvider<Counter> saved;
  private final Meter.MeterProvider<Counter> cacheHits;
  private final Meter.MeterProvider<Counter> routingDecisions;
  private final Meter.MeterProvider<Timer> cacheLookups;
  private final Meter.MeterProvider<Counter> cacheUnavailable;
  private final Meter.MeterProvider<Counter> retries;
  private final Meter.MeterProvider<Counter> fallbacks;
  private final Meter.MeterProvider<Timer> firstToken;
  private final Meter.MeterProvider<Timer> overhead;
  private final Meter.MeterProvider<DistributionSummary> feedbackScore;
  private final Meter.MeterProvider<DistributionSummary> negativeFeedbackScore;
  /** Breaker states by "provider/model"; held here because gauges hold their values weakly. */
  private final Map<String, AtomicInteger> circuits = new ConcurrentHashMap<>();
  private final Map<Long, CallState> calls = new ConcurrentHashMap<>();
  private final AtomicBoolean warned = new AtomicBoolean();

  private MicrometerMetrics(Builder b) {
    this.registry = b.registry;
    this.ticker = b.ticker;
    this.prices = b.prices != null ? b.prices : PriceCatalog.bundled();
    boolean h = b.histograms;
    this.attemptDuration = timer("gen_ai.client.operation.duration",
        "One exchange with a provider model, successful or not", h ? OPERATION_SECONDS : null);
    DistributionSummary.Builder tokens = DistributionSummary.builder("gen_ai.client.token.usage")
        .description("Tokens used by one exchange, by token type");
    this.tokenUsage = (h ? tokens.serviceLevelObjectives(TOKENS) : tokens).withRegistry(registry);
    this.callDuration = timer("switchboard.call.duration",
        "One call, across its retries, fallbacks and hedges", h ? OPERATION_SECONDS : null);
    this.cost = usd("switchboard.cost", "What attempts cost at the Switchboard's prices");
    this.saved = usd("switchboard.cost.saved", "What the answers served from a cache cost when first made");
    this.cacheHits = counter("switchboard.cache.hits", "Calls answered from a cache");
    this.routingDecisions = counter("switchboard.routing.decisions", "Calls a router sent on, by tier");
    this.cacheLookups = timer("switchboard.cache.lookup", "One cache lookup (exact or semantic), hit or miss",
        h ? OVERHEAD_SECONDS : null);
    this.cacheUnavailable = counter("switchboard.cache.unavailable",
        "Shared cache lookups or writes that failed or timed out; the in-process cache answered alone");
    this.retries = counter("switchboard.retries", "Failed attempts tried again on the same model");
    this.fallbacks = counter("switchboard.fallbacks", "Calls moved on to the next model");
    this.firstToken = timer("switchboard.time_to_first_token",
        "From the start of a streamed call to its first event", h ? FIRST_TOKEN_SECONDS : null);
    this.overhead = timer("switchboard.overhead",
        "A call's time outside its attempts and back-off waits", h ? OVERHEAD_SECONDS : null);
    this.feedbackScore = DistributionSummary.builder("switchboard.feedback.score")
        .description("Feedback scores of 0 and above").withRegistry(registry);
    this.negativeFeedbackScore = DistributionSummary.builder("switchboard.feedback.negative_score")
        .description("Feedback scores below 0, negated").withRegistry(registry);
  }

  /** Metrics in {@code registry} with the defaults of {@link #builder}. */
  public static MicrometerMetrics of(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** Metrics in {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  // ---- per attempt ----

  @Override
  public void callStart(CallInfo call) {
    guarded("callStart", () -> calls.put(call.id(), new CallState(route(call))));
  }

  @Override
  public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
    guarded("attemptStart", () -> {
      CallState state = calls.get(call.id());
      if (state != null) {
        state.attemptStarted(attemptId, target.model(), ticker.read());
      }
    });
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    guarded("attemptEnd", () -> {
      CallState state = calls.get(call.id());
      String requestModel = state == null ? null : state.attemptEnded(attemptId, ticker.read());
      String operation = call.kind() == CallInfo.Kind.EMBEDDING ? "embeddings" : "chat";
      String provider = tag(attempt.provider());
      String sentTo = tag(requestModel != null ? requestModel : attempt.model());
      String answered = tag(attempt.model());
      attemptDuration.withTags(OPERATION, operation, PROVIDER, provider, REQUEST_MODEL, sentTo,
          RESPONSE_MODEL, answered, ERROR_TYPE, attempt.failure().map(MicrometerMetrics::tag).orElse(NONE))
          .record(attempt.latency());
      Usage usage = attempt.usage();
      if (usage.totalTokens() > 0) {
        tokenUsage.withTags(OPERATION, operation, PROVIDER, provider, REQUEST_MODEL, sentTo,
            RESPONSE_MODEL, answered, TOKEN_TYPE, "input").record(usage.inputTokens());
        tokenUsage.withTags(OPERATION, operation, PROVIDER, provider, REQUEST_MODEL, sentTo,
            RESPONSE_MODEL, answered, TOKEN_TYPE, "output").record(usage.outputTokens());
      }
      attempt.cost().ifPresent(c -> cost.withTags(PROVIDER, provider, REQUEST_MODEL, sentTo, ROUTE, route(call))
          .increment(c.total().doubleValue()));
    });
  }

  // ---- during a call ----

  @Override
  public void firstEvent(CallInfo call, Duration latency) {
    guarded("firstEvent", () -> {
      CallState state = calls.get(call.id());
      if (state != null && state.firstEvent()) {
        firstToken.withTags(ROUTE, state.route).record(latency);
      }
    });
  }

  @Override
  public void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {
    guarded("retryScheduled", () -> {
      retries.withTags(ROUTE, route(call), ERROR_TYPE, errorType(failure)).increment();
      CallState state = calls.get(call.id());
      if (state != null) {
        state.waited(delay);
      }
    });
  }

  @Override
  public void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {
    guarded("fallback", () -> fallbacks.withTags(ROUTE, route(call), ERROR_TYPE, errorType(cause)).increment());
  }

  @Override
  public void routed(CallInfo call, dev.switchboard.RouteChoice choice, java.util.List<String> candidates) {
    guarded("routed", () -> routingDecisions.withTags(ROUTE, route(call), "tier", tag(choice.tier().orElse(NONE)),
        REQUEST_MODEL, tag(candidates.isEmpty() ? NONE : candidates.get(0))).increment());
  }

  @Override
  public void cacheLookup(CallInfo call, String cache, boolean hit, Duration latency) {
    guarded("cacheLookup", () -> cacheLookups.withTags(ROUTE, route(call), CACHE, tag(cache), "result",
        hit ? "hit" : "miss").record(latency));
  }

  @Override
  public void cacheUnavailable(CallInfo call, String cache, Throwable error) {
    guarded("cacheUnavailable", () -> cacheUnavailable.withTags(ROUTE, route(call), CACHE, tag(cache), ERROR_TYPE,
        tag(error.getClass().getSimpleName())).increment());
  }

  @Override
  public void cacheHit(CallInfo call, String cache, double similarity) {
    guarded("cacheHit", () -> {
      cacheHits.withTags(ROUTE, route(call), CACHE, tag(cache)).increment();
      CallState state = calls.get(call.id());
      if (state != null) {
        state.cache = tag(cache);
      }
    });
  }

  @Override
  public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
    guarded("circuitStateChanged", () -> circuits.computeIfAbsent(provider + "/" + model, key -> {
      AtomicInteger state = new AtomicInteger();
      Gauge.builder("switchboard.circuit.state", state, AtomicInteger::get)
          .description("A provider model's circuit breaker: 0 closed, 1 half-open, 2 open")
          .tags(PROVIDER, tag(provider), REQUEST_MODEL, tag(model))
          .register(registry);
      return state;
    }).set(code(to)));
  }

  // ---- the end ----

  @Override
  public void callEnd(CallInfo call, ChatResponse response) {
    guarded("callEnd", () -> {
      CallState state = ended(call, "success", NONE);
      if (state != null && state.cache != null) {
        Cost answer = response.cacheHit().map(dev.switchboard.CacheHit::saved).orElse(response.cost());
        if (answer.isZero()) {
          ModelPrice price = prices.price(response.provider() + "/" + response.model()).orElse(null);
          answer = price == null ? Cost.ZERO : price.cost(response.usage());
        }
        saved.withTags(ROUTE, state.route, CACHE, state.cache).increment(answer.total().doubleValue());
      }
    });
  }

  @Override
  public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
    guarded("embeddingEnd", () -> ended(call, "success", NONE));
  }

  @Override
  public void callFailed(CallInfo call, ChatException error) {
    guarded("callFailed", () -> ended(call, "failure", errorType(error)));
  }

  @Override
  public void callCancelled(CallInfo call) {
    guarded("callCancelled", () -> {
      calls.remove(call.id());
      callDuration.withTags(ROUTE, route(call), OUTCOME, "cancelled", ERROR_TYPE, NONE)
          .record(Duration.ofNanos(ticker.read() - call.startNanos()));
    });
  }

  @Override
  public void feedback(Feedback feedback) {
    guarded("feedback", () -> {
      double score = feedback.score();
      (score < 0 ? negativeFeedbackScore : feedbackScore).withTags(PROVIDER, tag(feedback.provider()),
          RESPONSE_MODEL, tag(feedback.model()), ROUTE, tag(feedback.route())).record(Math.abs(score));
    });
  }

  /** Records a call that ended (not cancelled) and forgets it; returns what was kept of it, if anything. */
  private CallState ended(CallInfo call, String outcome, String errorType) {
    long now = ticker.read();
    CallState state = calls.remove(call.id());
    String route = route(call);
    long total = now - call.startNanos();
    callDuration.withTags(ROUTE, route, OUTCOME, outcome, ERROR_TYPE, errorType).record(Duration.ofNanos(total));
    if (state != null) {
      overhead.withTags(ROUTE, route).record(Duration.ofNanos(Math.max(0, total - state.busyNanos(now))));
    }
    return state;
  }

  /** How many calls are kept in memory now (started, not yet ended). */
  int callsInFlight() {
    return calls.size();
  }

  private void guarded(String event, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      if (warned.compareAndSet(false, true)) {
        log.warn("MicrometerMetrics could not record {}: {}; further failures are logged at DEBUG", event, e.toString());
      } else {
        log.debug("MicrometerMetrics could not record {}", event, e);
      }
    }
  }

  private Meter.MeterProvider<Timer> timer(String name, String description, double[] bucketSeconds) {
    Timer.Builder b = Timer.builder(name).description(description);
    if (bucketSeconds != null) {
      b.serviceLevelObjectives(Arrays.stream(bucketSeconds).mapToObj(s -> Duration.ofNanos((long) (s * 1e9)))
          .toArray(Duration[]::new));
    }
    return b.withRegistry(registry);
  }

  private Meter.MeterProvider<Counter> usd(String name, String description) {
    return Counter.builder(name).description(description).baseUnit("usd").withRegistry(registry);
  }

  private Meter.MeterProvider<Counter> counter(String name, String description) {
    return Counter.builder(name).description(description).withRegistry(registry);
  }

  private static String route(CallInfo call) {
    return tag(call.model());
  }

  private static String tag(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }

  private static String errorType(Throwable error) {
    String name = error.getClass().getSimpleName();
    return name.isEmpty() ? error.getClass().getName() : name;
  }

  private static int code(CircuitState state) {
    switch (state) {
      case HALF_OPEN:
        return 1;
      case OPEN:
        return 2;
      default:
        return 0;
    }
  }

  /** One call's running figures. Thread-safe (attempts of a hedge end on different threads). */
  private static final class CallState {
    /** An attempt in flight: the model it was sent to, and when it started. */
    private record Running(String model, long start) {}

    final String route;
    volatile String cache;
    private final Map<Integer, Running> running = new HashMap<>(4);
    private final List<long[]> ended = new ArrayList<>(4); // {start, end} of each attempt that ended
    private long waitedNanos;
    private boolean firstEventSeen;

    CallState(String route) {
      this.route = route;
    }

    synchronized void attemptStarted(int attemptId, String model, long now) {
      running.put(attemptId, new Running(model, now));
    }

    /** The model attempt {@code attemptId} was sent to, or null if its start was not seen. */
    synchronized String attemptEnded(int attemptId, long now) {
      Running r = running.remove(attemptId);
      if (r == null) {
        return null;
      }
      ended.add(new long[] {r.start(), now});
      return r.model();
    }

    synchronized void waited(Duration delay) {
      waitedNanos += delay.toNanos();
    }

    /** True the first time only. */
    synchronized boolean firstEvent() {
      boolean first = !firstEventSeen;
      firstEventSeen = true;
      return first;
    }

    /** The time in which some attempt was in flight (the union of their intervals), plus the back-off waits. */
    synchronized long busyNanos(long now) {
      List<long[]> intervals = new ArrayList<>(ended);
      for (Running r : running.values()) {
        intervals.add(new long[] {r.start(), now});
      }
      intervals.sort((x, y) -> Long.compare(x[0], y[0]));
      long busy = 0;
      long from = 0;
      long to = Long.MIN_VALUE;
      for (long[] i : intervals) {
        if (i[0] > to) {
          busy += Math.max(0, to - from);
          from = i[0];
        }
        to = Math.max(to, i[1]);
      }
      return busy + Math.max(0, to - from) + waitedNanos;
    }
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private Ticker ticker = Ticker.system();
    private PriceCatalog prices;
    private boolean histograms = true;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The nanosecond source durations are measured on: the {@code Switchboard}'s own ({@code
     * Switchboard.builder().ticker}). Default {@link Ticker#system()}, the {@code Switchboard}'s default.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The prices that value a cache hit whose answer carries no cost of its own (its usage at the
     * answering model's price). Default {@link PriceCatalog#bundled()}; pass the {@code Switchboard}'s.
     */
    public Builder prices(PriceCatalog prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    /**
     * Whether timers and the token summary publish histogram buckets (the GenAI conventions'
     * boundaries), so that percentiles can be computed across instances. Default true; each
     * bucket is a series.
     */
    public Builder histograms(boolean histograms) {
      this.histograms = histograms;
      return this;
    }

    public MicrometerMetrics build() {
      return new MicrometerMetrics(this);
    }
  }
}
