package dev.switchboard.cost;

import dev.switchboard.Attempt;
import dev.switchboard.BudgetExceededException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.ForwardingChatStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spending limits as an interceptor: before a call is sent, the worst case it can cost (its input
 * and its {@code max_tokens} of output, {@link ModelPrice#estimate}) is reserved on every {@link
 * Budget} that applies to it, all or none, in a {@link BudgetStore}; after it ends the reservation
 * is settled to what its attempts really cost ({@link Attempt#cost()}), which gives back the rest,
 * everything for a call that failed before any token was billed. Two calls can therefore never
 * both take the last dollar, in one process or, with {@link RedisBudgetStore}, across many.
 *
 * <p>When a budget would be exceeded the call is refused with {@link BudgetExceededException},
 * naming the budget, its limit, what is used and what the call could cost; or, with {@link
 * Builder#downgradeTo}, sent to a cheaper model if that fits. Models {@link Builder#exempt
 * exempted} (local, free) pass unchecked; a model without a price is refused, because its cost
 * cannot be bounded. Register it outermost, so that the reservation covers the retries and
 * fallbacks inside it: what they spend beyond the reservation is counted at settlement. A streamed
 * call ({@code stream()} is synchronous) waits for its reservation on the caller's thread: with
 * {@link RedisBudgetStore}, do not start streams from Lettuce's I/O threads. Thread-safe.
 *
 * <pre>{@code
 * Budgets budgets = Budgets.builder()
 *     .budget(Budget.builder("org").global().period(Budget.Period.MONTH).limit(5_000).build())
 *     .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(200).build())
 *     .budget(Budget.builder("key").perUser().period(Budget.Period.DAY).limit(20).build())
 *     .store(RedisBudgetStore.create(connection))
 *     .build();
 * }</pre>
 */
public final class Budgets implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(Budgets.class);
  private static final BigDecimal NANOS_PER_DOLLAR = BigDecimal.valueOf(1_000_000_000L);
  private static final String KEY_PREFIX = "{switchboard}:budget:";

  private final List<Budget> budgets;
  private final BudgetStore store;
  private final String downgradeTo;
  private final Predicate<ModelRef> exempt;
  private final TokenCounter tokens;

  private Budgets(Builder b) {
    this.budgets = List.copyOf(b.budgets);
    this.store = b.store != null ? b.store : BudgetStore.inMemory();
    this.downgradeTo = b.downgradeTo;
    this.exempt = b.exempt;
    this.tokens = b.tokens;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * What budget {@code budget} has used (spent plus reserved) for {@code scopeValue} in the window
   * that {@code at} falls in, in dollars.
   */
  public CompletableFuture<BigDecimal> used(String budget, String scopeValue, Instant at) {
    Budget b = budgets.stream().filter(x -> x.name().equals(budget)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no budget named '" + budget + "'; known: "
            + budgets.stream().map(Budget::name).toList()));
    return store.used(key(b, scopeValue, at)).thenApply(Budgets::dollars);
  }

  /** The store key of one budget's counter (a hash tag keeps every key in one Redis Cluster slot). */
  static String key(Budget budget, String scopeValue, Instant at) {
    return KEY_PREFIX + budget.name() + ":" + scopeValue + ":" + budget.period().window(at);
  }

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    CallContext context = chain.context();
    Plan plan;
    try {
      plan = plan(chain.request(), context);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    if (plan == null) {
      return chain.proceed(chain.request());
    }
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<ChatResponse>> sent = new AtomicReference<>();
    reserve(plan, chain.request(), context).whenComplete((granted, refused) -> {
      if (refused != null) {
        result.completeExceptionally(Futures.unwrap(refused));
        return;
      }
      int mark = context.attempts().size();
      CompletableFuture<ChatResponse> call;
      try {
        call = chain.proceed(granted.request);
      } catch (RuntimeException e) {
        call = Futures.failed(e);
      }
      sent.set(call);
      if (result.isCancelled()) {
        call.cancel(true);
      }
      call.whenComplete((response, error) -> settle(granted, context, mark).whenComplete((ignored, never) -> {
        if (error != null) {
          result.completeExceptionally(Futures.unwrap(error));
        } else {
          result.complete(response);
        }
      }));
    });
    result.whenComplete((r, e) -> {
      CompletableFuture<ChatResponse> call = sent.get();
      if (result.isCancelled() && call != null) {
        call.cancel(true); // the caller gave up: the exchange ends as a cancelled attempt, then settles
      }
    });
    return result;
  }

  @Override
  public ChatStream interceptStream(Chain chain) {
    CallContext context = chain.context();
    Granted granted;
    try {
      Plan plan = plan(chain.request(), context);
      if (plan == null) {
        return chain.proceedStream(chain.request());
      }
      granted = reserve(plan, chain.request(), context).join();
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = Futures.unwrap(e);
      return ChatStreams.failed(cause instanceof ChatException ce ? ce : storeFailure(cause));
    }
    int mark = context.attempts().size();
    ChatStream stream;
    try {
      stream = chain.proceedStream(granted.request);
    } catch (RuntimeException e) {
      settle(granted, context, mark);
      throw e;
    }
    return new SettlingStream(stream, granted, context, mark);
  }

  /** The lines to reserve on and the amount, or null when no budget applies or the model is exempt. */
  private Plan plan(ChatRequest request, CallContext context) {
    ModelRef target = context.target(request);
    if (exempt.test(target)) {
      return null;
    }
    Instant at = context.call().startedAt();
    List<BudgetStore.Line> lines = new ArrayList<>(budgets.size());
    List<String> scopes = new ArrayList<>(budgets.size());
    List<Budget> applied = new ArrayList<>(budgets.size());
    for (Budget b : budgets) {
      Optional<String> scope = b.scopeOf(request);
      if (scope.isEmpty()) {
        continue;
      }
      Optional<BigDecimal> limit = b.limitFor(scope.get());
      if (limit.isEmpty()) {
        continue;
      }
      lines.add(new BudgetStore.Line(key(b, scope.get(), at), nanos(limit.get()), b.period().start(at),
          b.period().end(at)));
      scopes.add(scope.get());
      applied.add(b);
    }
    if (lines.isEmpty()) {
      return null;
    }
    ModelPrice price = context.price(target).orElseThrow(() -> new BudgetExceededException("model '"
        + target + "' has no price, so budget '" + applied.get(0).name() + "' cannot bound what the call costs; "
        + "the call was not sent. Add its price (Switchboard.builder().prices(...)) or exempt it "
        + "(Budgets.builder().exempt(...))", ErrorDetails.of(target.provider(), target.model())));
    CostEstimate estimate = price.estimate(request, tokens.inputTokens(target, request));
    return new Plan(List.copyOf(lines), scopes, applied, target, estimate, nanos(estimate.worstCase()));
  }

  /** Reserves {@code plan}'s amount; a store that fails, at once or later, fails as {@link #storeFailure}. */
  private CompletableFuture<BudgetStore.Reservation> reserveOn(Plan plan) {
    CompletableFuture<BudgetStore.Reservation> reserved;
    try {
      reserved = store.reserve(plan.lines, plan.amountNanos);
    } catch (RuntimeException e) {
      reserved = Futures.failed(e);
    }
    return reserved.handle((reservation, error) -> {
      if (error != null) {
        throw storeFailure(Futures.unwrap(error));
      }
      return reservation;
    });
  }

  private CompletableFuture<Granted> reserve(Plan plan, ChatRequest request, CallContext context) {
    return reserveOn(plan).thenCompose(reservation -> {
      if (reservation.granted()) {
        return CompletableFuture.completedFuture(new Granted(plan, request));
      }
      if (downgradeTo == null || downgradeTo.equals(request.model())) {
        throw refusal(plan, reservation, context.call().startedAt(), null);
      }
      ChatRequest cheaper = request.withModel(downgradeTo);
      Plan downgraded;
      try {
        downgraded = plan(cheaper, context);
      } catch (ChatException e) {
        throw refusal(plan, reservation, context.call().startedAt(), e.getMessage());
      }
      ChatRequest attached = Target.attach(cheaper, context.target(cheaper));
      if (downgraded == null) {
        return CompletableFuture.completedFuture(new Granted(null, attached));
      }
      return reserveOn(downgraded).thenApply(second -> {
        if (!second.granted()) {
          throw refusal(downgraded, second, context.call().startedAt(), "downgrading to '" + downgradeTo
              + "' did not fit either");
        }
        return new Granted(downgraded, attached);
      });
    });
  }

  /** Settles the reservation to what the attempts since {@code mark} cost; never fails. */
  private CompletableFuture<Void> settle(Granted granted, CallContext context, int mark) {
    if (granted.plan == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<Attempt> attempts = context.attempts();
    BigDecimal spent = BigDecimal.ZERO;
    for (int i = mark; i < attempts.size(); i++) {
      spent = spent.add(attempts.get(i).cost().map(c -> c.total()).orElse(BigDecimal.ZERO));
    }
    long spentNanos = nanos(spent);
    long delta = spentNanos - granted.plan.amountNanos;
    CompletableFuture<Void> done;
    try {
      done = store.adjust(granted.plan.lines, delta);
    } catch (RuntimeException e) {
      done = Futures.failed(e);
    }
    return done.handle((ignored, error) -> {
      if (error != null) {
        log.warn("budgets: could not settle call #{} on {} (reserved {} nano-dollars, spent {}): {}",
            context.call().id(), granted.plan.lines.get(0).key(), granted.plan.amountNanos, spentNanos,
            Futures.unwrap(error).toString());
      }
      return null;
    });
  }

  private static BudgetExceededException refusal(Plan plan, BudgetStore.Reservation r, Instant at, String also) {
    Budget budget = plan.budgets.get(r.refusedLine());
    String scope = plan.scopes.get(r.refusedLine());
    BigDecimal limit = dollars(plan.lines.get(r.refusedLine()).limitNanos());
    String message = "budget '" + budget.name() + "' for '" + scope + "' (" + budget.period() + " "
        + budget.period().window(at) + ") allows $" + plain(limit) + "; $" + plain(dollars(r.usedNanos()))
        + " is spent or reserved and this call may cost up to $" + plain(plan.estimate.worstCase()) + " on "
        + plan.target + " (" + plan.estimate.inputTokens() + " input tokens, up to "
        + plan.estimate.maxOutputTokens() + " output): not sent"
        + (also == null ? "" : "; " + also)
        + (budget.period() == Budget.Period.TOTAL ? "" : ". It resets at " + budget.period().end(at))
        + "; raise the limit, lower maxOutputTokens or use a cheaper model";
    return new BudgetExceededException(message, ErrorDetails.of(plan.target.provider(), plan.target.model()));
  }

  private static ChatException storeFailure(Throwable cause) {
    if (cause instanceof ChatException ce) {
      return ce;
    }
    return new ChatException("budgets: the budget store failed, so the call was not sent: " + cause,
        ErrorDetails.builder().retryable(true).build(), cause);
  }

  /** Dollars to nano-dollars, rounded up so that a reservation never falls short. */
  static long nanos(BigDecimal dollars) {
    return dollars.multiply(NANOS_PER_DOLLAR).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  static BigDecimal dollars(long nanos) {
    return BigDecimal.valueOf(nanos).divide(NANOS_PER_DOLLAR).stripTrailingZeros();
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return "Budgets[" + budgets.stream().map(Budget::name).toList() + ", " + store + "]";
  }

  private record Plan(List<BudgetStore.Line> lines, List<String> scopes, List<Budget> budgets, ModelRef target,
      CostEstimate estimate, long amountNanos) {}

  /** A reservation made ({@code plan}, null for an exempt downgrade) and the request to send. */
  private record Granted(Plan plan, ChatRequest request) {}

  /** Settles when the stream ends: completed, failed or closed early. */
  private final class SettlingStream extends ForwardingChatStream {
    private final Granted granted;
    private final CallContext context;
    private final int mark;
    private final AtomicBoolean settled = new AtomicBoolean();

    SettlingStream(ChatStream delegate, Granted granted, CallContext context, int mark) {
      super(delegate);
      this.granted = granted;
      this.context = context;
      this.mark = mark;
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      if (event instanceof ChatEvent.Completed) {
        settleOnce();
      }
      return event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      settleOnce();
      return failure;
    }

    @Override
    public void close() {
      super.close();
      settleOnce();
    }

    private void settleOnce() {
      if (settled.compareAndSet(false, true)) {
        settle(granted, context, mark).join();
      }
    }
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final List<Budget> budgets = new ArrayList<>();
    private BudgetStore store;
    private String downgradeTo;
    private Predicate<ModelRef> exempt = m -> false;
    private TokenCounter tokens = TokenCounter.ESTIMATE;

    private Builder() {}

    /**
     * How a call's input is counted for its reservation. Default: {@link TokenCounter#ESTIMATE};
     * {@link TokenCounter#tiktoken()} counts exactly for OpenAI's models.
     */
    public Builder tokenCounter(TokenCounter counter) {
      this.tokens = Objects.requireNonNull(counter, "counter");
      return this;
    }

    /** Adds a budget; every budget that applies to a call must allow it. */
    public Builder budget(Budget budget) {
      Objects.requireNonNull(budget, "budget");
      if (budgets.stream().anyMatch(b -> b.name().equals(budget.name()))) {
        throw new IllegalArgumentException("two budgets named '" + budget.name() + "'");
      }
      budgets.add(budget);
      return this;
    }

    /** Where counters live. Default: {@link BudgetStore#inMemory()}. */
    public Builder store(BudgetStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Instead of refusing a call a budget cannot take, send it to {@code modelString} (a cheaper
     * alias or model) if that fits; refuse only if it does not either.
     */
    public Builder downgradeTo(String modelString) {
      this.downgradeTo = Objects.requireNonNull(modelString, "modelString");
      return this;
    }

    /** Models that pass unchecked and uncounted (local, free, or priced elsewhere); adds to earlier ones. */
    public Builder exempt(Predicate<ModelRef> models) {
      Objects.requireNonNull(models, "models");
      Predicate<ModelRef> before = exempt;
      this.exempt = m -> before.test(m) || models.test(m);
      return this;
    }

    /** Every model of {@code provider} passes unchecked (e.g. {@code "ollama"}). */
    public Builder exemptProvider(String provider) {
      Objects.requireNonNull(provider, "provider");
      return exempt(m -> m.provider().equals(provider));
    }

    public Budgets build() {
      if (budgets.isEmpty()) {
        throw new IllegalStateException("Budgets needs at least one budget: budget(Budget.builder(name)...build())");
      }
      return new Budgets(this);
    }
  }
}
