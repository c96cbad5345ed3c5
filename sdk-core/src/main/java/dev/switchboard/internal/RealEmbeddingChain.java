package dev.switchboard.internal;

import dev.switchboard.spi.Futures;
import dev.switchboard.ChatException;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Ticker;
import dev.switchboard.spi.Scheduler;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The embedding counterpart of {@link RealChain}. Not API. */
public final class RealEmbeddingChain implements Interceptor.EmbeddingChain {
  private final List<Interceptor> interceptors;
  private final int index;
  private final EmbeddingRequest request;
  private final CallInfo call;
  private final ProviderStep provider;

  public RealEmbeddingChain(List<Interceptor> interceptors, int index, EmbeddingRequest request, CallInfo call,
      ProviderStep provider) {
    this.call = call;
    this.interceptors = interceptors;
    this.index = index;
    this.request = request;
    this.provider = provider;
  }

  @Override
  public EmbeddingRequest request() {
    return request;
  }

  @Override
  public CallInfo call() {
    return call;
  }

  @Override
  public ChatListener events() {
    return provider.listeners();
  }

  @Override
  public Ticker ticker() {
    return provider.ticker();
  }

  @Override
  public ModelRef resolve(String modelString) {
    return provider.resolve(modelString);
  }

  @Override
  public Scheduler scheduler() {
    return provider.scheduler();
  }

  @Override
  public CompletableFuture<EmbeddingResponse> proceed(EmbeddingRequest next) {
    Objects.requireNonNull(next, "request");
    if (index >= interceptors.size()) {
      return provider.embed(next, call);
    }
    Interceptor interceptor = interceptors.get(index);
    try {
      CompletableFuture<EmbeddingResponse> result =
          interceptor.interceptEmbedding(new RealEmbeddingChain(interceptors, index + 1, next, call, provider));
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
