package dev.switchboard.examples.demo;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Message;
import dev.switchboard.Switchboard;
import dev.switchboard.cache.ResponseCache;
import dev.switchboard.cost.CostLedger;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.route.ComplexityScorer;
import dev.switchboard.route.TieredRouter;
import dev.switchboard.testkit.SimulatedLlm;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The story, run: a day of ranking traffic through an all-premium setup (before) and through
 * Switchboard configured like the story (after) — a cheap default model, the premium model only
 * for requests the complexity router finds hard, a semantic cache in front, a fallback when the
 * premium provider has an outage — against simulated providers over HTTP on 127.0.0.1 (the
 * story's prices, log-normal latencies, a rate limit, an outage window, answers whose quality
 * depends on the model and on how hard the query is: a documented model below). It prints the
 * before/after table and writes an HTML report and the cost ledger. Every figure comes from the run.
 *
 * <p>Quality model: a request's answer is good with probability {@code 0.97 - 0.55 d} on DeepSeek
 * V4 Flash, {@code 0.98 - 0.08 d} on GPT-4o and {@code 0.97 - 0.20 d} on DeepSeek V4 Pro, where
 * {@code d} is the query's difficulty (easy queries 0.05–0.35, hard ones 0.55–0.95); decided by a
 * hash of (query, model), so the same query gets the same verdict from the same model. A cached
 * answer is good if it was good and was made for the same query.
 */
public final class CostCuttingDemo {
  static final String SYSTEM = "You rank documents by relevance to the user's query. Answer with the document "
      + "numbers, best first, and one line on why.";
  private static final double TIME_SCALE = 0.05;
  private static dev.switchboard.examples.MetricsEndpoint METRICS;

