package dev.switchboard.cost;

import dev.switchboard.Attempt;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link ChatListener} that costs every attempt of every call, failed, cancelled and hedged ones
 * included, at the prices of a {@link PriceCatalog}: register it with {@code
 * Switchboard.builder().listener(ledger)}. An attempt whose model the catalog does not know is
 * recorded unpriced (cost zero, {@link Entry#priced()} false) rather than dropped; an attempt whose
 * usage was estimated (a cancelled hedge, a broken stream) has an estimated cost. Thread-safe;
 * listeners never block, so recording is a lock-free append.
 */
public final class CostLedger implements ChatListener {

  /**
   * One attempt: the call it belongs to, the attempt's id within the Switchboard, where it went,
   * its usage and what that cost.
   */
  public record Entry(long callId, int attemptId, String provider, String model, Usage usage, Cost cost,
      boolean priced, boolean succeeded) {
    public Entry {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(cost, "cost");
    }

    /** {@code "provider/model"}. */
    public String target() {
      return provider + "/" + model;
    }
  }

  private final PriceCatalog catalog;
  private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

  public CostLedger(PriceCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    String target = attempt.provider() + "/" + attempt.model();
    ModelPrice price = catalog.price(target).orElse(null);
    Cost cost = price == null ? Cost.ZERO : price.cost(attempt.usage());
    entries.add(new Entry(call.id(), attemptId, attempt.provider(), attempt.model(), attempt.usage(), cost,
        price != null, attempt.succeeded()));
  }

  /** Every attempt so far, in the order they ended. */
  public List<Entry> entries() {
    return List.copyOf(new ArrayList<>(entries));
  }

  /** The attempts of one call. */
  public List<Entry> entries(long callId) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.callId() == callId) {
        out.add(e);
      }
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

  /** What each {@code "provider/model"} cost, in the order first seen. */
  public Map<String, Cost> byTarget() {
    Map<String, Cost> out = new LinkedHashMap<>();
    for (Entry e : entries) {
      out.merge(e.target(), e.cost(), Cost::plus);
    }
    return out;
  }

  /**
   * What the same traffic would have cost on {@code baseline} (e.g. the all-premium model): every
   * attempt's usage at that price. With {@link #total()} this makes savings a number.
   */
  public Cost onBaseline(ModelPrice baseline) {
    Cost sum = Cost.ZERO;
    for (Entry e : entries) {
      sum = sum.plus(baseline.cost(e.usage()));
    }
    return sum;
  }

  @Override
  public String toString() {
    return "CostLedger[" + entries.size() + " attempts, " + total() + "]";
  }
}
