package dev.switchboard.internal;

import dev.switchboard.spi.Futures;
import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.Usage;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.spi.TokenEstimates;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end of the chain: resolves the model string, runs one exchange on the adapter, records it
 * as an {@link Attempt} on the response and with the listeners. Thread-safe. Not API.
 */
public final class ProviderStep {
  /** One attempt's model and the adapter that serves it. */
  record Bound(ProviderAdapter adapter, ModelRef ref) {
    String provider() {
      return ref.provider();
    }

    String model() {
      return ref.model();
    }
  }

  private static final int PRICE_MEMO_LIMIT = 4096;

  private final Map<String, ProviderAdapter> providers;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final PriceCatalog prices;
  private final ConcurrentHashMap<String, Optional<ModelPrice>> priceMemo = new ConcurrentHashMap<>();

  public ProviderStep(Map<String, ProviderAdapter> providers, Ticker ticker, Scheduler scheduler,
      PriceCatalog prices) {
    this.providers = Map.copyOf(providers);
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.prices = prices;
  }

  /** The price of {@code "provider/model"}, remembered (catalog lookups try several spellings). */
  public Optional<ModelPrice> price(String provider, String model) {
    String key = provider + "/" + model;
    Optional<ModelPrice> known = priceMemo.get(key);
    if (known == null) {
      known = prices.price(key);
      if (priceMemo.size() < PRICE_MEMO_LIMIT) {
        priceMemo.put(key, known);
      }
    }
    return known;
  }

  /**
   * {@code attempt} with its cost: at the price of the model that answered, else of the model it
   * was sent to (a provider may answer with a dated or routed name the catalog does not list).
   */
  private Attempt priced(Attempt attempt, Bound target) {
    Optional<ModelPrice> price = price(attempt.provider(), attempt.model());
    if (price.isEmpty() && !attempt.model().equals(target.model())) {
      price = price(target.provider(), target.model());
    }
    return price.isEmpty() ? attempt : attempt.withCost(price.get().cost(attempt.usage()));
  }
  /**
   * {@code notFound} for a bare model name ({@code "gpt-4o"}) that a registered provider knows (its
   * {@code capabilities} are not {@link Capabilities#UNKNOWN}), with {@code "provider/model"} as the
   * suggestion; else {@code notFound} as it is.
   */
  public ModelNotFoundException servedBy(ModelNotFoundException notFound, String modelString) {
    if (modelString.indexOf('/') >= 0 || notFound.suggestion().isPresent()) {
      return notFound;
    }
    for (String name : new java.util.TreeSet<>(providers.keySet())) {
      if (providers.get(name).capabilities(modelString) != Capabilities.UNKNOWN) {
        String suggestion = name + "/" + modelString;
        String message = notFound.getMessage();
        int known = message.indexOf(" Known: ");
        String hint = " Did you mean '" + suggestion + "'? Provider '" + name + "' knows that model.";
        message = known < 0 ? message + hint : message.substring(0, known) + hint + message.substring(known);
        return new ModelNotFoundException(message, notFound.details(), notFound.known(), suggestion);
      }
    }
    return notFound;
  }


