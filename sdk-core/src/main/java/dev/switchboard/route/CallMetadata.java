package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a call is for and how carefully to treat it, carried on the request as a tag of its own,
 * apart from provider options: routers pick models by it (keep {@link Sensitivity#RESTRICTED}
 * traffic on self-hosted models), budgets and the cost ledger count by tenant and user. Never sent
 * to a provider. Immutable.
 *
 * <pre>{@code
 * ChatRequest request = CallMetadata.attach(ChatRequest.of("chat", "hi"),
 *     CallMetadata.builder().tenant("acme").user("u-42").sensitivity(Sensitivity.INTERNAL).build());
 * }</pre>
 */
public record CallMetadata(String tenant, String user, Sensitivity sensitivity, Map<String, String> labels) {
  /** How sensitive a call's content is; routers may keep the higher levels off third-party providers. */
  public enum Sensitivity {
    PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED
  }

  /** No tenant, no user, {@link Sensitivity#INTERNAL}, no labels: what an untagged request counts as. */
  public static final CallMetadata NONE = new CallMetadata("", "", Sensitivity.INTERNAL, Map.of());

  public CallMetadata {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(sensitivity, "sensitivity");
    labels = Map.copyOf(labels);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The metadata attached to {@code request}, or {@link #NONE}. */
  public static CallMetadata of(ChatRequest request) {
    return request.tag(CallMetadata.class).orElse(NONE);
  }

  /** {@code request} with {@code metadata} attached (replacing any). */
  public static ChatRequest attach(ChatRequest request, CallMetadata metadata) {
    return request.toBuilder().tag(CallMetadata.class, Objects.requireNonNull(metadata, "metadata")).build();
  }

  public Optional<String> label(String key) {
    return Optional.ofNullable(labels.get(key));
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String tenant = "";
    private String user = "";
    private Sensitivity sensitivity = Sensitivity.INTERNAL;
    private final java.util.LinkedHashMap<String, String> labels = new java.util.LinkedHashMap<>();

    private Builder() {}

    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    public Builder sensitivity(Sensitivity sensitivity) {
      this.sensitivity = Objects.requireNonNull(sensitivity, "sensitivity");
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public CallMetadata build() {
      return new CallMetadata(tenant, user, sensitivity, labels);
    }
  }
}
