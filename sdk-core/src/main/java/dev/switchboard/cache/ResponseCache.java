package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.switchboard.CacheHit;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Cost;
import dev.switchboard.FinishReason;
import dev.switchboard.cache.internal.QuestionIndex;
import dev.switchboard.cache.internal.RequestKeys;
import dev.switchboard.cache.internal.ResponseCodec;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.route.CallMetadata;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A response cache as an interceptor: an exact cache keyed on everything that changes the answer,
 * and optionally a semantic cache that serves a stored answer to a near-duplicate question.
 *
 * <p><b>Keys.</b> The exact key is a SHA-256 of the namespace (the tenant by default), the model
 * the request resolves to, every message, the tools, tool choice, response format, sampling
 * parameters and provider options. A semantic lookup happens only on an exact miss, only within a
 * <i>partition</i> — the same key without the last user message's text — and compares that text,
 * embedded, with the stored questions of the partition: a different system prompt, earlier turn,
 * model, temperature, tool or tenant is a different partition, so it can never be served another's
 * answer. A candidate must reach the similarity threshold, pass the {@link SemanticGuard} and, with
 * {@link Builder#ambiguityMargin}, not be nearly tied with a stored question that got another
 * answer; a route may have its own of each ({@link Builder#semanticRoute}).
 *
 * <p><b>What is stored.</b> Successful answers only; not tool calls ({@link
 * Builder#cacheToolCalls}), not answers to requests with a temperature above 0 ({@link
 * Builder#cacheSampled}), not content-filtered ones; a stream only when it completed. {@link
 * CacheControl} on a request skips reading or storing, or sets its TTL.
 *
 * <p><b>Where.</b> In process with Caffeine (bounded by {@link Builder#maximumSize} and TTL);
 * with {@link Builder#shared}, also in a store every instance shares (Redis): a shared lookup that
 * fails or takes longer than {@link Builder#sharedTimeout} counts as a miss, the call goes on, and
 * listeners hear {@code cacheUnavailable}.
 *
 * <p>A hit answers without an exchange: no attempts, zero cost, {@link ChatResponse#cacheHit()}
 * says which lookup, the similarity and what the answer cost when it was made; a streamed call is
 * answered with the stored answer replayed as events. {@code stream()} is synchronous, so a streamed
 * call waits for a shared lookup on the caller's thread (at most {@code sharedTimeout}): do not
 * start streams from the shared store's own I/O threads. Listeners hear {@code cacheLookup} for each
 * lookup and {@code cacheHit} when one answers. Thread-safe.
 */
public final class ResponseCache implements Interceptor {
  private static final String EXACT = CacheHit.EXACT;
  private static final String SEMANTIC = CacheHit.SEMANTIC;

  private final Duration ttl;
  private final Function<ChatRequest, String> namespace;
  private final boolean cacheSampled;
  private final boolean cacheToolCalls;
  private final Embedder embedder;
  private final double threshold;
  private final Map<String, Matching> routes;
  private final SemanticGuard guard;
  private final double ambiguityMargin;
  private final SharedResponseStore shared;
  private final Duration sharedTimeout;
  private final int replayChunkChars;
  private final Cache<String, Entry> entries;
  private final QuestionIndex questions;

  /** One stored answer in this process. */
  private record Entry(ResponseCodec.Stored stored, Duration ttl) {}

  private record Found(Entry entry, String cache, double similarity) {}

  private ResponseCache(Builder b) {
    this.ttl = b.ttl;
    this.namespace = b.namespace;
    this.cacheSampled = b.cacheSampled;
    this.cacheToolCalls = b.cacheToolCalls;
    this.embedder = b.embedder;
    this.threshold = b.threshold;
    this.routes = Map.copyOf(b.routes);
    this.guard = b.guard;
    this.ambiguityMargin = b.ambiguityMargin;
    this.questions = new QuestionIndex(b.maximumSize);
    this.shared = b.shared;
    this.sharedTimeout = b.sharedTimeout;
    this.replayChunkChars = b.replayChunkChars;
    Ticker ticker = b.ticker;
    this.entries = Caffeine.newBuilder()
        .maximumSize(b.maximumSize)
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry e, long now) {
            return e.ttl.toNanos();
          }

          @Override
          public long expireAfterUpdate(String key, Entry e, long now, long current) {
            return e.ttl.toNanos();
          }

          @Override
          public long expireAfterRead(String key, Entry e, long now, long current) {
            return current;
          }
        })
        .ticker(ticker::read)
        .executor(Runnable::run)
        .removalListener((String key, Entry e, RemovalCause cause) -> {
          if (shared == null && cause != RemovalCause.REPLACED && key != null) {
            questions.remove(key); // no other copy of the answer: its question leads nowhere now
          }
        })
        .build();
    if (shared != null && embedder != null) {
      shared.subscribe(this::indexShared);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Answers stored in this process now (expired ones may linger until the next cache write). */
  public long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  /** Forgets every answer stored in this process (the shared store is left alone). */
  public void clear() {
    entries.invalidateAll();
    entries.cleanUp();
  }

  // ---- calls ----

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    ChatRequest request = chain.request();
    CallContext context = chain.context();
    if (!cacheable(request)) {
      return chain.proceed(request);
    }
    CacheControl control = CacheControl.of(request);
    RequestKeys.Keys keys = keys(request, context);
    CompletableFuture<Found> found = control.read() ? lookup(keys, request, context)
        : CompletableFuture.completedFuture(null);
    if (found.isDone()) { // the common case, in process: the caller's future is the call's, cancellable
      return afterLookup(found.join(), chain, request, keys, control, context);
    }
    return found.thenCompose(hit -> afterLookup(hit, chain, request, keys, control, context));
  }

  private CompletableFuture<ChatResponse> afterLookup(Found hit, Chain chain, ChatRequest request,
      RequestKeys.Keys keys, CacheControl control, CallContext context) {
    if (hit != null) {
      return CompletableFuture.completedFuture(answer(hit, context));
    }
    CompletableFuture<ChatResponse> call = chain.proceed(request);
    if (!control.store()) {
      return call;
    }
    // stored before the caller has the answer, so that its next call finds it
    return Futures.cancelling(call.thenApply(response -> {
      store(keys, response, control, context);
      return response;
    }), call);
  }

  @Override
  public ChatStream interceptStream(Chain chain) {
    ChatRequest request = chain.request();
    CallContext context = chain.context();
    if (!cacheable(request)) {
      return chain.proceedStream(request);
    }
    CacheControl control = CacheControl.of(request);
    RequestKeys.Keys keys = keys(request, context);
    if (control.read()) {
      Found hit = lookup(keys, request, context).join(); // lookups never fail; a shared one is bounded in time
      if (hit != null) {
        return ChatStreams.replay(answer(hit, context), replayChunkChars);
      }
    }
    ChatStream stream = chain.proceedStream(request);
    if (!control.store()) {
      return stream;
    }
    return new ForwardingChatStream(stream) {
      @Override
      protected ChatEvent onEvent(ChatEvent event) {
        if (event instanceof ChatEvent.Completed c) {
          store(keys, c.response(), control, context);
        }
        return event;
      }
    };
  }

  private boolean cacheable(ChatRequest request) {
    return cacheSampled || request.temperature().orElse(0.0) <= 0;
  }

  private RequestKeys.Keys keys(ChatRequest request, CallContext context) {
    String target;
    try {
      ModelRef ref = context.target(request);
      target = ref.provider() + "/" + ref.model();
    } catch (ChatException notInDirectory) {
      target = "route:" + request.model(); // a route name: the router inside decides per call
    }
    return RequestKeys.of(request, target, namespace.apply(request));
  }

  // ---- lookups ----

  /** The stored answer for {@code keys}, exact then semantic; null on a miss. Never fails. */
  private CompletableFuture<Found> lookup(RequestKeys.Keys keys, ChatRequest request, CallContext context) {
    long start = context.ticker().read();
    CallInfo call = context.call();
    Entry local = entries.getIfPresent(keys.exact());
    if (local != null) {
      context.events().cacheLookup(call, EXACT, true, since(start, context));
      return CompletableFuture.completedFuture(new Found(local, EXACT, 1.0));
    }
    CompletableFuture<Entry> exact = shared == null ? CompletableFuture.completedFuture(null)
        : sharedGet(keys.exact(), context);
    return exact.thenCompose(remote -> {
      context.events().cacheLookup(call, EXACT, remote != null, since(start, context));
      if (remote != null) {
        return CompletableFuture.completedFuture(new Found(remote, EXACT, 1.0));
      }
      if (embedder == null || keys.question() == null) {
        return CompletableFuture.completedFuture(null);
      }
      return semantic(keys, request, context);
    });
  }

  private CompletableFuture<Found> semantic(RequestKeys.Keys keys, ChatRequest request, CallContext context) {
    long start = context.ticker().read();
    if (!questions.has(keys.partition())) {
      context.events().cacheLookup(context.call(), SEMANTIC, false, since(start, context));
      return CompletableFuture.completedFuture(null);
    }
    Matching route = routes.get(request.model());
    double needed = route != null ? route.threshold() : threshold;
    SemanticGuard guard = route != null && route.guard() != null ? route.guard() : this.guard;
    double ambiguityMargin = route != null && route.ambiguityMargin() >= 0 ? route.ambiguityMargin() : this.ambiguityMargin;
    return embedder.embed(keys.question()).handle((vector, error) -> {
      if (error != null) {
        return null;
      }
      QuestionIndex.Nearest best = questions.nearest(keys.partition(), vector);
      if (best == null || best.similarity() < needed || !guard.allows(
          keys.question(), vector, best.question().text(), best.vector(), best.similarity())) {
        return null;
      }
      QuestionIndex.Question rival = best.runnerUp() != null
          && best.similarity() - best.runnerUpSimilarity() < ambiguityMargin ? best.runnerUp() : null;
      return new Candidate(best.question(), Math.min(1.0, best.similarity()), rival);
    }).thenCompose(candidate -> {
      if (candidate == null) {
        return CompletableFuture.<Found>completedFuture(null);
      }
      CompletableFuture<Entry> entry = entry(candidate.question(), context);
      if (candidate.rival() != null) { // nearly tied: serve only when both got the same answer
        entry = entry.thenCombine(entry(candidate.rival(), context),
            (e, r) -> e == null || r == null || e.stored().response().text().equals(r.stored().response().text()) ? e : null);
      }
      return entry.thenApply(e -> e == null ? null : new Found(e, SEMANTIC, candidate.similarity()));
    }).thenApply(found -> {
      context.events().cacheLookup(context.call(), SEMANTIC, found != null, since(start, context));
      return found;
    });
  }

  /** A route's own matching: its threshold, and its guard and margin (null and -1: the cache's). */
  private record Matching(double threshold, SemanticGuard guard, double ambiguityMargin) {}

  private record Candidate(QuestionIndex.Question question, double similarity, QuestionIndex.Question rival) {}

  private CompletableFuture<Entry> entry(QuestionIndex.Question question, CallContext context) {
    Entry local = entries.getIfPresent(question.exactKey());
    return local != null || shared == null ? CompletableFuture.completedFuture(local)
        : sharedGet(question.exactKey(), context);
  }

  private CompletableFuture<Entry> sharedGet(String key, CallContext context) {
    CompletableFuture<Entry> result = new CompletableFuture<>();
    Scheduler.Cancellable timer = context.scheduler().schedule(sharedTimeout, () -> {
      if (result.complete(null)) {
        context.events().cacheUnavailable(context.call(), EXACT, new TimeoutException(
            "the shared cache did not answer within " + sharedTimeout.toMillis() + " ms"));
      }
    });
    CompletableFuture<Optional<String>> get;
    try {
      get = shared.get(key);
    } catch (RuntimeException e) {
      get = Futures.failed(e);
    }
    get.whenComplete((value, error) -> {
      timer.cancel();
      if (error != null) {
        if (result.complete(null)) {
          context.events().cacheUnavailable(context.call(), EXACT, Futures.unwrap(error));
        }
        return;
      }
      Entry entry = null;
      if (value.isPresent()) {
        try {
          ResponseCodec.Stored stored = ResponseCodec.decode(value.get());
          entry = new Entry(stored, ttl);
          entries.put(key, entry);
        } catch (IllegalArgumentException unreadable) {
          context.events().cacheUnavailable(context.call(), EXACT, unreadable);
        }
      }
      result.complete(entry);
    });
    return result;
  }

  private ChatResponse answer(Found hit, CallContext context) {
    ResponseCodec.Stored s = hit.entry.stored;
    context.events().cacheHit(context.call(), hit.cache, hit.similarity);
    return s.response().toBuilder().attempts(List.of())
        .cacheHit(new CacheHit(hit.cache, hit.similarity, s.storedAt(), Cost.of(s.costUsd(), false)))
        .build();
  }

  // ---- storing ----

  private void store(RequestKeys.Keys keys, ChatResponse response, CacheControl control, CallContext context) {
    if (!storable(response)) {
      return;
    }
    Duration keep = control.ttl().orElse(ttl);
    ResponseCodec.Stored stored = new ResponseCodec.Stored(response.toBuilder().attempts(List.of()).build(),
        keys.question(), context.call().startedAt(), response.cost().total());
    if (shared != null) {
      try {
        shared.put(keys.exact(), ResponseCodec.encode(stored), keep).whenComplete((ok, error) -> {
          if (error != null) {
            context.events().cacheUnavailable(context.call(), EXACT, Futures.unwrap(error));
          }
        });
      } catch (RuntimeException e) {
        context.events().cacheUnavailable(context.call(), EXACT, e);
      }
    }
    entries.put(keys.exact(), new Entry(stored, keep));
    if (embedder == null || keys.question() == null) {
      return;
    }
    embedder.embed(keys.question()).whenComplete((vector, error) -> {
      if (error != null) {
        return; // the answer is still served to the same request; only near duplicates miss it
      }
      questions.add(keys.partition(), keys.exact(), keys.question(), vector);
      if (shared != null) {
        try {
          shared.publish(new SharedResponseStore.Question(keys.partition(), keys.exact(), keys.question(),
              embedder.id(), vector)).whenComplete((ok, failed) -> {
                if (failed != null) {
                  context.events().cacheUnavailable(context.call(), SEMANTIC, Futures.unwrap(failed));
                }
              });
        } catch (RuntimeException e) {
          context.events().cacheUnavailable(context.call(), SEMANTIC, e);
        }
      }
    });
  }

  /** Indexes a question another instance (or this one) published, if it was embedded like ours. */
  private void indexShared(SharedResponseStore.Question q) {
    if (q.embedderId().equals(embedder.id()) && q.vector().length == embedder.dimensions()) {
      questions.add(q.partition(), q.exactKey(), q.text(), q.vector());
    }
  }

  private boolean storable(ChatResponse response) {
    return response.cacheHit().isEmpty()
        && response.finishReason() != FinishReason.CONTENT_FILTER
        && response.refusal().isEmpty()
        && (cacheToolCalls || response.toolCalls().isEmpty());
  }

  private static Duration since(long start, CallContext context) {
    return Duration.ofNanos(context.ticker().read() - start);
  }

  @Override
  public String toString() {
    return "ResponseCache[" + entries.estimatedSize() + " answers" + (embedder == null ? "" : ", semantic "
        + embedder.id() + " >= " + threshold) + (shared == null ? "" : ", shared " + shared) + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private long maximumSize = 10_000;
    private Duration ttl = Duration.ofHours(1);
    private Ticker ticker = Ticker.system();
    private Function<ChatRequest, String> namespace = r -> CallMetadata.of(r).tenant();
    private boolean cacheSampled;
    private boolean cacheToolCalls;
    private Embedder embedder;
    private double threshold;
    private final Map<String, Matching> routes = new HashMap<>();
    private SemanticGuard guard = SemanticGuard.keyTerms();
    private double ambiguityMargin;
    private SharedResponseStore shared;
    private Duration sharedTimeout = Duration.ofMillis(100);
    private int replayChunkChars = 24;

    private Builder() {}

    /** How many answers this process keeps (least recently used go first). Default 10,000. */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be >= 1, got " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** How long an answer is kept unless its request says otherwise ({@link CacheControl#ttl}). Default 1 hour. */
    public Builder ttl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive, got " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** The clock TTLs run on; use the Switchboard's in tests. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * What separates tenants: requests with different namespaces never share an answer. Default:
     * the tenant of {@link CallMetadata}.
     */
    public Builder namespace(Function<ChatRequest, String> namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /** Also cache answers to requests with a temperature above 0 (off: those are asked for variety). */
    public Builder cacheSampled(boolean cacheSampled) {
      this.cacheSampled = cacheSampled;
      return this;
    }

    /** Also cache answers that call tools (off: a tool call usually depends on the world outside). */
    public Builder cacheToolCalls(boolean cacheToolCalls) {
      this.cacheToolCalls = cacheToolCalls;
      return this;
    }

    /**
     * Serve near-duplicate questions: on an exact miss, embed the last user message with {@code
     * embedder} and serve the most similar stored question of the same partition if its cosine
     * similarity is at least {@code threshold} and the {@link #guard} allows it.
     */
    public Builder semantic(Embedder embedder, double threshold) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
      this.threshold = checked(threshold);
      return this;
    }

    /**
     * Serve near-duplicate questions with the built-in {@link LexicalEmbedder} at its {@linkplain
     * LexicalEmbedder#DEFAULT_THRESHOLD default threshold}: no dependency, fast enough for every
     * miss; see {@code docs/caching.md} for what it catches and misses.
     */
    public Builder semantic() {
      return semantic(LexicalEmbedder.create(), LexicalEmbedder.DEFAULT_THRESHOLD);
    }

    /** A threshold for calls made with model string {@code route} (an alias or route), instead of the default. */
    public Builder semanticThreshold(String route, double threshold) {
      routes.put(Objects.requireNonNull(route, "route"), new Matching(checked(threshold), null, -1));
      return this;
    }

    /**
     * Calls made with model string {@code route} match by their own threshold, guard and ambiguity
     * margin, instead of the cache's: for example questions with a strict guard on one route and
     * reworded statements with a margin and no guard on another.
     */
    public Builder semanticRoute(String route, double threshold, SemanticGuard guard, double ambiguityMargin) {
      routes.put(Objects.requireNonNull(route, "route"),
          new Matching(checked(threshold), Objects.requireNonNull(guard, "guard"), checkedMargin(ambiguityMargin)));
      return this;
    }

    /** The second look at a semantic candidate. Default: {@link SemanticGuard#keyTerms()}. */
    public Builder guard(SemanticGuard guard) {
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /**
     * Miss rather than guess: when the runner-up stored question scores within {@code margin} of
     * the best one and its answer differs, the lookup is a miss (two near-identical stored
     * questions with different answers say the asked one could mean either). Default 0: off.
     */
    public Builder ambiguityMargin(double margin) {
      this.ambiguityMargin = checkedMargin(margin);
      return this;
    }

    private static double checkedMargin(double margin) {
      if (!(margin >= 0 && margin < 1)) {
        throw new IllegalArgumentException("ambiguityMargin must be within [0, 1), got " + margin);
      }
      return margin;
    }

    /** A store every instance shares (e.g. {@link RedisResponseStore}), behind this process's cache. */
    public Builder shared(SharedResponseStore shared) {
      this.shared = Objects.requireNonNull(shared, "shared");
      return this;
    }

    /** The longest a shared lookup may take before it counts as a miss. Default 100 ms. */
    public Builder sharedTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("sharedTimeout must be positive, got " + timeout);
      }
      this.sharedTimeout = timeout;
      return this;
    }

    /** The size of the text deltas a hit on a streamed call is replayed in. Default 24 characters. */
    public Builder replayChunkChars(int chars) {
      if (chars < 1) {
        throw new IllegalArgumentException("replayChunkChars must be >= 1, got " + chars);
      }
      this.replayChunkChars = chars;
      return this;
    }

    public ResponseCache build() {
      return new ResponseCache(this);
    }

    private static double checked(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("a similarity threshold must be within (0, 1], got " + threshold);
      }
      return threshold;
    }
  }
}