  public Ticker ticker() {
    return ticker;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public java.util.Optional<dev.switchboard.route.Load> load(ModelRef model) {
    ProviderAdapter adapter = providers.get(model.provider());
    return adapter == null ? java.util.Optional.empty() : adapter.load(model.model());
  }

  public Capabilities capabilities(ModelRef model) {
    ProviderAdapter adapter = providers.get(model.provider());
    return adapter == null ? Capabilities.UNKNOWN : adapter.capabilities(model.model());
  }


  private Bound bind(ModelRef ref, String requested) {
    ProviderAdapter adapter = providers.get(ref.provider());
    if (adapter == null) {
      throw new ModelNotFoundException("'" + requested + "' leads to provider '" + ref.provider()
          + "', which is not registered with this Switchboard; registered: " + new java.util.TreeSet<>(providers.keySet()),
          ErrorDetails.of(ref.provider(), ref.model()));
    }
    return new Bound(adapter, ref);
  }

  public CompletableFuture<ChatResponse> call(ChatRequest request, CallScope scope) {
    Bound target;
    try {
      target = bind(scope.target(request), request.model());
    } catch (ModelNotFoundException e) {
      return Futures.failed(e);
    }
    ChatRequest local = request.withModel(target.model()); // a Target tag left on it no longer matches its model
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    int id = scope.nextAttemptId();
    listeners.attemptStart(call, id, target.ref());
    long start = ticker.read();
    CompletableFuture<ChatResponse> exchange;
    try {
      exchange = target.adapter().chat(local);
    } catch (RuntimeException e) {
      exchange = Futures.failed(e);
    }
    // whenComplete on the exchange itself, so the attempt is recorded even when the caller cancelled first.
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    exchange.whenComplete((response, error) -> {
      Duration latency = Duration.ofNanos(ticker.read() - start);
      if (error != null) {
        Throwable cause = Futures.unwrap(error);
        ChatException mapped = asChatException(cause, target);
        Attempt attempt = cause instanceof java.util.concurrent.CancellationException
            ? cancelledAttempt(target, local, latency, "")
            : failedAttempt(target, mapped, latency);
        ChatException failure = mapped.withAttempts(List.of(attempt));
        scope.recorded(attempt);
        listeners.attemptEnd(call, id, attempt);
        result.completeExceptionally(failure);
        return;
      }
      Attempt attempt = priced(new Attempt(target.provider(),
          response.model().isEmpty() ? target.model() : response.model(), 200, latency, response.usage(),
          Optional.empty()), target);
      scope.recorded(attempt);
      listeners.attemptEnd(call, id, attempt);
      result.complete(attributed(response, target.provider(), attempt));
    });
    return Futures.cancelling(result, exchange);
  }

  public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request, CallScope scope) {
    Bound target;
    try {
      target = bind(scope.resolve(request.model()), request.model());
    } catch (ModelNotFoundException e) {
      return Futures.failed(e);
    }
    CallInfo call = scope.call();
    Listeners listeners = scope.events();
    int id = scope.nextAttemptId();
    listeners.attemptStart(call, id, target.ref());
    long start = ticker.read();
    CompletableFuture<EmbeddingResponse> exchange;
    try {
      exchange = target.adapter().embed(request.toBuilder().model(target.model()).build());
    } catch (RuntimeException e) {
      exchange = Futures.failed(e);
    }
    CompletableFuture<EmbeddingResponse> result = new CompletableFuture<>();
    exchange.whenComplete((response, error) -> {
      Duration latency = Duration.ofNanos(ticker.read() - start);
      if (error != null) {
        Throwable cause = Futures.unwrap(error);
        ChatException mapped = asChatException(cause, target);
        Attempt attempt = cause instanceof java.util.concurrent.CancellationException
            ? priced(new Attempt(target.provider(), target.model(), 0, latency, Usage.ZERO, Optional.of(Attempt.CANCELLED)),
                target)
            : failedAttempt(target, mapped, latency);
        scope.recorded(attempt);
        listeners.attemptEnd(call, id, attempt);
        result.completeExceptionally(mapped.withAttempts(List.of(attempt)));
        return;
      }
      Attempt attempt = priced(new Attempt(target.provider(), target.model(), 200, latency, response.usage(),
          Optional.empty()), target);
      scope.recorded(attempt);
      listeners.attemptEnd(call, id, attempt);
      result.complete(response.toBuilder().provider(target.provider()).build());
    });
    return Futures.cancelling(result, exchange);
  }

  public ChatStream stream(ChatRequest request, CallScope scope) {
    Bound target;
    try {
      target = bind(scope.target(request), request.model());
    } catch (ModelNotFoundException e) {
      return ChatStreams.failed(e);
    }
    ChatRequest local = request.withModel(target.model()); // a Target tag left on it no longer matches its model
    int id = scope.nextAttemptId();
    scope.events().attemptStart(scope.call(), id, target.ref());
    long start = ticker.read();
    ChatStream exchange;
    try {
      exchange = target.adapter().stream(local);
    } catch (RuntimeException e) {
      exchange = ChatStreams.failed(asChatException(e, target));
    }
    return new AttemptStream(exchange, target, local, scope, id, start);
  }

