package dev.switchboard.resilience;

import dev.failsafe.Bulkhead;
import dev.failsafe.RateLimiter;
import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.RateLimitException;
import dev.switchboard.internal.resilience.ProbedStream;
import dev.switchboard.internal.resilience.RetryLoop;
import dev.switchboard.internal.resilience.SwitchingStream;
import dev.switchboard.internal.resilience.TimedStream;
import dev.switchboard.internal.resilience.Tokens;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Retries, circuit-breaker bookkeeping, stream time limits, per-provider concurrency limits and
 * client-side rate limits for one model at a time. Register it innermost, inside {@link Fallback}:
 *
 * <pre>
 *   Fallback( Resilience( ProviderAdapter ) )
 * </pre>
 *
 * <p>Policies, applied to each attempt from the outside in:
 *
 * <pre>
 *   RetryPolicy( CircuitBreakers( concurrency limit( rate limit( stream time limits( attempt ) ) ) ) )
 * </pre>
 *
 * <p><b>Retries</b> follow one {@link RetryPolicy} for calls, streams (before their first event)
 * and embeddings alike, in one loop: within the call's deadline, with the retry reported to the
 * listeners, cancellable, waiting on the chain's {@link Scheduler} without a thread. Every outcome
 * is recorded with the {@link CircuitBreakers} (share them with {@link Fallback}, which skips open
 * ones). Concurrency and rate limits are per provider and make waiting calls hold no thread.
 *
 * <p>Thread-safe; one instance serves all calls.
 */
public final class Resilience implements Interceptor {
  private final RetryPolicy retry;
  private final CircuitBreakers breakers;
  private final Duration firstEventTimeout;
  private final Duration idleTimeout;
  private final double minTokensPerSecond;
  private final Duration speedProbeWindow;
  private final Map<String, Integer> concurrencyLimits;
  private final int defaultConcurrency;
  private final Map<String, long[]> rateLimits;
  private final Map<String, Permits> permits = new ConcurrentHashMap<>();
  private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();

  private Resilience(Builder b) {
    this.retry = b.retry != null ? b.retry : b.retryBuilder.build();
    this.breakers = b.breakers;
    this.firstEventTimeout = b.firstEventTimeout;
    this.idleTimeout = b.idleTimeout;
    this.minTokensPerSecond = b.minTokensPerSecond;
    this.speedProbeWindow = b.speedProbeWindow;
    this.concurrencyLimits = Map.copyOf(b.concurrencyLimits);
    this.defaultConcurrency = b.defaultConcurrency;
    this.rateLimits = Map.copyOf(b.rateLimits);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Three attempts, 500 ms doubling back-off up to 8 s with 20% jitter, retry-after honoured up to 30 s. */
  public static Resilience ofDefaults() {
    return builder().build();
  }

  /** The retry policy every call, stream and embedding of this interceptor follows. */
  public RetryPolicy retryPolicy() {
    return retry;
  }

  public Optional<CircuitBreakers> circuitBreakers() {
    return Optional.ofNullable(breakers);
  }

  // ---- calls ----

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    Resolved resolved = resolve(chain, chain.request());
    ChatRequest request = resolved.request();
    String target = resolved.target();
    return RetryLoop.run(retry, new RetryLoop.Attempts<ChatResponse>() {
      @Override
      public CompletableFuture<ChatResponse> start() {
        return guarded(chain.context().scheduler(), target, Tokens.estimateTotal(request), () -> chain.proceed(request));
      }

      @Override
      public void succeeded(ChatResponse response) {
        recordSuccess(target, chain.context().events());
      }

      @Override
      public void failed(ChatException failure) {
        recordFailure(target, failure, chain.context().events());
      }

      @Override
      public List<Attempt> attemptsOf(ChatResponse response) {
        return response.attempts();
      }

      @Override
      public ChatResponse withAttempts(ChatResponse response, List<Attempt> all) {
        return all.equals(response.attempts()) ? response : response.toBuilder().attempts(all).build();
      }

      @Override
      public ChatException unexpected(Throwable failure) {
        return RetryLoop.unexpected(failure, request.model());
      }
    }, chain.context().scheduler(), chain.context().ticker(), chain.context().call(), chain.context().events());
  }

  private void recordSuccess(String target, ChatListener events) {
    if (target != null && breakers != null) {
      breakers.recordSuccess(target, events);
    }
  }

