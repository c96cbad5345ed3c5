package dev.switchboard.route;

import java.util.Objects;

/**
 * One provider's model: what a model string resolves to for one attempt. {@code provider} is a
 * registered provider's name, {@code model} that provider's own name for the model (which may
 * contain {@code /}, as in {@code vllm/meta-llama/Llama-3.1-8B-Instruct}). Immutable.
 */
public record ModelRef(String provider, String model) {
  public ModelRef {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    if (provider.isEmpty() || provider.contains("/")) {
      throw new IllegalArgumentException("ModelRef.provider must be a provider name without '/', got: '" + provider
          + "'");
    }
    if (model.isEmpty()) {
      throw new IllegalArgumentException("ModelRef.model must not be empty (provider '" + provider + "')");
    }
  }

  /**
   * {@code "provider/model"} split at the first {@code /}, or {@code null} when {@code modelString}
   * has no {@code /} with text on both sides.
   */
  public static ModelRef parseOrNull(String modelString) {
    int slash = modelString.indexOf('/');
    if (slash <= 0 || slash == modelString.length() - 1) {
      return null;
    }
    return new ModelRef(modelString.substring(0, slash), modelString.substring(slash + 1));
  }

  /** {@code "provider/model"}. */
  @Override
  public String toString() {
    return provider + "/" + model;
  }
}
