package dev.switchboard.spi;

import dev.switchboard.Attempt;
import dev.switchboard.ChatRequest;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.Load;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import java.util.List;
import java.util.Optional;

/**
 * What an interceptor may know and use about the call it is part of: the call itself, its
 * listeners, the clock and scheduler of its {@code Switchboard}, and the model directory as it
 * stood when the call started. One per call, shared by every layer and attempt of it; immutable
 * and thread-safe.
 */
public interface CallContext {
  /** The call, with its id, kind and deadline. */
  CallInfo call();

  /**
   * The listeners of this call (the {@code Switchboard}'s and those its listener factories made
   * for this call), to report retries, fallbacks and the like; calling them never throws.
   */
  ChatListener events();

  /** The nanosecond clock of this Switchboard; tests inject a fake one. */
  Ticker ticker();

  /** Where to schedule delayed work without holding a thread; tests inject a manual one. */
  Scheduler scheduler();

  /**
   * The model a model string names in the {@link ModelDirectory} (following aliases); throws
   * {@link dev.switchboard.ModelNotFoundException} when it names nothing known.
   */
  ModelRef resolve(String modelString);

  /**
   * The model {@code request} goes to: the {@link Target} an outer layer attached for its model
   * string, else {@link #resolve resolved} now. Attach it ({@link Target#attach}) to the request
   * you pass on, so that the layers inside do not resolve it again.
   */
  default ModelRef target(ChatRequest request) {
    ModelRef attached = Target.of(request);
    return attached != null ? attached : resolve(request.model());
  }

  /** What {@code model} can do, as its provider declares it. */
  Capabilities capabilities(ModelRef model);

  /**
   * What {@code model} costs at its {@code Switchboard}'s prices ({@code
   * Switchboard.Builder#prices}), for budgets and cost-aware routing; empty when it has no price.
   */
  default Optional<ModelPrice> price(ModelRef model) {
    return Optional.empty();
  }

  /** How busy the servers behind {@code model} are now, if its provider knows. */
  Optional<Load> load(ModelRef model);

  /**
   * The exchanges of this call that have ended so far, in the order they ended, including those
   * cancelled before their results reached any layer (a hedge's loser); a snapshot.
   */
  List<Attempt> attempts();
}
