package dev.switchboard.spi;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.observe.CallInfo;
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

    /** The call this chain belongs to (its kind is {@link CallInfo.Kind#EMBEDDING}) and what it may use. */
    CallContext context();

    /** Passes {@code request} to the next interceptor, or the provider after the last one. */
    CompletableFuture<EmbeddingResponse> proceed(EmbeddingRequest request);
  }

  /** The rest of the chain, from this interceptor inward. Immutable; thread-safe. */
  interface Chain {
    ChatRequest request();

    /** The call this chain belongs to and what it may use: listeners, clock, scheduler, directory. */
    CallContext context();

    /** Passes {@code request} to the next interceptor, or the provider after the last one. */
    CompletableFuture<ChatResponse> proceed(ChatRequest request);

    /** Passes {@code request} on as a stream. */
    ChatStream proceedStream(ChatRequest request);
  }
}
