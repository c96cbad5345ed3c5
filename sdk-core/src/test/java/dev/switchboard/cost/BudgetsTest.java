package dev.switchboard.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.BudgetExceededException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.FinishReason;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.route.CallMetadata;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BudgetsTest {
  private static final Instant NOON = Instant.parse("2026-12-06T12:00:00Z");
  // $1 per million input and $1,000 per million output: 1 output token = $0.001, easy to count.
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder()
      .price("p/m", ModelPrice.of(1, 1_000))
      .price("p/cheap", ModelPrice.of(0.1, 100))
      .build();
  private final FakeAdapter provider = new FakeAdapter("p");

  private Switchboard switchboard(Budgets budgets) {
    return Switchboard.builder().provider(provider).prices(prices).clock(Clock.fixed(NOON, ZoneOffset.UTC))
        .interceptor(budgets).build();
  }

  /** "abcd" and the message's framing = 8 chars = 2 estimated input tokens; maxOutputTokens bounds the output. */
  private static ChatRequest request(String model, int maxOutput, String team, String user) {
    ChatRequest r = ChatRequest.builder().model(model).user("abcd").maxOutputTokens(maxOutput).build();
    return CallMetadata.attach(r, CallMetadata.builder().tenant("acme").user(user).label("team", team).build());
  }

  private static ChatResponse answer(long in, long out) {
    return ChatResponse.builder().text("ok").usage(Usage.of(in, out)).build();
  }

  @Test
  void reservesTheWorstCase_thenSettlesToWhatTheCallReallyCost() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(1.00).build()).build();
    Switchboard sb = switchboard(budgets);

    CompletableFuture<ChatResponse> f = sb.chatAsync(request("p/m", 100, "search", "u1"));
    // reserved: 2 input tokens × $1/M + 100 output × $1,000/M = $0.100002
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.100002");
    provider.calls.get(0).complete(answer(1, 20));
    f.join();
    // settled: 1 × $1/M + 20 × $1,000/M = $0.020001
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.020001");
    assertThat(budgets.used("team", "other", NOON).join()).isZero();
  }

  @Test
  void aCallThatWouldExceed_isRefusedBeforeAnyByteIsSent_withAMessageThatSaysWhy() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(0.05).build()).build();
    Switchboard sb = switchboard(budgets);

    assertThatThrownBy(() -> sb.chat(request("p/m", 100, "search", "u1")))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("budget 'team' for 'search' (DAY 2026-12-06) allows $0.05")
        .hasMessageContaining("this call may cost up to $0.100002 on p/m")
        .hasMessageContaining("resets at 2026-12-07T00:00:00Z");
    assertThat(provider.requests).isEmpty();
    assertThat(BudgetExceededException.class).isNotNull();
  }

  @Test
  void nestedBudgets_everyLevelMustAllow_andNoneIsChargedWhenOneRefuses() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("org").global().period(Budget.Period.MONTH).limit(10).build())
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(1).build())
        .budget(Budget.builder("key").perUser().period(Budget.Period.DAY).limit(0.15).limit("vip", 5).build())
        .build();
    Switchboard sb = switchboard(budgets);

    CompletableFuture<ChatResponse> first = sb.chatAsync(request("p/m", 100, "search", "u1"));
    provider.calls.get(0).complete(answer(0, 100)); // $0.1 on org, team and key u1
    first.join();

    assertThatThrownBy(() -> sb.chat(request("p/m", 100, "search", "u1")))
        .isInstanceOf(BudgetExceededException.class).hasMessageContaining("budget 'key' for 'u1'");
    assertThat(budgets.used("org", "*", NOON).join()).as("a refused call reserves nothing anywhere")
        .isEqualByComparingTo("0.1");
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.1");

    CompletableFuture<ChatResponse> vip = sb.chatAsync(request("p/m", 100, "search", "vip"));
    provider.calls.get(1).complete(answer(0, 100));
    vip.join();
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.2");
    assertThat(budgets.used("key", "vip", NOON).join()).isEqualByComparingTo("0.1");
  }

  @Test
  void aFailedCall_releasesItsReservation() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(1).build()).build();
    Switchboard sb = switchboard(budgets);

    CompletableFuture<ChatResponse> f = sb.chatAsync(request("p/m", 100, "search", "u1"));
    provider.calls.get(0).completeExceptionally(new ServerException("boom", ErrorDetails.of("p", "m")));
    assertThatThrownBy(f::join).hasCauseInstanceOf(ServerException.class);
    assertThat(budgets.used("team", "search", NOON).join()).isZero();
  }

  @Test
  void downgrade_sendsWhatDoesNotFitToACheaperModel_ifThatFits() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(0.05).build())
        .downgradeTo("p/cheap").build();
    Switchboard sb = switchboard(budgets);

    CompletableFuture<ChatResponse> f = sb.chatAsync(request("p/m", 100, "search", "u1"));
    assertThat(provider.requests).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("cheap"));
    provider.calls.get(0).complete(answer(0, 100)); // 100 × $100/M = $0.01
    assertThat(f.join().attempts()).singleElement().satisfies(a -> assertThat(a.model()).isEqualTo("cheap"));
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.01");
  }

  @Test
  void anUnpricedModel_isRefused_unlessExempt() {
    FakeAdapter local = new FakeAdapter("ollama");
    Budgets strict = Budgets.builder()
        .budget(Budget.builder("org").global().period(Budget.Period.DAY).limit(1).build()).build();
    Switchboard sb = Switchboard.builder().provider(local).prices(prices).interceptor(strict).build();
    assertThatThrownBy(() -> sb.chat(ChatRequest.of("ollama/llama3", "hi")))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("model 'ollama/llama3' has no price")
        .hasMessageContaining("exempt it");

    Budgets lenient = Budgets.builder()
        .budget(Budget.builder("org").global().period(Budget.Period.DAY).limit(1).build())
        .exemptProvider("ollama").build();
    Switchboard exempt = Switchboard.builder().provider(local).prices(prices).interceptor(lenient).build();
    CompletableFuture<ChatResponse> f = exempt.chatAsync(ChatRequest.of("ollama/llama3", "hi"));
    local.calls.get(0).complete(answer(10, 10));
    assertThat(f.join().text()).isEqualTo("ok");
  }

  @Test
  void aStream_settlesWhenItCompletes_andReleasesWhenClosedEarly() {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(1).build()).build();
    Switchboard sb = switchboard(budgets);

    try (ChatStream stream = sb.stream(request("p/m", 100, "search", "u1"))) {
      assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.100002");
      provider.streams.get(0).emit(new ChatEvent.TextDelta("ok"));
      provider.streams.get(0).emit(new ChatEvent.Completed(ChatResponse.builder().text("ok")
          .finishReason(FinishReason.STOP).usage(Usage.of(1, 30)).build()));
      provider.streams.get(0).complete();
      stream.forEach(e -> { });
    }
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.030001");

    ChatStream abandoned = sb.stream(request("p/m", 100, "search", "u1"));
    abandoned.close(); // nothing streamed: the prompt's 2 estimated input tokens are what may be billed
    assertThat(budgets.used("team", "search", NOON).join()).isEqualByComparingTo("0.030003");
  }

  @Test
  void sixtyFourThreadsSpendingAgainstOneBudget_neverOverspend_andFailuresGiveBack() throws Exception {
    Budgets budgets = Budgets.builder()
        .budget(Budget.builder("org").global().period(Budget.Period.DAY).limit(1.00).build()).build();
    FakeAdapter instant = new FakeAdapter("p") {
      private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

      @Override
      public CompletableFuture<ChatResponse> chat(ChatRequest request) {
        // every fifth call fails after the reservation; the others spend 1 input + 50 output tokens
        return n.incrementAndGet() % 5 == 0
            ? CompletableFuture.failedFuture(new ServerException("boom", ErrorDetails.of("p", "m")))
            : CompletableFuture.completedFuture(BudgetsTest.answer(1, 50));
      }
    };
    Switchboard sb = Switchboard.builder().provider(instant).prices(prices)
        .clock(Clock.fixed(NOON, ZoneOffset.UTC)).interceptor(budgets).build();
    int threads = 64;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<int[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        start.await();
        int[] counts = new int[3]; // answered, refused, failed
        for (int i = 0; i < 20; i++) {
          try {
            sb.chat(request("p/m", 100, "search", "u1"));
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
    for (Future<int[]> r : results) {
      int[] c = r.get();
      answered += c[0];
      refused += c[1];
    }
    pool.shutdown();

    BigDecimal used = budgets.used("org", "*", NOON).join();
    BigDecimal perAnswer = new BigDecimal("0.050001"); // 1 × $1/M + 50 × $1,000/M
    assertThat(used).as("exactly the answered calls, failures gave their reservations back")
        .isEqualByComparingTo(perAnswer.multiply(BigDecimal.valueOf(answered)));
    assertThat(used).isLessThanOrEqualTo(BigDecimal.ONE);
    assertThat(refused).as("the budget ran out").isPositive();
    assertThat(answered).as("and was spent").isPositive();
  }
}
