package dev.switchboard.cache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers and questions shared through Redis. An answer is one string per exact key under {@code
 * switchboard:cache:a:}, with its TTL. Questions go to the stream {@code switchboard:cache:questions}
 * (trimmed to about {@link #DEFAULT_QUESTIONS} entries): every instance reads it from the start
 * when it subscribes, then follows it with a blocking read on a connection of its own, so a
 * near-duplicate asked on any instance finds what another stored.
 *
 * <p>Needs Lettuce ({@code io.lettuce:lettuce-core}), an optional dependency. The store opens two
 * connections from the client it is given (commands, and the stream reader once subscribed) and
 * closes them in {@link #close()}; the client stays the caller's. Thread-safe.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
 * RedisResponseStore shared = RedisResponseStore.create(redis);
 * ResponseCache cache = ResponseCache.builder().semantic(LexicalEmbedder.create(), 0.8).shared(shared).build();
 * }</pre>
 */
public final class RedisResponseStore implements SharedResponseStore, AutoCloseable {
  /** About how many questions the stream keeps. */
  public static final long DEFAULT_QUESTIONS = 100_000;
  static final String ANSWERS = "switchboard:cache:a:";
  static final String QUESTIONS = "switchboard:cache:questions";
  private static final Logger log = LoggerFactory.getLogger(RedisResponseStore.class);
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final int BATCH = 512;
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> redis;
  private final long maxQuestions;
  private final Object delivery = new Object();
  private volatile Consumer<Question> subscriber;
  private volatile StatefulRedisConnection<String, String> reader;
  private volatile boolean closed;
  private String lastId = "0-0"; // guarded by delivery

  private RedisResponseStore(RedisClient client, long maxQuestions) {
    this.client = client;
    this.connection = client.connect();
    this.redis = connection.async();
    this.maxQuestions = maxQuestions;
  }

  /** A store on {@code client}'s server. */
  @SuppressWarnings("exports") // a type of an optional module, which its users require themselves
  public static RedisResponseStore create(RedisClient client) {
    return new RedisResponseStore(Objects.requireNonNull(client, "client"), DEFAULT_QUESTIONS);
  }

  @Override
  public CompletableFuture<Optional<String>> get(String key) {
    return redis.get(ANSWERS + key).toCompletableFuture().thenApply(Optional::ofNullable);
  }

  @Override
  public CompletableFuture<Void> put(String key, String value, Duration ttl) {
    return redis.set(ANSWERS + key, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis()))).toCompletableFuture()
        .thenApply(ok -> null);
  }

  @Override
  public CompletableFuture<Void> publish(Question q) {
    Map<String, String> body = Map.of("p", q.partition(), "k", q.exactKey(), "t", q.text(), "e", q.embedderId(),
        "v", encode(q.vector()));
    return redis.xadd(QUESTIONS, XAddArgs.Builder.maxlen(maxQuestions).approximateTrimming(), body)
        .toCompletableFuture().thenApply(id -> null);
  }

  @Override
  public void subscribe(Consumer<Question> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    synchronized (delivery) {
      if (subscriber != null) {
        throw new IllegalStateException("RedisResponseStore takes one subscriber; it already has one");
      }
      subscriber = consumer;
    }
    reader = client.connect();
    follow();
  }

  /** One blocking read on the reader's connection, then the next; no thread waits meanwhile. */
  @SuppressWarnings("unchecked") // Lettuce's varargs of a generic type
  private void follow() {
    StatefulRedisConnection<String, String> r = reader;
    if (closed || r == null) {
      return;
    }
    String from;
    synchronized (delivery) {
      from = lastId;
    }
    r.async().xread(XReadArgs.Builder.block(BLOCK).count(BATCH), XReadArgs.StreamOffset.from(QUESTIONS, from))
        .whenComplete((messages, error) -> {
          if (closed) {
            return;
          }
          if (error != null) {
            log.debug("switchboard cache: reading {} failed, again in {}: {}", QUESTIONS, RETRY, error.toString());
            CompletableFuture.runAsync(this::follow, CompletableFuture.delayedExecutor(RETRY.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS));
            return;
          }
          deliver(messages);
          follow();
        });
  }

  @Override
  public CompletableFuture<Void> catchUp() {
    if (subscriber == null) {
      return CompletableFuture.completedFuture(null);
    }
    return catchUpFrom();
  }

  @SuppressWarnings("unchecked") // Lettuce's varargs of a generic type
  private CompletableFuture<Void> catchUpFrom() {
    String from;
    synchronized (delivery) {
      from = lastId;
    }
    return redis.xread(XReadArgs.Builder.count(BATCH), XReadArgs.StreamOffset.from(QUESTIONS, from))
        .toCompletableFuture().thenCompose(messages -> {
          deliver(messages);
          return messages == null || messages.size() < BATCH ? CompletableFuture.completedFuture(null)
              : catchUpFrom();
        });
  }

  private void deliver(List<StreamMessage<String, String>> messages) {
    if (messages == null) {
      return;
    }
    synchronized (delivery) {
      for (StreamMessage<String, String> m : messages) {
        if (compare(m.getId(), lastId) <= 0) {
          continue; // the follower and a catch-up may both have read it
        }
        lastId = m.getId();
        Map<String, String> b = m.getBody();
        try {
          subscriber.accept(new Question(b.get("p"), b.get("k"), b.get("t"), b.get("e"), decode(b.get("v"))));
        } catch (RuntimeException e) {
          log.warn("switchboard cache: skipped question {} of {}: {}", m.getId(), QUESTIONS, e.toString());
        }
      }
    }
  }

  /** Orders stream ids ({@code millis-sequence}). */
  static int compare(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  }

  static String encode(float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(4 * v.length);
    for (float f : v) {
      buf.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(buf.array());
  }

  static float[] decode(String s) {
    ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(s));
    float[] v = new float[buf.remaining() / 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = buf.getFloat();
    }
    return v;
  }

  @Override
  public void close() {
    closed = true;
    StatefulRedisConnection<String, String> r = reader;
    if (r != null) {
      r.close();
    }
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisResponseStore";
  }
}
