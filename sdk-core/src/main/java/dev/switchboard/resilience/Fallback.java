package dev.switchboard.resilience;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.spi.Futures;
import dev.switchboard.route.Candidates;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.IdentityHashMap;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Typed fallback chains: a model string (an alias such as {@code "ranker"}, or a {@code
 * "provider/model"}) maps to an ordered list of candidates; a call tries them in order until one
 * answers. Requests for model strings without a chain pass through.
 *
 * <pre>{@code
 * Fallback.builder()
 *     .chain("ranker", "global/qwen3-32b", "deepseek/deepseek-chat", "openai/gpt-4o")
 *     .rewrite("openai/gpt-4o", r -> r.toBuilder().maxOutputTokens(512).build())
 *     .circuitBreakers(breakers)
 *     .hedgeAfter(Duration.ofMillis(800))
 *     .build();
 * }</pre>
 *
 * <p>What moves a call on to the next candidate: a retryable failure (rate limited, overloaded,
 * down, timed out — after {@link Resilience} inside has used its retries), any rate limit (also a
 * request too large for this provider's limit, which retrying cannot fix), quota exhausted, the
 * model being unknown to its provider, or a policy refusing it (a residency policy inside, for a
 * model that is not compliant); a context-length error moves on to the next candidate
 * whose declared context window is larger; a content-filter error only if {@link
 * Builder#fallBackOnContentFilter} is on. Anything else (400, 401/403) ends the call at once. If all
 * candidates fail, the first candidate's error is thrown, with every attempt listed in {@link
 * ChatException#attempts()} and the other errors suppressed.
 *
 * <p>Candidates whose circuit breaker is open are skipped, unless all are, in which case the least
 * recently failed one is tried. Streams fall back only before their first event reaches the caller.
 * With hedging, a call whose current candidate has not answered within the hedge delay also starts
 * the next candidate; the first answer wins and the other exchange is cancelled (both are recorded).
 *
 * <p>Thread-safe; one instance serves all calls.
 */
public final class Fallback implements Interceptor {
  private final Map<String, List<String>> chains;
  private final Map<String, UnaryOperator<ChatRequest>> rewrites;
  private final boolean fallBackOnContentFilter;
  private final CircuitBreakers breakers;
  private final Duration hedgeDelay;
  private final double hedgePercentile;
  private final int hedgeMinSamples;
  private final Map<String, LatencyWindow> latencies = new ConcurrentHashMap<>();

  private Fallback(Builder b) {
    Map<String, List<String>> c = new LinkedHashMap<>();
    b.chains.forEach((k, v) -> c.put(k, List.copyOf(v)));
    this.chains = Map.copyOf(c);
    this.rewrites = Map.copyOf(b.rewrites);
    this.fallBackOnContentFilter = b.fallBackOnContentFilter;
    this.breakers = b.breakers;
    this.hedgeDelay = b.hedgeDelay;
    this.hedgePercentile = b.hedgePercentile;
    this.hedgeMinSamples = b.hedgeMinSamples;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The candidates for {@code modelString}, or an empty list when it has no chain. */
  public List<String> chain(String modelString) {
    return chains.getOrDefault(modelString, List.of());
  }

  // ---- calls ----

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    List<String> candidates = candidatesOf(chain.request());
    if (candidates == null) {
      return chain.proceed(chain.request());
    }
    Resolutions resolved = new Resolutions();
    return new CallRun(chain, resolved, order(chain, resolved, candidates)).start();
  }

  /** One call's walk along its candidates, with optional hedging. */
  private final class CallRun {
    final Chain chain;
    final Resolutions resolved;
    final List<String> candidates;
    final CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    final List<Attempt> attempts = new ArrayList<>();
    final List<CompletableFuture<ChatResponse>> inFlight = new ArrayList<>();
    final List<ChatException> failures = new ArrayList<>();
    final int attemptsBefore;
    int next;
    boolean won;
    ChatException primary;
    Scheduler.Cancellable hedgeTimer;

    CallRun(Chain chain, Resolutions resolved, List<String> candidates) {
      this.chain = chain;
      // Only hedges leave losers to list; without them the call's log is not read at all.
      this.attemptsBefore = hedgeDelay == null ? -1 : chain.context().attempts().size();
      this.resolved = resolved;
      this.candidates = candidates;
      result.whenComplete((r, e) -> cancelOthers(null));
    }

    CompletableFuture<ChatResponse> start() {
      launch(null, null);
      return result;
    }

    /** Starts the next candidate; {@code from} is the model being left on {@code cause}, for the listener. */
    synchronized void launch(String from, ChatException cause) {
      if (next >= candidates.size() || result.isDone()) {
        return;
      }
      String model = candidates.get(next++);
      if (cause != null) {
        chain.context().events().fallback(chain.context().call(), from, model, cause);
      }
      long started = chain.context().ticker().read();
      CompletableFuture<ChatResponse> f = proceedSafely(model);
      inFlight.add(f);
      f.whenComplete((response, error) -> finished(model, f, started, response, error));
      scheduleHedge(model);
    }

    /** The candidate's exchange; a rewrite that throws fails this candidate instead of escaping to a callback thread. */
    private CompletableFuture<ChatResponse> proceedSafely(String model) {
      try {
        return chain.proceed(rewrite(chain, resolved, chain.request(), model));
      } catch (ChatException e) {
        return CompletableFuture.failedFuture(e);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(new ChatException("the rewrite for '" + model + "' threw " + e,
            ErrorDetails.of("", model), e));
      }
    }

    private void scheduleHedge(String model) {
      if (hedgeDelay == null || next >= candidates.size()) {
        return;
      }
      Duration delay = hedgeDelayFor(model);
      hedgeTimer = chain.context().scheduler().schedule(delay, () -> {
        synchronized (this) {
          if (result.isDone() || next >= candidates.size() || inFlight.size() != 1) {
            return;
          }
          chain.context().events().hedgeStarted(chain.context().call(), candidates.get(next), delay);
        }
        launch(null, null);
      });
    }

    private void finished(String model, CompletableFuture<ChatResponse> f, long started, ChatResponse response,
        Throwable error) {
      ChatException failure = null;
      synchronized (this) {
        inFlight.remove(f);
        if (error == null) {
          attempts.addAll(response.attempts());
          latencyWindow(model).add(chain.context().ticker().read() - started);
        } else {
          failure = asChatException(Futures.unwrap(error), model);
          attempts.addAll(failure.attempts());
        }
      }
      if (error == null) {
        synchronized (this) {
          if (won || result.isDone()) {
            return;
          }
          won = true;
        }
        // Losers end (and record their cancelled exchanges) before the call does.
        cancelOthers(f);
        List<Attempt> all;
        synchronized (this) {
          all = new ArrayList<>(attempts);
        }
        if (attemptsBefore >= 0) {
          addCancelledSince(all);
        }
        result.complete(response.withAttempts(all));
        return;
      }
      boolean moveOn;
      boolean othersRunning;
      synchronized (this) {
        if (won || result.isDone()) {
          return;
        }
        if (primary == null) {
          primary = failure;
        } else {
          failures.add(failure);
        }
        moveOn = shouldFallBack(failure) && skipToLargerWindowIfNeeded(failure, model);
        othersRunning = !inFlight.isEmpty();
      }
      if (moveOn && hasNext()) {
        cancelHedgeTimer();
        launch(model, failure);
      } else if (!othersRunning) {
        fail();
      }
    }

    /**
     * Adds the exchanges that ended during this run without reaching it: a cancelled future ends
     * before the exchange under it records its attempt.
     */
    private void addCancelledSince(List<Attempt> all) {
      List<Attempt> ended = chain.context().attempts();
      Set<Attempt> known = Collections.newSetFromMap(new IdentityHashMap<>());
      known.addAll(all);
      for (int i = attemptsBefore; i < ended.size(); i++) {
        if (known.add(ended.get(i))) {
          all.add(ended.get(i));
        }
      }
    }

    private synchronized boolean hasNext() {
      return next < candidates.size();
    }

    /** For a context-length error, skips candidates whose window is known and not larger. */
    private synchronized boolean skipToLargerWindowIfNeeded(ChatException failure, String model) {
      if (!(failure instanceof ContextLengthExceededException)) {
        return true;
      }
      OptionalInt current = window(chain, resolved, model);
      while (next < candidates.size()) {
        OptionalInt candidate = window(chain, resolved, candidates.get(next));
        if (current.isEmpty() || candidate.isEmpty() || candidate.getAsInt() > current.getAsInt()) {
          return true;
        }
        next++;
      }
      return false;
    }

    private void fail() {
      ChatException error;
      synchronized (this) {
        error = primary.withAttempts(attempts);
        for (ChatException other : failures) {
          if (other != primary) {
            error.addSuppressed(other);
          }
        }
      }
      result.completeExceptionally(error);
    }

    private void cancelHedgeTimer() {
      Scheduler.Cancellable t = hedgeTimer;
      if (t != null) {
        t.cancel();
      }
    }

    private void cancelOthers(CompletableFuture<ChatResponse> keep) {
      cancelHedgeTimer();
      List<CompletableFuture<ChatResponse>> running;
      synchronized (this) {
        running = new ArrayList<>(inFlight);
      }
      for (CompletableFuture<ChatResponse> f : running) {
        if (f != keep) {
          f.cancel(true);
        }
      }
    }
  }

  // ---- streams ----

  @Override
  public ChatStream interceptStream(Chain chain) {
    List<String> configured = candidatesOf(chain.request());
    if (configured == null) {
      return chain.proceedStream(chain.request());
    }
    Resolutions resolved = new Resolutions();
    List<String> candidates = order(chain, resolved, configured);
    List<Attempt> attempts = new ArrayList<>();
    int[] index = {0};
    ChatException[] primary = {null};
    List<ChatException> others = new ArrayList<>();
    SwitchingStream.Strategy strategy = new SwitchingStream.Strategy() {
      @Override
      public Duration onFailure(ChatException failure, List<Attempt> recorded) {
        attempts.addAll(recorded);
        if (primary[0] == null) {
          primary[0] = failure;
        } else if (failure != primary[0]) {
          others.add(failure);
        }
        String model = candidates.get(index[0]);
        if (!shouldFallBack(failure)) {
          return null;
        }
        int n = index[0] + 1;
        if (failure instanceof ContextLengthExceededException) {
          OptionalInt current = window(chain, resolved, model);
          while (n < candidates.size() && current.isPresent()) {
            OptionalInt c = window(chain, resolved, candidates.get(n));
            if (c.isEmpty() || c.getAsInt() > current.getAsInt()) {
              break;
            }
            n++;
          }
        }
        if (n >= candidates.size()) {
          return null;
        }
        index[0] = n;
        chain.context().events().fallback(chain.context().call(), model, candidates.get(n), failure);
        return Duration.ZERO;
      }

      @Override
      public ChatStream next() {
        return chain.proceedStream(rewrite(chain, resolved, chain.request(), candidates.get(index[0])));
      }

      @Override
      public ChatException giveUp(ChatException last) {
        ChatException error = (primary[0] != null ? primary[0] : last).withAttempts(attempts);
        for (ChatException other : others) {
          error.addSuppressed(other);
        }
        return error;
      }

      @Override
      public ChatEvent completed(ChatEvent.Completed completed) {
        return Resilience.withEarlierAttempts(completed, attempts);
      }
    };
    return new SwitchingStream(chain.proceedStream(rewrite(chain, resolved, chain.request(), candidates.get(0))),
        Duration.ZERO,
        strategy, chain.context().scheduler());
  }

  // ---- shared ----

  private boolean shouldFallBack(ChatException failure) {
    if (failure instanceof ChatStreamException) {
      return false; // events already reached the caller
    }
    if (failure instanceof ContentFilteredException) {
      return fallBackOnContentFilter;
    }
    return failure.isRetryable()
        || failure instanceof dev.switchboard.PolicyViolationException // another model may be allowed
        || failure instanceof ContextLengthExceededException
        || failure instanceof QuotaExceededException
        || failure instanceof RateLimitException // also one that retrying cannot fix: another's limit may be higher
        || (failure instanceof ModelNotFoundException && failure.statusCode().isPresent());
  }

  /** The configured order, with open breakers moved out; if every breaker is open, the least recently failed first. */
  private List<String> order(Chain chain, Resolutions resolved, List<String> configured) {
    if (breakers == null) {
      return configured;
    }
    List<String> available = new ArrayList<>();
    List<String> open = new ArrayList<>();
    for (String model : configured) {
      String key = resolved.key(chain, model);
      if (breakers.isOpen(key, chain.context().events())) {
        open.add(model);
      } else {
        available.add(model);
      }
    }
    if (!available.isEmpty()) {
      return available;
    }
    open.sort(Comparator.comparingLong(m -> breakers.lastFailureNanos(resolved.key(chain, m))));
    return List.of(open.get(0));
  }

  private ChatRequest rewrite(Chain chain, Resolutions resolved, ChatRequest request, String model) {
    ChatRequest r = request.toBuilder().model(model).tag(Candidates.class, null).build();
    UnaryOperator<ChatRequest> op = rewrites.get(model);
    if (op != null) {
      ChatRequest rewritten = op.apply(r);
      r = rewritten.model().equals(model) ? rewritten : rewritten.toBuilder().model(model).build();
    }
    ModelRef ref = resolved.get(chain, model);
    return ref == null ? r : Target.attach(r, ref);
  }

  /** The candidates of this call: a router's {@link Candidates}, else the chain for its model string. */
  private List<String> candidatesOf(ChatRequest request) {
    return request.tag(Candidates.class).map(Candidates::modelStrings).orElseGet(() -> chains.get(request.model()));
  }

  private Duration hedgeDelayFor(String model) {
    LatencyWindow w = latencies.get(model);
    if (hedgePercentile > 0 && w != null) {
      long nanos = w.percentile(hedgePercentile, hedgeMinSamples);
      if (nanos > 0) {
        return Duration.ofNanos(nanos);
      }
    }
    return hedgeDelay;
  }

  private LatencyWindow latencyWindow(String model) {
    return latencies.computeIfAbsent(model, k -> new LatencyWindow());
  }

  private static OptionalInt window(Chain chain, Resolutions resolved, String model) {
    ModelRef ref = resolved.get(chain, model);
    return ref == null ? OptionalInt.empty() : chain.context().capabilities(ref).maxContextTokens();
  }

  /**
   * One call's resolutions of its candidates, each made once; attached to the request of each
   * attempt so that the layers inside do not resolve again. Thread-safe (hedges).
   */
  private static final class Resolutions {
    private final Map<String, Optional<ModelRef>> refs = new ConcurrentHashMap<>();

    /** The candidate's model, or {@code null} when it names nothing known (the attempt will say so). */
    ModelRef get(Chain chain, String model) {
      return refs.computeIfAbsent(model, m -> {
        try {
          return Optional.of(chain.context().resolve(m));
        } catch (ChatException e) {
          return Optional.empty();
        }
      }).orElse(null);
    }

    String key(Chain chain, String model) {
      ModelRef ref = get(chain, model);
      return ref == null ? model : ref.toString();
    }
  }

  private static ChatException asChatException(Throwable t, String model) {
    if (t instanceof ChatException ce) {
      return ce;
    }
    return new ChatException("the attempt on '" + model + "' failed: " + t, ErrorDetails.of("", model), t);
  }

  /** The last 256 successful latencies of one model, for percentile hedge delays. */
  private static final class LatencyWindow {
    private final long[] samples = new long[256];
    private int count;
    private int next;

    synchronized void add(long nanos) {
      samples[next] = nanos;
      next = (next + 1) % samples.length;
      count = Math.min(count + 1, samples.length);
    }

    synchronized long percentile(double p, int minSamples) {
      if (count < minSamples || count == 0) {
        return -1;
      }
      long[] copy = Arrays.copyOf(samples, count);
      Arrays.sort(copy);
      return copy[Math.min(count - 1, (int) Math.ceil(p * count) - 1)];
    }
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<String>> chains = new LinkedHashMap<>();
    private final Map<String, UnaryOperator<ChatRequest>> rewrites = new HashMap<>();
    private boolean fallBackOnContentFilter;
    private CircuitBreakers breakers;
    private Duration hedgeDelay;
    private double hedgePercentile;
    private int hedgeMinSamples;

    private Builder() {}

    /** Calls for {@code modelString} try {@code candidates} in order (list the primary first). */
    public Builder chain(String modelString, String... candidates) {
      Objects.requireNonNull(modelString, "modelString");
      if (candidates.length == 0) {
        throw new IllegalArgumentException("fallback chain for '" + modelString + "' needs at least one candidate");
      }
      if (chains.containsKey(modelString)) {
        throw new IllegalArgumentException("a fallback chain for '" + modelString + "' is already defined");
      }
      chains.put(modelString, List.of(candidates));
      return this;
    }

    /** Changes the request before it goes to {@code candidate}, e.g. a smaller max_tokens or another prompt. */
    public Builder rewrite(String candidate, UnaryOperator<ChatRequest> rewrite) {
      rewrites.put(Objects.requireNonNull(candidate, "candidate"), Objects.requireNonNull(rewrite, "rewrite"));
      return this;
    }

    /** Whether a content-filter refusal moves on to the next candidate (default false). */
    public Builder fallBackOnContentFilter(boolean fallBack) {
      this.fallBackOnContentFilter = fallBack;
      return this;
    }

    /** Skip candidates whose breaker is open (share the instance with {@link Resilience}). */
    public Builder circuitBreakers(CircuitBreakers breakers) {
      this.breakers = breakers;
      return this;
    }

    /** Starts the next candidate too when the current one has not answered after {@code delay}. */
    public Builder hedgeAfter(Duration delay) {
      if (delay == null || delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException("hedgeAfter must be positive, got " + delay);
      }
      this.hedgeDelay = delay;
      return this;
    }

    /**
     * Hedges at the observed {@code percentile} (e.g. 0.95) of the current candidate's latency once
     * it has {@code minSamples} successes; {@code initialDelay} until then.
     */
    public Builder hedgeAtPercentile(double percentile, int minSamples, Duration initialDelay) {
      if (percentile <= 0 || percentile >= 1 || minSamples < 1) {
        throw new IllegalArgumentException("hedgeAtPercentile needs 0 < percentile < 1 and minSamples >= 1");
      }
      hedgeAfter(initialDelay);
      this.hedgePercentile = percentile;
      this.hedgeMinSamples = minSamples;
      return this;
    }

    public Fallback build() {
      for (String candidate : rewrites.keySet()) {
        boolean used = chains.values().stream().anyMatch(c -> c.contains(candidate));
        if (!used) {
          throw new IllegalArgumentException("rewrite for '" + candidate + "' matches no candidate of any chain "
              + chains.keySet());
        }
      }
      return new Fallback(this); // without chains it walks only the Candidates a Router attached
    }
  }
}