  /** What a run measured. */
  record Result(String name, int requests, int good, int errors, BigDecimal cost, long cacheHits,
      long semanticHits, long premiumCalls, long providerCalls, long failovers, long outageErrors, long[] latencies,
      CostLedger ledger) {
    double quality() {
      return good / (double) requests;
    }

    long percentile(double p) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }
  }

  public static void main(String[] args) throws Exception {
    int size = 10_000;
    Path out = Path.of("target", "demo");
    boolean live = false;
    int metricsPort = -1;
    for (String arg : args) {
      if (arg.startsWith("--requests=")) {
        size = Integer.parseInt(arg.substring("--requests=".length()));
      } else if (arg.startsWith("--out=")) {
        out = Path.of(arg.substring("--out=".length()));
      } else if (arg.equals("--live")) {
        live = true;
      } else if (arg.equals("--serve-metrics")) {
        metricsPort = 9464;
      } else if (arg.startsWith("--serve-metrics=")) {
        metricsPort = Integer.parseInt(arg.substring("--serve-metrics=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument '" + arg + "'; known: --requests=N --out=DIR --live "
            + "--serve-metrics[=port]");
      }
    }
    if (live) {
      System.exit(LiveSample.run(RankingTraffic.day(20, 0.2, 0.4, 2026)));
      return;
    }
    METRICS = metricsPort >= 0 ? dev.switchboard.examples.MetricsEndpoint.start(metricsPort) : null;
    RankingTraffic day = RankingTraffic.day(size, 0.2, 0.4, 2026);
    System.out.printf(Locale.ROOT, "A day of ranking traffic: %,d requests, %,d distinct queries, %,d near-duplicates "
        + "(%.0f%%), simulated providers on 127.0.0.1 (latencies at 1/%d of real time, reported in real time)%n",
        size, day.intents(), day.nearDuplicates(), 100.0 * day.nearDuplicates() / size, Math.round(1 / TIME_SCALE));
    long started = System.nanoTime();
    Result before = run("all premium (before)", day, false);
    Result after = run("routed + cached (after)", day, true);
    System.out.println();
    System.out.println(table(before, after));
    Files.createDirectories(out);
    Path html = out.resolve("report.html");
    Files.writeString(html, DemoReport.html(before, after, day), StandardCharsets.UTF_8);
    try (Writer w = Files.newBufferedWriter(out.resolve("ledger-after.csv"), StandardCharsets.UTF_8)) {
      CostLedger.writeCsv(after.ledger().entries(), w);
    }
    System.out.printf(Locale.ROOT, "%nReport: %s   Ledger: %s   (%.1f s)%n", html.toAbsolutePath(),
        out.resolve("ledger-after.csv").toAbsolutePath(), (System.nanoTime() - started) / 1e9);
    if (METRICS != null) {
      System.out.println("Serving " + METRICS.url() + " for Prometheus (the after run's metrics; Grafana: "
          + "grafana/switchboard-dashboard.json); press Enter to stop");
      new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      METRICS.close();
    }
  }

  static Result run(String name, RankingTraffic day, boolean story) throws Exception {
    Map<String, RankingTraffic.Request> byText = new HashMap<>();
    day.requests().forEach(r -> byText.putIfAbsent(r.text(), r));
    AtomicInteger now = new AtomicInteger();
    int n = day.requests().size();
    // the premium provider is down for a tenth of the day, from 45% to 55% of it
    java.util.function.BooleanSupplier outage = () -> now.get() >= 0.45 * n && now.get() < 0.55 * n;
    try (SimulatedLlm flash = sim("deepseek-v4-flash", 350, 1_500, 0, () -> false, byText, 0.97, 0.55);
        SimulatedLlm gpt4o = sim("gpt-4o", 900, 3_000, 60, outage, byText, 0.98, 0.08);
        SimulatedLlm pro = sim("deepseek-v4-pro", 700, 2_500, 0, () -> false, byText, 0.97, 0.20)) {
      CostLedger ledger = new CostLedger();
      AtomicLong failovers = new AtomicLong();
      Switchboard.Builder b = Switchboard.builder()
          .provider(OpenAiProvider.builder().name("openai").baseUrl(gpt4o.baseUrl()).build())
          .provider(OpenAiProvider.builder().name("deepseek").baseUrl(flash.baseUrl()).build())
          .provider(OpenAiProvider.builder().name("deepseek-pro").baseUrl(pro.baseUrl()).build())
          .prices(PriceCatalog.bundled().toBuilder()
              .price("deepseek-pro/deepseek-v4-pro", PriceCatalog.bundled().price("deepseek/deepseek-v4-pro")
                  .orElseThrow()).build())
          .listener(ledger)
          .listener(new ChatListener() {
            @Override
            public void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {
              failovers.incrementAndGet();
            }
          });
      if (story && METRICS != null) {
        b.listener(dev.switchboard.observe.MicrometerMetrics.of(METRICS.registry()));
      }
      if (story) {
        TieredRouter router = TieredRouter.builder().name("tiered").scorer(ComplexityScorer.heuristic())
            .tier("simple", 0, "deepseek/deepseek-v4-flash")
            .tier("complex", calibrated(day), "openai/gpt-4o", "deepseek-pro/deepseek-v4-pro")
            .defaultTier("simple").minConfidence(0).build();
        b.interceptor(ResponseCache.builder().semantic().ttl(Duration.ofDays(1)).maximumSize(100_000).build())
            .interceptor(router.interceptor())
            .interceptor(Fallback.builder().build());
      }
      b.interceptor(Resilience.builder().maxAttempts(3).backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build());
      try (Switchboard llm = b.build()) {
        return drive(name, day, story ? "ranker" : "openai/gpt-4o", llm, now, ledger, failovers,
            gpt4o, flash, pro);
      }
    }
  }

  private static Result drive(String name, RankingTraffic day, String model, Switchboard llm, AtomicInteger now,
      CostLedger ledger, AtomicLong failovers, SimulatedLlm premium, SimulatedLlm... others) throws Exception {
    List<RankingTraffic.Request> requests = day.requests();
    int n = requests.size();
    Semaphore inFlight = new Semaphore(32);
    long[] latencies = new long[n];
    AtomicInteger good = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger outageErrors = new AtomicInteger();
    AtomicLong hits = new AtomicLong();
    AtomicLong semantic = new AtomicLong();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      now.set(i);
      RankingTraffic.Request r = requests.get(i);
      ChatRequest request = request(r, model);
      long start = System.nanoTime();
      int index = i;
      boolean inOutage = i >= 0.45 * n && i < 0.55 * n;
      pending.add(llm.chatAsync(request).whenComplete((response, error) -> {
        latencies[index] = (long) ((System.nanoTime() - start) / 1e6 / TIME_SCALE);
        if (error != null) {
          errors.incrementAndGet();
          if (inOutage) {
            outageErrors.incrementAndGet();
          }
        } else {

          if (goodFor(response.text(), r)) {
            good.incrementAndGet();
          }
          response.cacheHit().ifPresent(h -> {
            hits.incrementAndGet();
            if (h.cache().equals("semantic")) {
              semantic.incrementAndGet();
            }
          });
        }
        inFlight.release();
      }));
      if (pending.size() > 256) {
        pending.removeIf(CompletableFuture::isDone);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
    long premiumCalls = ledger.entries().stream().filter(e -> e.target().equals("openai/gpt-4o")).count();
    long providerCalls = ledger.entries().stream().filter(e -> e.outcome() != CostLedger.Outcome.CACHE_HIT).count();
    return new Result(name, n, good.get(), errors.get(), ledger.total().total(), hits.get(), semantic.get(),
        premiumCalls, providerCalls, failovers.get(), outageErrors.get(), latencies, ledger);
  }

  /** A ranking request: the system prompt, the candidate documents, then the query. */
  static ChatRequest request(RankingTraffic.Request r, String model) {
    return ChatRequest.builder().model(model).system(SYSTEM)
        .addMessage(Message.user(documents(r)))
        .addMessage(Message.assistant("Understood: five documents."))
        .user(r.text()).maxOutputTokens(120).temperature(0.0).build();
  }

  /** The story's setup over {@code cheap} and {@code premium} model strings, for the live sample. */
  static Switchboard.Builder storySetup(Switchboard.Builder b, String cheap, String premium, double threshold) {
    TieredRouter router = TieredRouter.builder().name("tiered").scorer(ComplexityScorer.heuristic())
        .tier("simple", 0, cheap).tier("complex", threshold, premium, cheap)
        .defaultTier("simple").minConfidence(0).build();
    return b.interceptor(ResponseCache.builder().semantic().build()).interceptor(router.interceptor())
        .interceptor(Fallback.builder().build());
  }

  static double threshold(RankingTraffic day) {
    return calibrated(day);
  }

  /** The complexity score above which the router sends a fifth of the day's first 1,000 requests to the premium model. */
  private static double calibrated(RankingTraffic day) {
    List<ChatRequest> sample = day.requests().stream().limit(1_000)
        .map(r -> request(r, "ranker")).toList();
    return TieredRouter.calibrate(ComplexityScorer.heuristic(), sample, 0.2);
  }

  private static SimulatedLlm sim(String model, long p50, long p99, int rateLimit,
      java.util.function.BooleanSupplier down, Map<String, RankingTraffic.Request> byText, double base,
      double slope) {
    Function<String, String> answers = prompt -> {
      RankingTraffic.Request r = byText.get(prompt);
      int intent = r == null ? -1 : r.intent();
      double difficulty = r == null ? 0.5 : r.difficulty();
      boolean ok = unit(model.hashCode() * 31L + intent) < base - slope * difficulty;
      return "Ranking: 2 > 5 > 1 > 4 > 3. Document 2 answers the query most directly. [intent " + intent + ": "
          + (ok ? "good" : "poor") + "]";
    };
    return SimulatedLlm.builder(model).latency(Duration.ofMillis(p50), Duration.ofMillis(p99)).timeScale(TIME_SCALE)
        .rateLimit(rateLimit).down(down).answers(answers).seed(model.hashCode()).build();
  }

  private static double unit(long x) {
    x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    x ^= x >>> 31;
    return ((x >>> 11) + 0.5) * 0x1.0p-53;
  }

  /** Good if the answer was made for this request's query and was good. */
  static boolean goodFor(String answer, RankingTraffic.Request r) {
    return answer.endsWith("[intent " + r.intent() + ": good]");
  }

  /** Five candidate documents for the query's topic: the same for every request of one query. */
  private static String documents(RankingTraffic.Request r) {
    StringBuilder b = new StringBuilder("Documents:\n");
    for (int d = 1; d <= 5; d++) {
      b.append(d).append(". Notes ").append(Math.floorMod(r.intent() * 7 + d, 97)).append(" from the internal "
          + "knowledge base: symptoms, causes, the fix we shipped, the dashboard to watch and the runbook link.\n");
    }
    return b.toString();
  }

  static String table(Result before, Result after) {
    BigDecimal saved = before.cost().subtract(after.cost());
    double savedPct = before.cost().signum() == 0 ? 0
        : saved.multiply(BigDecimal.valueOf(100)).divide(before.cost(), 4, RoundingMode.HALF_UP).doubleValue();
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "| %-34s | %18s | %18s | %14s |%n", "", "all premium (before)",
        "routed + cached", "change"));
    t.append("|").append("-".repeat(36)).append("|").append("-".repeat(20)).append("|").append("-".repeat(20))
        .append("|").append("-".repeat(16)).append("|\n");
    row(t, "requests", fmt(before.requests()), fmt(after.requests()), "");
    row(t, "cost of the day", money(before.cost()), money(after.cost()),
        String.format(Locale.ROOT, "-%.1f%%", savedPct));
    row(t, "cost per 1,000 requests", money(per1k(before)), money(per1k(after)), "");
    row(t, "a month at this volume (x30)", money(before.cost().multiply(BigDecimal.valueOf(30))),
        money(after.cost().multiply(BigDecimal.valueOf(30))), "");
    row(t, "quality (good answers)", pct(before.quality()), pct(after.quality()),
        String.format(Locale.ROOT, "%+.1f pts", 100 * (after.quality() - before.quality())));
    row(t, "cache hit rate (semantic)", pct(before.cacheHits() / (double) before.requests()),
        pct(after.cacheHits() / (double) after.requests()) + " (" + pct(after.semanticHits()
            / (double) after.requests()) + ")", "");
    row(t, "premium share of provider calls", pct(share(before)), pct(share(after)), "");
    row(t, "latency p50 / p99 (ms)", before.percentile(0.5) + " / " + before.percentile(0.99),
        after.percentile(0.5) + " / " + after.percentile(0.99), "");
    row(t, "failovers (premium outage)", fmt(before.failovers()), fmt(after.failovers()), "");
    row(t, "errors (in the outage window)", before.errors() + " (" + before.outageErrors() + ")",
        after.errors() + " (" + after.outageErrors() + ")", "");
    return t.toString();
  }

  private static double share(Result r) {
    return r.providerCalls() == 0 ? 0 : r.premiumCalls() / (double) r.providerCalls();
  }

  private static BigDecimal per1k(Result r) {
    return r.cost().multiply(BigDecimal.valueOf(1000)).divide(BigDecimal.valueOf(r.requests()), 6,
        RoundingMode.HALF_UP);
  }

  private static void row(StringBuilder t, String label, String a, String b, String change) {
    t.append(String.format(Locale.ROOT, "| %-34s | %18s | %18s | %14s |%n", label, a, b, change));
  }

  static String money(BigDecimal d) {
    return "$" + d.setScale(d.compareTo(BigDecimal.TEN) < 0 ? 4 : 2, RoundingMode.HALF_UP).toPlainString();
  }

  static String pct(double x) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  private static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private CostCuttingDemo() {}
}
