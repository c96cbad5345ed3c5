package dev.switchboard.resilience;

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
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.TokenEstimates;
import dev.switchboard.spi.http.ErrorMapping;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Applies one policy of each type to every attempt on one model: retries, circuit-breaker
 * bookkeeping, stream time limits, per-provider concurrency limits and client-side rate limits.
 * Register it innermost, inside {@link Fallback}:
 *
 * <pre>
 *   Fallback( Resilience( ProviderAdapter ) )
 * </pre>
 *
 * <p>The policies, applied to each attempt from the outside in:
 *
 * <pre>
 *   RetryPolicy( CircuitBreakers( ConcurrencyLimit( RateLimit( StreamTimeouts( attempt ) ) ) ) )
 * </pre>
 *
 * <p><b>Retries</b> follow one {@link RetryPolicy} for calls, streams (before their first event)
 * and embeddings alike, in one loop: within the call's deadline, with the retry reported to the
 * listeners, cancellable, waiting on the call's {@link Scheduler} without a thread. Every outcome
 * is recorded with the {@link CircuitBreakers} (share them with {@link Fallback}, which skips open
 * ones). A {@link ConcurrencyLimit} and a {@link RateLimit} make waiting calls hold no thread; a
 * stream that finds no free permit fails at once, retryably. {@link StreamTimeouts} bound each
 * streamed attempt.
 *
 * <p>Each policy is its own immutable, thread-safe object; the builder takes them whole or builds
 * them from its shorthand setters. Thread-safe; one instance serves all calls.
 */
public final class Resilience implements Interceptor {
  private final RetryPolicy retry;
  private final CircuitBreakers breakers;
  private final StreamTimeouts streamTimeouts;
  private final ConcurrencyLimit concurrency;
  private final RateLimit rateLimit;

  private Resilience(Builder b) {
    this.retry = b.retry != null ? b.retry : b.retryBuilder.build();
    this.breakers = b.breakers;
    this.streamTimeouts = b.streamTimeouts != null ? b.streamTimeouts : b.streamTimeoutsBuilder.build();
    this.concurrency = b.concurrency != null ? b.concurrency : b.concurrencyBuilder.build();
    this.rateLimit = b.rateLimit != null ? b.rateLimit : b.rateLimitBuilder.build();
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

  public StreamTimeouts streamTimeouts() {
    return streamTimeouts;
  }

  public ConcurrencyLimit concurrencyLimit() {
    return concurrency;
  }

  public RateLimit rateLimit() {
    return rateLimit;
  }

  // ---- calls ----

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    CallContext context = chain.context();
    Resolved resolved = resolve(context, chain.request());
    ChatRequest request = resolved.request();
    ModelRef target = resolved.target();
    return RetryLoop.run(retry, new RetryLoop.Attempts<ChatResponse>() {
      @Override
      public CompletableFuture<ChatResponse> start() {
        return guarded(context.scheduler(), target, TokenEstimates.total(request), () -> chain.proceed(request));
      }

      @Override
      public void succeeded(ChatResponse response) {
        recordSuccess(target, context.events());
      }

      @Override
      public void failed(ChatException failure) {
        recordFailure(target, failure, context.events());
      }

      @Override
      public List<Attempt> attemptsOf(ChatResponse response) {
        return response.attempts();
      }

      @Override
      public ChatResponse withAttempts(ChatResponse response, List<Attempt> all) {
        return response.withAttempts(all);
      }

      @Override
      public ChatException unexpected(Throwable failure) {
        return RetryLoop.unexpected(failure, request.model());
      }
    }, context.scheduler(), context.ticker(), context.call(), context.events());
  }

  private void recordSuccess(ModelRef target, ChatListener events) {
    if (target != null && breakers != null) {
      breakers.recordSuccess(target.toString(), events);
    }
  }

  private void recordFailure(ModelRef target, ChatException failure, ChatListener events) {
    if (target != null && breakers != null) {
      breakers.recordFailure(target.toString(), failure, events);
    }
  }

  // ---- streams ----

