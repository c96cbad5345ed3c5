package dev.switchboard.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where a {@link ResponseCache} keeps answers that every instance of a service shares, behind
 * each instance's own in-process cache: {@link RedisResponseStore}, or your own. Values are opaque
 * text (a stored answer as JSON). Implementations must be thread-safe and must not block the
 * calling thread; the cache bounds how long it waits ({@code sharedTimeout}) and treats a failure
 * as a miss.
 */
public interface SharedResponseStore {

  /** The value stored under {@code key}, if any and not expired. */
  CompletableFuture<Optional<String>> get(String key);

  /** Stores {@code value} under {@code key} for {@code ttl}, replacing any. */
  CompletableFuture<Void> put(String key, String value, Duration ttl);
}