  /**
   * A cancelled exchange (a hedge's loser, a caller's cancel) may still be billed: its input is
   * estimated, and so is whatever output was streamed before the cancel.
   */
  private Attempt cancelledAttempt(Bound target, ChatRequest request, Duration latency,
      String outputSoFar) {
    Usage usage = Usage.builder()
        .inputTokens(TokenEstimates.input(request))
        .outputTokens(outputSoFar.isEmpty() ? 0 : TokenEstimates.of(outputSoFar))
        .estimated(true)
        .build();
    return priced(new Attempt(target.provider(), target.model(), 0, latency, usage, Optional.of(Attempt.CANCELLED)), target);
  }

  private Attempt failedAttempt(Bound target, ChatException failure, Duration latency) {
    Usage usage = failure instanceof dev.switchboard.ChatStreamException s ? s.partialResponse().usage() : Usage.ZERO;
    return priced(new Attempt(target.provider(), target.model(), failure.statusCode().orElse(0), latency, usage,
        Optional.of(failure.getClass().getSimpleName())), target);
  }

  /** {@code response} as {@code provider}'s, with {@code attempt} added; the text is not copied. */
  private static ChatResponse attributed(ChatResponse response, String provider, Attempt attempt) {
    List<Attempt> all = new java.util.ArrayList<>(response.attempts().size() + 1);
    all.addAll(response.attempts());
    all.add(attempt);
    return response.withProvider(provider).withAttempts(all);
  }

  static ChatException asChatException(Throwable t, Bound target) {
    if (t instanceof ChatException ce) {
      return ce;
    }
    return new ChatException("provider adapter '" + target.provider() + "' failed unexpectedly for model '"
        + target.model() + "': " + t, ErrorDetails.of(target.provider(), target.model()), t);
  }

  /** Records the attempt when the stream completes or fails, and the first event. */
  private final class AttemptStream extends ForwardingChatStream {
    private final Bound target;
    private final ChatRequest request;
    private final CallScope scope;
    private final CallInfo call;
    private final Listeners listeners;
    private final int id;
    private final long start;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final StringBuilder output = new StringBuilder();
    private volatile Attempt recorded;
    private boolean first = true;

    AttemptStream(ChatStream delegate, Bound target, ChatRequest request, CallScope scope, int id, long start) {
      super(delegate);
      this.target = target;
      this.request = request;
      this.scope = scope;
      this.call = scope.call();
      this.listeners = scope.events();
      this.id = id;
      this.start = start;
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      if (first) {
        first = false;
        listeners.firstEvent(call, Duration.ofNanos(ticker.read() - call.startNanos()));
      }
      if (event instanceof ChatEvent.TextDelta d) {
        synchronized (output) {
          output.append(d.text());
        }
      }
      if (event instanceof ChatEvent.Completed c && ended.compareAndSet(false, true)) {
        ChatResponse response = c.response();
        Attempt attempt = priced(new Attempt(target.provider(),
            response.model().isEmpty() ? target.model() : response.model(), 200,
            Duration.ofNanos(ticker.read() - start), response.usage(), Optional.empty()), target);
        recorded = attempt;
        scope.recorded(attempt);
        listeners.attemptEnd(call, id, attempt);
        return new ChatEvent.Completed(attributed(response, target.provider(), attempt));
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      if (ended.compareAndSet(false, true)) {
        Attempt attempt = failedAttempt(target, failure, Duration.ofNanos(ticker.read() - start));
        recorded = attempt;
        scope.recorded(attempt);
        listeners.attemptEnd(call, id, attempt);
        return failure.withAttempts(List.of(attempt));
      }
      return failure;
    }

    @Override
    public void close() {
      if (ended.compareAndSet(false, true)) {
        String soFar;
        synchronized (output) {
          soFar = output.toString();
        }
        Attempt attempt = cancelledAttempt(target, request, Duration.ofNanos(ticker.read() - start), soFar);
        recorded = attempt;
        scope.recorded(attempt);
        listeners.attemptEnd(call, id, attempt);
      }
      super.close();
    }

    @Override
    public List<Attempt> attempts() {
      Attempt a = recorded;
      return a == null ? List.of() : List.of(a);
    }
  }
}
