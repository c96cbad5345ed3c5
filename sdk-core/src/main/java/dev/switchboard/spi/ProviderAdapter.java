package dev.switchboard.spi;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import java.util.concurrent.CompletableFuture;

/**
 * Turns one request into one exchange with one provider, and back. Implementations are
 * thread-safe, hold no thread per in-flight call, and never retry: retries, fallbacks and
 * timeouts belong to interceptors.
 *
 * <p>The request's {@link ChatRequest#model()} is already the provider's own model name (the part
 * after {@code provider/}). Failures are {@link dev.switchboard.ChatException}s decided by the
 * adapter's one error mapper: the future completes exceptionally, or the stream fails.
 */
public interface ProviderAdapter extends AutoCloseable {

  /** The name model strings use for this provider, e.g. {@code "openai"} in {@code "openai/gpt-4o"}. */
  String name();

  /** Sends the request; cancelling the future cancels the exchange. */
  CompletableFuture<ChatResponse> chat(ChatRequest request);

  /** Starts a streamed exchange; returns at once. Closing the stream cancels the exchange. */
  ChatStream stream(ChatRequest request);

  /**
   * Embeds the request's inputs; the model is the provider's own name. Providers without an
   * embeddings endpoint keep this default, which fails with {@link InvalidRequestException}.
   */
  default CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
    return CompletableFuture.failedFuture(new InvalidRequestException("provider '" + name()
        + "' does not serve embeddings; use a provider with an embeddings endpoint (OpenAI-compatible, Ollama)",
        ErrorDetails.of(name(), request.model())));
  }

  /** What {@code model} can do, as far as this adapter knows; unknown features are "try". */
  default Capabilities capabilities(String model) {
    return Capabilities.UNKNOWN;
  }

  /** Releases connections and background work. */
  /**
   * How busy the servers behind {@code model} are now, if this provider knows (self-hosted replicas
   * with queue metrics); empty by default. Must be cheap and must not block: routers ask per call.
   */
  default java.util.Optional<dev.switchboard.route.Load> load(String model) {
    return java.util.Optional.empty();
  }

  @Override
  default void close() {}
}
