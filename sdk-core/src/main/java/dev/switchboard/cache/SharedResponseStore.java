package dev.switchboard.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where a {@link ResponseCache} keeps answers that every instance of a service shares, behind
 * each instance's own in-process cache: {@link RedisResponseStore}, or your own. Values are opaque
 * text (a stored answer as JSON). Implementations must be thread-safe and must not block the
 * calling thread; the cache bounds how long it waits ({@code sharedTimeout}) and treats a failure
 * as a miss.
 *
 * <p>For semantic lookups across instances, a store also carries {@link Question}s: each instance
 * {@link #publish publishes} the questions it stores answers for, and indexes those every instance
 * published ({@link #subscribe}), so that a near-duplicate asked anywhere finds them. A store that
 * does not share questions keeps the defaults, and semantic hits stay within each instance.
 */
public interface SharedResponseStore {

  /**
   * A stored answer's question, for other instances' semantic indexes: its partition, the exact
   * key its answer is stored under, the text, and its vector by embedder {@code embedderId} (an
   * instance with another embedder ignores it). Immutable.
   */
  record Question(String partition, String exactKey, String text, String embedderId, float[] vector) {
    public Question {
      Objects.requireNonNull(partition, "partition");
      Objects.requireNonNull(exactKey, "exactKey");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(embedderId, "embedderId");
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** The value stored under {@code key}, if any and not expired. */
  CompletableFuture<Optional<String>> get(String key);

  /** Stores {@code value} under {@code key} for {@code ttl}, replacing any. */
  CompletableFuture<Void> put(String key, String value, Duration ttl);

  /** Shares {@code question} with every subscribed instance (this one included). */
  default CompletableFuture<Void> publish(Question question) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Delivers every question published so far that the store still holds, then each new one as it
   * is published, to {@code consumer} (on the store's own thread, in order). One subscriber per
   * store.
   */
  default void subscribe(Consumer<Question> consumer) {}

  /** Completes once every question published before this call has been delivered to the subscriber. */
  default CompletableFuture<Void> catchUp() {
    return CompletableFuture.completedFuture(null);
  }
}
