package dev.switchboard.providers.selfhosted;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Secret;
import dev.switchboard.TransportException;
import dev.switchboard.route.Load;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.providers.compat.internal.ChatCompletionsClient;
import dev.switchboard.providers.compat.internal.ChatCompletionsDialect;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.selfhosted.internal.ControlPlane;
import dev.switchboard.providers.selfhosted.internal.Replica;
import dev.switchboard.providers.selfhosted.internal.ReplicaRefresher;
import dev.switchboard.providers.selfhosted.internal.ReplicaPool;
import dev.switchboard.providers.selfhosted.internal.TrackedStream;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.spi.SystemScheduler;
import dev.switchboard.spi.Ticker;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-hosted GPU servers (vLLM, SGLang, TGI, llama.cpp) over their OpenAI-compatible API, as one
 * provider spread over one or more replicas that serve the same models:
 *
 * <pre>{@code
 * try (SelfHostedProvider vllm = SelfHostedProvider.builder()
 *     .name("vllm")
 *     .backend(Backend.VLLM)
 *     .replica("http://gpu-1:8000")
 *     .replica("http://gpu-2:8000")
 *     .build()) {
 *   Switchboard sb = Switchboard.builder().provider(vllm).build();
 *   System.out.println(sb.chat("vllm/Qwen/Qwen3-32B", "Say hi"));
 * }
 * }</pre>
 *
 * <p><b>Calls.</b> Each replica is called on its OpenAI-compatible API at {@code {replica}/v1}
 * (all replicas share one {@link HttpTransport}), with the same chat-completions wire code and error
 * mapping as {@code OpenAiProvider} for a generic server; {@link #chat}, {@link #stream} and {@link
 * #embed} go to one replica, with the request first {@linkplain Backend#adapt adapted} to the
 * backend ({@link SelfHostedOptions} become the backend's own fields, merged with the request's
 * {@link dev.switchboard.providers.compat.ChatCompletionsOptions}, e.g. an {@code OpenAiOptions}
 * tag). Errors are typed exceptions naming this provider; an option the backend cannot honour fails
 * with {@link InvalidRequestException} before anything is sent. Like every adapter it never retries: a retry or
 * fallback interceptor in front of it will, and its next attempt goes to the next-best replica.
 *
 * <p><b>Choosing a replica.</b> Each call goes to the healthy replica with the lowest load score:
 * the running plus waiting requests its {@code /metrics} reported at the last scrape, plus the
 * calls this client has in flight to it (counted from the start of a call until its future
 * completes, or until its stream delivers the last event, fails or is closed). Ties go round-robin.
 * If no replica is healthy, the call still goes to the least recently failed one rather than failing
 * unsent. {@link #replicas()} shows the state the choice is made from.
 *
 * <p><b>Health.</b> A background refresh probes {@code GET {replica}/health} (200 healthy; anything
 * else, e.g. llama.cpp's 503 while loading, or no answer within {@link Builder#healthTimeout}, is
 * unhealthy) and then reads {@code /metrics}, every {@link Builder#scrapeInterval} (default 5 s).
 * A call that fails with a {@link TransportException} (refused, reset, TLS), or whose stream breaks
 * on a connection error, takes its replica out of the pool at once. An unhealthy replica is probed
 * again every {@link Builder#unhealthyRetryInterval} (default 10 s) and rejoins the pool as soon as
 * {@code /health} answers 200. Replicas count as healthy until their first probe. A replica whose
 * metrics cannot be read (metrics off, e.g. SGLang without {@code --enable-metrics}) stays in the
 * pool with load 0 from the server; only in-flight calls then tell it apart.
 *
 * <p><b>Models.</b> {@link #listModels()} unions {@code /v1/models} over the healthy replicas. The
 * refresh also lists a replica's models once after it (re)joins, so {@link #capabilities} can report
 * {@code max_model_len} (from vLLM and recent SGLang) as the maximum context.
 *
 * <p><b>Threads and time.</b> The refresh runs on the {@link Builder#scheduler scheduler} (by
 * default {@link SystemScheduler#instance()}, shared with the rest of Switchboard): each round only starts non-blocking requests and
 * schedules the next round when they are done, so no thread waits on the network and nothing is
 * scheduled while a round runs. Intervals are measured with the {@link Builder#ticker ticker}. Tests
 * inject both and call {@link #refreshNow()}, so they never sleep.
 *
 * <p><b>Timeouts</b>, each on the transport's {@link dev.switchboard.spi.Scheduler scheduler} and
 * {@link Ticker ticker} (with a {@link Builder#ticker ticker} or {@link Builder#scheduler scheduler} of
 * your own and no {@link Builder#transport transport}, the provider's own transport runs on them):
 * {@link Builder#timeout} (default 60 s, or {@link ChatRequest#timeout()}) bounds a whole {@code
 * chat()} or {@code embed()} call; a stream that stalls between chunks ends at the transport's idle
 * timeout ({@link HttpTransport#DEFAULT_IDLE_TIMEOUT}, 120 s) with a {@link ChatStreamException};
 * {@link Builder#timeout} also bounds the wait for a stream's response headers (the JDK's timer
 * stays as a backstop); {@link Builder#healthTimeout} bounds each probe. Only {@link
 * Builder#connectTimeout} is left to the JDK's HTTP client, on its own clock.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls. Whoever builds it closes it:
 * {@link #close()} stops the refresh (cancelling its next round), makes the per-replica clients refuse
 * new calls and stops the HTTP client's threads, so close it after the calls that use it have ended;
 * calls still in flight may fail.
 */
public final class SelfHostedProvider implements ProviderAdapter {
  private static final Logger log = LoggerFactory.getLogger(SelfHostedProvider.class);
  private static final String OWNER = "SelfHostedProvider";
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String name;
  private final Backend backend;
  private final ReplicaPool pool;
  private final ControlPlane control;
  private final Ticker ticker;
  private final HttpTransport transport;
  private final boolean ownedTransport;
  private final Secret apiKey;
  private final ReplicaRefresher refresher;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SelfHostedProvider(Builder b, String name, List<String> replicaUrls) {
    this.name = name;
    this.backend = b.backend;
    this.ticker = b.ticker;
    this.apiKey = b.apiKey;
    // The JVM's transport for the pool's connect timeout, unless the pool runs on a scheduler or
    // ticker of its own (a test's manual clock): then a transport of its own on them, so that health
    // checks and call limits move with that clock alike.
    boolean systemTime = b.scheduler == SystemScheduler.instance() && b.ticker == Ticker.system();
    this.ownedTransport = b.transport == null && !systemTime;
    this.transport = b.transport != null ? b.transport : systemTime ? HttpTransport.shared(b.connectTimeout)
        : HttpTransport.builder().connectTimeout(b.connectTimeout).scheduler(b.scheduler).ticker(b.ticker).build();
    this.control = new ControlPlane(transport, apiKey, b.healthTimeout);
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < replicaUrls.size(); i++) {
      String url = replicaUrls.get(i);
      String api = url + backend.apiPath();
      URI chat = URI.create(api + "/chat/completions");
      URI embeddings = URI.create(api + "/embeddings");
      ChatCompletionsClient client = ChatCompletionsClient.builder()
          .provider(name)
          .endpoints(new ChatCompletionsClient.Endpoints() {
            @Override
            public URI chat(String model) {
              return chat;
            }

            @Override
            public URI embeddings(String model) {
              return embeddings;
            }
          })
          .apiKey(apiKey)
          .timeout(b.timeout)
          .maxResponseBytes(b.maxResponseBytes)
          .transport(transport)
          // Plain http: ask for HTTP/1.1 directly; the h2c upgrade dance confuses some local servers.
          .version(url.regionMatches(true, 0, "http:", 0, 5) ? HttpClient.Version.HTTP_1_1 : null)
          .dialect(ChatCompletionsDialect.generic(false))
          .thinkTags(true)
          .errors(new ChatCompletionsErrorMapper(apiKey, chat.toString(), Clock.systemUTC(), false, OWNER, null))
          .embeddingErrors(new ChatCompletionsErrorMapper(apiKey, embeddings.toString(), Clock.systemUTC(), false,
              OWNER, null))
          .build();
      replicas.add(new Replica(i, url, URI.create(url + backend.healthPath()), URI.create(url + backend.metricsPath()),
          URI.create(url + backend.modelsPath()), client));
    }
    this.pool = new ReplicaPool(replicas);
    this.refresher = new ReplicaRefresher(name, backend, pool, control, b.ticker, b.scheduler,
        b.scrapeInterval.toNanos(), b.unhealthyRetryInterval.toNanos());
    refresher.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The backend profile the replicas run. */
  public Backend backend() {
    return backend;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    ChatRequest adapted;
    try {
      adapted = prepare(request);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return call(adapted.model(), replica -> replica.client().chat(adapted));
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    ChatRequest adapted;
    try {
      adapted = prepare(request);
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    }
    Replica replica = pool.acquire();
    ChatStream inner;
    try {
      inner = replica.client().stream(adapted);
    } catch (RuntimeException e) {
      replica.release();
      throw e;
    }
    return new TrackedStream(inner, replica::release, failure -> noteFailure(replica, failure));
  }

  /** Embeds through the chosen replica's OpenAI-compatible {@code /v1/embeddings}. */
  @Override
  public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
    if (closed.get()) {
      return Futures.failed(closedException(request.model()));
    }
    return call(request.model(), replica -> replica.client().embed(request));
  }

  /**
   * The backend's {@link Backend#capabilities()}, with the maximum context set from {@code
   * max_model_len} when a model listing reported one for {@code model}.
   */
  @Override
  public Capabilities capabilities(String model) {
    Capabilities base = backend.capabilities();
    Integer length = model == null ? null : refresher.maxModelLen(model);
    return length == null || length <= 0 ? base : base.toBuilder().maxContextTokens(length).build();
  }

  /**
   * The models the healthy replicas serve (all replicas, when none is healthy), in order of first
   * appearance, from their {@code GET /v1/models}. Replicas that cannot be asked are left out; fails
   * only when none answers, with a {@link TransportException} if every failure was at the transport
   * level, else a {@link ChatException}.
   */
  public CompletableFuture<List<String>> listModels() {
    if (closed.get()) {
      return Futures.failed(closedException(""));
    }
    return refresher.listModels();
  }

  /** The state of every replica, in the order they were configured. */
  public List<ReplicaStatus> replicas() {
    long now = ticker.read();
    List<ReplicaStatus> out = new ArrayList<>();
    for (Replica r : pool.replicas()) {
      out.add(r.snapshot(now));
    }
    return List.copyOf(out);
  }

  /**
   * The replicas' load, summed: every replica serves every model of this provider, so {@code model}
   * does not change it. From the last scrape and this client's calls in flight; never blocks.
   */
  @Override
  public Optional<Load> load(String model) {
    int healthy = 0;
    int running = 0;
    int waiting = 0;
    int inFlight = 0;
    List<ReplicaStatus> all = replicas();
    for (ReplicaStatus r : all) {
      healthy += r.healthy() ? 1 : 0;
      running += r.running();
      waiting += r.waiting();
      inFlight += r.inFlight();
    }
    return Optional.of(new Load(all.size(), healthy, running, waiting, inFlight));
  }

  /**
   * Probes every replica once now, whatever its schedule: {@code /health}, then for healthy ones
   * {@code /metrics} (and {@code /v1/models} if not yet listed). The future completes when all
   * answers are applied; it never fails for a replica's sake (that replica is marked unhealthy).
   *
   * @throws IllegalStateException (through the future) after {@link #close()}
   */
  public CompletableFuture<Void> refreshNow() {
    if (closed.get()) {
      return Futures.failed(new IllegalStateException("SelfHostedProvider '" + name + "' is closed"));
    }
    return refresher.refreshAll();
  }

  /** The last background round, completing once its answers are applied and the next round is scheduled. */
  CompletableFuture<Void> lastBackgroundRound() {
    return refresher.lastRound();
  }

  /** Stops the refresh and releases the HTTP client's threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    refresher.close();
    for (Replica r : pool.replicas()) {
      r.client().close();
    }
    if (ownedTransport) {
      transport.close();
    }
  }

  @Override
  public String toString() {
    List<String> urls = new ArrayList<>();
    for (Replica r : pool.replicas()) {
      urls.add(r.baseUrl());
    }
    return "SelfHostedProvider[name=" + name + ", backend=" + backend.name()
        + (backend.legacyGuidedDecoding() ? " (legacy guided_*)" : "") + ", replicas=" + urls
        + (apiKey == null ? ", no apiKey" : ", apiKey=" + apiKey.description()) + "]";
  }

  // ---- calls ----

  private ChatRequest prepare(ChatRequest request) {
    if (closed.get()) {
      throw closedException(request.model());
    }
    try {
      return backend.adapt(request);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage() + " (provider " + name + ", model '" + request.model() + "')",
          ErrorDetails.of(name, request.model()), e);
    }
  }

  private <T> CompletableFuture<T> call(String model, Function<Replica, CompletableFuture<T>> send) {
    Replica replica = pool.acquire();
    CompletableFuture<T> inner;
    try {
      inner = send.apply(replica);
    } catch (RuntimeException e) {
      replica.release();
      return Futures.failed(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    inner.whenComplete((value, error) -> {
      // Released before the caller sees the outcome, so the next call already counts it as done.
      replica.release();
      if (error == null) {
        result.complete(value);
      } else {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof ChatException ce) {
          noteFailure(replica, ce);
        }
        result.completeExceptionally(cause);
      }
    });
    return Futures.cancelling(result, inner);
  }

  private void noteFailure(Replica replica, ChatException failure) {
    // A connection that failed takes the replica out; a slow or stalled generation does not (the
    // health probe decides about a replica that hangs).
    boolean transport = failure instanceof TransportException
        || (failure instanceof ChatStreamException && failure.getCause() instanceof IOException
            && !(failure.getCause() instanceof java.net.http.HttpTimeoutException));
    if (!transport) {
      return;
    }
    replica.markFailed("call failed: " + failure.getClass().getSimpleName() + ": "
        + WireJson.excerpt(failure.getMessage(), 200), ticker.read());
    log.info("{}: replica {} is out of the pool after a transport failure; it is probed again every {} ms",
        name, replica.baseUrl(), TimeUnit.NANOSECONDS.toMillis(refresher.retryNanos()));
  }

  private ChatException closedException(String model) {
    return new ChatException("SelfHostedProvider '" + name + "' is closed; build a new one to call model '" + model
        + "'", ErrorDetails.of(name, model));
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String name;
    private Backend backend;
    private final List<String> replicas = new ArrayList<>();
    private Secret apiKey;
    private Duration scrapeInterval = Duration.ofSeconds(5);
    private Duration healthTimeout = Duration.ofSeconds(2);
    private Duration unhealthyRetryInterval = Duration.ofSeconds(10);
    private Duration timeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private int maxResponseBytes = 32 * 1024 * 1024;
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler = SystemScheduler.instance();
    private HttpTransport transport;

    private Builder() {}

    /**
     * The prefix of model strings, e.g. {@code "vllm"} in {@code "vllm/Qwen/Qwen3-32B"}. Default:
     * the backend's name.
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The server software the replicas run. Required. */
    public Builder backend(Backend backend) {
      this.backend = backend;
      return this;
    }

    /**
     * Adds a replica by its root URL, e.g. {@code http://gpu-1:8000} (not {@code .../v1}: the
     * backend's paths are appended). Repeatable; all replicas must serve the same models.
     */
    public Builder replica(String baseUrl) {
      this.replicas.add(Objects.requireNonNull(baseUrl, "replica baseUrl"));
      return this;
    }

    /** Sent as {@code Authorization: Bearer <key>} (vLLM/SGLang {@code --api-key}). Optional. */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** How often healthy replicas are probed and their metrics read. Default 5 s. */
    public Builder scrapeInterval(Duration scrapeInterval) {
      this.scrapeInterval = scrapeInterval;
      return this;
    }

    /** The time each probe ({@code /health}, {@code /metrics}, {@code /v1/models}) may take. Default 2 s. */
    public Builder healthTimeout(Duration healthTimeout) {
      this.healthTimeout = healthTimeout;
      return this;
    }

    /** How often an unhealthy replica is probed for its return. Default 10 s. */
    public Builder unhealthyRetryInterval(Duration unhealthyRetryInterval) {
      this.unhealthyRetryInterval = unhealthyRetryInterval;
      return this;
    }

    /** The default time a call may take; {@link ChatRequest#timeout()} overrides it. Default 60 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The time to connect to a replica. Default 5 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * The largest answer (and for streams, the largest event) read; more is a {@link
     * dev.switchboard.DecodingException}. Default 32 MiB.
     */
    public Builder maxResponseBytes(int maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /** The time source for intervals and {@link ReplicaStatus#sinceLastScrape()}; tests inject a fake one. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Where the background refresh is scheduled; {@link #close()} cancels only this provider's
     * pending round. Default: {@link SystemScheduler#instance()}. Tests pass a manual one (the testkit's
     * {@code ManualClock}) so that nothing runs unless they say so.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The transport the replicas and health checks use (the caller keeps ownership). Default: one
     * of the provider's own, with {@link #connectTimeout} and this builder's scheduler and ticker.
     */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    public SelfHostedProvider build() {
      if (backend == null) {
        throw new IllegalArgumentException("SelfHostedProvider.backend is required: Backend.VLLM, Backend.SGLANG, "
            + "Backend.TGI or Backend.LLAMA_CPP");
      }
      String n = name != null ? name : backend.name();
      if (!n.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("SelfHostedProvider.name must be letters, digits, '_', '.' or '-' "
            + "(it is the prefix of model strings such as \"vllm/Qwen/Qwen3-32B\"), got: '" + n + "'");
      }
      if (replicas.isEmpty()) {
        throw new IllegalArgumentException("SelfHostedProvider.replica is required: add the root URL of at least "
            + "one server, e.g. replica(\"http://gpu-1:8000\")");
      }
      List<String> urls = new ArrayList<>();
      for (String replica : replicas) {
        String url = normalize(replica);
        if (urls.contains(url)) {
          throw new IllegalArgumentException("SelfHostedProvider.replica " + url + " is given twice");
        }
        urls.add(url);
      }
      requirePositive("scrapeInterval", scrapeInterval);
      requirePositive("healthTimeout", healthTimeout);
      requirePositive("unhealthyRetryInterval", unhealthyRetryInterval);
      requirePositive("timeout", timeout);
      requirePositive("connectTimeout", connectTimeout);
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException("SelfHostedProvider.maxResponseBytes must be > 0, got: " + maxResponseBytes);
      }
      return new SelfHostedProvider(this, n, urls);
    }

    private static void requirePositive(String field, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("SelfHostedProvider." + field + " must be positive, got: " + value);
      }
    }

    private static String normalize(String url) {
      String hint = "SelfHostedProvider.replica must be the absolute http(s) root URL of a server, such as "
          + "http://gpu-1:8000, got: ";
      String u = url.trim();
      while (u.endsWith("/")) {
        u = u.substring(0, u.length() - 1);
      }
      URI uri;
      try {
        uri = new URI(u);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(hint + "'" + url + "' (" + e.getMessage() + ")", e);
      }
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(hint + "'" + url + "'");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("SelfHostedProvider.replica must not have a query or fragment, got: '"
            + url + "'");
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("SelfHostedProvider.replica must not contain credentials; use "
            + "apiKey(...), got a URL with user info for host " + uri.getHost());
      }
      if (u.endsWith("/v1")) {
        throw new IllegalArgumentException("SelfHostedProvider.replica is the server root without /v1 (the "
            + "backend's /v1, /health and /metrics paths are appended), got: '" + url + "'");
      }
      return u;
    }
  }
}