  @Override
  public ChatStream interceptStream(Chain chain) {
    CallContext context = chain.context();
    Resolved resolved = resolve(context, chain.request());
    ChatRequest request = resolved.request();
    ModelRef target = resolved.target();
    RetryPolicy.Retries retries = retry.start();
    List<Attempt> attempts = new ArrayList<>();
    SwitchingStream.Strategy strategy = new SwitchingStream.Strategy() {
      @Override
      public Duration onFailure(ChatException failure, List<Attempt> recorded) {
        attempts.addAll(recorded);
        Duration delay = retries.next(failure, context.call().remaining(context.ticker().read()));
        if (delay != null) {
          context.events().retryScheduled(context.call(), failure, retries.attempt(), delay);
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
    return new SwitchingStream(attemptStream(chain, request, target), Duration.ZERO, strategy, context.scheduler());
  }

  private ChatStream attemptStream(Chain chain, ChatRequest request, ModelRef target) {
    CallContext context = chain.context();
    ConcurrencyLimit.Permit permit = null;
    Duration wait = Duration.ZERO;
    if (target != null) {
      permit = concurrency.tryAcquire(target.provider()).orElse(null);
      if (permit == null) {
        return ChatStreams.failed(concurrencyLimited(target, concurrency.limitFor(target.provider())));
      }
      wait = rateLimit.reserve(target.provider(), TokenEstimates.total(request)).orElse(null);
      if (wait == null) {
        permit.release();
        return ChatStreams.failed(rateLimited(target));
      }
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
        }, context.scheduler());
    if (!streamTimeouts.isNone()) {
      inner = streamTimeouts.apply(inner, context,
          target != null ? target : new ModelRef("unknown", request.model()));
    }
    if (target == null || (breakers == null && permit == ConcurrencyLimit.Permit.UNLIMITED)) {
      return inner;
    }
    return new OutcomeStream(inner, context, target, permit);
  }

  /** The final event with {@code earlier} attempts listed before its own. */
  static ChatEvent withEarlierAttempts(ChatEvent.Completed completed, List<Attempt> earlier) {
    if (earlier.isEmpty()) {
      return completed;
    }
    List<Attempt> all = new ArrayList<>(earlier);
    all.addAll(completed.response().attempts());
    return new ChatEvent.Completed(completed.response().withAttempts(all));
  }

  /** Records the stream attempt's outcome with the breaker and returns its concurrency permit. */
  private final class OutcomeStream extends ForwardingChatStream {
    private final CallContext context;
    private final ModelRef target;
    private final ConcurrencyLimit.Permit permit;
    private final AtomicBoolean done = new AtomicBoolean();

    OutcomeStream(ChatStream delegate, CallContext context, ModelRef target, ConcurrencyLimit.Permit permit) {
      super(delegate);
      this.context = context;
      this.target = target;
      this.permit = permit;
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      if (event instanceof ChatEvent.Completed && done.compareAndSet(false, true)) {
        recordSuccess(target, context.events());
        permit.release();
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      if (done.compareAndSet(false, true)) {
        recordFailure(target, failure, context.events());
        permit.release();
      }
      return failure;
    }

    @Override
    public void close() {
      super.close();
      if (done.compareAndSet(false, true)) {
        permit.release();
      }
    }
  }

  // ---- embeddings: the same loop, limits and breakers ----

  @Override
  public CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
    CallContext context = chain.context();
    EmbeddingRequest request = chain.request();
    ModelRef resolvedTarget;
    try {
      resolvedTarget = context.resolve(request.model());
    } catch (ChatException e) {
      resolvedTarget = null; // the attempt fails with it
    }
    ModelRef target = resolvedTarget;
    long tokens = request.inputs().stream().mapToLong(TokenEstimates::of).sum();
    return RetryLoop.run(retry, new RetryLoop.Attempts<EmbeddingResponse>() {
      @Override
      public CompletableFuture<EmbeddingResponse> start() {
        return guarded(context.scheduler(), target, tokens, () -> chain.proceed(request));
      }

      @Override
      public void succeeded(EmbeddingResponse response) {
        recordSuccess(target, context.events());
      }

      @Override
      public void failed(ChatException failure) {
        recordFailure(target, failure, context.events());
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
    }, context.scheduler(), context.ticker(), context.call(), context.events());
  }

  // ---- limits ----

  /** {@code call}, once a concurrency permit and the rate limit allow, waiting without a thread. */
  private <T> CompletableFuture<T> guarded(Scheduler scheduler, ModelRef target, long tokenEstimate,
      Supplier<CompletableFuture<T>> call) {
    if (target == null || (concurrency.limitFor(target.provider()) <= 0 && !rateLimit.limits(target.provider()))) {
      return call.get();
    }
    AtomicReference<CompletableFuture<T>> started = new AtomicReference<>();
    AtomicReference<Scheduler.Cancellable> waitTimer = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<ConcurrencyLimit.Permit> permit = concurrency.acquire(target.provider());
    CompletableFuture<T> out = permit.thenCompose(ignored -> {
      Duration wait = rateLimit.reserve(target.provider(), tokenEstimate).orElseThrow(() -> rateLimited(target));
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
    // Return a permit only once it was granted, and only when its exchange is over (or never started).
    permit.thenAccept(granted -> out.whenComplete((r, e) -> {
      CompletableFuture<T> f = started.get();
      if (f == null || f.isDone()) {
        granted.release();
      } else {
        f.whenComplete((r2, e2) -> granted.release());
      }
    }));
    return out;
  }

  /** The request with its model resolved (once, or by an outer layer) and attached, and the model. */
  private static Resolved resolve(CallContext context, ChatRequest request) {
    try {
      ModelRef ref = context.target(request);
      return new Resolved(Target.of(request) != null ? request : Target.attach(request, ref), ref);
    } catch (ChatException e) {
      return new Resolved(request, null); // the attempt fails with it, without a breaker or limit to count
    }
  }

  private record Resolved(ChatRequest request, ModelRef target) {}

  private static ChatException concurrencyLimited(ModelRef target, int limit) {
    return new RateLimitException("client-side concurrency limit of " + limit + " calls in flight reached for "
        + target + "; raise Resilience.builder().maxConcurrency or wait",
        ErrorDetails.builder().provider(target.provider()).model(target.model()).retryable(true).build());
  }

  private static RateLimitException rateLimited(ModelRef target) {
    return new RateLimitException("client-side rate limit for " + target + " would need a wait of over "
        + ErrorMapping.human(RateLimit.MAX_WAIT) + "; raise Resilience.builder().rateLimit or send less",
        ErrorDetails.builder().provider(target.provider()).model(target.model()).retryable(true)
            .retryAfter(RateLimit.MAX_WAIT).build());
  }

  /**
   * Not thread-safe. Takes each policy whole ({@link #retry}, {@link #streamTimeouts}, {@link
   * #concurrencyLimit}, {@link #rateLimit}) or builds it from the shorthand setters, not both;
   * {@link #build()} says which clash.
   */
  public static final class Builder {
    private final RetryPolicy.Builder retryBuilder = RetryPolicy.builder();
    private final StreamTimeouts.Builder streamTimeoutsBuilder = StreamTimeouts.builder();
    private final ConcurrencyLimit.Builder concurrencyBuilder = ConcurrencyLimit.builder();
    private final RateLimit.Builder rateLimitBuilder = RateLimit.builder();
    private RetryPolicy retry;
    private CircuitBreakers breakers;
    private StreamTimeouts streamTimeouts;
    private ConcurrencyLimit concurrency;
    private RateLimit rateLimit;
    private boolean retrySettings;
    private boolean streamSettings;

    private Builder() {}

    /** The retry policy, instead of the retry settings below. Default {@link RetryPolicy#ofDefaults()}. */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Attempts per model, the first included; 1 turns retries off. See {@link RetryPolicy.Builder#maxAttempts}. */
    public Builder maxAttempts(int maxAttempts) {
      retryBuilder.maxAttempts(maxAttempts);
      retrySettings = true;
      return this;
    }

    /** Exponential back-off from {@code initial}, doubling, capped at {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      retryBuilder.backoff(initial, max);
      retrySettings = true;
      return this;
    }

    /** Random spread of each back-off, as a fraction of it (0 turns it off). */
    public Builder jitter(double fraction) {
      retryBuilder.jitter(fraction);
      retrySettings = true;
      return this;
    }

    /** The longest provider retry-after hint worth waiting for; a longer one fails at once (and falls back). */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      retryBuilder.maxRetryAfter(maxRetryAfter);
      retrySettings = true;
      return this;
    }

    /** Which failures are retried; default {@link ChatException#isRetryable()}. */
    public Builder retryOn(Predicate<ChatException> retryOn) {
      retryBuilder.retryOn(retryOn);
      retrySettings = true;
      return this;
    }

    /** Records every attempt's outcome in these breakers (share the same instance with {@link Fallback}). */
    public Builder circuitBreakers(CircuitBreakers breakers) {
      this.breakers = breakers;
      return this;
    }

    /** The time limits of each streamed attempt, instead of the stream settings below. Default none. */
    public Builder streamTimeouts(StreamTimeouts timeouts) {
      this.streamTimeouts = Objects.requireNonNull(timeouts, "timeouts");
      return this;
    }

    /** See {@link StreamTimeouts.Builder#firstEvent}. */
    public Builder firstEventTimeout(Duration timeout) {
      streamTimeoutsBuilder.firstEvent(timeout);
      streamSettings = true;
      return this;
    }

    /** See {@link StreamTimeouts.Builder#idle}. */
    public Builder idleTimeout(Duration timeout) {
      streamTimeoutsBuilder.idle(timeout);
      streamSettings = true;
      return this;
    }

    /** See {@link StreamTimeouts.Builder#minSpeed}. */
    public Builder minStreamSpeed(double minTokensPerSecond, Duration probeWindow) {
      streamTimeoutsBuilder.minSpeed(minTokensPerSecond, probeWindow);
      streamSettings = true;
      return this;
    }

    /** The concurrency limit, instead of {@link #maxConcurrency}; share one instance to share its permits. */
    public Builder concurrencyLimit(ConcurrencyLimit limit) {
      this.concurrency = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /** At most {@code limit} calls in flight to {@code provider}; further calls wait without a thread. */
    public Builder maxConcurrency(String provider, int limit) {
      concurrencyBuilder.maxConcurrency(provider, limit);
      return this;
    }

    /** At most {@code limit} calls in flight to any one provider without its own limit. */
    public Builder maxConcurrency(int limit) {
      concurrencyBuilder.maxConcurrency(limit);
      return this;
    }

    /** The rate limit, instead of {@link #rateLimit(String, long, long)}; share one instance to share its budget. */
    public Builder rateLimit(RateLimit limit) {
      this.rateLimit = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /** See {@link RateLimit.Builder#limit}. */
    public Builder rateLimit(String provider, long requestsPerMinute, long tokensPerMinute) {
      rateLimitBuilder.limit(provider, requestsPerMinute, tokensPerMinute);
      return this;
    }

    /** Throws {@link IllegalStateException} when a policy was given whole and by its settings too. */
    public Resilience build() {
      clash(retry != null && retrySettings, "retry(RetryPolicy)", "maxAttempts/backoff/jitter/maxRetryAfter/retryOn");
      clash(streamTimeouts != null && streamSettings, "streamTimeouts(StreamTimeouts)",
          "firstEventTimeout/idleTimeout/minStreamSpeed");
      clash(concurrency != null && !concurrencyBuilder.isEmpty(), "concurrencyLimit(ConcurrencyLimit)",
          "maxConcurrency");
      clash(rateLimit != null && !rateLimitBuilder.isEmpty(), "rateLimit(RateLimit)", "rateLimit(provider, ...)");
      return new Resilience(this);
    }

    private static void clash(boolean both, String whole, String settings) {
      if (both) {
        throw new IllegalStateException("Resilience.builder() got both " + whole + " and " + settings
            + "; put the settings into the policy object, or drop it");
      }
    }
  }
}
