package dev.switchboard.cost;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A {@link BudgetStore} in Redis, shared by every instance that uses the same server: each
 * reservation is one Lua script that checks every counter and adds to all of them or to none, so
 * instances cannot race each other past a limit. Counters are plain integers (nano-dollars) under
 * keys with a {@code {switchboard}} hash tag (one Redis Cluster slot), expiring a day after their
 * window ends.
 *
 * <p>Needs Lettuce ({@code io.lettuce:lettuce-core}) on the class path, an optional dependency of
 * Switchboard: one thread-safe connection multiplexes every caller, and its asynchronous commands
 * keep the call chain free of waiting threads. The store does not own the connection; close it
 * yourself. Completions run on Lettuce's I/O threads, which the chain never blocks. Thread-safe.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
 * StatefulRedisConnection<String, String> connection = redis.connect();
 * BudgetStore store = RedisBudgetStore.create(connection.async());
 * }</pre>
 */
public final class RedisBudgetStore implements BudgetStore {
  /** Kept after a window ends, so that late settlements and reports still find the counter. */
  static final Duration GRACE = Duration.ofDays(1);

  // KEYS: counters. ARGV[1]: amount; then for counter i: ARGV[2i] its limit, ARGV[2i+1] when it expires (0: never).
  private static final String RESERVE = """
      local amount = tonumber(ARGV[1])
      for i = 1, #KEYS do
        local used = tonumber(redis.call('GET', KEYS[i]) or '0')
        if used + amount > tonumber(ARGV[2 * i]) then
          return {0, i - 1, used}
        end
      end
      for i = 1, #KEYS do
        redis.call('INCRBY', KEYS[i], ARGV[1])
        if ARGV[2 * i + 1] ~= '0' then
          redis.call('EXPIREAT', KEYS[i], ARGV[2 * i + 1])
        end
      end
      return {1, -1, 0}
      """;

  // KEYS: counters. ARGV[1]: delta; ARGV[i + 1]: when counter i expires (0: never).
  private static final String ADJUST = """
      for i = 1, #KEYS do
        redis.call('INCRBY', KEYS[i], ARGV[1])
        if ARGV[i + 1] ~= '0' then
          redis.call('EXPIREAT', KEYS[i], ARGV[i + 1])
        end
      end
      return 1
      """;

  private static final String RESERVE_SHA = sha1(RESERVE);
  private static final String ADJUST_SHA = sha1(ADJUST);

  private final RedisClusterAsyncCommands<String, String> redis;

  private RedisBudgetStore(RedisClusterAsyncCommands<String, String> redis) {
    this.redis = redis;
  }

  /** A store on {@code redis}: a connection's {@code async()} commands, standalone or cluster. */
  @SuppressWarnings("exports") // a type of an optional module, which its users require themselves
  public static RedisBudgetStore create(RedisClusterAsyncCommands<String, String> redis) {
    return new RedisBudgetStore(Objects.requireNonNull(redis, "redis"));
  }

  @Override
  public CompletableFuture<Reservation> reserve(List<Line> lines, long amountNanos) {
    String[] keys = keys(lines);
    String[] args = new String[1 + 2 * lines.size()];
    args[0] = Long.toString(amountNanos);
    for (int i = 0; i < lines.size(); i++) {
      args[1 + 2 * i] = Long.toString(lines.get(i).limitNanos());
      args[2 + 2 * i] = expiry(lines.get(i));
    }
    CompletableFuture<List<Object>> reply = script(RESERVE_SHA, RESERVE, ScriptOutputType.MULTI, keys, args);
    return reply.thenApply(r -> ((Long) r.get(0)) == 1L ? Reservation.GRANTED
        : Reservation.refused(((Long) r.get(1)).intValue(), (Long) r.get(2)));
  }

  @Override
  public CompletableFuture<Void> adjust(List<Line> lines, long deltaNanos) {
    if (deltaNanos == 0) {
      return CompletableFuture.completedFuture(null);
    }
    String[] args = new String[1 + lines.size()];
    args[0] = Long.toString(deltaNanos);
    for (int i = 0; i < lines.size(); i++) {
      args[1 + i] = expiry(lines.get(i));
    }
    return script(ADJUST_SHA, ADJUST, ScriptOutputType.INTEGER, keys(lines), args).thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Long> used(String key) {
    return redis.get(key).toCompletableFuture().thenApply(v -> v == null ? 0L : Long.parseLong(v));
  }

  /** Runs a script by its digest, sending its text once when the server does not have it yet. */
  private <T> CompletableFuture<T> script(String sha, String text, ScriptOutputType type, String[] keys,
      String[] args) {
    Supplier<CompletionStage<T>> byText = () -> redis.eval(text, type, keys, args);
    CompletableFuture<T> result = new CompletableFuture<>();
    redis.<T>evalsha(sha, type, keys, args).whenComplete((r, e) -> {
      if (e == null) {
        result.complete(r);
      } else if (e instanceof RedisNoScriptException || String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
        byText.get().whenComplete((r2, e2) -> {
          if (e2 == null) {
            result.complete(r2);
          } else {
            result.completeExceptionally(e2);
          }
        });
      } else {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private static String[] keys(List<Line> lines) {
    String[] keys = new String[lines.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = lines.get(i).key();
    }
    return keys;
  }

  private static String expiry(Line line) {
    Instant end = line.expiresAt();
    return end.equals(Instant.MAX) ? "0" : Long.toString(end.plus(GRACE).getEpochSecond());
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "RedisBudgetStore";
  }
}