  private void recordFailure(String target, ChatException failure, ChatListener events) {
    if (target != null && breakers != null) {
      breakers.recordFailure(target, failure, events);
    }
  }

  // ---- streams ----

  @Override
  public ChatStream interceptStream(Chain chain) {
    Resolved resolved = resolve(chain, chain.request());
    ChatRequest request = resolved.request();
    String target = resolved.target();
    RetryPolicy.Retries retries = retry.start();
    List<Attempt> attempts = new ArrayList<>();
    SwitchingStream.Strategy strategy = new SwitchingStream.Strategy() {
      @Override
      public Duration onFailure(ChatException failure, List<Attempt> recorded) {
        attempts.addAll(recorded);
        Duration delay = retries.next(failure, chain.context().call().remaining(chain.context().ticker().read()));
        if (delay != null) {
          chain.context().events().retryScheduled(chain.context().call(), failure, retries.attempt(), delay);
        }
        return delay;
      }

      @Override
      public ChatStream next() {
        return attemptStream(chain, request, target);
      }

      @Override
      public ChatException giveUp(ChatException last) {
        return last.withAttempts(attempts);
      }

      @Override
      public ChatEvent completed(ChatEvent.Completed completed) {
        return withEarlierAttempts(completed, attempts);
      }
    };
    return new SwitchingStream(attemptStream(chain, request, target), Duration.ZERO, strategy, chain.context().scheduler());
  }

  private ChatStream attemptStream(Chain chain, ChatRequest request, String target) {
    Permits p = target == null ? null : permitsFor(providerOf(target));
    if (p != null && !p.tryAcquire()) {
      return ChatStreams.failed(concurrencyLimited(target, p.limit));
    }
    Duration wait = reserveRate(target, Tokens.estimateTotal(request));
    if (wait == null) {
      if (p != null) {
        p.release();
      }
      return ChatStreams.failed(rateLimited(target));
    }
    ChatStream inner = wait.isZero() ? chain.proceedStream(request)
        : new SwitchingStream(null, wait, new SwitchingStream.Strategy() {
          @Override
          public Duration onFailure(ChatException failure, List<Attempt> recorded) {
            return null;
          }

          @Override
          public ChatStream next() {
            return chain.proceedStream(request);
          }
        }, chain.context().scheduler());
    String provider = target == null ? "" : providerOf(target);
    String model = target == null ? request.model() : target.substring(provider.length() + 1);
    if (firstEventTimeout != null || idleTimeout != null) {
      inner = new TimedStream(inner, firstEventTimeout, idleTimeout, chain.context().scheduler(), chain.context().call(), chain.context().events(),
          provider, model);
    }
    if (speedProbeWindow != null) {
      inner = new ProbedStream(inner, minTokensPerSecond, speedProbeWindow, chain.context().scheduler(), chain.context().ticker(),
          chain.context().call(), chain.context().events(), provider, model);
    }
    if (p == null && (target == null || breakers == null)) {
      return inner;
    }
    return new OutcomeStream(inner, chain, target, p);
  }

  /** The final event with {@code earlier} attempts listed before its own. */
  static ChatEvent withEarlierAttempts(ChatEvent.Completed completed, List<Attempt> earlier) {
    if (earlier.isEmpty()) {
      return completed;
    }
    List<Attempt> all = new ArrayList<>(earlier);
    all.addAll(completed.response().attempts());
    return new ChatEvent.Completed(completed.response().toBuilder().attempts(all).build());
  }

  /** Records the stream attempt's outcome with the breaker and returns its concurrency permit. */
  private final class OutcomeStream extends ForwardingChatStream {
    private final Chain chain;
    private final String target;
    private final Permits permits;
    private final AtomicBoolean done = new AtomicBoolean();

    OutcomeStream(ChatStream delegate, Chain chain, String target, Permits permits) {
      super(delegate);
      this.chain = chain;
      this.target = target;
      this.permits = permits;
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      if (event instanceof ChatEvent.Completed && done.compareAndSet(false, true)) {
        if (breakers != null && target != null) {
          breakers.recordSuccess(target, chain.context().events());
        }
        release();
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      if (done.compareAndSet(false, true)) {
        if (breakers != null && target != null) {
          breakers.recordFailure(target, failure, chain.context().events());
        }
        release();
      }
      return failure;
    }

    @Override
    public void close() {
      super.close();
      if (done.compareAndSet(false, true)) {
        release();
      }
    }

    private void release() {
      if (permits != null) {
        permits.release();
      }
    }
  }

