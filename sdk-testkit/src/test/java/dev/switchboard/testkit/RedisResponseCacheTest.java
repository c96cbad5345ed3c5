package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.CacheHit;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.spi.Embedder;
import dev.switchboard.cache.RedisResponseStore;
import dev.switchboard.cache.ResponseCache;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two instances of a service, each with its own ResponseCache, sharing answers through one real Redis. */
@Timeout(60)
class RedisResponseCacheTest {
  private RedisServer redis;
  private RedisClient client;
  private final List<RedisResponseStore> stores = new CopyOnWriteArrayList<>();

  /** Letter counts: word order and punctuation do not matter, which is all these tests need. */
  private static final Embedder LETTERS = new Embedder() {
    @Override
    public CompletableFuture<float[]> embed(String text) {
      float[] v = new float[26];
      for (char c : text.toLowerCase().toCharArray()) {
        if (c >= 'a' && c <= 'z') {
          v[c - 'a']++;
        }
      }
      double norm = 0;
      for (float f : v) {
        norm += f * f;
      }
      for (int i = 0; i < v.length; i++) {
        v[i] /= (float) Math.sqrt(norm);
      }
      return CompletableFuture.completedFuture(v);
    }

    @Override
    public int dimensions() {
      return 26;
    }

    @Override
    public String id() {
      return "letters";
    }
  };

  @AfterEach
  void stop() {
    stores.forEach(RedisResponseStore::close);
    if (client != null) {
      client.shutdown();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private void start() {
    redis = RedisServer.startOrSkip();
    redis.flushAll();
    client = RedisClient.create(redis.uri());
    client.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
  }

  private RedisResponseStore store() {
    RedisResponseStore store = RedisResponseStore.create(client);
    stores.add(store);
    return store;
  }

  private static Switchboard instance(ScriptedProvider provider, ResponseCache cache, List<String> events) {
    return Switchboard.builder().provider(provider).alias("fast", "p/m").interceptor(cache)
        .listener(new ChatListener() {
          @Override
          public void cacheUnavailable(CallInfo call, String cache, Throwable error) {
            events.add("unavailable " + cache);
          }
        }).build();
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().model("fast").system("Answer in one line.").user(text).build();
  }

  private static ChatResponse answer(String text) {
    return ChatResponse.builder().text(text).usage(Usage.of(100, 10)).build();
  }

  @Test
  void anAnswerStoredByOneInstance_isAnExactAndASemanticHitForTheOther() {
    start();
    ScriptedProvider a = ScriptedProvider.named("p").enqueue(answer("Paris."));
    ScriptedProvider b = ScriptedProvider.named("p");
    List<String> events = new CopyOnWriteArrayList<>();
    RedisResponseStore storeA = store();
    RedisResponseStore storeB = store();
    Switchboard first = instance(a, ResponseCache.builder().semantic(LETTERS, 0.99).shared(storeA).build(), events);
    Switchboard second = instance(b, ResponseCache.builder().semantic(LETTERS, 0.99).shared(storeB).build(), events);

    assertThat(first.chat(ask("What is the capital of France?")).text()).isEqualTo("Paris.");
    ChatResponse exact = second.chat(ask("What is the capital of France?"));
    assertThat(exact.text()).isEqualTo("Paris.");
    assertThat(exact.cacheHit()).hasValueSatisfying(h -> assertThat(h.cache()).isEqualTo(CacheHit.EXACT));

    storeB.catchUp().join(); // the question A published has reached B's index
    ChatResponse semantic = second.chat(ask("what is the capital of france"));
    assertThat(semantic.text()).isEqualTo("Paris.");
    assertThat(semantic.cacheHit()).hasValueSatisfying(h -> {
      assertThat(h.cache()).isEqualTo(CacheHit.SEMANTIC);
      assertThat(h.similarity()).isGreaterThanOrEqualTo(0.99);
    });
    assertThat(b.requestCount()).as("B never asked its provider").isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void redisDown_theCacheDegradesToThisProcess_callsStillSucceed_andListenersAreTold() {
    start();
    assumeTrue(redis.owned(), "REDIS_URL's server cannot be stopped by this test");
    ScriptedProvider p = ScriptedProvider.named("p").enqueue(answer("one")).enqueue(answer("two"));
    List<String> events = new CopyOnWriteArrayList<>();
    Switchboard sb = instance(p, ResponseCache.builder().shared(store()).build(), events);
    sb.chat(ask("first question"));

    redis.close(); // the server goes away
    assertThat(sb.chat(ask("first question")).cacheHit()).as("this process still has it").isPresent();
    ChatResponse miss = sb.chat(ask("second question"));
    assertThat(miss.text()).isEqualTo("two");
    assertThat(events).contains("unavailable exact");
    assertThat(sb.chat(ask("second question")).cacheHit()).as("stored in this process regardless").isPresent();
  }
}
