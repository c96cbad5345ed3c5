package dev.switchboard.cache;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Answers shared through Redis: one string per exact key under {@code switchboard:cache:}, with
 * the answer's TTL. Needs Lettuce ({@code io.lettuce:lettuce-core}), an optional dependency; the
 * store does not own the connection. Thread-safe.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
 * ResponseCache cache = ResponseCache.builder().shared(RedisResponseStore.create(redis.connect().async())).build();
 * }</pre>
 */
public final class RedisResponseStore implements SharedResponseStore {
  static final String PREFIX = "switchboard:cache:";

  private final RedisClusterAsyncCommands<String, String> redis;

  private RedisResponseStore(RedisClusterAsyncCommands<String, String> redis) {
    this.redis = redis;
  }

  /** A store on {@code redis}: a connection's {@code async()} commands, standalone or cluster. */
  @SuppressWarnings("exports") // a type of an optional module, which its users require themselves
  public static RedisResponseStore create(RedisClusterAsyncCommands<String, String> redis) {
    return new RedisResponseStore(Objects.requireNonNull(redis, "redis"));
  }

  @Override
  public CompletableFuture<Optional<String>> get(String key) {
    return redis.get(PREFIX + key).toCompletableFuture().thenApply(Optional::ofNullable);
  }

  @Override
  public CompletableFuture<Void> put(String key, String value, Duration ttl) {
    return redis.set(PREFIX + key, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis()))).toCompletableFuture()
        .thenApply(ok -> null);
  }

  @Override
  public String toString() {
    return "RedisResponseStore";
  }
}
