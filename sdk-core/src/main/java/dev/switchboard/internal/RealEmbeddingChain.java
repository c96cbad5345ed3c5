package dev.switchboard.internal;

import dev.switchboard.ChatException;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The embedding counterpart of {@link RealChain}. Not API. */
public final class RealEmbeddingChain implements Interceptor.EmbeddingChain {
  private final List<Interceptor> interceptors;
  private final int index;
  private final EmbeddingRequest request;
  private final CallScope scope;

  public RealEmbeddingChain(List<Interceptor> interceptors, int index, EmbeddingRequest request, CallScope scope) {
    this.interceptors = interceptors;
    this.index = index;
    this.request = request;
    this.scope = scope;
  }

  @Override
  public EmbeddingRequest request() {
    return request;
  }

  @Override
  public CallContext context() {
    return scope;
  }

  @Override
  public CompletableFuture<EmbeddingResponse> proceed(EmbeddingRequest next) {
    Objects.requireNonNull(next, "request");
    if (index >= interceptors.size()) {
      return scope.provider().embed(next, scope);
    }
    Interceptor interceptor = interceptors.get(index);
    try {
      CompletableFuture<EmbeddingResponse> result =
          interceptor.interceptEmbedding(new RealEmbeddingChain(interceptors, index + 1, next, scope));
      return result != null ? result : Futures.failed(misbehaved(interceptor, "returned null", null));
    } catch (ChatException e) {
      return Futures.failed(e);
    } catch (RuntimeException e) {
      return Futures.failed(misbehaved(interceptor, "threw " + e, e));
    }
  }

  private ChatException misbehaved(Interceptor interceptor, String what, Throwable cause) {
    return new ChatException("interceptor " + interceptor.getClass().getName() + " interceptEmbedding " + what
        + " for " + request.model(), ErrorDetails.of("", request.model()), cause);
  }
}
