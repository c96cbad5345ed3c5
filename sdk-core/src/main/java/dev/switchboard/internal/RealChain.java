package dev.switchboard.internal;

import dev.switchboard.spi.Futures;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.ModelRef;
import dev.switchboard.route.Target;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.Ticker;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The immutable, index-based chain: interceptor {@code index} onward, then the provider. Not API. */
public final class RealChain implements Interceptor.Chain {
  private final List<Interceptor> interceptors;
  private final int index;
  private final ChatRequest request;
  private final CallInfo call;
  private final AttemptLog log;
  private final ProviderStep provider;

  public RealChain(List<Interceptor> interceptors, int index, ChatRequest request, CallInfo call, AttemptLog log,
      ProviderStep provider) {
    this.log = log;
    this.interceptors = interceptors;
    this.index = index;
    this.request = request;
    this.call = call;
    this.provider = provider;
  }

  @Override
  public ChatRequest request() {
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
  public Scheduler scheduler() {
    return provider.scheduler();
  }

  @Override
  public ModelRef resolve(String modelString) {
    return provider.resolve(modelString);
  }

  @Override
  public ModelRef target(ChatRequest request) {
    ModelRef attached = Target.of(request);
    return attached != null ? attached : provider.resolve(request.model());
  }

  @Override
  public Capabilities capabilities(ModelRef model) {
    return provider.capabilities(model);
  }

  @Override
  public CompletableFuture<ChatResponse> proceed(ChatRequest next) {
    Objects.requireNonNull(next, "request");
    if (index >= interceptors.size()) {
      return provider.call(next, call, log);
    }
    Interceptor interceptor = interceptors.get(index);
    try {
      CompletableFuture<ChatResponse> result =
          interceptor.intercept(new RealChain(interceptors, index + 1, next, call, log, provider));
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
      return provider.stream(next, call, log);
    }
    Interceptor interceptor = interceptors.get(index);
    ChatStream result;
    try {
      result = interceptor.interceptStream(new RealChain(interceptors, index + 1, next, call, log, provider));
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
