package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatClient;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.Message;
import dev.switchboard.Switchboard;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.SystemScheduler;
import dev.switchboard.spi.Ticker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
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
import java.util.concurrent.ExecutionException;

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
  final ChatClient client;
  final Dataset dataset;
  final List<String> models;
  final String systemPrompt;
  final Double temperature;
  final Integer maxOutputTokens;
  final Scorer scorer;
  final int concurrency;
  final Map<String, Double> rateLimits;
  final boolean stream;
  final Path runFile;
  final boolean retryFailed;
  final Ticker ticker;
  final Scheduler scheduler;
  final PrintStream progress;

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
    EvaluationRun run = new EvaluationRun(this, providers, earlier);
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

  Map<String, String> reportSettings(int reused) {
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
