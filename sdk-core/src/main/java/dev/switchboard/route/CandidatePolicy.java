package dev.switchboard.route;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ContentPart;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.TokenEstimates;
import dev.switchboard.stream.ChatStreams;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Orders and trims a call's candidate models (the {@link Candidates} a router attached, else the
 * request's model) by what this request needs and what they cost and do:
 *
 * <ul>
 *   <li><b>capable</b> — drops a model its provider says cannot take this request: tools, a JSON
 *       schema, images, or more input tokens than its context window (declared by the provider,
 *       else in the price catalog);
 *   <li><b>cheapest first</b> — orders by the request's expected cost ({@link ModelPrice#estimate});
 *       models without a price go last, in their order;
 *   <li><b>fastest first</b> — orders by observed latency (an exponentially weighted mean per
 *       model, failures counted as slow), from the attempts it sees as a listener.
 * </ul>
 *
 * Register it as an interceptor after the router and before {@code Fallback}, and as a listener
 * for latency ({@code .interceptor(policy).listener(policy)}). When no candidate is capable the
 * call fails with {@link InvalidRequestException} naming what each lacked. Thread-safe.
 */
public final class CandidatePolicy implements Interceptor, ChatListener {
  private static final double ALPHA = 0.2;

  /** How to order the capable candidates. */
  public enum Order {
    AS_GIVEN, CHEAPEST_FIRST, FASTEST_FIRST
  }

  private final boolean capable;
  private final Order order;
  private final Map<String, double[]> latency = new ConcurrentHashMap<>(); // target -> {ewma nanos}
  private final Map<String, String> sentTo = new ConcurrentHashMap<>(); // "call:attempt" -> target
  private final long failurePenaltyNanos;

  private CandidatePolicy(boolean capable, Order order, long failurePenaltyNanos) {
    this.capable = capable;
    this.order = order;
    this.failurePenaltyNanos = failurePenaltyNanos;
  }

  /** Drops incapable candidates, keeps the given order. */
  public static CandidatePolicy capable() {
    return new CandidatePolicy(true, Order.AS_GIVEN, 0);
  }

  /** Drops incapable candidates, cheapest expected cost first. */
  public static CandidatePolicy cheapestCapable() {
    return new CandidatePolicy(true, Order.CHEAPEST_FIRST, 0);
  }

  /** Drops incapable candidates, lowest observed latency first; a failure counts as {@code 30 s}. */
  public static CandidatePolicy fastestCapable() {
    return new CandidatePolicy(true, Order.FASTEST_FIRST, 30_000_000_000L);
  }

  @Override
  public CompletableFuture<ChatResponse> intercept(Chain chain) {
    ChatRequest ordered;
    try {
      ordered = apply(chain.request(), chain.context());
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return chain.proceed(ordered);
  }

  @Override
  public ChatStream interceptStream(Chain chain) {
    ChatRequest ordered;
    try {
      ordered = apply(chain.request(), chain.context());
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    }
    return chain.proceedStream(ordered);
  }

  private ChatRequest apply(ChatRequest request, CallContext context) {
    List<String> given = request.tag(Candidates.class).map(Candidates::modelStrings).orElse(List.of(request.model()));
    List<Ranked> kept = new ArrayList<>();
    List<String> why = new ArrayList<>();
    long inputTokens = TokenEstimates.input(request);
    for (int i = 0; i < given.size(); i++) {
      String model = given.get(i);
      ModelRef ref;
      try {
        ref = context.resolve(model);
      } catch (ChatException unknown) {
        kept.add(new Ranked(model, i, null, null)); // a route or a name Fallback reports on
        continue;
      }
      String lacks = capable ? lacks(request, inputTokens, ref, context) : null;
      if (lacks != null) {
        why.add(model + " " + lacks);
        continue;
      }
      ModelPrice price = context.price(ref).orElse(null);
      kept.add(new Ranked(model, i, ref, price == null ? null : price.estimate(request, inputTokens).expected()));
    }
    if (kept.isEmpty()) {
      throw new InvalidRequestException("no candidate can take this request: " + String.join("; ", why),
          ErrorDetails.builder().model(request.model()).build());
    }
    if (order == Order.CHEAPEST_FIRST) {
      kept.sort(Comparator.comparing((Ranked r) -> r.expected == null ? 1 : 0)
          .thenComparing(r -> r.expected == null ? BigDecimal.ZERO : r.expected).thenComparingInt(r -> r.index));
    } else if (order == Order.FASTEST_FIRST) {
      kept.sort(Comparator.comparingDouble((Ranked r) -> r.ref == null ? Double.MAX_VALUE : observed(r.ref))
          .thenComparingInt(r -> r.index));
    }
    List<String> models = kept.stream().map(r -> r.model).toList();
    if (models.equals(given) && request.tag(Candidates.class).isEmpty()) {
      return request;
    }
    return request.toBuilder().model(models.get(0)).tag(Candidates.class, new Candidates(models)).build();
  }

  /** What {@code ref} lacks for {@code request}, or null when it can take it (unknown counts as able). */
  private static String lacks(ChatRequest request, long inputTokens, ModelRef ref, CallContext context) {
    Capabilities c = context.capabilities(ref);
    if (!request.tools().isEmpty() && c.tools().orElse(true) == Boolean.FALSE) {
      return "takes no tools";
    }
    if (request.responseFormat().map(f -> f.type() == ResponseFormat.Type.JSON_SCHEMA).orElse(false)
        && c.jsonSchema().orElse(true) == Boolean.FALSE) {
      return "takes no JSON schema";
    }
    if (hasImages(request) && c.vision().orElse(true) == Boolean.FALSE) {
      return "takes no images";
    }
    int window = c.maxContextTokens().isPresent() ? c.maxContextTokens().getAsInt()
        : context.price(ref).flatMap(p -> p.contextWindow().isPresent()
            ? java.util.Optional.of(p.contextWindow().getAsInt()) : java.util.Optional.empty()).orElse(0);
    long needed = inputTokens + request.maxOutputTokens().orElse(0);
    if (window > 0 && needed > window) {
      return "has a context window of " + window + " tokens, and this request needs about " + needed;
    }
    return null;
  }

  private static boolean hasImages(ChatRequest request) {
    for (Message m : request.messages()) {
      for (ContentPart p : m.parts()) {
        if (p instanceof ContentPart.Image) {
          return true;
        }
      }
    }
    return false;
  }

  private double observed(ModelRef ref) {
    double[] e = latency.get(ref.provider() + "/" + ref.model());
    return e == null ? 0 : e[0]; // an untried model goes first, so it gets measured
  }

  @Override
  public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
    if (order == Order.FASTEST_FIRST) {
      sentTo.put(call.id() + ":" + attemptId, target.provider() + "/" + target.model());
    }
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    if (order != Order.FASTEST_FIRST) {
      return;
    }
    String target = sentTo.remove(call.id() + ":" + attemptId);
    if (target == null || attempt.cancelled()) {
      return; // a cancelled attempt (a hedge's loser) says nothing about the model's speed
    }
    double sample = attempt.succeeded() ? attempt.latency().toNanos() : failurePenaltyNanos;
    latency.compute(target, (k, e) -> {
      if (e == null) {
        return new double[] {sample};
      }
      e[0] = e[0] + ALPHA * (sample - e[0]);
      return e;
    });
  }

  private record Ranked(String model, int index, ModelRef ref, BigDecimal expected) {}

  @Override
  public String toString() {
    return "CandidatePolicy[" + (capable ? "capable, " : "") + order + "]";
  }
}
