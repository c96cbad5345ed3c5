package dev.switchboard.providers.selfhosted.internal;

import dev.switchboard.providers.compat.ChatCompletionsOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The chat-completions options of a request after {@link RequestMapper} wrote a backend's fields:
 * the caller's options (if any) with the backend's fields added as extra fields wherever the caller
 * set none of the same name. Immutable and thread-safe. Not API.
 */
final class AdaptedOptions implements ChatCompletionsOptions {
  private final String user;
  private final String serviceTier;
  private final String reasoningEffort;
  private final Boolean thinking;
  private final Map<Integer, Integer> logitBias;
  private final Map<String, String> extraFields;

  private AdaptedOptions(ChatCompletionsOptions caller, Map<String, String> extraFields) {
    this.user = caller == null ? null : caller.user().orElse(null);
    this.serviceTier = caller == null ? null : caller.serviceTier().orElse(null);
    this.reasoningEffort = caller == null ? null : caller.reasoningEffort().orElse(null);
    this.thinking = caller == null ? null : caller.thinking().orElse(null);
    this.logitBias = caller == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(caller.logitBias()));
    this.extraFields = Collections.unmodifiableMap(extraFields);
  }

  /** {@code caller}'s options (may be null) plus {@code backendFields} where the caller has no field of that name. */
  static AdaptedOptions merge(ChatCompletionsOptions caller, Map<String, String> backendFields) {
    Map<String, String> extras = new LinkedHashMap<>(caller == null ? Map.of() : caller.extraFields());
    backendFields.forEach(extras::putIfAbsent);
    return new AdaptedOptions(caller, extras);
  }

  @Override
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  @Override
  public Optional<String> serviceTier() {
    return Optional.ofNullable(serviceTier);
  }

  @Override
  public Optional<String> reasoningEffort() {
    return Optional.ofNullable(reasoningEffort);
  }

  @Override
  public Optional<Boolean> thinking() {
    return Optional.ofNullable(thinking);
  }

  @Override
  public Map<Integer, Integer> logitBias() {
    return logitBias;
  }

  @Override
  public Map<String, String> extraFields() {
    return extraFields;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AdaptedOptions x
        && Objects.equals(user, x.user)
        && Objects.equals(serviceTier, x.serviceTier)
        && Objects.equals(reasoningEffort, x.reasoningEffort)
        && Objects.equals(thinking, x.thinking)
        && logitBias.equals(x.logitBias)
        && extraFields.equals(x.extraFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, serviceTier, reasoningEffort, thinking, logitBias, extraFields);
  }

  /** Names the fields that are set, never the user id. */
  @Override
  public String toString() {
    return "AdaptedOptions[" + (user == null ? "" : "user=set, ") + "extraFields=" + extraFields.keySet() + "]";
  }
}