  // ---- embeddings: the same loop, limits and breakers ----

  @Override
  public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
    EmbeddingRequest request = chain.request();
    String target;
    try {
      target = chain.context().resolve(request.model()).toString();
    } catch (ChatException e) {
      target = null; // the attempt fails with it
    }
    String key = target;
    int tokens = (int) Math.min(Integer.MAX_VALUE, request.inputs().stream().mapToLong(Tokens::estimate).sum());
    return RetryLoop.run(retry, new RetryLoop.Attempts<EmbeddingResponse>() {
      @Override
      public CompletableFuture<EmbeddingResponse> start() {
        return guarded(chain.context().scheduler(), key, tokens, () -> chain.proceed(request));
      }

      @Override
      public void succeeded(EmbeddingResponse response) {
        recordSuccess(key, chain.context().events());
      }

      @Override
      public void failed(ChatException failure) {
        recordFailure(key, failure, chain.context().events());
      }

      @Override
      public List<Attempt> attemptsOf(EmbeddingResponse response) {
        return List.of();
      }

      @Override
      public EmbeddingResponse withAttempts(EmbeddingResponse response, List<Attempt> all) {
        return response;
      }

      @Override
      public ChatException unexpected(Throwable failure) {
        return RetryLoop.unexpected(failure, request.model());
      }
    }, chain.context().scheduler(), chain.context().ticker(), chain.context().call(), chain.context().events());
  }

  // ---- limits ----

  private <T> CompletableFuture<T> guarded(Scheduler scheduler, String target, long tokenEstimate,
      Supplier<CompletableFuture<T>> call) {
    Permits p = target == null ? null : permitsFor(providerOf(target));
    if (p == null && (target == null || !rateLimits.containsKey(providerOf(target)))) {
      return call.get();
    }
    AtomicReference<CompletableFuture<T>> started = new AtomicReference<>();
    AtomicReference<Scheduler.Cancellable> waitTimer = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<Void> permit = p == null ? CompletableFuture.completedFuture(null) : p.acquire();
    CompletableFuture<T> out = permit.thenCompose(ignored -> {
      Duration wait = reserveRate(target, tokenEstimate);
      if (wait == null) {
        throw rateLimited(target);
      }
      if (wait.isZero()) {
        CompletableFuture<T> f = call.get();
        started.set(f);
        return f;
      }
      CompletableFuture<T> delayed = new CompletableFuture<>();
      waitTimer.set(scheduler.schedule(wait, () -> {
        if (cancelled.get()) {
          return;
        }
        CompletableFuture<T> f = call.get();
        started.set(f);
        if (cancelled.get()) {
          f.cancel(true);
        }
        f.whenComplete((r, e) -> {
          if (e != null) {
            delayed.completeExceptionally(e);
          } else {
            delayed.complete(r);
          }
        });
      }));
      return delayed;
    });
    out.whenComplete((r, e) -> {
      if (out.isCancelled()) {
        cancelled.set(true);
        Scheduler.Cancellable timer = waitTimer.get();
        if (timer != null) {
          timer.cancel();
        }
        permit.cancel(true);
        CompletableFuture<T> f = started.get();
        if (f != null) {
          f.cancel(true);
        }
      }
    });
    if (p != null) {
      // Return a permit only once it was granted, and only when its exchange is over (or never started).
      permit.thenRun(() -> out.whenComplete((r, e) -> {
        CompletableFuture<T> f = started.get();
        if (f == null || f.isDone()) {
          p.release();
        } else {
          f.whenComplete((r2, e2) -> p.release());
        }
      }));
    }
    return out;
  }

  /** The wait the rate limits impose on this request (zero if none), or {@code null} if over a minute. */
  private Duration reserveRate(String target, long tokenEstimate) {
    if (target == null) {
      return Duration.ZERO;
    }
    String provider = providerOf(target);
    long[] limit = rateLimits.get(provider);
    if (limit == null) {
      return Duration.ZERO;
    }
    Limiter l = limiters.computeIfAbsent(provider, k -> new Limiter(limit[0], limit[1]));
    return l.reserve((int) Math.min(Integer.MAX_VALUE, tokenEstimate));
  }

