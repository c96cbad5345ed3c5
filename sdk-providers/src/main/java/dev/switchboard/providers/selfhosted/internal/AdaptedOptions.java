package dev.switchboard.providers.selfhosted.internal;

import dev.switchboard.providers.compat.ChatCompletionsOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The chat-completions options of a request after {@link RequestMapper} wrote a backend's fields:
 * the caller's options (if any) with the backend's fields added as extra fields wherever the caller
 * set none of the same name. Immutable and thread-safe. Not API.
 */
record AdaptedOptions(Optional<String> user, Optional<String> serviceTier, Optional<String> reasoningEffort,
    Optional<Boolean> thinking, Map<Integer, Integer> logitBias, Map<String, String> extraFields)
    implements ChatCompletionsOptions {

  static AdaptedOptions merge(ChatCompletionsOptions caller, Map<String, String> backendFields) {
    Map<String, String> extras = new LinkedHashMap<>(caller == null ? Map.of() : caller.extraFields());
    backendFields.forEach(extras::putIfAbsent);
    if (caller == null) {
      return new AdaptedOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
          Collections.unmodifiableMap(extras));
    }
    return new AdaptedOptions(caller.user(), caller.serviceTier(), caller.reasoningEffort(), caller.thinking(),
        Collections.unmodifiableMap(new TreeMap<>(caller.logitBias())), Collections.unmodifiableMap(extras));
  }

  /** Names the fields that are set, never the user id. */
  @Override
  public String toString() {
    return "AdaptedOptions[" + (user.isEmpty() ? "" : "user=set, ") + "extraFields=" + extraFields.keySet() + "]";
  }
}
