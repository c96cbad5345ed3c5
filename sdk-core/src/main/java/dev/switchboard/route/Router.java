package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.spi.Interceptor;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Decides which models a request should try, without calling any: {@link #decide} is a pure
 * function of the request (and whatever immutable state the router holds), so the same router can
 * be evaluated offline over recorded prompts and then run live through {@link #interceptor()}.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Router {

  /**
   * The models {@code request} should try, in order, or {@code null} to leave it as it is. Must
   * not call a provider, block, or depend on anything but the request and the router's own state.
   */
  Decision decide(ChatRequest request);

  /**
   * An interceptor that applies each decision: the request goes on with its model set to the first
   * candidate and the {@link Candidates} attached, which {@code Fallback}, registered inside it,
   * walks. Register it outside {@code Fallback}.
   */
  default Interceptor interceptor() {
    Router router = this;
    return new Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        return chain.proceed(apply(router, chain.request()));
      }

      @Override
      public ChatStream interceptStream(Chain chain) {
        return chain.proceedStream(apply(router, chain.request()));
      }

      @Override
      public String toString() {
        return "Router.interceptor(" + router + ")";
      }
    };
  }

  /** {@code request} as {@code router} decides it should go. */
  static ChatRequest apply(Router router, ChatRequest request) {
    Decision decision = router.decide(request);
    if (decision == null) {
      return request;
    }
    return request.toBuilder().model(decision.candidates().modelStrings().get(0))
        .tag(Candidates.class, decision.candidates()).build();
  }

  /** A routing decision: the candidates to try and why, for logs and evaluation. Immutable. */
  record Decision(Candidates candidates, String reason) {
    public Decision {
      Objects.requireNonNull(candidates, "candidates");
      Objects.requireNonNull(reason, "reason");
    }

    public static Decision of(String reason, String... modelStrings) {
      return new Decision(Candidates.of(modelStrings), reason);
    }
  }
}