  private Permits permitsFor(String provider) {
    int limit = concurrencyLimits.getOrDefault(provider, defaultConcurrency);
    if (limit <= 0) {
      return null;
    }
    return permits.computeIfAbsent(provider, k -> new Permits(limit));
  }

  /** The request with its model resolved (once, or by an outer layer) and attached, and the model as a key. */
  private static Resolved resolve(Chain chain, ChatRequest request) {
    try {
      ModelRef ref = chain.context().target(request);
      return new Resolved(Target.of(request) != null ? request : Target.attach(request, ref), ref.toString());
    } catch (ChatException e) {
      return new Resolved(request, null); // the attempt fails with it, without a breaker or limit to count
    }
  }

  private record Resolved(ChatRequest request, String target) {}

  private static String providerOf(String target) {
    return target.substring(0, target.indexOf('/'));
  }

  private static ChatException asChatException(Throwable t, ChatRequest request) {
    if (t instanceof ChatException ce) {
      return ce;
    }
    if (t instanceof java.util.concurrent.CancellationException) {
      return new ChatException("the attempt on '" + request.model() + "' was cancelled",
          ErrorDetails.of("", request.model()), t);
    }
    return new ChatException("the attempt on '" + request.model() + "' failed: " + t,
        ErrorDetails.of("", request.model()), t);
  }

  private static ChatException concurrencyLimited(String target, int limit) {
    return new RateLimitException("client-side concurrency limit of " + limit + " calls in flight reached for "
        + target + "; raise Resilience.builder().maxConcurrency or wait",
        ErrorDetails.builder().provider(providerOf(target)).model(target).retryable(true).build());
  }

  private static ChatException rateLimited(String target) {
    return new RateLimitException("client-side rate limit for " + target + " would need a wait of over a minute; "
        + "raise Resilience.builder().rateLimit or send less",
        ErrorDetails.builder().provider(providerOf(target)).model(target).retryable(true)
            .retryAfter(Duration.ofMinutes(1)).build());
  }

  /** A per-provider concurrency limit whose waiters hold no thread. */
  private static final class Permits {
    final int limit;
    final Bulkhead<Object> bulkhead;
    final ConcurrentLinkedQueue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();

    Permits(int limit) {
      this.limit = limit;
      this.bulkhead = Bulkhead.of(limit);
    }

    boolean tryAcquire() {
      return bulkhead.tryAcquirePermit();
    }

    CompletableFuture<Void> acquire() {
      if (bulkhead.tryAcquirePermit()) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> waiter = new CompletableFuture<>();
      waiters.add(waiter);
      // A permit may have come back between the failed try and the enqueue.
      if (bulkhead.tryAcquirePermit()) {
        if (!waiters.remove(waiter) || !waiter.complete(null)) {
          release();
        } else {
          return waiter;
        }
      }
      return waiter;
    }

    void release() {
      CompletableFuture<Void> next;
      while ((next = waiters.poll()) != null) {
        if (next.complete(null)) {
          return; // the permit passes straight to the waiter
        }
      }
      bulkhead.releasePermit();
    }
  }

  /** Requests and tokens per minute for one provider, on Failsafe's smooth rate limiters. */
  private static final class Limiter {
    final RateLimiter<Object> requests;
    final RateLimiter<Object> tokens;

    Limiter(long requestsPerMinute, long tokensPerMinute) {
      this.requests = requestsPerMinute > 0
          ? RateLimiter.smoothBuilder(requestsPerMinute, Duration.ofMinutes(1)).build() : null;
      this.tokens = tokensPerMinute > 0
          ? RateLimiter.smoothBuilder(tokensPerMinute, Duration.ofMinutes(1)).build() : null;
    }

    Duration reserve(int tokenEstimate) {
      Duration max = Duration.ofMinutes(1);
      Duration wait = Duration.ZERO;
      if (requests != null) {
        Duration w = requests.tryReservePermits(1, max);
        if (w.isNegative()) {
          return null;
        }
        wait = w;
      }
      if (tokens != null) {
        Duration w = tokens.tryReservePermits(tokenEstimate, max);
        if (w.isNegative()) {
          return null;
        }
        wait = w.compareTo(wait) > 0 ? w : wait;
      }
      return wait;
    }
  }

