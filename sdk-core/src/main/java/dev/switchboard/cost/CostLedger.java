package dev.switchboard.cost;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.route.CallMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A {@link ChatListener} that records what every attempt of every call cost, failed, cancelled and
 * hedged ones included, and what every cache hit saved: register it with {@code
 * Switchboard.builder().listener(ledger)}. It adds up by model, provider, route (the model string
 * the caller used), tier, tenant and label, exports CSV and JSON lines, and prices the same
 * traffic on another model ({@link #savings}) so that savings are a number.
 *
 * <p>An attempt is costed as the {@code Switchboard} priced it ({@link Attempt#cost()}); one it
 * did not price is priced from this ledger's catalog, else recorded unpriced (cost zero, {@link
 * Entry#priced()} false) rather than dropped. A cache hit costs zero and saves what its answer's
 * usage costs at the answering model's price.
 *
 * <p>Entries stay in memory until {@link #drain()}ed: fit for a report, an evaluation or a batch;
 * a long-running service drains it on a schedule or counts through metrics instead. Thread-safe;
 * recording is a lock-free append.
 */
public final class CostLedger implements ChatListener {
  /** The label that names a call's tier: the caller's, else the tier a router chose ({@code routed}). */
  public static final String TIER_LABEL = "tier";

  /** How an entry's call or attempt ended. */
  public enum Outcome {
    SUCCEEDED, FAILED, CANCELLED,
    /** Answered from a cache: no attempt, no cost, {@link Entry#saved()} what the answer cost once. */
    CACHE_HIT
  }

  /**
   * One attempt, or one cache hit ({@code attemptId} 0): the call it belongs to, when the call
   * started, the route (the model string the caller used), where the attempt went, the call's
   * tenant and labels, the usage and what it cost, and for a cache hit what it saved.
   */
  public record Entry(long callId, int attemptId, Instant callStartedAt, String route, String provider, String model,
      String tenant, Map<String, String> labels, Usage usage, Cost cost, boolean priced, Outcome outcome,
      Cost saved) {
    public Entry {
      Objects.requireNonNull(callStartedAt, "callStartedAt");
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(tenant, "tenant");
      labels = Map.copyOf(labels);
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(cost, "cost");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(saved, "saved");
    }

    /** {@code "provider/model"}. */
    public String target() {
      return provider + "/" + model;
    }

    public boolean succeeded() {
      return outcome == Outcome.SUCCEEDED;
    }

    /** The call's tier label, or {@code ""}. */
    public String tier() {
      return labels.getOrDefault(TIER_LABEL, "");
    }
  }

  /**
   * What the recorded traffic cost and what it would have cost on a baseline model: each
   * answered call's answer (or cache hit) at the baseline price, failed attempts left out.
   */
  public record Savings(Cost actual, Cost baseline) {
    /** {@code baseline - actual}, in dollars. */
    public BigDecimal saved() {
      return baseline.total().subtract(actual.total());
    }

    /** The share saved, 0..100 (negative when the baseline is cheaper); 0 for an empty baseline. */
    public double percent() {
      BigDecimal b = baseline.total();
      return b.signum() == 0 ? 0 : saved().multiply(BigDecimal.valueOf(100)).divide(b, MathContext.DECIMAL64)
          .doubleValue();
    }
  }

  private final PriceCatalog catalog;
  private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
  private final Map<Long, String> pendingCacheHits = new ConcurrentHashMap<>();
  private final Map<Long, String> tiers = new ConcurrentHashMap<>();

  /**
   * A ledger that takes each attempt's cost as the {@code Switchboard} priced it, and prices the
   * rest, and cache savings, from {@link PriceCatalog#bundled()}.
   */
  public CostLedger() {
    this(PriceCatalog.bundled());
  }

  /** A ledger that prices attempts the {@code Switchboard} did not price, and cache savings, from {@code catalog}. */
  public CostLedger(PriceCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    Cost cost = attempt.cost().orElse(null);
    if (cost == null) {
      cost = catalog.price(attempt.target()).map(p -> p.cost(attempt.usage())).orElse(null);
    }
    Outcome outcome = attempt.succeeded() ? Outcome.SUCCEEDED
        : attempt.cancelled() ? Outcome.CANCELLED : Outcome.FAILED;
    add(call, attemptId, attempt.provider(), attempt.model(), attempt.usage(), cost, outcome, Cost.ZERO);
  }

  @Override
  public void routed(CallInfo call, dev.switchboard.RouteChoice choice, List<String> candidates) {
    choice.tier().ifPresent(tier -> tiers.put(call.id(), tier));
  }

  @Override
  public void cacheHit(CallInfo call, String cache, double similarity) {
    pendingCacheHits.put(call.id(), cache);
  }

  @Override
  public void callEnd(CallInfo call, ChatResponse response) {
    if (pendingCacheHits.remove(call.id()) != null || response.cacheHit().isPresent()) {
      Cost saved = response.cacheHit().map(dev.switchboard.CacheHit::saved).filter(c -> !c.isZero()).orElseGet(() -> {
        ModelPrice price = catalog.price(response.provider() + "/" + response.model()).orElse(null);
        return price != null ? price.cost(response.usage()) : Cost.ZERO;
      });
      add(call, 0, response.provider(), response.model(), response.usage(), Cost.ZERO, Outcome.CACHE_HIT, saved);
    }
    tiers.remove(call.id());
  }

  @Override
  public void callFailed(CallInfo call, ChatException error) {
    pendingCacheHits.remove(call.id());
    tiers.remove(call.id());
  }

  @Override
  public void callCancelled(CallInfo call) {
    pendingCacheHits.remove(call.id());
    tiers.remove(call.id());
  }

  private void add(CallInfo call, int attemptId, String provider, String model, Usage usage, Cost cost,
      Outcome outcome, Cost saved) {
    CallMetadata meta = call.kind() == CallInfo.Kind.EMBEDDING ? CallMetadata.NONE : CallMetadata.of(call.request());
    Map<String, String> labels = meta.labels();
    String tier = tiers.get(call.id());
    if (tier != null && !labels.containsKey(TIER_LABEL)) {
      labels = new java.util.HashMap<>(labels);
      labels.put(TIER_LABEL, tier);
    }
    entries.add(new Entry(call.id(), attemptId, call.startedAt(), call.model(), provider, model, meta.tenant(),
        labels, usage, cost == null ? Cost.ZERO : cost, cost != null || outcome == Outcome.CACHE_HIT, outcome,
        saved));
  }

  /** Every entry so far, in the order recorded. */
  public List<Entry> entries() {
    return List.copyOf(new ArrayList<>(entries));
  }

  /** The entries of one call. */
  public List<Entry> entries(long callId) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.callId() == callId) {
        out.add(e);
      }
    }
    return out;
  }

  /** Removes and returns every entry recorded so far (to export them and keep memory bounded). */
  public List<Entry> drain() {
    List<Entry> out = new ArrayList<>();
    for (Entry e; (e = entries.poll()) != null; ) {
      out.add(e);
    }
    return out;
  }

  /** What everything cost. */
  public Cost total() {
    Cost sum = Cost.ZERO;
    for (Entry e : entries) {
      sum = sum.plus(e.cost());
    }
    return sum;
  }

  /** What cache hits saved. */
  public Cost saved() {
    Cost sum = Cost.ZERO;
    for (Entry e : entries) {
      sum = sum.plus(e.saved());
    }
    return sum;
  }

  /** Cost added up by {@code key} of each entry, in the order keys were first seen. */
  public Map<String, Cost> totalBy(Function<Entry, String> key) {
    Map<String, Cost> out = new LinkedHashMap<>();
    for (Entry e : entries) {
      out.merge(key.apply(e), e.cost(), Cost::plus);
    }
    return out;
  }

  /** By {@code "provider/model"}. */
  public Map<String, Cost> byTarget() {
    return totalBy(Entry::target);
  }

  public Map<String, Cost> byProvider() {
    return totalBy(Entry::provider);
  }

  /** By the model string callers used (an alias or a route). */
  public Map<String, Cost> byRoute() {
    return totalBy(Entry::route);
  }

  public Map<String, Cost> byTier() {
    return totalBy(Entry::tier);
  }

  public Map<String, Cost> byTenant() {
    return totalBy(Entry::tenant);
  }

  /** By the value of label {@code key} ({@code ""} for calls without it). */
  public Map<String, Cost> byLabel(String key) {
    return totalBy(e -> e.labels().getOrDefault(key, ""));
  }

  /**
   * What the same answers would have cost on {@code baseline} (e.g. the all-premium model): every
   * successful attempt's and cache hit's usage at that price.
   */
  public Cost onBaseline(ModelPrice baseline) {
    Cost sum = Cost.ZERO;
    for (Entry e : entries) {
      if (e.outcome() == Outcome.SUCCEEDED || e.outcome() == Outcome.CACHE_HIT) {
        sum = sum.plus(baseline.cost(e.usage()));
      }
    }
    return sum;
  }

  /** {@link #total()} beside {@link #onBaseline}. */
  public Savings savings(ModelPrice baseline) {
    return new Savings(total(), onBaseline(baseline));
  }

  private static final String[] COLUMNS = {"call_id", "attempt_id", "call_started_at", "route", "provider", "model",
      "tenant", "tier", "labels", "outcome", "input_tokens", "cached_input_tokens", "cache_write_input_tokens",
      "output_tokens", "reasoning_tokens", "usage_estimated", "priced", "cost_usd", "cost_estimated", "saved_usd"};

  /** Writes {@code entries} as CSV (RFC 4180, a header row, labels sorted as {@code k=v;k=v}). */
  public static void writeCsv(List<Entry> entries, Writer out) {
    try {
      out.write(String.join(",", COLUMNS));
      out.write("\r\n");
      for (Entry e : entries) {
        StringBuilder labels = new StringBuilder();
        new java.util.TreeMap<>(e.labels()).forEach((k, v) -> labels.append(labels.length() == 0 ? "" : ";").append(k).append('=').append(v));
        Usage u = e.usage();
        Object[] row = {e.callId(), e.attemptId(), e.callStartedAt(), e.route(), e.provider(), e.model(), e.tenant(),
            e.tier(), labels, e.outcome(), u.inputTokens(), u.cachedInputTokens(), u.cacheWriteInputTokens(),
            u.outputTokens(), u.reasoningTokens(), u.estimated(), e.priced(), plain(e.cost().total()),
            e.cost().estimated(), plain(e.saved().total())};
        for (int i = 0; i < row.length; i++) {
          if (i > 0) {
            out.write(',');
          }
          out.write(csvField(String.valueOf(row[i])));
        }
        out.write("\r\n");
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the cost ledger as CSV", e);
    }
  }

  /** Writes {@code entries} as JSON lines, one object per entry, with the CSV's fields. */
  public static void writeJsonl(List<Entry> entries, Writer out) {
    try {
      JsonGenerator json = new JsonFactory().createGenerator(out);
      json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      json.configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);
      for (Entry e : entries) {
        Usage u = e.usage();
        json.writeStartObject();
        json.writeNumberField("call_id", e.callId());
        json.writeNumberField("attempt_id", e.attemptId());
        json.writeStringField("call_started_at", e.callStartedAt().toString());
        json.writeStringField("route", e.route());
        json.writeStringField("provider", e.provider());
        json.writeStringField("model", e.model());
        json.writeStringField("tenant", e.tenant());
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> l : new java.util.TreeMap<>(e.labels()).entrySet()) {
          json.writeStringField(l.getKey(), l.getValue());
        }
        json.writeEndObject();
        json.writeStringField("outcome", e.outcome().name());
        json.writeNumberField("input_tokens", u.inputTokens());
        json.writeNumberField("cached_input_tokens", u.cachedInputTokens());
        json.writeNumberField("cache_write_input_tokens", u.cacheWriteInputTokens());
        json.writeNumberField("output_tokens", u.outputTokens());
        json.writeNumberField("reasoning_tokens", u.reasoningTokens());
        json.writeBooleanField("usage_estimated", u.estimated());
        json.writeBooleanField("priced", e.priced());
        json.writeNumberField("cost_usd", e.cost().total().stripTrailingZeros());
        json.writeBooleanField("cost_estimated", e.cost().estimated());
        json.writeNumberField("saved_usd", e.saved().total().stripTrailingZeros());
        json.writeEndObject();
        json.writeRaw('\n');
      }
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the cost ledger as JSON lines", e);
    }
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static String csvField(String s) {
    boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  @Override
  public String toString() {
    return "CostLedger[" + entries.size() + " entries, " + total() + "]";
  }
}
