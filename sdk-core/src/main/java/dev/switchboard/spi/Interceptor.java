package dev.switchboard.spi;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import java.util.concurrent.CompletableFuture;

/**
 * Sees every call on its way to the provider and may change, answer, repeat or redirect it.
 * Interceptors run in registration order, first registered = outermost:
 *
 * <pre>
 *   Budget( Cache( Router( Fallback( Resilience( ProviderAdapter ) ) ) ) )
 * </pre>
 *
 * <p>{@link Chain#proceed} may run zero times (a cache hit), once, or many times (retries,
 * fallbacks, hedges). Calls are asynchronous so that waiting holds no thread; streams are pull
 * streams that wrap the one returned by {@link Chain#proceedStream}. Implementations must be
 * thread-safe; both methods pass through by default. Observation belongs in a {@link
 * dev.switchboard.observe.ChatListener}, not here.
 */
public interface Interceptor {

  default CompletableFuture<ChatResponse> intercept(Chain chain) {
    return chain.proceed(chain.request());
  }

  default ChatStream interceptStream(Chain chain) {
    return chain.proceedStream(chain.request());
  }

  /** Embedding calls pass through the same interceptors (retries, fallback, budgets); by default untouched. */
  default CompletableFuture<EmbeddingResponse> interceptEmbedding(EmbeddingChain chain) {
    return chain.proceed(chain.request());
  }

  /** The rest of an embedding call's chain. Immutable; thread-safe. */
  interface EmbeddingChain {
    EmbeddingRequest request();

    /** The call this chain belongs to, with its deadline; its kind is {@link CallInfo.Kind#EMBEDDING}. */
    CallInfo call();

    /** The listeners, to report retries and the like; calling them never throws. */
    ChatListener events();

    /** The nanosecond clock of this Switchboard. */
    Ticker ticker();

    /** Where to schedule delayed work without holding a thread. */
    Scheduler scheduler();

    /** The model a model string names in the current directory. */
    ModelRef resolve(String modelString);

    CompletableFuture<EmbeddingResponse> proceed(EmbeddingRequest request);
  }

  /** The rest of the chain, from this interceptor inward. Immutable; thread-safe. */
  interface Chain {
    ChatRequest request();

    /** The call this chain belongs to, with its deadline. */
    CallInfo call();

    /** The listeners, to report retries, fallbacks and the like; calling them never throws. */
    ChatListener events();

    /** The nanosecond clock of this Switchboard; tests inject a fake one. */
    Ticker ticker();

    /** Where to schedule delayed work without holding a thread; tests inject a manual one. */
    Scheduler scheduler();

    /**
     * The model a model string names in the current {@link ModelDirectory} (following aliases);
     * throws {@link dev.switchboard.ModelNotFoundException} when it names nothing known.
     */
    ModelRef resolve(String modelString);

    /**
     * The model {@code request} goes to: the {@link Target} an outer layer attached for its model
     * string, else {@link #resolve resolved} now. Attach it ({@link Target#attach}) to the request
     * you pass on, so that the layers inside do not resolve it again.
     */
    ModelRef target(ChatRequest request);

    /** What {@code model} can do, as its provider declares it. */
    Capabilities capabilities(ModelRef model);

    /** Passes {@code request} to the next interceptor, or the provider after the last one. */
    CompletableFuture<ChatResponse> proceed(ChatRequest request);

    /** Passes {@code request} on as a stream. */
    ChatStream proceedStream(ChatRequest request);
  }
}