  /** Not thread-safe. {@link #build()} validates. */
  public static final class Builder {
    private final RetryPolicy.Builder retryBuilder = RetryPolicy.builder();
    private RetryPolicy retry;
    private CircuitBreakers breakers;
    private Duration firstEventTimeout;
    private Duration idleTimeout;
    private double minTokensPerSecond;
    private Duration speedProbeWindow;
    private final Map<String, Integer> concurrencyLimits = new HashMap<>();
    private int defaultConcurrency;
    private final Map<String, long[]> rateLimits = new HashMap<>();

    private Builder() {}

    /** The retry policy, instead of the retry settings below. Default {@link RetryPolicy#ofDefaults()}. */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Attempts per model, the first included; 1 turns retries off. See {@link RetryPolicy.Builder#maxAttempts}. */
    public Builder maxAttempts(int maxAttempts) {
      retryBuilder.maxAttempts(maxAttempts);
      return this;
    }

    /** Exponential back-off from {@code initial}, doubling, capped at {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      retryBuilder.backoff(initial, max);
      return this;
    }

    /** Random spread of each back-off, as a fraction of it (0 turns it off). */
    public Builder jitter(double fraction) {
      retryBuilder.jitter(fraction);
      return this;
    }

    /** The longest provider retry-after hint worth waiting for; a longer one fails at once (and falls back). */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      retryBuilder.maxRetryAfter(maxRetryAfter);
      return this;
    }

    /** Which failures are retried; default {@link ChatException#isRetryable()}. */
    public Builder retryOn(Predicate<ChatException> retryOn) {
      retryBuilder.retryOn(retryOn);
      return this;
    }

    /** Records every attempt's outcome in these breakers (share the same instance with {@link Fallback}). */
    public Builder circuitBreakers(CircuitBreakers breakers) {
      this.breakers = breakers;
      return this;
    }

    /** A stream that sends no first event within this time is cancelled and retried. */
    public Builder firstEventTimeout(Duration timeout) {
      this.firstEventTimeout = positive(timeout, "firstEventTimeout");
      return this;
    }

    /** A stream that goes silent this long between events, while the consumer waits, is cancelled. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * Abandons a stream slower than {@code minTokensPerSecond} (estimated from the text) over
     * {@code probeWindow} after its first event. Events are held back during the window, so an
     * abandoned stream has shown the caller nothing and a retry or {@link Fallback} can take over.
     * Costs the window's latency on every stream.
     */
    public Builder minStreamSpeed(double minTokensPerSecond, Duration probeWindow) {
      if (minTokensPerSecond <= 0) {
        throw new IllegalArgumentException("minStreamSpeed needs tokens per second > 0, got " + minTokensPerSecond);
      }
      this.minTokensPerSecond = minTokensPerSecond;
      this.speedProbeWindow = positive(probeWindow, "probeWindow");
      return this;
    }

    /** At most {@code limit} calls in flight to {@code provider}; further calls wait without a thread. */
    public Builder maxConcurrency(String provider, int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxConcurrency for '" + provider + "' must be >= 1, got " + limit);
      }
      concurrencyLimits.put(Objects.requireNonNull(provider, "provider"), limit);
      return this;
    }

    /** At most {@code limit} calls in flight to any one provider without its own limit. */
    public Builder maxConcurrency(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + limit);
      }
      this.defaultConcurrency = limit;
      return this;
    }

    /**
     * A client-side rate limit for {@code provider}: requests and (estimated) tokens per minute; 0
     * means no limit of that kind. Calls wait for their turn; one that would wait over a minute
     * fails with a retryable {@link RateLimitException}.
     */
    public Builder rateLimit(String provider, long requestsPerMinute, long tokensPerMinute) {
      if (requestsPerMinute < 0 || tokensPerMinute < 0 || requestsPerMinute + tokensPerMinute == 0) {
        throw new IllegalArgumentException("rateLimit for '" + provider
            + "' needs requestsPerMinute and/or tokensPerMinute > 0");
      }
      rateLimits.put(Objects.requireNonNull(provider, "provider"), new long[] {requestsPerMinute, tokensPerMinute});
      return this;
    }

    public Resilience build() {
      return new Resilience(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
