package dev.switchboard.eval;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.Usage;
import dev.switchboard.spi.Futures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The state of one {@link Evaluation} run: per-provider queues, slots in flight, results. Not API. */
final class EvaluationRun {

/** One (example, model) request to make. */
private record Task(Example example, String model) {}

private final Evaluation ev;
  private final Object lock = new Object();
  private final Map<String, ArrayDeque<Task>> queues = new LinkedHashMap<>();
  private final Map<String, Long> nextSlot = new LinkedHashMap<>();
  private final List<String> providerOrder;
  private final Map<RunFile.Key, EvalResult> results = new ConcurrentHashMap<>();
  private final Set<Object> active = ConcurrentHashMap.newKeySet();
  private final AtomicInteger wip = new AtomicInteger();
  final CompletableFuture<EvalReport> done = new CompletableFuture<>();
  private final int reused;
  private int inFlight;
  private int remaining;
  private int next;
  private long wakeAt = Long.MAX_VALUE;
  private boolean stopped;
  RunFile file;
  private ProgressBar bar;

  EvaluationRun(Evaluation ev, Map<String, String> providers, Map<RunFile.Key, EvalResult> earlier) {
    this.ev = ev;
    Set<String> order = new LinkedHashSet<>(providers.values());
    this.providerOrder = List.copyOf(order);
    for (String p : order) {
      queues.put(p, new ArrayDeque<>());
      nextSlot.put(p, Long.MIN_VALUE);
    }
    int kept = 0;
    for (Example e : ev.dataset) {
      for (String model : ev.models) {
        RunFile.Key key = new RunFile.Key(e.id(), model);
        EvalResult before = earlier.get(key);
        if (before != null && (before.succeeded() || !ev.retryFailed)) {
          results.put(key, before);
          kept++;
        } else {
          queues.get(providers.get(model)).add(new Task(e, model));
          remaining++;
        }
      }
    }
    this.reused = kept;
    done.whenComplete((report, error) -> {
      if (done.isCancelled()) {
        stop();
      }
    });
  }

  void begin() {
    if (ev.progress != null) {
      bar = new ProgressBar(ev.progress, ev.ticker, remaining);
    }
    if (remaining == 0) {
      complete();
      return;
    }
    pump();
  }

