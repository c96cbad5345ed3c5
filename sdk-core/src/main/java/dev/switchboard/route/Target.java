package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import java.util.Objects;

/**
 * A request's model string and the {@link ModelRef} it was resolved to, carried on the request as a
 * tag: the layer that resolves a request's model attaches it ({@link #attach}), and the layers
 * inside it ({@code CallContext#target}) use it instead of resolving again, so a model string
 * is resolved once per attempt. A tag whose {@code modelString} differs from the request's model
 * (someone changed the model since) is ignored. Immutable.
 */
public record Target(String modelString, ModelRef ref) {
  public Target {
    Objects.requireNonNull(modelString, "modelString");
    Objects.requireNonNull(ref, "ref");
  }

  /** {@code request} with its model resolved to {@code ref}. */
  public static ChatRequest attach(ChatRequest request, ModelRef ref) {
    return request.toBuilder().tag(Target.class, new Target(request.model(), ref)).build();
  }

  /** The resolution attached to {@code request} for its current model, or {@code null}. */
  public static ModelRef of(ChatRequest request) {
    Target t = request.tag(Target.class).orElse(null);
    return t != null && t.modelString.equals(request.model()) ? t.ref : null;
  }
}
