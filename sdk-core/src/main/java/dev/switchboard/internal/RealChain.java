package dev.switchboard.internal;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.stream.ChatStreams;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The immutable, index-based chain: interceptor {@code index} onward, then the provider. Not API. */
public final class RealChain implements Interceptor.Chain {
  private final List<Interceptor> interceptors;
  private final int index;
  private final ChatRequest request;
  private final CallScope scope;

  public RealChain(List<Interceptor> interceptors, int index, ChatRequest request, CallScope scope) {
    this.interceptors = interceptors;
    this.index = index;
    this.request = request;
    this.scope = scope;
  }

  @Override
  public ChatRequest request() {
    return request;
  }

  @Override
  public CallContext context() {
    return scope;
  }

  @Override
  public CompletableFuture<ChatResponse> proceed(ChatRequest next) {
    Objects.requireNonNull(next, "request");
    if (index >= interceptors.size()) {
      return scope.provider().call(next, scope);
    }
    Interceptor interceptor = interceptors.get(index);
    try {
      CompletableFuture<ChatResponse> result =
          interceptor.intercept(new RealChain(interceptors, index + 1, next, scope));
      if (result == null) {
        return Futures.failed(misbehaved(interceptor, "intercept returned null", null));
      }
      return result;
    } catch (ChatException e) {
      return Futures.failed(e);
    } catch (RuntimeException e) {
      return Futures.failed(misbehaved(interceptor, "intercept threw " + e, e));
    }
  }

  @Override
  public ChatStream proceedStream(ChatRequest next) {
    Objects.requireNonNull(next, "request");
    if (index >= interceptors.size()) {
      return scope.provider().stream(next, scope);
    }
    Interceptor interceptor = interceptors.get(index);
    ChatStream result;
    try {
      result = interceptor.interceptStream(new RealChain(interceptors, index + 1, next, scope));
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    } catch (RuntimeException e) {
      return ChatStreams.failed(misbehaved(interceptor, "interceptStream threw " + e, e));
    }
    if (result == null) {
      return ChatStreams.failed(misbehaved(interceptor, "interceptStream returned null", null));
    }
    return result;
  }

  private ChatException misbehaved(Interceptor interceptor, String what, Throwable cause) {
    return new ChatException("interceptor " + interceptor.getClass().getName() + " " + what
        + " for " + request.model(), ErrorDetails.of("", request.model()), cause);
  }
}
