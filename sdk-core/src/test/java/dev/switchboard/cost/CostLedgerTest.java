package dev.switchboard.cost;

import dev.switchboard.Cost;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.OverloadedException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CostLedgerTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder()
      .price("cheap/m", ModelPrice.of(0.27, 1.10))
      .price("premium/m", ModelPrice.of(2.50, 10.00))
      .build();
  private final CostLedger ledger = new CostLedger(prices);

  @Test
  void aCallThatRetriedTwiceAndFellBackOnce_showsFourAttempts_eachWithItsOwnUsageAndCost() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build())
        .interceptor(Resilience.builder().maxAttempts(3).backoff(Duration.ofMillis(100), Duration.ofMillis(100))
            .jitter(0).build())
        .listener(ledger)
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    for (int i = 0; i < 3; i++) {
      cheap.calls.get(i).completeExceptionally(new OverloadedException("busy", ErrorDetails.of("cheap", "m")));
      time.advance(Duration.ofSeconds(1));
    }
    premium.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(1_000, 200)).build());
    assertThat(f.join().text()).isEqualTo("ok");

    List<CostLedger.Entry> entries = ledger.entries();
    assertThat(entries).extracting(CostLedger.Entry::target)
        .containsExactly("cheap/m", "cheap/m", "cheap/m", "premium/m");
    assertThat(entries).extracting(CostLedger.Entry::succeeded).containsExactly(false, false, false, true);
    assertThat(entries).allSatisfy(e -> assertThat(e.priced()).isTrue());
    assertThat(entries.stream().map(CostLedger.Entry::attemptId).distinct()).hasSize(4);
    // 1,000 × $2.50 + 200 × $10, per million
    assertThat(entries.get(3).cost().total()).isEqualByComparingTo("0.0045");
    assertThat(ledger.total().total()).isEqualByComparingTo("0.0045");
    assertThat(ledger.entries(entries.get(0).callId())).hasSize(4);
    // the same traffic all on the premium model, and on the cheap one
    assertThat(ledger.onBaseline(ModelPrice.of(0.27, 1.10)).total()).isEqualByComparingTo("0.00049");
    assertThat(ledger.byTarget().keySet()).containsExactly("cheap/m", "premium/m");
  }

  @Test
  void theSwitchboardPricesEveryAttempt_theResponseCostsTheirSum_andTheLedgerTakesThoseCosts() {
    CostLedger plain = new CostLedger(PriceCatalog.empty());
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .prices(prices)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build())
        .listener(plain)
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).completeExceptionally(new OverloadedException("busy", ErrorDetails.of("cheap", "m")));
    premium.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(1_000, 200)).build());
    ChatResponse response = f.join();

    assertThat(response.attempts().get(0).cost()).as("a refused attempt is priced, at nothing")
        .hasValueSatisfying(c -> assertThat(c.total()).isZero());
    assertThat(response.attempts().get(1).cost()).hasValueSatisfying(
        c -> assertThat(c.total()).isEqualByComparingTo("0.0045"));
    assertThat(response.cost().total()).isEqualByComparingTo("0.0045");
    assertThat(plain.entries()).extracting(e -> e.cost().total().stripTrailingZeros().toPlainString())
        .containsExactly("0", "0.0045");
    assertThat(plain.entries()).allSatisfy(e -> assertThat(e.priced()).isTrue());
  }

  @Test
  void aggregates_byRouteTenantTierAndLabel_andExportsCsvAndJsonLines() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).prices(prices)
        .alias("ranker", "cheap/m").alias("writer", "premium/m")
        .listener(ledger).build();
    call(sb, "ranker", "acme", "simple", Usage.of(1_000_000, 0), cheap);           // $0.27
    call(sb, "writer", "acme", "complex", Usage.of(0, 100_000), premium);          // $1.00
    call(sb, "ranker", "globex", "simple", Usage.of(0, 1_000_000), cheap);         // $1.10

    assertThat(ledger.byRoute()).extractingByKeys("ranker", "writer").map(c -> c.total().doubleValue())
        .containsExactly(1.37, 1.00);
    assertThat(ledger.byTenant()).extractingByKeys("acme", "globex").map(c -> c.total().doubleValue())
        .containsExactly(1.27, 1.10);
    assertThat(ledger.byTier()).extractingByKeys("simple", "complex").map(c -> c.total().doubleValue())
        .containsExactly(1.37, 1.00);
    assertThat(ledger.byLabel("team")).extractingByKeys("search").map(c -> c.total().doubleValue())
        .containsExactly(2.37);
    assertThat(ledger.byProvider()).extractingByKeys("cheap", "premium").map(c -> c.total().doubleValue())
        .containsExactly(1.37, 1.00);
    // all three answers on the premium model: 1M in × $2.50 + 100k out × $10 + 1M out × $10 = $13.50
    CostLedger.Savings savings = ledger.savings(ModelPrice.of(2.50, 10.00));
    assertThat(savings.baseline().total()).isEqualByComparingTo("13.5");
    assertThat(savings.saved()).isEqualByComparingTo("11.13");
    assertThat(savings.percent()).isCloseTo(82.444, org.assertj.core.data.Offset.offset(0.001));

    java.io.StringWriter csv = new java.io.StringWriter();
    CostLedger.writeCsv(ledger.entries(), csv);
    String[] lines = csv.toString().split("\r\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).startsWith("call_id,attempt_id,call_started_at,route,provider,model,tenant,tier,labels,");
    assertThat(lines[2]).contains(",writer,premium,m,acme,complex,team=search;tier=complex,SUCCEEDED,0,0,0,100000,0,")
        .endsWith(",false,true,1,false,0");

    java.io.StringWriter jsonl = new java.io.StringWriter();
    CostLedger.writeJsonl(ledger.entries(), jsonl);
    List<String> rows = jsonl.toString().lines().toList();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).contains("\"route\":\"ranker\"", "\"tenant\":\"acme\"", "\"input_tokens\":1000000",
        "\"cost_usd\":0.27", "\"labels\":{\"team\":\"search\",\"tier\":\"simple\"}");

    assertThat(ledger.drain()).hasSize(3);
    assertThat(ledger.entries()).isEmpty();
  }

  @Test
  void aCacheHit_costsZero_andRecordsWhatItSaved() {
    dev.switchboard.spi.Interceptor cache = new dev.switchboard.spi.Interceptor() {
      @Override
      public CompletableFuture<ChatResponse> intercept(Chain chain) {
        chain.context().events().cacheHit(chain.context().call(), "exact", 1.0);
        return CompletableFuture.completedFuture(ChatResponse.builder().provider("premium").model("m").text("cached")
            .usage(Usage.of(1_000, 200)).build());
      }
    };
    Switchboard sb = Switchboard.builder().provider(premium).prices(prices).interceptor(cache).listener(ledger)
        .build();
    ChatResponse hit = sb.chat(ChatRequest.of("premium/m", "hi"));

    assertThat(hit.cost()).isEqualTo(Cost.ZERO);
    assertThat(ledger.entries()).singleElement().satisfies(e -> {
      assertThat(e.outcome()).isEqualTo(CostLedger.Outcome.CACHE_HIT);
      assertThat(e.cost().total()).isZero();
      assertThat(e.saved().total()).isEqualByComparingTo("0.0045");
    });
    assertThat(ledger.saved().total()).isEqualByComparingTo("0.0045");
    assertThat(ledger.total().total()).isZero();
  }

  private static void call(Switchboard sb, String route, String tenant, String tier, Usage usage,
      FakeAdapter provider) {
    ChatRequest request = dev.switchboard.route.CallMetadata.attach(ChatRequest.of(route, "q"),
        dev.switchboard.route.CallMetadata.builder().tenant(tenant).label("tier", tier).label("team", "search")
            .build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(request);
    provider.calls.get(provider.calls.size() - 1).complete(ChatResponse.builder().text("ok").usage(usage).build());
    f.join();
  }

  @Test
  void aHedgedCall_costsTheCancelledLoserFromItsEstimatedUsage_flaggedEstimated() {
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").hedgeAfter(Duration.ofMillis(800))
            .build())
        .listener(ledger)
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "a question of some length"));
    time.advance(Duration.ofMillis(800)); // premium starts alongside cheap
    premium.calls.get(0).complete(ChatResponse.builder().text("fast").usage(Usage.of(1_000, 200)).build());
    assertThat(f.join().text()).isEqualTo("fast");

    assertThat(ledger.entries()).extracting(CostLedger.Entry::target).containsExactlyInAnyOrder("cheap/m", "premium/m");
    CostLedger.Entry loser = ledger.entries().stream().filter(e -> e.provider().equals("cheap")).findFirst()
        .orElseThrow();
    assertThat(loser.succeeded()).isFalse();
    assertThat(loser.usage().estimated()).isTrue();
    assertThat(loser.usage().inputTokens()).as("the prompt was sent: its tokens are estimated").isPositive();
    assertThat(loser.cost().estimated()).isTrue();
    assertThat(loser.cost().total()).isPositive();
    assertThat(ledger.total().estimated()).isTrue();
  }

  @Test
  void anUnknownModel_isRecordedUnpriced_notDropped() {
    FakeAdapter other = new FakeAdapter("other");
    Switchboard sb = Switchboard.builder().provider(other).listener(ledger).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("other/x", "hi"));
    other.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(10, 10)).build());
    f.join();

    assertThat(ledger.entries()).singleElement().satisfies(e -> {
      assertThat(e.priced()).isFalse();
      assertThat(e.cost()).isEqualTo(Cost.ZERO);
      assertThat(e.usage()).isEqualTo(Usage.of(10, 10));
    });
  }
}
