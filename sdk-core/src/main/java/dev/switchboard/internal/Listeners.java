package dev.switchboard.internal;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.CircuitState;
import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.route.ModelRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to every listener; a listener that throws is logged and skipped. Not API. */
public final class Listeners implements ChatListener {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final List<ChatListener> listeners;

  public Listeners(List<ChatListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  public boolean isEmpty() {
    return listeners.isEmpty();
  }

  /** These listeners plus those {@code factories} make for {@code call}; these alone if there are none. */
  public Listeners forCall(List<ChatListener.Factory> factories, CallInfo call) {
    if (factories.isEmpty()) {
      return this;
    }
    List<ChatListener> all = new ArrayList<>(listeners);
    for (ChatListener.Factory factory : factories) {
      try {
        ChatListener created = factory.create(call);
        if (created != null) {
          all.add(created);
        }
      } catch (RuntimeException e) {
        log.warn("ChatListener.Factory {} threw; factories must not throw", factory.getClass().getName(), e);
      }
    }
    return new Listeners(all);
  }

  private void each(String event, Consumer<ChatListener> action) {
    for (ChatListener l : listeners) {
      try {
        action.accept(l);
      } catch (RuntimeException e) {
        log.warn("ChatListener {} threw from {}; listeners must not throw", l.getClass().getName(), event, e);
      }
    }
  }

  @Override
  public void callStart(CallInfo call) {
    each("callStart", l -> l.callStart(call));
  }

  @Override
  public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
    each("attemptStart", l -> l.attemptStart(call, attemptId, target));
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    each("attemptEnd", l -> l.attemptEnd(call, attemptId, attempt));
  }

  @Override
  public void cacheHit(CallInfo call, String cache, double similarity) {
    each("cacheHit", l -> l.cacheHit(call, cache, similarity));
  }

  @Override
  public void firstEvent(CallInfo call, Duration latency) {
    each("firstEvent", l -> l.firstEvent(call, latency));
  }

  @Override
  public void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {
    each("retryScheduled", l -> l.retryScheduled(call, failure, nextAttempt, delay));
  }

  @Override
  public void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {
    each("fallback", l -> l.fallback(call, fromModel, toModel, cause));
  }

  @Override
  public void hedgeStarted(CallInfo call, String model, Duration after) {
    each("hedgeStarted", l -> l.hedgeStarted(call, model, after));
  }

  @Override
  public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
    each("timeout", l -> l.timeout(call, kind, limit));
  }

  @Override
  public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
    each("circuitStateChanged", l -> l.circuitStateChanged(provider, model, from, to));
  }

  @Override
  public void routed(CallInfo call, dev.switchboard.RouteChoice choice, List<String> candidates) {
    each("routed", l -> l.routed(call, choice, candidates));
  }

  @Override
  public void cacheLookup(CallInfo call, String cache, boolean hit, java.time.Duration latency) {
    each("cacheLookup", l -> l.cacheLookup(call, cache, hit, latency));
  }

  @Override
  public void cacheUnavailable(CallInfo call, String cache, Throwable error) {
    each("cacheUnavailable", l -> l.cacheUnavailable(call, cache, error));
  }

  @Override
  public void feedback(dev.switchboard.observe.Feedback feedback) {
    each("feedback", l -> l.feedback(feedback));
  }

  @Override
  public void callEnd(CallInfo call, ChatResponse response) {
    each("callEnd", l -> l.callEnd(call, response));
  }

  @Override
  public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
    each("embeddingEnd", l -> l.embeddingEnd(call, response));
  }

  @Override
  public void callFailed(CallInfo call, ChatException error) {
    each("callFailed", l -> l.callFailed(call, error));
  }

  @Override
  public void callCancelled(CallInfo call) {
    each("callCancelled", l -> l.callCancelled(call));
  }
}
