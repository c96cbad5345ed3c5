package dev.switchboard.testkit;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link ChatListener} that records every event as a line of text, per call and in order, so a
 * test can assert on what happened without a recorder of its own:
 *
 * <pre>{@code
 * RecordingListener events = new RecordingListener();
 * Switchboard sb = Switchboard.builder().provider(p).listener(events).build();
 * sb.chat(ChatRequest.of("openai/gpt-4o-mini", "hi"));
 * assertThat(events.lines()).containsExactly(
 *     "callStart openai/gpt-4o-mini", "attemptStart 1 openai/gpt-4o-mini",
 *     "attemptEnd 1 openai ok", "callEnd");
 * events.assertEveryCallEndedOnce();
 * }</pre>
 *
 * <p>Lines: {@code callStart <model>}, {@code attemptStart <id> <provider/model>}, {@code
 * attemptEnd <id> <provider> <ok|failure>}, {@code firstEvent}, {@code retry <next> in <ms>ms
 * after <Failure>}, {@code fallback <from> -> <to> on <Failure>}, {@code hedge <model> after
 * <ms>ms}, {@code timeout <KIND> <ms>ms}, {@code cacheHit <cache>}, {@code circuit <provider/model>
 * <FROM> -> <TO>}, {@code callEnd}, {@code embeddingEnd}, {@code callFailed <Failure>}, {@code
 * callCancelled}. Thread-safe.
 */
public final class RecordingListener implements ChatListener {
  /** One recorded event: the call it belongs to (0 for breaker transitions) and its line. */
  public record Event(long callId, String line) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

  private record Waiter(Predicate<Attempt> matches, CompletableFuture<Attempt> future) {}

  /** Every event so far, in the order they happened. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** Every event's line so far, in order. */
  public List<String> lines() {
    return events.stream().map(Event::line).toList();
  }

  /** The lines of one call, in order. */
  public List<String> lines(long callId) {
    return events.stream().filter(e -> e.callId() == callId).map(Event::line).toList();
  }

  /** Lines that start with {@code prefix}, e.g. {@code "retry"}. */
  public List<String> lines(String prefix) {
    return events.stream().map(Event::line).filter(l -> l.startsWith(prefix)).toList();
  }

  /** Every attempt that ended, in the order they ended. */
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Completes with the first ended attempt (past or future) that {@code matches}. */
  public CompletableFuture<Attempt> attemptEnded(Predicate<Attempt> matches) {
    CompletableFuture<Attempt> future = new CompletableFuture<>();
    waiters.add(new Waiter(matches, future));
    for (Attempt a : attempts) {
      if (matches.test(a)) {
        future.complete(a);
      }
    }
    return future;
  }

  /**
   * How many terminal events ({@code callEnd}, {@code embeddingEnd}, {@code callFailed}, {@code
   * callCancelled}) each started call got.
   */
  public Map<Long, Integer> terminalEventsPerCall() {
    Map<Long, Integer> counts = new LinkedHashMap<>();
    for (Event e : events) {
      if (e.line().startsWith("callStart")) {
        counts.putIfAbsent(e.callId(), 0);
      } else if (isTerminal(e.line())) {
        counts.merge(e.callId(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /**
   * Throws {@link AssertionError} unless every call that started ended in exactly one terminal event
   * with no event of that call after it, naming the calls that did not.
   */
  public void assertEveryCallEndedOnce() {
    List<String> problems = new ArrayList<>();
    terminalEventsPerCall().forEach((id, n) -> {
      if (n != 1) {
        problems.add("call " + id + " has " + n + " terminal events: " + lines(id));
      }
    });
    Map<Long, Boolean> ended = new LinkedHashMap<>();
    for (Event e : events) {
      if (e.callId() != 0 && Boolean.TRUE.equals(ended.get(e.callId())) && !isTerminal(e.line())) {
        problems.add("call " + e.callId() + " got '" + e.line() + "' after its terminal event");
      }
      if (isTerminal(e.line())) {
        ended.put(e.callId(), true);
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(problems.size() + " calls broke the one-terminal-event rule:\n  "
          + String.join("\n  ", problems.subList(0, Math.min(20, problems.size()))));
    }
  }

  /** Forgets everything recorded so far. */
  public void clear() {
    events.clear();
    attempts.clear();
  }

  private static boolean isTerminal(String line) {
    return line.equals("callEnd") || line.equals("embeddingEnd") || line.startsWith("callFailed")
        || line.equals("callCancelled");
  }

  private void add(CallInfo call, String line) {
    events.add(new Event(call == null ? 0 : call.id(), line));
  }

  @Override
  public void callStart(CallInfo call) {
    add(call, "callStart " + call.model());
  }

  @Override
  public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
    add(call, "attemptStart " + attemptId + " " + target);
  }

  @Override
  public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
    attempts.add(attempt);
    add(call, "attemptEnd " + attemptId + " " + attempt.provider() + " " + attempt.failure().orElse("ok"));
    for (Waiter w : waiters) {
      if (w.matches().test(attempt)) {
        w.future().complete(attempt);
      }
    }
  }

  @Override
  public void firstEvent(CallInfo call, Duration latency) {
    add(call, "firstEvent");
  }

  @Override
  public void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {
    add(call, "retry " + nextAttempt + " in " + delay.toMillis() + "ms after " + failure.getClass().getSimpleName());
  }

  @Override
  public void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {
    add(call, "fallback " + fromModel + " -> " + toModel + " on " + cause.getClass().getSimpleName());
  }

  @Override
  public void hedgeStarted(CallInfo call, String model, Duration after) {
    add(call, "hedge " + model + " after " + after.toMillis() + "ms");
  }

  @Override
  public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
    add(call, "timeout " + kind + " " + limit.toMillis() + "ms");
  }

  @Override
  public void cacheHit(CallInfo call, String cache, double similarity) {
    add(call, "cacheHit " + cache);
  }

  @Override
  public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
    add(null, "circuit " + provider + "/" + model + " " + from + " -> " + to);
  }

  @Override
  public void callEnd(CallInfo call, ChatResponse response) {
    add(call, "callEnd");
  }

  @Override
  public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
    add(call, "embeddingEnd");
  }

  @Override
  public void callFailed(CallInfo call, ChatException error) {
    add(call, "callFailed " + error.getClass().getSimpleName());
  }

  @Override
  public void callCancelled(CallInfo call) {
    add(call, "callCancelled");
  }
}
