package dev.switchboard;

import dev.switchboard.spi.Futures;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.observe.Feedback;
import dev.switchboard.internal.CallLog;
import dev.switchboard.internal.CallScope;
import dev.switchboard.internal.Listeners;
import dev.switchboard.internal.ProviderStep;
import dev.switchboard.internal.RealChain;
import dev.switchboard.internal.RealEmbeddingChain;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.route.Load;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.route.ModelRef;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.SystemScheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.observe.TimeoutKind;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChatClient}: owns the providers, aliases, interceptors and listeners, and sends each
 * call through the interceptors (first registered = outermost) to the provider its model string
 * names.
 *
 * <pre>{@code
 * try (Switchboard llm = Switchboard.builder()
 *     .provider(OpenAiProvider.fromEnv())
 *     .alias("ranker", "openai/gpt-4o-mini")
 *     .build()) {
 *   String answer = llm.chat("ranker", "Rank these results ...");
 * }
 * }</pre>
 *
 * <p>Model strings: an alias, or {@code "provider/model"} split at the first {@code /} (so {@code
 * "vllm/meta-llama/Llama-3.1-8B-Instruct"} names model {@code meta-llama/Llama-3.1-8B-Instruct} of
 * provider {@code vllm}). An unknown one fails with {@link ModelNotFoundException}.
 *
 * <p>Thread-safe; build one and share it. {@link #close()} closes the providers.
 */
public final class Switchboard implements ChatClient, EmbeddingClient, AutoCloseable {
  private static final int FEEDBACK_MEMORY = 100_000;
  private static final int FEEDBACK_WINDOW_HOURS = 24;
  private static final Duration FEEDBACK_WINDOW = Duration.ofHours(FEEDBACK_WINDOW_HOURS);
  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  private static final AtomicLong CALL_IDS = new AtomicLong();

  private final AtomicReference<ModelDirectory> directory;
  private final List<Interceptor> interceptors;
  private final Listeners listeners;
  private final List<ChatListener.Factory> listenerFactories;
  private final Clock clock;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Duration callTimeout;
  private final ProviderStep providerStep;
  private final PriceCatalog prices;
  private final boolean takesFeedback;
  /** Who gave the recent answers, by response id, so that feedback can be counted per model. */
  private final Cache<String, Feedback> answeredBy = Caffeine.newBuilder()
      .maximumSize(FEEDBACK_MEMORY).expireAfterWrite(FEEDBACK_WINDOW).executor(Runnable::run).build();
  private final Map<String, ProviderAdapter> providers;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Switchboard(Builder b) {
    this.providers = Map.copyOf(b.providers);
    this.directory = new AtomicReference<>(b.directory != null ? checked(b.directory, b.providers.keySet())
        : ModelDirectory.of(b.providers.keySet(), b.aliases));
    this.interceptors = List.copyOf(b.interceptors);
    List<ChatListener> all = new ArrayList<>(b.listeners);
    all.add(new CallLog(b.ticker, b.logContent));
    this.listeners = new Listeners(all);
    this.takesFeedback = all.stream().anyMatch(Switchboard::takesFeedback);
    this.listenerFactories = List.copyOf(b.listenerFactories);
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.scheduler = b.scheduler;
    this.callTimeout = b.callTimeout;
    this.prices = b.prices != null ? b.prices : PriceCatalog.bundled();
    this.providerStep = new ProviderStep(providers, ticker, scheduler, prices);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Judges the answer {@code responseId} ({@link ChatResponse#id()}) of a call made here in the
   * last {@value #FEEDBACK_WINDOW_HOURS} hours (the last {@value #FEEDBACK_MEMORY} answers): the
   * listeners get a {@link Feedback} with the provider and model that answered, so that quality
   * can be counted per model. Returns false, and tells no one, when the answer is not known here
   * (too old, from another instance: use {@link #feedback(ChatResponse, double, Set)} there), or
   * when no listener takes feedback (answers are remembered only for listeners that override
   * {@link ChatListener#feedback}, so that others pay nothing for it).
   */
  public boolean feedback(String responseId, double score, Set<String> tags) {
    Objects.requireNonNull(responseId, "responseId");
    Feedback who = answeredBy.getIfPresent(responseId);
    if (who == null) {
      return false;
    }
    listeners.feedback(new Feedback(responseId, who.provider(), who.model(), who.route(), score, tags));
    return true;
  }

  /** Judges {@code response}; see {@link #feedback(String, double, Set)}. */
  public void feedback(ChatResponse response, double score, Set<String> tags) {
    Feedback who = answeredBy.getIfPresent(response.id());
    listeners.feedback(new Feedback(response.id(), response.provider(), response.model(),
        who == null ? "" : who.route(), score, tags));
  }

  private static boolean takesFeedback(ChatListener listener) {
    try {
      return listener.getClass().getMethod("feedback", Feedback.class).getDeclaringClass() != ChatListener.class;
    } catch (NoSuchMethodException e) {
      return true;
    }
  }

  private void answered(CallInfo call, ChatResponse response) {
    if (takesFeedback && !response.id().isEmpty()) {
      answeredBy.put(response.id(), new Feedback(response.id(), response.provider(), response.model(), call.model(),
          0, Set.of()));
    }
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    return Futures.await(HttpTransport.callerWaits(() -> chatAsync(request)));
  }

  @Override
  public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    CallScope scope = scope(newCall(request, false));
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    listeners.callStart(call);
    CompletableFuture<ChatResponse> inner = new RealChain(interceptors, 0, request, scope).proceed(request);
    return ended(scope, request.model(), inner, (c, response) -> {
      answered(c, response);
      listeners.callEnd(c, response);
    });
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    CallScope scope = scope(newCall(request, true));
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    listeners.callStart(call);
    ChatStream inner = new RealChain(interceptors, 0, request, scope).proceedStream(request);
    CallStream stream = new CallStream(inner, call, listeners);
    call.timeout().ifPresent(limit -> stream.timer = scheduler.schedule(limit, () -> {
      // Made only if the abort takes effect, and before the consumer can see the failure (and with
      // it callFailed): so the timeout event comes exactly when the deadline ended the stream.
      stream.abort(() -> {
        listeners.timeout(call, TimeoutKind.CALL, limit);
        return callTimedOut(scope, request.model(), limit).withAttempts(scope.attempts());
      });
    }));
    return stream;
  }

  @Override
  public EmbeddingResponse embed(EmbeddingRequest request) {
    return Futures.await(embedAsync(request));
  }

  @Override
  public CompletableFuture<EmbeddingResponse> embedAsync(EmbeddingRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed.get()) {
      throw new IllegalStateException("this Switchboard is closed");
    }
    CallScope scope =
        scope(new CallInfo(CALL_IDS.incrementAndGet(), request, clock.instant(), ticker.read(), callTimeout));
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    listeners.callStart(call);
    CompletableFuture<EmbeddingResponse> inner =
        new RealEmbeddingChain(interceptors, 0, request, scope).proceed(request);
    return ended(scope, request.model(), inner, listeners::embeddingEnd);
  }

  /**
   * The call's result: {@code inner}'s, or a {@link ChatTimeoutException} listing the attempts so
   * far once the call's deadline passes (the exchange in flight is cancelled first, so it is listed).
   * Exactly one terminal event reaches the listeners: {@code onEnd}, {@code callFailed}, or {@code
   * callCancelled} when the caller cancelled the result.
   */
  private <T> CompletableFuture<T> ended(CallScope scope, String model, CompletableFuture<T> inner,
      java.util.function.BiConsumer<CallInfo, T> onEnd) {
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    CompletableFuture<T> result = new CompletableFuture<>();
    AtomicBoolean ended = new AtomicBoolean();
    Scheduler.Cancellable timer = call.timeout().map(limit -> scheduler.schedule(limit, () -> {
      if (ended.compareAndSet(false, true)) {
        inner.cancel(true); // records the exchange in flight as a cancelled attempt
        ChatTimeoutException failure = callTimedOut(scope, model, limit).withAttempts(scope.attempts());
        listeners.timeout(call, TimeoutKind.CALL, limit);
        listeners.callFailed(call, failure);
        result.completeExceptionally(failure);
      }
    })).orElse(null);
    inner.whenComplete((response, error) -> {
      if (timer != null) {
        timer.cancel();
      }
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      if (error != null && result.isCancelled()) {
        listeners.callCancelled(call);
      } else if (error != null) {
        ChatException failure = asChatException(Futures.unwrap(error), model);
        listeners.callFailed(call, failure);
        result.completeExceptionally(failure);
      } else {
        onEnd.accept(call, response);
        result.complete(response);
      }
    });
    return Futures.cancelling(result, inner);
  }

  /** The registered provider names. */
  /** The prices attempts are costed at. */
  public PriceCatalog prices() {
    return prices;
  }

  public Set<String> providers() {
    return new TreeSet<>(providers.keySet());
  }

  /** The aliases of the current directory and their targets. */
  public Map<String, String> aliases() {
    return directory.get().aliases();
  }

  /** The directory model strings are resolved in now. */
  public ModelDirectory directory() {
    return directory.get();
  }

  /**
   * Replaces the directory: calls that start from now on resolve their model strings in {@code
   * next}; calls in flight finish with the models they resolved. Throws {@link
   * IllegalArgumentException} when {@code next} leads to a provider that is not registered here.
   */
  public void directory(ModelDirectory next) {
    directory.set(checked(next, providers.keySet()));
  }

  /**
   * The model that {@code modelString} names in the current directory, following aliases; throws
   * {@link ModelNotFoundException} if it names nothing known.
   */
  public ModelRef resolve(String modelString) {
    try {
      return directory.get().resolve(modelString);
    } catch (ModelNotFoundException e) {
      throw providerStep.servedBy(e, modelString);
    }
  }

  /** How busy the servers behind {@code modelString} are now, if its provider knows (self-hosted replicas). */
  public Optional<Load> load(String modelString) {
    return providerStep.load(resolve(modelString));
  }

  /** What the model behind {@code modelString} can do, as its provider declares it. */
  public Capabilities capabilities(String modelString) {
    return providerStep.capabilities(resolve(modelString));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (ProviderAdapter adapter : providers.values()) {
      try {
        adapter.close();
      } catch (Exception e) {
        log.warn("closing provider '{}' failed", adapter.name(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "Switchboard[providers=" + providers() + ", aliases=" + aliases().keySet()
        + ", interceptors=" + interceptors.size() + "]";
  }

  private CallInfo newCall(ChatRequest request, boolean streaming) {
    if (closed.get()) {
      throw new IllegalStateException("this Switchboard is closed");
    }
    return new CallInfo(CALL_IDS.incrementAndGet(), request, streaming, clock.instant(), ticker.read(),
        request.timeout().orElse(callTimeout));
  }

  private CallScope scope(CallInfo call) {
    return new CallScope(call, listeners.forCall(listenerFactories, call), directory.get(), providerStep);
  }

  private static ModelDirectory checked(ModelDirectory next, Set<String> registered) {
    Objects.requireNonNull(next, "directory");
    for (String provider : next.providers()) {
      if (!registered.contains(provider)) {
        throw new IllegalArgumentException("the directory leads to provider '" + provider
            + "', which is not registered with this Switchboard; registered: " + new TreeSet<>(registered));
      }
    }
    return next;
  }

  /** Names the model the call resolved in its own directory snapshot, not in one swapped in since. */
  private static ChatTimeoutException callTimedOut(CallScope scope, String model, Duration limit) {
    ErrorDetails.Builder details = ErrorDetails.builder().model(model).retryable(true);
    try {
      ModelRef target = scope.resolve(model);
      details.provider(target.provider()).model(target.model());
    } catch (ModelNotFoundException e) {
      // a route name or an unknown model: the deadline still applies, to the call as a whole
    }
    return new ChatTimeoutException("the call to '" + model + "' did not finish within its deadline of "
        + limit.toMillis() + " ms (across all retries and fallbacks); raise ChatRequest.timeout or "
        + "Switchboard.builder().callTimeout", details.build());
  }

  private static ChatException asChatException(Throwable t, String model) {
    if (t instanceof ChatException ce) {
      return ce;
    }
    return new ChatException("the call to '" + model + "' failed: " + t, ErrorDetails.of("", model), t);
  }

  /** Reports the end of a streamed call to the listeners, exactly once. */
  private final class CallStream extends ForwardingChatStream {
    private final CallInfo call;
    private final Listeners listeners;
    private final AtomicBoolean ended = new AtomicBoolean();
    volatile Scheduler.Cancellable timer;

    CallStream(ChatStream delegate, CallInfo call, Listeners listeners) {
      super(delegate);
      this.call = call;
      this.listeners = listeners;
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      if (event instanceof ChatEvent.Completed c && ended.compareAndSet(false, true)) {
        cancelTimer();
        answered(call, c.response());
        listeners.callEnd(call, c.response());
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      if (ended.compareAndSet(false, true)) {
        cancelTimer();
        listeners.callFailed(call, failure);
      }
      return failure;
    }

    @Override
    public void close() {
      super.close();
      if (ended.compareAndSet(false, true)) {
        cancelTimer();
        listeners.callCancelled(call);
      }
    }

    private void cancelTimer() {
      Scheduler.Cancellable t = timer;
      if (t != null) {
        t.cancel();
      }
    }
  }

  /** Not thread-safe. {@link #build()} checks the whole configuration and names what is wrong. */
  public static final class Builder {
    private final Map<String, ProviderAdapter> providers = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final List<Interceptor> interceptors = new ArrayList<>();
    private final List<ChatListener> listeners = new ArrayList<>();
    private final List<ChatListener.Factory> listenerFactories = new ArrayList<>();
    private PriceCatalog prices;
    private boolean logContent;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler = SystemScheduler.instance();
    private Duration callTimeout;
    private ModelDirectory directory;

    private Builder() {}

    /** Registers a provider under its {@link ProviderAdapter#name()}. */
    public Builder provider(ProviderAdapter adapter) {
      Objects.requireNonNull(adapter, "adapter");
      String name = adapter.name();
      if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("provider name must be letters, digits, '_', '.' or '-' (no '/'), got: "
            + name);
      }
      if (providers.putIfAbsent(name, adapter) != null) {
        throw new IllegalArgumentException("a provider named '" + name + "' is already registered");
      }
      return this;
    }

    /** Makes {@code alias} stand for {@code target}: a {@code "provider/model"} or another alias. */
    public Builder alias(String alias, String target) {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(target, "target");
      if (alias.isBlank() || alias.contains("/")) {
        throw new IllegalArgumentException("alias must be non-blank and contain no '/', got: '" + alias + "'");
      }
      if (aliases.putIfAbsent(alias, target) != null) {
        throw new IllegalArgumentException("alias '" + alias + "' is already defined as '" + aliases.get(alias) + "'");
      }
      return this;
    }

    /**
     * Resolves model strings in {@code directory} instead of the aliases given with {@link #alias};
     * {@link Switchboard#directory(ModelDirectory)} swaps it at runtime.
     */
    public Builder directory(ModelDirectory directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Adds an interceptor inside those added before it. */
    public Builder interceptor(Interceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Adds a listener that sees every call's events. */
    public Builder listener(ChatListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Adds a factory that makes a listener of its own for each call (a span, a timer sample). */
    public Builder listenerFactory(ChatListener.Factory factory) {
      listenerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** The wall clock for {@link CallInfo#startedAt()}; tests inject a fixed one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The nanosecond source for latencies; tests inject a fake one. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where delayed work (timeouts, retry back-off, hedges) is scheduled; tests inject a manual one. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The default time limit of a whole call, across retries and fallbacks ({@link
     * ChatRequest#timeout()} overrides it per call). When it passes, the call fails with {@link
     * ChatTimeoutException} and the exchange in flight is cancelled. Default: none.
     */
    public Builder callTimeout(Duration callTimeout) {
      if (callTimeout != null && (callTimeout.isNegative() || callTimeout.isZero())) {
        throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout);
      }
      this.callTimeout = callTimeout;
      return this;
    }

    /**
     * The prices every attempt is costed at ({@link Attempt#cost()}, {@link ChatResponse#cost()}),
     * and that budgets and cost-aware routers read. Default: {@link PriceCatalog#bundled()}; add
     * negotiated rates and self-hosted models with {@code PriceCatalog.bundled().toBuilder()}, or
     * pass {@link PriceCatalog#empty()} to cost nothing.
     */
    public Builder prices(PriceCatalog prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    /**
     * Whether the one line each call logs at DEBUG (logger {@code dev.switchboard.calls}) includes
     * the last prompt message and the answer, cut at 500 characters. Default: false, as prompts
     * and answers may hold personal data.
     */
    public Builder logContent(boolean logContent) {
      this.logContent = logContent;
      return this;
    }

    public Switchboard build() {
      if (providers.isEmpty()) {
        throw new IllegalStateException("Switchboard needs at least one provider: call provider(...) before build()");
      }
      if (directory != null && !aliases.isEmpty()) {
        throw new IllegalStateException("Switchboard.alias and Switchboard.directory exclude each other: put the "
            + "aliases " + aliases.keySet() + " into the directory");
      }
      return new Switchboard(this);
    }
  }
}
