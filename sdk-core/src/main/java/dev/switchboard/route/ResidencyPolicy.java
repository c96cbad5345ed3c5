package dev.switchboard.route;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ContentPart;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Message;
import dev.switchboard.PolicyViolationException;
import dev.switchboard.spi.CallContext;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.stream.ChatStreams;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Data residency, fail closed: a request that is marked sensitive ({@link CallMetadata#sensitivity()}
 * at or above {@link Builder#restrictFrom}, CONFIDENTIAL by default) or in which {@link PersonalData}
 * finds personal data may go only to models marked compliant (self-hosted ones, a region's).
 * Otherwise it fails with {@link PolicyViolationException} before any byte leaves the process.
 *
 * <p>Register it inside {@code Fallback} and the router (last, next to the provider): it then sees
 * every attempt and refuses each non-compliant one, which {@code Fallback} treats as a reason to
 * try the next candidate; {@link Candidates} a router attached are trimmed to compliant ones first.
 * Messages name the kind of data and where it was found, never the data. Thread-safe.
 *
 * <pre>{@code
 * ResidencyPolicy policy = ResidencyPolicy.builder().compliantProviders("vllm", "ollama").build();
 * }</pre>
 */
public final class ResidencyPolicy implements Interceptor {
  private final Predicate<ModelRef> compliant;
  private final Set<String> compliantProviders;
  private final PersonalData detector;
  private final CallMetadata.Sensitivity restrictFrom;

  private ResidencyPolicy(Builder b) {
    this.compliant = b.compliant;
    this.compliantProviders = Set.copyOf(b.providers);
    this.detector = b.detector;
    this.restrictFrom = b.restrictFrom;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Why {@code request} is restricted ("it holds a card number in message 2"), or null when it is not. */
  public String restriction(ChatRequest request) {
    CallMetadata.Sensitivity s = CallMetadata.of(request).sensitivity();
    if (s.compareTo(restrictFrom) >= 0) {
      return "it is marked " + s;
    }
    List<Message> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      for (ContentPart p : messages.get(i).parts()) {
        if (p instanceof ContentPart.Text t) {
          List<PersonalData.Finding> found = detector.find(t.text());
          if (!found.isEmpty()) {
            return "it holds " + found.get(0).kind().description() + " in message " + (i + 1);
          }
        }
      }
    }
    return null;
  }

  /** Whether {@code model} may receive restricted requests. */
  public boolean isCompliant(ModelRef model) {
    return compliantProviders.contains(model.provider()) || compliant.test(model);
  }

  @Override
  public java.util.concurrent.CompletableFuture<ChatResponse> intercept(Chain chain) {
    ChatRequest allowed;
    try {
      allowed = allowed(chain.request(), chain.context());
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return chain.proceed(allowed);
  }

  @Override
  public ChatStream interceptStream(Chain chain) {
    ChatRequest allowed;
    try {
      allowed = allowed(chain.request(), chain.context());
    } catch (ChatException e) {
      return ChatStreams.failed(e);
    }
    return chain.proceedStream(allowed);
  }

  /** {@code request}, with its candidates trimmed to compliant models if it is restricted; or a refusal. */
  private ChatRequest allowed(ChatRequest request, CallContext context) {
    String why = restriction(request);
    if (why == null) {
      return request;
    }
    Candidates candidates = request.tag(Candidates.class).orElse(null);
    List<String> kept = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String model : candidates == null ? List.of(request.model()) : candidates.modelStrings()) {
      ModelRef ref;
      try {
        ref = context.resolve(model);
      } catch (ChatException unknown) {
        refused.add(model);
        continue;
      }
      (isCompliant(ref) ? kept : refused).add(model);
    }
    if (kept.isEmpty()) {
      ModelRef target = null;
      try {
        target = context.target(request);
      } catch (ChatException unknown) {
        // named in the message as given
      }
      throw new PolicyViolationException("call #" + context.call().id() + " was not sent: " + why
          + ", so it may go only to compliant providers " + new LinkedHashSet<>(compliantProviders.isEmpty()
              ? Set.of("(by predicate)") : new java.util.TreeSet<>(compliantProviders))
          + ", and " + refused + " " + (refused.size() == 1 ? "is" : "are") + " not compliant. Route it to a "
          + "compliant model, or remove the data from the request",
          target == null ? ErrorDetails.builder().model(request.model()).build()
              : ErrorDetails.of(target.provider(), target.model()));
    }
    if (candidates == null) {
      return request;
    }
    ChatRequest trimmed = request.toBuilder().tag(Candidates.class, new Candidates(kept)).build();
    return kept.get(0).equals(request.model()) ? trimmed : trimmed.withModel(kept.get(0));
  }

  @Override
  public String toString() {
    return "ResidencyPolicy[compliant " + compliantProviders + ", restricted from " + restrictFrom + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private Predicate<ModelRef> compliant = m -> false;
    private final Set<String> providers = new LinkedHashSet<>();
    private PersonalData detector = PersonalData.all();
    private CallMetadata.Sensitivity restrictFrom = CallMetadata.Sensitivity.CONFIDENTIAL;

    private Builder() {}

    /** Every model of these providers is compliant (e.g. {@code "vllm"}, {@code "ollama"}, an EU endpoint's name). */
    public Builder compliantProviders(String... providers) {
      for (String p : providers) {
        this.providers.add(Objects.requireNonNull(p, "provider"));
      }
      return this;
    }

    /** Models {@code test} accepts are compliant too. */
    public Builder compliant(Predicate<ModelRef> test) {
      Objects.requireNonNull(test, "test");
      Predicate<ModelRef> before = compliant;
      this.compliant = m -> before.test(m) || test.test(m);
      return this;
    }

    /** The detectors that make a request restricted. Default: {@link PersonalData#all()}. */
    public Builder detector(PersonalData detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /** The lowest marked sensitivity that is restricted. Default: CONFIDENTIAL. */
    public Builder restrictFrom(CallMetadata.Sensitivity sensitivity) {
      this.restrictFrom = Objects.requireNonNull(sensitivity, "sensitivity");
      return this;
    }

    public ResidencyPolicy build() {
      return new ResidencyPolicy(this);
    }
  }
}
