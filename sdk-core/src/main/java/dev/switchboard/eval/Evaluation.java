package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Attempt;
import dev.switchboard.ChatClient;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.Message;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.SystemScheduler;
import dev.switchboard.spi.Ticker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every example of a {@link Dataset} through each of a few models and scores the answers:
 * "run your real queries through three or four models, look at your own numbers".
 *
 * <pre>{@code
 * EvalReport report = Evaluation.builder()
 *     .client(switchboard)
 *     .dataset(Dataset.read(Path.of("queries.jsonl")))
 *     .models(List.of("openai/gpt-4o", "deepseek/deepseek-chat", "vllm/Qwen/Qwen3-32B"))
 *     .systemPrompt("Rank the documents by relevance. Answer with their ids as a JSON array.")
 *     .scorer(Scorer.ndcg(10))
 *     .concurrency(8)
 *     .rateLimit("openai", 5)          // requests per second
 *     .runFile(Path.of("target/eval/run.jsonl"))
 *     .build()
 *     .run();
 * report.writeTo(Path.of("target/eval"));
 * }</pre>
 *
 * <p>Each request is the system prompt (if any), then the example's messages, at temperature 0
 * unless set otherwise. At most {@link Builder#concurrency} requests (with their scoring) are in
 * flight; a provider with a {@linkplain Builder#rateLimit rate limit} gets its requests spaced
 * evenly, the wait holding neither a thread nor a concurrency slot, while other providers go on.
 * Requests go out example by example, model by model, so a stopped run has covered every model
 * about equally. The provider of a model string is the one a {@link Switchboard} resolves it to
 * (an unknown model fails the run before any call), else the part before its first {@code /}.
 *
 * <p>Resumable: with a {@linkplain Builder#runFile run file}, each result is appended and flushed
 * as it completes; a later run with the same file and settings asks only the (example id, model)
 * pairs the file does not have (failed ones too with {@link Builder#retryFailed}), so a run
 * stopped by a crash, Ctrl-C or {@link CompletableFuture#cancel cancelling} {@link #runAsync()}
 * resumes where it stopped, and adding a model or examples asks only for what is new. The report
 * covers the whole dataset for the given models, reused results included. A run file written with
 * other settings (system prompt, temperature, maximum output tokens, scorer, streaming) is refused.
 *
 * <p>A failed call is recorded with its exception type and the run goes on; so is a scorer's
 * failure. Nothing waits on a thread per request: calls go through {@link ChatClient#chatAsync}
 * or a subscribed {@link ChatStream}. Latency is measured with the {@link Builder#ticker} from
 * sending (after any rate-limit wait) to the end of the answer, scoring excluded.
 *
 * <p>Immutable and thread-safe; each {@link #run()} is independent (two runs must not share a run
 * file at the same time). The client is the caller's to close; a run closes its run file.
 */
public final class Evaluation {
  private final ChatClient client;
  private final Dataset dataset;
  private final List<String> models;
  private final String systemPrompt;
  private final Double temperature;
  private final Integer maxOutputTokens;
  private final Scorer scorer;
  private final int concurrency;
  private final Map<String, Double> rateLimits;
  private final boolean stream;
  private final Path runFile;
  private final boolean retryFailed;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final PrintStream progress;

  private Evaluation(Builder b) {
    this.client = b.client;
    this.dataset = b.dataset;
    this.models = List.copyOf(b.models);
    this.systemPrompt = b.systemPrompt;
    this.temperature = b.temperature;
    this.maxOutputTokens = b.maxOutputTokens;
    this.scorer = b.scorer;
    this.concurrency = b.concurrency;
    this.rateLimits = Map.copyOf(b.rateLimits);
    this.stream = b.stream;
    this.runFile = b.runFile;
    this.retryFailed = b.retryFailed;
    this.ticker = b.ticker;
    this.scheduler = b.scheduler;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the evaluation and waits for it. An interrupt cancels the run (what finished stays in
   * the run file) and throws {@link CancellationException} with the interrupt flag set.
   *
   * @throws IOException if the run file cannot be read or written
   */
  public EvalReport run() throws IOException {
    CompletableFuture<EvalReport> run = runAsync();
    try {
      return run.get();
    } catch (InterruptedException e) {
      run.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("evaluation interrupted; the run file keeps the results that finished");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /**
   * Starts the evaluation: the first requests are sent before this returns. The future completes
   * with the report; cancelling it stops the run (requests in flight are cancelled, their results
   * not recorded) and closes the run file. It fails with an {@link UncheckedIOException} if the run
   * file cannot be written.
   *
   * @throws IOException if the run file cannot be read or opened
   * @throws IllegalArgumentException if the scorer needs references the dataset lacks
   * @throws dev.switchboard.ModelNotFoundException if the client is a {@link Switchboard} that
   *     knows no such model
   */
  public CompletableFuture<EvalReport> runAsync() throws IOException {
    if (scorer.requiresReference()) {
      List<String> missing = dataset.examples().stream().filter(e -> e.reference().isEmpty()).map(Example::id)
          .limit(5).toList();
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("scorer '" + scorer.name() + "' compares answers with a reference, but "
            + "dataset " + dataset.name() + " has examples without one: " + String.join(", ", missing)
            + (missing.size() == 5 ? ", ..." : ""));
      }
    }
    Map<String, String> providers = new LinkedHashMap<>();
    for (String model : models) {
      providers.put(model, client instanceof Switchboard sb ? sb.resolve(model).provider() : prefix(model));
    }
    ObjectNode settings = settings();
    Map<RunFile.Key, EvalResult> earlier = new LinkedHashMap<>();
    boolean hasSettings = false;
    if (runFile != null) {
      RunFile.Contents contents = RunFile.read(runFile);
      if (contents.settings() != null) {
        hasSettings = true;
        requireSameSettings(contents.settings(), settings);
      }
      earlier.putAll(contents.results());
    }
    Run run = new Run(providers, earlier);
    run.file = runFile == null ? null : RunFile.append(runFile, settings, hasSettings);
    run.begin();
    return run.done;
  }

  private static String prefix(String model) {
    int slash = model.indexOf('/');
    return slash > 0 ? model.substring(0, slash) : model;
  }

  private ObjectNode settings() {
    ObjectNode s = RunFile.JSON.createObjectNode();
    s.put("systemPrompt", systemPrompt);
    if (temperature == null) {
      s.putNull("temperature");
    } else {
      s.put("temperature", temperature);
    }
    if (maxOutputTokens == null) {
      s.putNull("maxOutputTokens");
    } else {
      s.put("maxOutputTokens", maxOutputTokens);
    }
    s.put("scorer", scorer.name());
    s.put("stream", stream);
    return s;
  }

  private void requireSameSettings(ObjectNode before, ObjectNode now) {
    for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      JsonNode a = before.get(field);
      JsonNode b = now.get(field);
      boolean same = a == null || a.isNull() ? b.isNull()
          : a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
      if (!same) {
        throw new IllegalStateException("run file " + runFile + " was written with " + field + " " + shown(a)
            + ", this evaluation has " + shown(b) + "; its answers would not be comparable. Use another run file, "
            + "or the same settings to resume it");
      }
    }
  }

  private static String shown(JsonNode v) {
    if (v == null || v.isNull()) {
      return "none";
    }
    String s = v.isTextual() ? "'" + v.textValue() + "'" : v.toString();
    return s.length() > 80 ? s.substring(0, 80) + "…'" : s;
  }

  /** The request {@code model} gets for {@code example}. */
  public ChatRequest request(Example example, String model) {
    ChatRequest.Builder b = ChatRequest.builder().model(model);
    if (systemPrompt != null) {
      b.addMessage(Message.system(systemPrompt));
    }
    example.messages().forEach(b::addMessage);
    return b.temperature(temperature).maxOutputTokens(maxOutputTokens).build();
  }

  private Map<String, String> reportSettings(int reused) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("dataset", dataset.name() + " (" + dataset.size() + " examples)");
    s.put("models", String.join(", ", models));
    s.put("scorer", scorer.name());
    s.put("system prompt", systemPrompt == null ? "(none)" : systemPrompt);
    s.put("temperature", temperature == null ? "(provider default)" : BigDecimal.valueOf(temperature)
        .stripTrailingZeros().toPlainString());
    if (maxOutputTokens != null) {
      s.put("max output tokens", maxOutputTokens.toString());
    }
    s.put("calls", stream ? "streamed" : "chat (not streamed)");
    if (runFile != null) {
      s.put("run file", runFile + (reused == 0 ? "" : " (" + reused + " results from earlier runs)"));
    }
    return s;
  }

  public Dataset dataset() {
    return dataset;
  }

  public List<String> models() {
    return models;
  }

  public Scorer scorer() {
    return scorer;
  }

  @Override
  public String toString() {
    return "Evaluation[" + dataset + ", models " + models + ", scorer " + scorer.name() + ", concurrency "
        + concurrency + (stream ? ", streamed" : "") + (runFile == null ? "" : ", run file " + runFile) + "]";
  }

  /** One (example, model) request to make. */
  private record Task(Example example, String model) {}

  /** The state of one run: per-provider queues, slots in flight, results. */
  private final class Run {
    private final Object lock = new Object();
    private final Map<String, ArrayDeque<Task>> queues = new LinkedHashMap<>();
    private final Map<String, Long> nextSlot = new LinkedHashMap<>();
    private final List<String> providerOrder;
    private final Map<RunFile.Key, EvalResult> results = new ConcurrentHashMap<>();
    private final Set<Object> active = ConcurrentHashMap.newKeySet();
    private final AtomicInteger wip = new AtomicInteger();
    private final CompletableFuture<EvalReport> done = new CompletableFuture<>();
    private final int reused;
    private int inFlight;
    private int remaining;
    private int next;
    private long wakeAt = Long.MAX_VALUE;
    private boolean stopped;
    private RunFile file;
    private ProgressBar bar;

    Run(Map<String, String> providers, Map<RunFile.Key, EvalResult> earlier) {
      Set<String> order = new LinkedHashSet<>(providers.values());
      this.providerOrder = List.copyOf(order);
      for (String p : order) {
        queues.put(p, new ArrayDeque<>());
        nextSlot.put(p, Long.MIN_VALUE);
      }
      int kept = 0;
      for (Example e : dataset) {
        for (String model : models) {
          RunFile.Key key = new RunFile.Key(e.id(), model);
          EvalResult before = earlier.get(key);
          if (before != null && (before.succeeded() || !retryFailed)) {
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
      if (progress != null) {
        bar = new ProgressBar(progress, ticker, remaining);
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
            long now = ticker.read();
            while (inFlight < concurrency) {
              Task t = nextReady(now);
              if (t == null) {
                break;
              }
              inFlight++;
              start.add(t);
            }
            if (inFlight < concurrency) {
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
        Double rps = rateLimits.get(p);
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
      scheduler.schedule(Duration.ofNanos(at - now), () -> {
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
      long start = ticker.read();
      try {
        request = request(task.example(), task.model());
        if (stream) {
          ChatStream s = client.stream(request);
          active.add(s);
          s.subscribe(new Handler(task, start, s));
        } else {
          CompletableFuture<ChatResponse> call = client.chatAsync(request);
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
          firstToken = ticker.read() - start;
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
      Duration latency = Duration.ofNanos(Math.max(0, ticker.read() - start));
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
        score = scorer.scoreAsync(task.example(), answer);
      } catch (RuntimeException e) {
        score = CompletableFuture.failedFuture(e);
      }
      score.whenComplete((value, failure) -> {
        if (failure != null) {
          Throwable cause = Futures.unwrap(failure);
          b.scoreError(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } else if (value == null || !Double.isFinite(value)) {
          b.scoreError("scorer '" + scorer.name() + "' gave " + value + ", not a finite number");
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
      for (Example e : dataset) {
        for (String model : models) {
          EvalResult r = results.get(new RunFile.Key(e.id(), model));
          if (r != null) {
            ordered.add(r);
          }
        }
      }
      done.complete(new EvalReport(dataset.name(), reportSettings(reused), models, ordered));
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

  /** Not thread-safe. {@link #build()} checks the configuration and names what is wrong. */
  public static final class Builder {
    private ChatClient client;
    private Dataset dataset;
    private final List<String> models = new ArrayList<>();
    private String systemPrompt;
    private Double temperature = 0.0;
    private Integer maxOutputTokens;
    private Scorer scorer;
    private int concurrency = 4;
    private final Map<String, Double> rateLimits = new LinkedHashMap<>();
    private boolean stream;
    private Path runFile;
    private boolean retryFailed;
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler = SystemScheduler.instance();
    private PrintStream progress;

    private Builder() {}

    /** Who answers: a {@link Switchboard} (so attempts are priced and models resolved) or any client. */
    public Builder client(ChatClient client) {
      this.client = client;
      return this;
    }

    public Builder dataset(Dataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /** The model strings to compare, in the order reports list them. */
    public Builder models(List<String> models) {
      this.models.clear();
      this.models.addAll(models);
      return this;
    }

    /** The system message put before every example's messages; none by default. */
    public Builder systemPrompt(String systemPrompt) {
      this.systemPrompt = systemPrompt;
      return this;
    }

    /** The sampling temperature of every request; 0 by default, {@code null} leaves it to the provider. */
    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** A cap on each answer's tokens; none by default. */
    public Builder maxOutputTokens(Integer maxOutputTokens) {
      this.maxOutputTokens = maxOutputTokens;
      return this;
    }

    public Builder scorer(Scorer scorer) {
      this.scorer = scorer;
      return this;
    }

    /** How many requests (each with its scoring) may be in flight at once; 4 by default. */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * At most {@code requestsPerSecond} requests to {@code provider} (a provider name as
     * registered, e.g. {@code "openai"}), spaced evenly; none by default.
     */
    public Builder rateLimit(String provider, double requestsPerSecond) {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("rateLimit needs a provider name, e.g. \"openai\"");
      }
      if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
        throw new IllegalArgumentException("rateLimit for '" + provider + "' needs requestsPerSecond > 0, got "
            + requestsPerSecond);
      }
      rateLimits.put(provider, requestsPerSecond);
      return this;
    }

    /** Streams every request, so that the results have a time to first token; off by default. */
    public Builder stream(boolean stream) {
      this.stream = stream;
      return this;
    }

    /** The JSON Lines file results are appended to and resumed from; none by default. */
    public Builder runFile(Path runFile) {
      this.runFile = runFile;
      return this;
    }

    /** Asks again for the pairs whose earlier call failed; off by default (a failure is a result). */
    public Builder retryFailed(boolean retryFailed) {
      this.retryFailed = retryFailed;
      return this;
    }

    /** The nanosecond source latencies, time to first token, rate limits and the ETA are measured with. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where rate-limit waits are scheduled; the system scheduler by default. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Draws a progress bar with an ETA on {@code out}, redrawn in place; {@code null} (the
     * default) draws none. Give a terminal's stream only: a log file gets a line per redraw.
     */
    public Builder progress(PrintStream out) {
      this.progress = out;
      return this;
    }

    public Evaluation build() {
      if (client == null) {
        throw new IllegalArgumentException("Evaluation.client is required: the ChatClient (a Switchboard) that "
            + "answers");
      }
      if (dataset == null) {
        throw new IllegalArgumentException("Evaluation.dataset is required");
      }
      if (models.isEmpty()) {
        throw new IllegalArgumentException("Evaluation.models is required: one or more model strings");
      }
      Set<String> seen = new LinkedHashSet<>();
      for (String m : models) {
        if (m == null || m.isBlank()) {
          throw new IllegalArgumentException("Evaluation.models must not hold a blank model string, got " + models);
        }
        if (!seen.add(m)) {
          throw new IllegalArgumentException("Evaluation.models lists '" + m + "' twice");
        }
      }
      if (scorer == null) {
        throw new IllegalArgumentException("Evaluation.scorer is required, e.g. Scorer.exactMatch()");
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("Evaluation.concurrency must be >= 1, got " + concurrency);
      }
      if (temperature != null && (!(temperature >= 0) || Double.isInfinite(temperature))) {
        throw new IllegalArgumentException("Evaluation.temperature must be >= 0, got " + temperature);
      }
      if (maxOutputTokens != null && maxOutputTokens < 1) {
        throw new IllegalArgumentException("Evaluation.maxOutputTokens must be >= 1, got " + maxOutputTokens);
      }
      return new Evaluation(this);
    }
  }
}
