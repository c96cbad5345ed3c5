package dev.switchboard.cache;

import dev.switchboard.ChatRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one request uses the response cache, carried on the request as a tag (never sent to a
 * provider, never part of the cache key): {@code read} whether a stored answer may be served,
 * {@code store} whether this call's answer may be stored, {@code ttl} how long it stays (empty:
 * the cache's default). Immutable.
 *
 * <pre>{@code
 * llm.chat(CacheControl.attach(request, CacheControl.NO_STORE));
 * }</pre>
 */
public record CacheControl(boolean read, boolean store, Optional<Duration> ttl) {
  /** Read and store, at the cache's default TTL: what an untagged request gets. */
  public static final CacheControl DEFAULT = new CacheControl(true, true, Optional.empty());
  /** Do not serve a stored answer; store this one (read-through skip). */
  public static final CacheControl NO_CACHE = new CacheControl(false, true, Optional.empty());
  /** Serve a stored answer if there is one, but do not store this call's. */
  public static final CacheControl NO_STORE = new CacheControl(true, false, Optional.empty());
  /** Neither read nor store: the cache is bypassed. */
  public static final CacheControl BYPASS = new CacheControl(false, false, Optional.empty());
  /** Ask the provider again and replace what is stored: the same as {@link #NO_CACHE}. */
  public static final CacheControl FORCE_REFRESH = NO_CACHE;

  public CacheControl {
    Objects.requireNonNull(ttl, "ttl");
    ttl.ifPresent(t -> {
      if (t.isNegative() || t.isZero()) {
        throw new IllegalArgumentException("CacheControl ttl must be positive, got " + t);
      }
    });
  }

  /** Read and store, keeping this answer for {@code ttl}. */
  public static CacheControl ttl(Duration ttl) {
    return new CacheControl(true, true, Optional.of(Objects.requireNonNull(ttl, "ttl")));
  }

  /** The control attached to {@code request}, or {@link #DEFAULT}. */
  public static CacheControl of(ChatRequest request) {
    return request.tag(CacheControl.class).orElse(DEFAULT);
  }

  /** {@code request} with {@code control} attached (replacing any). */
  public static ChatRequest attach(ChatRequest request, CacheControl control) {
    return request.toBuilder().tag(CacheControl.class, Objects.requireNonNull(control, "control")).build();
  }
}
