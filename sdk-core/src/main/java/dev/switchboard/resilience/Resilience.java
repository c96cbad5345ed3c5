package dev.switchboard.resilience;

import dev.failsafe.Bulkhead;
import dev.failsafe.Execution;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
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
import dev.switchboard.spi.Futures;
import dev.switchboard.internal.resilience.ProbedStream;
import dev.switchboard.internal.resilience.SwitchingStream;
import dev.switchboard.internal.resilience.TimedStream;
import dev.switchboard.internal.resilience.Tokens;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.observe.CallInfo;
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
 * <p><b>Retries</b> follow a Failsafe {@link RetryPolicy}: retryable failures only (connection
 * errors, 408, 409, 429 rate limits, 5xx, 529 — never 400/401/403/404 or 429 insufficient-quota),
 * exponential back-off with jitter, and the provider's {@code retry-after} hint when it is longer.
 * A hint longer than {@link Builder#maxRetryAfter} or than what is left of the call's deadline is
 * not slept on: the failure goes out at once so that a {@link Fallback} can move on. Waiting holds
 * no thread (the chain's {@link Scheduler}). Streams are retried only before their first event.
 *
 * <p>Thread-safe; one instance serves all calls.
 */
public final class Resilience implements Interceptor {
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double jitter;
  private final Duration maxRetryAfter;
  private final Predicate<ChatException> retryOn;
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
  private final RetryPolicy<Object> retryPolicy;

  private Resilience(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.maxRetryAfter = b.maxRetryAfter;
    this.retryOn = b.retryOn;
    this.breakers = b.breakers;
    this.firstEventTimeout = b.firstEventTimeout;
    this.idleTimeout = b.idleTimeout;
    this.minTokensPerSecond = b.minTokensPerSecond;
    this.speedProbeWindow = b.speedProbeWindow;
    this.concurrencyLimits = Map.copyOf(b.concurrencyLimits);
    this.defaultConcurrency = b.defaultConcurrency;
    this.rateLimits = Map.copyOf(b.rateLimits);
    var policy = RetryPolicy.builder()
        .handleIf((Object r, Throwable e) -> e instanceof ChatException ce && retryOn.test(ce))
        .withMaxAttempts(maxAttempts);
    if (initialBackoff.equals(maxBackoff)) {
      policy.withDelay(initialBackoff);
    } else {
      policy.withBackoff(initialBackoff, maxBackoff);
    }
    if (jitter > 0) {
      policy.withJitter(jitter);
    }
    this.retryPolicy = policy.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Three attempts, 500 ms doubling back-off up to 8 s with 20% jitter, retry-after honoured up to 30 s. */
  public static Resilience ofDefaults() {
    return builder().build();
  }

  public Optional<CircuitBreakers> circuitBreakers() {
    return Optional.ofNullable(breakers);
  }

  // ---- calls ----

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    Resolved resolved = resolve(chain, chain.request());
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    new CallRetry(chain, resolved.request(), resolved.target(), result).attempt();
    return result;
  }

  /** One call's retry loop: Failsafe decides, the chain's scheduler waits. */
  private final class CallRetry {
    final Chain chain;
    final ChatRequest request;
    final String target;
    final CompletableFuture<ChatResponse> result;
    final Execution<Object> execution = Execution.of(retryPolicy);
    final List<Attempt> attempts = new ArrayList<>();
    volatile CompletableFuture<ChatResponse> inFlight;
    volatile Scheduler.Cancellable pending;
    int attempt;

    CallRetry(Chain chain, ChatRequest request, String target, CompletableFuture<ChatResponse> result) {
      this.chain = chain;
      this.request = request;
      this.target = target;
      this.result = result;
      result.whenComplete((r, e) -> {
        if (result.isCancelled()) {
          CompletableFuture<ChatResponse> f = inFlight;
          if (f != null) {
            f.cancel(true);
          }
          Scheduler.Cancellable p = pending;
          if (p != null) {
            p.cancel();
          }
        }
      });
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      attempt++;
      CompletableFuture<ChatResponse> f = guarded(chain, request, target, () -> chain.proceed(request));
      inFlight = f;
      if (result.isCancelled()) {
        f.cancel(true); // the caller cancelled while this attempt was starting
        return;
      }
      f.whenComplete((response, error) -> {
        if (error == null) {
          if (target != null && breakers != null) {
            breakers.recordSuccess(target, chain.events());
          }
          attempts.addAll(response.attempts());
          result.complete(response.toBuilder().attempts(attempts).build());
          return;
        }
        ChatException failure = asChatException(Futures.unwrap(error), request);
        attempts.addAll(failure.attempts());
        if (target != null && breakers != null) {
          breakers.recordFailure(target, failure, chain.events());
        }
        Duration delay = nextDelay(execution, failure, chain.call(), chain.ticker().read());
        if (delay == null || result.isDone()) {
          result.completeExceptionally(failure.withAttempts(attempts));
          return;
        }
        chain.events().retryScheduled(chain.call(), failure, attempt + 1, delay);
        pending = chain.scheduler().schedule(delay, this::attempt);
      });
    }
  }

  /**
   * The wait before the next attempt, or {@code null} when the failure must go out now: not
   * retryable, attempts used up, a retry-after hint over the cap, or not enough time left.
   */
  private Duration nextDelay(Execution<Object> execution, ChatException failure, CallInfo call, long now) {
    execution.recordException(failure);
    if (execution.isComplete() || !retryOn.test(failure)) {
      return null;
    }
    Duration delay = execution.getDelay();
    Optional<Duration> hint = failure.retryAfter();
    if (hint.isPresent()) {
      if (hint.get().compareTo(maxRetryAfter) > 0) {
        return null;
      }
      if (hint.get().compareTo(delay) > 0) {
        delay = hint.get();
      }
    }
    Optional<Duration> remaining = call.remaining(now);
    if (remaining.isPresent() && remaining.get().compareTo(delay) <= 0) {
      return null;
    }
    return delay;
  }

  // ---- streams ----

  @Override
  public ChatStream interceptStream(Chain chain) {
    Resolved resolved = resolve(chain, chain.request());
    ChatRequest request = resolved.request();
    String target = resolved.target();
    Execution<Object> execution = Execution.of(retryPolicy);
    List<Attempt> attempts = new ArrayList<>();
    SwitchingStream.Strategy strategy = new SwitchingStream.Strategy() {
      @Override
      public Duration onFailure(ChatException failure, List<Attempt> recorded) {
        attempts.addAll(recorded);
        Duration delay = nextDelay(execution, failure, chain.call(), chain.ticker().read());
        if (delay != null) {
          chain.events().retryScheduled(chain.call(), failure, execution.getAttemptCount() + 1, delay);
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
    return new SwitchingStream(attemptStream(chain, request, target), Duration.ZERO, strategy, chain.scheduler());
  }

  private ChatStream attemptStream(Chain chain, ChatRequest request, String target) {
    Permits p = target == null ? null : permitsFor(providerOf(target));
    if (p != null && !p.tryAcquire()) {
      return ChatStreams.failed(concurrencyLimited(target, p.limit));
    }
    Duration wait = reserveRate(target, request);
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
        }, chain.scheduler());
    String provider = target == null ? "" : providerOf(target);
    String model = target == null ? request.model() : target.substring(provider.length() + 1);
    if (firstEventTimeout != null || idleTimeout != null) {
      inner = new TimedStream(inner, firstEventTimeout, idleTimeout, chain.scheduler(), chain.call(), chain.events(),
          provider, model);
    }
    if (speedProbeWindow != null) {
      inner = new ProbedStream(inner, minTokensPerSecond, speedProbeWindow, chain.scheduler(), chain.ticker(),
          chain.call(), chain.events(), provider, model);
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
          breakers.recordSuccess(target, chain.events());
        }
        release();
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      if (done.compareAndSet(false, true)) {
        if (breakers != null && target != null) {
          breakers.recordFailure(target, failure, chain.events());
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

  // ---- embeddings: the same retries ----

  @Override
  public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
    EmbeddingRequest request = chain.request();
    Execution<Object> execution = Execution.of(retryPolicy);
    CompletableFuture<EmbeddingResponse> result = new CompletableFuture<>();
    embedAttempt(chain, request, execution, result);
    return result;
  }

  private void embedAttempt(EmbeddingChain chain, EmbeddingRequest request, Execution<Object> execution,
      CompletableFuture<EmbeddingResponse> result) {
    chain.proceed(request).whenComplete((response, error) -> {
      if (error == null) {
        result.complete(response);
        return;
      }
      Throwable cause = Futures.unwrap(error);
      if (!(cause instanceof ChatException failure)) {
        result.completeExceptionally(cause);
        return;
      }
      execution.recordException(failure);
      if (execution.isComplete() || !retryOn.test(failure)) {
        result.completeExceptionally(failure);
        return;
      }
      Duration delay = execution.getDelay();
      if (failure.retryAfter().isPresent()) {
        if (failure.retryAfter().get().compareTo(maxRetryAfter) > 0) {
          result.completeExceptionally(failure);
          return;
        }
        delay = failure.retryAfter().get().compareTo(delay) > 0 ? failure.retryAfter().get() : delay;
      }
      chain.scheduler().schedule(delay, () -> embedAttempt(chain, request, execution, result));
    });
  }

  // ---- limits ----

  private CompletableFuture<ChatResponse> guarded(Chain chain, ChatRequest request, String target,
      Supplier<CompletableFuture<ChatResponse>> call) {
    Permits p = target == null ? null : permitsFor(providerOf(target));
    if (p == null && (target == null || !rateLimits.containsKey(providerOf(target)))) {
      return call.get();
    }
    AtomicReference<CompletableFuture<ChatResponse>> started = new AtomicReference<>();
    AtomicReference<Scheduler.Cancellable> waitTimer = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<Void> permit = p == null ? CompletableFuture.completedFuture(null) : p.acquire();
    CompletableFuture<ChatResponse> out = permit.thenCompose(ignored -> {
      Duration wait = reserveRate(target, request);
      if (wait == null) {
        throw rateLimited(target);
      }
      if (wait.isZero()) {
        CompletableFuture<ChatResponse> f = call.get();
        started.set(f);
        return f;
      }
      CompletableFuture<ChatResponse> delayed = new CompletableFuture<>();
      waitTimer.set(chain.scheduler().schedule(wait, () -> {
        if (cancelled.get()) {
          return;
        }
        CompletableFuture<ChatResponse> f = call.get();
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
        CompletableFuture<ChatResponse> f = started.get();
        if (f != null) {
          f.cancel(true);
        }
      }
    });
    if (p != null) {
      // Return a permit only once it was granted, and only when its exchange is over (or never started).
      permit.thenRun(() -> out.whenComplete((r, e) -> {
        CompletableFuture<ChatResponse> f = started.get();
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
  private Duration reserveRate(String target, ChatRequest request) {
    if (target == null) {
      return Duration.ZERO;
    }
    String provider = providerOf(target);
    long[] limit = rateLimits.get(provider);
    if (limit == null) {
      return Duration.ZERO;
    }
    Limiter l = limiters.computeIfAbsent(provider, k -> new Limiter(limit[0], limit[1]));
    return l.reserve((int) Math.min(Integer.MAX_VALUE, Tokens.estimateTotal(request)));
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
      ModelRef ref = chain.target(request);
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
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(8);
    private double jitter = 0.2;
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private Predicate<ChatException> retryOn = ChatException::isRetryable;
    private CircuitBreakers breakers;
    private Duration firstEventTimeout;
    private Duration idleTimeout;
    private double minTokensPerSecond;
    private Duration speedProbeWindow;
    private final Map<String, Integer> concurrencyLimits = new HashMap<>();
    private int defaultConcurrency;
    private final Map<String, long[]> rateLimits = new HashMap<>();

    private Builder() {}

    /** Attempts per model, the first included; 1 turns retries off. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Exponential back-off from {@code initial}, doubling, capped at {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Random spread of each back-off, as a fraction of it (0 turns it off). */
    public Builder jitter(double fraction) {
      if (fraction < 0 || fraction >= 1) {
        throw new IllegalArgumentException("jitter must be within [0, 1), got " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** The longest provider retry-after hint worth waiting for; a longer one fails at once (and falls back). */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      return this;
    }

    /** Which failures are retried; default {@link ChatException#isRetryable()}. */
    public Builder retryOn(Predicate<ChatException> retryOn) {
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
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