  /** Starts what may start now; re-entrant calls (a call that completes at once) fold into one loop. */
  void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      List<Task> start = new ArrayList<>();
      synchronized (lock) {
        if (!stopped) {
          long now = ev.ticker.read();
          while (inFlight < ev.concurrency) {
            Task t = nextReady(now);
            if (t == null) {
              break;
            }
            inFlight++;
            start.add(t);
          }
          if (inFlight < ev.concurrency) {
            wakeForNextSlot(now);
          }
        }
      }
      for (Task t : start) {
        launch(t);
      }
    } while (wip.decrementAndGet() != 0);
  }

  /** The next task of a provider whose rate limit lets it go now, providers taking turns. */
  private Task nextReady(long now) {
    for (int i = 0; i < providerOrder.size(); i++) {
      String p = providerOrder.get((next + i) % providerOrder.size());
      ArrayDeque<Task> q = queues.get(p);
      long slot = nextSlot.get(p);
      if (q.isEmpty() || slot > now) {
        continue;
      }
      Double rps = ev.rateLimits.get(p);
      if (rps != null) {
        nextSlot.put(p, Math.max(slot, now) + Math.round(1e9 / rps));
      }
      next = (next + i + 1) % providerOrder.size();
      return q.poll();
    }
    return null;
  }

  private void wakeForNextSlot(long now) {
    long earliest = Long.MAX_VALUE;
    for (String p : providerOrder) {
      if (!queues.get(p).isEmpty()) {
        earliest = Math.min(earliest, nextSlot.get(p));
      }
    }
    if (earliest == Long.MAX_VALUE || earliest <= now || earliest >= wakeAt) {
      return;
    }
    wakeAt = earliest;
    final long at = earliest;
    ev.scheduler.schedule(Duration.ofNanos(at - now), () -> {
      synchronized (lock) {
        if (wakeAt == at) {
          wakeAt = Long.MAX_VALUE;
        }
      }
      pump();
    });
  }

  private void launch(Task task) {
    ChatRequest request;
    long start = ev.ticker.read();
    try {
      request = ev.request(task.example(), task.model());
      if (ev.stream) {
        ChatStream s = ev.client.stream(request);
        active.add(s);
        s.subscribe(new Handler(task, start, s));
      } else {
        CompletableFuture<ChatResponse> call = ev.client.chatAsync(request);
        active.add(call);
        call.whenComplete((response, error) -> {
          active.remove(call);
          answered(task, start, null, response, error);
        });
      }
    } catch (RuntimeException e) {
      answered(task, start, null, null, e);
    }
  }

  /** Streams a call's events, noting when the first content arrives. */
  private final class Handler implements ChatStreamHandler {
    private final Task task;
    private final long start;
    private final ChatStream stream;
    private Long firstToken;

    Handler(Task task, long start, ChatStream stream) {
      this.task = task;
      this.start = start;
      this.stream = stream;
    }

    @Override
    public void onEvent(ChatEvent event) {
      if (firstToken == null && (event instanceof ChatEvent.TextDelta || event instanceof ChatEvent.ReasoningDelta
          || event instanceof ChatEvent.RefusalDelta || event instanceof ChatEvent.ToolCallDelta)) {
        firstToken = ev.ticker.read() - start;
      }
    }

    @Override
    public void onComplete(ChatResponse response) {
      active.remove(stream);
      stream.close();
      answered(task, start, firstToken, response, null);
    }

    @Override
    public void onError(ChatException error) {
      active.remove(stream);
      stream.close();
      answered(task, start, firstToken, null, error);
    }
  }

  private void answered(Task task, long start, Long firstToken, ChatResponse response, Throwable error) {
    Duration latency = Duration.ofNanos(Math.max(0, ev.ticker.read() - start));
    if (isStopped()) {
      return;
    }
    EvalResult.Builder b = EvalResult.builder().id(task.example().id()).model(task.model()).latency(latency)
        .timeToFirstToken(firstToken == null ? null : Duration.ofNanos(firstToken));
    if (error != null) {
      Throwable cause = Futures.unwrap(error);
      List<Attempt> attempts = cause instanceof ChatException ce ? ce.attempts() : List.of();
      Usage usage = Usage.ZERO;
      for (Attempt a : attempts) {
        usage = usage.plus(a.usage());
      }
      record(b.usage(usage).cost(cost(attempts)).error(cause.getClass().getSimpleName())
          .errorMessage(String.valueOf(cause.getMessage())).build());
      return;
    }
    String answer = response.text();
    b.answer(answer).usage(response.usage())
        .cost(response.cacheHit().isPresent() ? BigDecimal.ZERO : cost(response.attempts()));
    CompletableFuture<Double> score;
    try {
      score = ev.scorer.scoreAsync(task.example(), answer);
    } catch (RuntimeException e) {
      score = CompletableFuture.failedFuture(e);
    }
    score.whenComplete((value, failure) -> {
      if (failure != null) {
        Throwable cause = Futures.unwrap(failure);
        b.scoreError(cause.getClass().getSimpleName() + ": " + cause.getMessage());
      } else if (value == null || !Double.isFinite(value)) {
        b.scoreError("ev.scorer '" + ev.scorer.name() + "' gave " + value + ", not a finite number");
      } else {
        b.score(value);
      }
      record(b.build());
    });
  }

  private BigDecimal cost(List<Attempt> attempts) {
    BigDecimal sum = null;
    for (Attempt a : attempts) {
      if (a.cost().isPresent()) {
        sum = (sum == null ? BigDecimal.ZERO : sum).add(a.cost().get().total());
      }
    }
    return sum;
  }

  private void record(EvalResult result) {
    try {
      if (file != null) {
        file.write(result);
      }
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    results.put(new RunFile.Key(result.id(), result.model()), result);
    if (bar != null) {
      bar.advance(!result.succeeded());
    }
    boolean last;
    synchronized (lock) {
      inFlight--;
      remaining--;
      last = remaining == 0 && !stopped;
      if (last) {
        stopped = true;
      }
    }
    if (last) {
      complete();
    } else {
      pump();
    }
  }

  private boolean isStopped() {
    synchronized (lock) {
      return stopped;
    }
  }

  private void complete() {
    try {
      closeFile();
    } catch (IOException e) {
      done.completeExceptionally(new UncheckedIOException("could not close the run file: " + e.getMessage(), e));
      return;
    }
    if (bar != null) {
      bar.finish();
    }
    List<EvalResult> ordered = new ArrayList<>();
    for (Example e : ev.dataset) {
      for (String model : ev.models) {
        EvalResult r = results.get(new RunFile.Key(e.id(), model));
        if (r != null) {
          ordered.add(r);
        }
      }
    }
    done.complete(new EvalReport(ev.dataset.name(), ev.reportSettings(reused), ev.models, ordered));
  }

  private void fail(Throwable error) {
    stop();
    done.completeExceptionally(error);
  }

  /** Stops sending, cancels what is in flight and closes the run file. */
  private void stop() {
    synchronized (lock) {
      stopped = true;
      queues.values().forEach(ArrayDeque::clear);
    }
    for (Object o : List.copyOf(active)) {
      if (o instanceof CompletableFuture<?> f) {
        f.cancel(true);
      } else if (o instanceof ChatStream s) {
        s.close();
      }
    }
    active.clear();
    try {
      closeFile();
    } catch (IOException e) {
      // the run is over either way; what was flushed stays
    }
    if (bar != null) {
      bar.finish();
    }
  }

  private void closeFile() throws IOException {
    if (file != null) {
      file.close();
    }
  }
}

