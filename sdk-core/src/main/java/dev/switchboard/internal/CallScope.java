package dev.switchboard.internal;

import dev.switchboard.Attempt;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.route.Load;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call's context: its listeners, the directory it started with, and the exchanges it made so
 * far (in the order they ended; what a call that times out lists). Thread-safe. Not API.
 */
public final class CallScope implements CallContext {
  private final CallInfo call;
  private final Listeners events;
  private final ModelDirectory directory;
  private final ProviderStep provider;
  private final AtomicInteger attemptIds = new AtomicInteger();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

  public CallScope(CallInfo call, Listeners events, ModelDirectory directory, ProviderStep provider) {
    this.call = call;
    this.events = events;
    this.directory = directory;
    this.provider = provider;
  }

  @Override
  public CallInfo call() {
    return call;
  }

  @Override
  public Listeners events() {
    return events;
  }

  @Override
  public Ticker ticker() {
    return provider.ticker();
  }

  @Override
  public Scheduler scheduler() {
    return provider.scheduler();
  }

  @Override
  public ModelRef resolve(String modelString) {
    try {
      return directory.resolve(modelString);
    } catch (dev.switchboard.ModelNotFoundException e) {
      throw provider.servedBy(e, modelString);
    }
  }

  @Override
  public Capabilities capabilities(ModelRef model) {
    return provider.capabilities(model);
  }

  @Override
  public Optional<ModelPrice> price(ModelRef model) {
    return provider.price(model.provider(), model.model());
  }

  @Override
  public Optional<Load> load(ModelRef model) {
    return provider.load(model);
  }

  ProviderStep provider() {
    return provider;
  }

  int nextAttemptId() {
    return attemptIds.incrementAndGet();
  }

  void recorded(Attempt attempt) {
    attempts.add(attempt);
  }

  @Override
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  @Override
  public String toString() {
    return "CallContext[" + call + "]";
  }
}
