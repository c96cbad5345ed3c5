package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.BudgetExceededException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.Budget;
import dev.switchboard.cost.BudgetStore;
import dev.switchboard.cost.Budgets;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.cost.RedisBudgetStore;
import dev.switchboard.route.CallMetadata;
import dev.switchboard.spi.ProviderAdapter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Budgets shared by two Switchboard instances through one real Redis server. */
@Timeout(60)
class RedisBudgetsTest {
  // A day that has not ended on the server's clock, so that counters do not expire under the test.
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  // $1 per million input, $1,000 per million output: one output token = $0.001.
  private static final PriceCatalog PRICES = PriceCatalog.empty().toBuilder().price("p/m", ModelPrice.of(1, 1_000))
      .build();

  private static RedisServer redis;
  private static RedisClient client;
  private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.startOrSkip();
    client = RedisClient.create(redis.uri());
  }

  @AfterAll
  static void stopRedis() {
    if (client != null) {
      client.shutdown();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
  }

  @org.junit.jupiter.api.AfterEach
  void closeConnections() {
    connections.forEach(StatefulRedisConnection::close);
  }

  /** One instance of a service: its own Redis connection, store, budgets and Switchboard. */
  private Budgets budgets(Budget... budgets) {
    StatefulRedisConnection<String, String> connection = client.connect();
    connections.add(connection);
    Budgets.Builder b = Budgets.builder().store(RedisBudgetStore.create(connection.async()));
    for (Budget budget : budgets) {
      b.budget(budget);
    }
    return b.build();
  }

  private static Switchboard instance(Budgets budgets, ProviderAdapter provider) {
    return Switchboard.builder().provider(provider).prices(PRICES).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .interceptor(budgets).build();
  }

  /** "abcd" with its framing: 2 estimated input tokens; at most 100 output tokens: reserves $0.100002. */
  private static ChatRequest request(String team) {
    return CallMetadata.attach(ChatRequest.builder().model("p/m").user("abcd").maxOutputTokens(100).build(),
        CallMetadata.builder().tenant("acme").label("team", team).build());
  }

  private static Budget org(double limit) {
    return Budget.builder("org").global().period(Budget.Period.DAY).limit(limit).build();
  }

  @Test
  void reserveThenSettle_onRedis_seenFromAnotherInstance() {
    Budgets first = budgets(org(1));
    Budgets second = budgets(org(1));
    Answering provider = new Answering(0);
    instance(first, provider).chat(request("search")); // spends 1 input + 50 output tokens = $0.050001

    assertThat(second.used("org", "*", NOW).join()).isEqualByComparingTo("0.050001");
  }

  @Test
  void nestedBudgets_onRedis_refuseWithoutChargingAnyLevel() {
    Budget team = Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(0.2).build();
    Budgets budgets = budgets(org(10), team);
    Switchboard sb = instance(budgets, new Answering(0));
    sb.chat(request("search")); // reserves $0.100002 of 0.2, spends $0.050001
    sb.chat(request("search")); // 0.050001 + 0.100002 fits; team has spent $0.100002
    // 0.100002 + 0.100002 > 0.2
    assertThatThrownBy(() -> sb.chat(request("search"))).isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("budget 'team' for 'search'").hasMessageContaining("allows $0.2;");
    assertThat(budgets.used("org", "*", NOW).join()).isEqualByComparingTo("0.100002");
    sb.chat(request("ads"));
    assertThat(budgets.used("org", "*", NOW).join()).isEqualByComparingTo("0.150003");
  }

  @Test
  void sixtyFourThreadsOnTwoInstances_neverOverspendOneBudget_andFailedCallsGiveBack() throws Exception {
    Switchboard[] instances = {instance(budgets(org(1)), new Answering(5)), instance(budgets(org(1)),
        new Answering(5))};
    int threads = 64;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<int[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Switchboard sb = instances[t % 2];
      results.add(pool.submit(() -> {
        start.await();
        int[] counts = new int[3]; // answered, refused, failed
        for (int i = 0; i < 10; i++) {
          try {
            sb.chat(request("search"));
            counts[0]++;
          } catch (BudgetExceededException e) {
            counts[1]++;
          } catch (ServerException e) {
            counts[2]++;
          }
        }
        return counts;
      }));
    }
    start.countDown();
    int answered = 0;
    int refused = 0;
    int failed = 0;
    for (Future<int[]> r : results) {
      int[] c = r.get();
      answered += c[0];
      refused += c[1];
      failed += c[2];
    }
    pool.shutdown();

    BigDecimal used = budgets(org(1)).used("org", "*", NOW).join();
    assertThat(answered + refused + failed).isEqualTo(640);
    assertThat(failed).as("some calls failed after reserving").isPositive();
    assertThat(refused).as("the budget ran out").isPositive();
    assertThat(used).as("exactly what the %d answered calls spent: failed calls gave their reservations back",
        answered).isEqualByComparingTo(new BigDecimal("0.050001").multiply(BigDecimal.valueOf(answered)));
    assertThat(used).as("never more than the limit").isLessThanOrEqualTo(BigDecimal.ONE);
  }

  @Test
  void aStreamSettlesOnRedis_whenClosedEarly() {
    Budgets budgets = budgets(org(1));
    Switchboard sb = Switchboard.builder()
        .provider(ScriptedProvider.named("p").enqueueStream(
            new dev.switchboard.ChatEvent.TextDelta("partial")))
        .prices(PRICES).clock(Clock.fixed(NOW, ZoneOffset.UTC)).interceptor(budgets).build();
    try (ChatStream stream = sb.stream(request("search"))) {
      assertThat(budgets.used("org", "*", NOW).join()).isEqualByComparingTo("0.100002");
      stream.poll();
    }
    // what may be billed for a stream abandoned after "partial": 2 input tokens, 2 output tokens (estimated)
    assertThat(budgets.used("org", "*", NOW).join()).isEqualByComparingTo("0.002002");
  }

  @Test
  void aStoreThatCannotBeReached_refusesToSend_withATypedError() {
    StatefulRedisConnection<String, String> connection = client.connect();
    BudgetStore store = RedisBudgetStore.create(connection.async());
    connection.close();
    Budgets budgets = Budgets.builder().budget(org(1)).store(store).build();
    Answering provider = new Answering(0);
    assertThatThrownBy(() -> instance(budgets, provider).chat(request("search")))
        .isInstanceOf(dev.switchboard.ChatException.class)
        .hasMessageContaining("the budget store failed, so the call was not sent");
    assertThat(provider.calls.get()).isZero();
  }

  /** Answers 1 input + 50 output tokens at once; every {@code failEvery}-th call fails instead (0: never). */
  private static final class Answering implements ProviderAdapter {
    final AtomicInteger calls = new AtomicInteger();
    private final int failEvery;

    Answering(int failEvery) {
      this.failEvery = failEvery;
    }

    @Override
    public String name() {
      return "p";
    }

    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      int n = calls.incrementAndGet();
      if (failEvery > 0 && n % failEvery == 0) {
        return CompletableFuture.failedFuture(new ServerException("boom", ErrorDetails.of("p", "m")));
      }
      return CompletableFuture.completedFuture(ChatResponse.builder().text("ok").usage(Usage.of(1, 50)).build());
    }

    @Override
    public ChatStream stream(ChatRequest request) {
      throw new UnsupportedOperationException();
    }
  }
}
