package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.ChatEvent;
import dev.switchboard.RouteChoice;
import dev.switchboard.stream.ForwardingChatStream;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
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
        Decision decision = decided(router, chain);
        if (decision == null) {
          return chain.proceed(chain.request());
        }
        RouteChoice choice = decision.choice();
        return chain.proceed(apply(decision, chain.request())).thenApply(r -> r.withRouting(choice));
      }

      @Override
      public ChatStream interceptStream(Chain chain) {
        Decision decision = decided(router, chain);
        if (decision == null) {
          return chain.proceedStream(chain.request());
        }
        RouteChoice choice = decision.choice();
        return new ForwardingChatStream(chain.proceedStream(apply(decision, chain.request()))) {
          @Override
          protected ChatEvent onEvent(ChatEvent event) {
            return event instanceof ChatEvent.Completed c
                ? new ChatEvent.Completed(c.response().withRouting(choice)) : event;
          }
        };
      }

      @Override
      public String toString() {
        return "Router.interceptor(" + router + ")";
      }
    };
  }

  /** {@code router}'s decision for the chain's request, told to the listeners; null to leave it as it is. */
  private static Decision decided(Router router, Interceptor.Chain chain) {
    Decision decision = router.decide(chain.request());
    if (decision != null) {
      chain.context().events().routed(chain.context().call(), decision.choice(),
          decision.candidates().modelStrings());
    }
    return decision;
  }

  /** {@code request} as {@code router} decides it should go. */
  static ChatRequest apply(Router router, ChatRequest request) {
    Decision decision = router.decide(request);
    return decision == null ? request : apply(decision, request);
  }

  private static ChatRequest apply(Decision decision, ChatRequest request) {
    return request.toBuilder().model(decision.candidates().modelStrings().get(0))
        .tag(Candidates.class, decision.candidates()).build();
  }

  /**
   * A routing decision: the candidates to try and why, for logs, responses and evaluation; a
   * classifying router adds the tier and the score that chose it. Immutable.
   */
  record Decision(Candidates candidates, String reason, Optional<String> tier, OptionalDouble score) {
    public Decision {
      Objects.requireNonNull(candidates, "candidates");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(score, "score");
    }

    public Decision(Candidates candidates, String reason) {
      this(candidates, reason, Optional.empty(), OptionalDouble.empty());
    }

    public static Decision of(String reason, String... modelStrings) {
      return new Decision(Candidates.of(modelStrings), reason);
    }

    /** A decision for {@code tier}, chosen with {@code score}. */
    public static Decision tiered(String reason, String tier, double score, String... modelStrings) {
      return new Decision(Candidates.of(modelStrings), reason, Optional.of(tier), OptionalDouble.of(score));
    }

    /** What responses and listeners are told. */
    public RouteChoice choice() {
      return new RouteChoice(reason, tier, score);
    }
  }
}
