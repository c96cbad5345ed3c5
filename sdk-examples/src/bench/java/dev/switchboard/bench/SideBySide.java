package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bench.sidebyside.BenchStub;
import dev.switchboard.bench.sidebyside.ClientMain;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Switchboard side by side with raw {@code java.net.http}, openai-java and langchain4j, in one run:
 * a loopback OpenAI stub in its own process ({@link BenchStub}), each client in a JVM of its own
 * with default flags ({@link ClientMain}), rounds interleaved across the clients, medians over the
 * rounds. Prints one table per phase with ratios to raw blocking, openai-java and langchain4j, checks
 * the goals of issue 8, and writes everything (every round too) as JSON.
 *
 * <pre>
 * mvn -B -q -o -Pbench -DskipTests verify -Dbench.args="calls=2000 rounds=3 warmup=3000"
 * </pre>
 *
 * <p>Arguments, all {@code key=value}, all optional:
 * <ul>
 *   <li>{@code calls=2000} non-streamed calls per client per round per concurrency;
 *   <li>{@code rounds=3}; {@code warmup=3000} calls before the first round of each phase, then
 *       more until the client's JIT is quiet (see {@code ClientMain.warmUp});
 *   <li>{@code conc=1,16,64} caller threads (blocking calls) of the non-streamed phases;
 *   <li>{@code streams=100} streams per client per round (0: no stream phase), {@code streamConc=4},
 *       {@code chunks=200} content chunks per stream, {@code streamWarmup=200};
 *   <li>{@code clients=raw,async,adapter,chain,openai,lc4j}; {@code latencyMs=0} stub latency;
 *   <li>{@code json=target/sidebyside.json}; {@code clientJvmArgs=} (space-separated, e.g. for a
 *       JFR recording of one client: {@code clientJvmArgs.chain=-XX:StartFlightRecording=...});
 *   <li>{@code threadCpu=true}: under each round's line, the CPU per call (or chunk) by thread group
 *       of the client (the JSON always has it, as {@code cpuByThread} in nanoseconds).
 * </ul>
 */
public final class SideBySide {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Map<String, String> LABELS = new LinkedHashMap<>();

  static {
    LABELS.put("raw", "raw java.net.http send");
    LABELS.put("async", "raw java.net.http sendAsync");
    LABELS.put("adapter", "Switchboard adapter");
    LABELS.put("chain", "Switchboard full chain");
    LABELS.put("openai", "openai-java 4.105 (OkHttp)");
    LABELS.put("lc4j", "langchain4j-open-ai 1.19");
  }

  private static final PrintStream OUT = System.out;
  private static boolean showThreadCpu; // set once in main

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("calls", "2000");
    args.put("rounds", "3");
    args.put("warmup", "3000");
    args.put("conc", "1,16,64");
    args.put("streams", "100");
    args.put("streamConc", "4");
    args.put("chunks", "200");
    args.put("streamWarmup", "200");
    args.put("clients", String.join(",", LABELS.keySet()));
    args.put("latencyMs", "0");
    args.put("json", "target/sidebyside.json");
    args.put("clientJvmArgs", "");
    args.put("threadCpu", "false");
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("arguments are key=value: " + a);
      }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    showThreadCpu = Boolean.parseBoolean(args.get("threadCpu"));
    new SideBySide(args).run();
  }

  private final Map<String, String> args;
  private final String java = new File(System.getProperty("java.home"), "bin/java").getPath();
  private final String classpath = System.getProperty("java.class.path");
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "watchdog");
    t.setDaemon(true);
    return t;
  });
  private Proc stub;

  private SideBySide(Map<String, String> args) {
    this.args = args;
  }

  private int intArg(String key) {
    return Integer.parseInt(args.get(key).trim());
  }

  /** A child process talking lines over its standard input and output. */
  private static final class Proc {
    final String name;
    final Process process;
    final BufferedReader out;
    final Writer in;

    Proc(String name, Process process) {
      this.name = name;
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    void send(String line) throws IOException {
      in.write(line + "\n");
      in.flush();
    }

    /** The next line starting with {@code prefix} (others are skipped), or null at end of stream. */
    String expect(String prefix) throws IOException {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      return null;
    }
  }

  private void run() throws Exception {
    List<String> clients = List.of(args.get("clients").split(","));
    int rounds = intArg("rounds");
    Path logs = Path.of("target", "sidebyside");
    Files.createDirectories(logs);

    stub = new Proc("stub", new ProcessBuilder(java, "-cp", classpath, BenchStub.class.getName(),
        args.get("chunks"), args.get("latencyMs"))
        .redirectError(logs.resolve("stub.log").toFile()).start());
    String port = stub.expect("PORT ");
    if (port == null) {
      throw new IllegalStateException("stub did not start; see " + logs.resolve("stub.log"));
    }
    String root = "http://127.0.0.1:" + port;

    Map<String, Proc> procs = new LinkedHashMap<>();
    try {
      for (String c : clients) {
        List<String> cmd = new ArrayList<>(List.of(java));
        String extra = args.getOrDefault("clientJvmArgs." + c, args.get("clientJvmArgs")).trim();
        if (!extra.isEmpty()) {
          cmd.addAll(Arrays.asList(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classpath, ClientMain.class.getName(), c, root));
        Proc p = new Proc(c, new ProcessBuilder(cmd).redirectError(logs.resolve(c + ".log").toFile()).start());
        if (p.expect("READY") == null) {
          throw new IllegalStateException(c + " did not start; see " + logs.resolve(c + ".log"));
        }
        procs.put(c, p);
      }

      List<Phase> phases = new ArrayList<>();
      for (String c : args.get("conc").split(",")) {
        if (!c.isBlank()) {
          phases.add(new Phase("call", Integer.parseInt(c.trim()), intArg("calls"), intArg("warmup"), 0));
        }
      }
      if (intArg("streams") > 0) {
        phases.add(new Phase("stream", intArg("streamConc"), intArg("streams"), intArg("streamWarmup"), intArg("chunks")));
      }

      OUT.printf(Locale.ROOT, "Side by side: %s; stub %s in its own process; clients %s, each in its own JVM "
          + "(default flags), %d interleaved rounds, medians%n", machine().path("summary").asText(), root, clients, rounds);

      ObjectNode json = MAPPER.createObjectNode();
      json.put("started", Instant.now().toString());
      json.set("machine", machine());
      json.set("args", MAPPER.valueToTree(args));
      ObjectNode phaseJson = json.putObject("phases");
      Map<String, Map<String, List<JsonNode>>> all = new LinkedHashMap<>();
      for (Phase phase : phases) {
        Map<String, List<JsonNode>> byClient = new LinkedHashMap<>();
        clients.forEach(c -> byClient.put(c, new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < clients.size(); k++) {
            String c = clients.get((k + r) % clients.size());
            JsonNode result = measure(procs.get(c), phase, r == 0 ? phase.warmup : 0);
            ((ObjectNode) result).put("round", r);
            byClient.get(c).add(result);
            OUT.printf(Locale.ROOT, "  %s round %d %-8s %s%n", phase.key(), r + 1, c, brief(result, phase));
            OUT.flush();
          }
        }
        all.put(phase.key(), byClient);
        ObjectNode pj = phaseJson.putObject(phase.key());
        pj.put("mode", phase.mode).put("concurrency", phase.conc).put("perRound", phase.n)
            .put("warmup", phase.warmup);
        if (phase.stream()) {
          pj.put("chunks", phase.chunks);
        }
        ObjectNode cj = pj.putObject("clients");
        byClient.forEach((c, rs) -> {
          ObjectNode one = cj.putObject(c);
          one.put("label", LABELS.getOrDefault(c, c));
          one.set("median", medians(rs, byClient, phase));
          ArrayNode arr = one.putArray("rounds");
          rs.forEach(arr::add);
        });
      }

      OUT.println();
      for (Phase phase : phases) {
        printTable(phase, all.get(phase.key()), (ObjectNode) phaseJson.get(phase.key()).get("clients"));
      }
      json.set("goals", goals(phaseJson));
      Path out = Path.of(args.get("json"));
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      MAPPER.writeValue(out.toFile(), json);
      OUT.println("JSON: " + out.toAbsolutePath());
    } finally {
      for (Proc p : procs.values()) {
        try {
          p.send("quit");
          p.in.close();
        } catch (IOException ignored) {
          // already gone
        }
      }
      for (Proc p : procs.values()) {
        if (!p.process.waitFor(20, TimeUnit.SECONDS)) {
          p.process.destroyForcibly();
        }
      }
      stub.in.close();
      if (!stub.process.waitFor(10, TimeUnit.SECONDS)) {
        stub.process.destroyForcibly();
      }
    }
  }

  private record Phase(String mode, int conc, int n, int warmup, int chunks) {
    boolean stream() {
      return mode.equals("stream");
    }

    String key() {
      return mode + "-c" + conc;
    }
  }

  /** Runs one phase of one client, with the stub's connection and request counts around it. */
  private JsonNode measure(Proc p, Phase phase, int warmup) throws IOException {
    long[] s0 = stubStats();
    p.send(phase.stream()
        ? "stream " + phase.conc + " " + phase.n + " " + warmup + " " + phase.chunks
        : "call " + phase.conc + " " + phase.n + " " + warmup);
    ScheduledFuture<?> kill = watchdog.schedule(() -> p.process.destroyForcibly(), 10, TimeUnit.MINUTES);
    String line = p.expect("RESULT ");
    kill.cancel(false);
    long[] s1 = stubStats();
    ObjectNode r = line == null
        ? MAPPER.createObjectNode().put("client", p.name).put("failed", "process ended; see target/sidebyside/" + p.name + ".log")
        : (ObjectNode) MAPPER.readTree(line);
    r.put("stubConnections", s1[0] - s0[0]).put("stubRequests", s1[1] - s0[1]).put("stubConnectionErrors", s1[2] - s0[2]);
    return r;
  }

  private long[] stubStats() throws IOException {
    stub.send("stats");
    String[] f = stub.expect("STATS ").split(" ");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
  }

  private static boolean ok(JsonNode r) {
    return !r.has("failed") && !r.has("unsupported");
  }

  private static String brief(JsonNode r, Phase phase) {
    if (r.has("unsupported")) {
      return "(no streaming)";
    }
    if (r.has("failed")) {
      return "FAILED " + r.get("failed").asText();
    }
    double n = r.get("n").asDouble();
    double unit = phase.stream() ? n * phase.chunks : n;
    return String.format(Locale.ROOT, "CPU %.1f us/%s, %.0f/s, p50 %.2f ms, p99 %.2f ms, threads +%d, %.1f KB/%s, "
            + "conns +%d, errors %d",
        r.get("cpuNanos").asDouble() / 1000 / unit, phase.stream() ? "chunk" : "call",
        n * 1e9 / r.get("wallNanos").asDouble(), r.get("p50Nanos").asDouble() / 1e6, r.get("p99Nanos").asDouble() / 1e6,
        r.get("threadsStarted").asLong(), r.get("allocBytes").asDouble() / 1024 / n, phase.stream() ? "stream" : "call",
        r.get("stubConnections").asLong(), r.get("errors").asLong())
        + (r.path("warmupCalls").asLong() > 0 ? ", warm-up " + r.get("warmupCalls").asLong() : "")
        + threadBreakdown(r, unit);
  }

  /** With {@code threadCpu=true}: the phase's CPU per unit by thread group, largest first. */
  private static String threadBreakdown(JsonNode r, double unit) {
    if (!showThreadCpu || !r.has("cpuByThread")) {
      return "";
    }
    StringBuilder b = new StringBuilder("\n      threads (us/unit):");
    r.get("cpuByThread").fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT, " %s %.1f;",
        e.getKey(), e.getValue().asDouble() / 1000 / unit)));
    return b.toString();
  }

  // ---- figures ----

  /** Figures of one round; every one is "per call" (or per stream / per chunk for streams). */
  private static Map<String, ToDoubleFunction<JsonNode>> figures(Phase phase) {
    Map<String, ToDoubleFunction<JsonNode>> f = new LinkedHashMap<>();
    f.put("cpuMicrosPerCall", r -> r.get("cpuNanos").asDouble() / 1000 / r.get("n").asDouble());
    if (phase.stream()) {
      f.put("cpuMicrosPerChunk", r -> r.get("cpuNanos").asDouble() / 1000 / r.get("n").asDouble() / phase.chunks);
      f.put("ttftP50Micros", r -> r.get("ttftP50Nanos").asDouble() / 1000);
      f.put("ttftP99Micros", r -> r.get("ttftP99Nanos").asDouble() / 1000);
    }
    f.put("callsPerSecond", r -> r.get("n").asDouble() * 1e9 / r.get("wallNanos").asDouble());
    f.put("p50Micros", r -> r.get("p50Nanos").asDouble() / 1000);
    f.put("p99Micros", r -> r.get("p99Nanos").asDouble() / 1000);
    f.put("threadsStarted", r -> r.get("threadsStarted").asDouble());
    f.put("allocBytesPerCall", r -> r.get("allocBytes").asDouble() / r.get("n").asDouble());
    f.put("allocBytesPerCallLiveThreads", r -> r.get("allocBytesLiveThreads").asDouble() / r.get("n").asDouble());
    f.put("stubConnections", r -> r.get("stubConnections").asDouble());
    f.put("errors", r -> r.get("errors").asDouble());
    return f;
  }

  /** Medians over the rounds, and medians over the rounds of the per-round ratios to each reference. */
  private static ObjectNode medians(List<JsonNode> rounds, Map<String, List<JsonNode>> byClient, Phase phase) {
    ObjectNode m = MAPPER.createObjectNode();
    List<JsonNode> good = rounds.stream().filter(SideBySide::ok).toList();
    if (good.isEmpty()) {
      m.put("unavailable", rounds.isEmpty() ? "no rounds" : rounds.get(0).has("unsupported") ? "unsupported"
          : rounds.get(0).path("failed").asText());
      return m;
    }
    figures(phase).forEach((name, f) -> m.put(name, median(good.stream().mapToDouble(f).toArray())));
    m.put("stubConnectionsAllRounds", good.stream().mapToLong(r -> r.path("stubConnections").asLong()).sum());
    if (phase.stream()) {
      m.put("badChunkCounts", good.stream().mapToLong(r -> r.path("badChunkCounts").asLong()).sum());
      m.put("withoutUsage", good.stream().mapToLong(r -> r.path("withoutUsage").asLong()).sum());
    }
    ObjectNode ratios = m.putObject("ratios");
    String cpuKey = phase.stream() ? "cpuMicrosPerChunk" : "cpuMicrosPerCall";
    for (String ref : List.of("raw", "openai", "lc4j")) {
      List<JsonNode> refRounds = byClient.get(ref);
      if (refRounds == null) {
        continue;
      }
      ToDoubleFunction<JsonNode> cpu = figures(phase).get(cpuKey);
      ToDoubleFunction<JsonNode> tput = figures(phase).get("callsPerSecond");
      double[] cpuR = pairRatios(rounds, refRounds, cpu);
      double[] tputR = pairRatios(rounds, refRounds, tput);
      if (cpuR.length > 0) {
        ratios.put("cpuVs_" + ref, median(cpuR));
        ratios.put("throughputVs_" + ref, median(tputR));
      }
      if (phase.stream()) {
        double[] ttft = pairDiffs(rounds, refRounds, figures(phase).get("ttftP50Micros"));
        if (ttft.length > 0) {
          ratios.put("ttftP50MicrosMinus_" + ref, median(ttft));
        }
      }
    }
    return m;
  }

  private static double[] pairRatios(List<JsonNode> a, List<JsonNode> b, ToDoubleFunction<JsonNode> f) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (ok(a.get(i)) && ok(b.get(i))) {
        out.add(f.applyAsDouble(a.get(i)) / f.applyAsDouble(b.get(i)));
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] pairDiffs(List<JsonNode> a, List<JsonNode> b, ToDoubleFunction<JsonNode> f) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (ok(a.get(i)) && ok(b.get(i))) {
        out.add(f.applyAsDouble(a.get(i)) - f.applyAsDouble(b.get(i)));
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  // ---- output ----

  private void printTable(Phase phase, Map<String, List<JsonNode>> byClient, ObjectNode clients) {
    if (phase.stream()) {
      OUT.printf(Locale.ROOT, "Streams: %d content chunks + usage each, concurrency %d, %d streams per round "
          + "(CPU per content chunk; ratios are medians of per-round ratios)%n", phase.chunks, phase.conc, phase.n);
      OUT.println("| client | CPU µs/chunk | ×raw | ×openai-java | ×langchain4j | CPU µs/stream | streams/s "
          + "| TTFT p50 ms | TTFT − raw µs | stream p50 ms | p99 ms | threads started | KB/stream | conns opened (all rounds) | errors |");
      OUT.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    } else {
      OUT.printf(Locale.ROOT, "Non-streamed calls at concurrency %d (%d blocking caller threads), %d calls per round "
          + "(ratios are medians of per-round ratios; CPU: lower is better, throughput: higher)%n", phase.conc,
          phase.conc, phase.n);
      OUT.println("| client | CPU µs/call | ×raw | ×openai-java | ×langchain4j | calls/s | ×raw | ×openai-java "
          + "| ×langchain4j | p50 ms | p99 ms | threads started | KB/call | conns opened (all rounds) | errors |");
      OUT.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    }
    clients.fields().forEachRemaining(e -> {
      JsonNode m = e.getValue().get("median");
      String label = e.getValue().get("label").asText();
      if (m.has("unavailable")) {
        OUT.printf(Locale.ROOT, "| %s | %s |%n", label, m.get("unavailable").asText());
        return;
      }
      JsonNode r = m.get("ratios");
      if (phase.stream()) {
        OUT.printf(Locale.ROOT, "| %s | %.2f | %s | %s | %s | %.0f | %.1f | %.2f | %s | %.2f | %.2f | %.0f | %.1f | %.0f | %.0f%s |%n",
            label, m.get("cpuMicrosPerChunk").asDouble(), x(r, "cpuVs_raw"), x(r, "cpuVs_openai"), x(r, "cpuVs_lc4j"),
            m.get("cpuMicrosPerCall").asDouble(), m.get("callsPerSecond").asDouble(),
            m.get("ttftP50Micros").asDouble() / 1000,
            r.has("ttftP50MicrosMinus_raw") ? String.format(Locale.ROOT, "%+.0f", r.get("ttftP50MicrosMinus_raw").asDouble()) : "–",
            m.get("p50Micros").asDouble() / 1000, m.get("p99Micros").asDouble() / 1000,
            m.get("threadsStarted").asDouble(), m.get("allocBytesPerCall").asDouble() / 1024,
            m.get("stubConnectionsAllRounds").asDouble(), m.get("errors").asDouble(),
            m.get("badChunkCounts").asLong() + m.get("withoutUsage").asLong() > 0
                ? " (" + m.get("badChunkCounts").asLong() + " short, " + m.get("withoutUsage").asLong() + " no usage)" : "");
      } else {
        OUT.printf(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %.2f | %.2f | %.0f | %.1f | %.0f | %.0f |%n",
            label, m.get("cpuMicrosPerCall").asDouble(), x(r, "cpuVs_raw"), x(r, "cpuVs_openai"), x(r, "cpuVs_lc4j"),
            m.get("callsPerSecond").asDouble(), x(r, "throughputVs_raw"), x(r, "throughputVs_openai"),
            x(r, "throughputVs_lc4j"), m.get("p50Micros").asDouble() / 1000, m.get("p99Micros").asDouble() / 1000,
            m.get("threadsStarted").asDouble(), m.get("allocBytesPerCall").asDouble() / 1024,
            m.get("stubConnectionsAllRounds").asDouble(), m.get("errors").asDouble());
      }
    });
    OUT.println();
  }

  private static String x(JsonNode ratios, String key) {
    return ratios.has(key) ? String.format(Locale.ROOT, "%.2fx", ratios.get(key).asDouble()) : "–";
  }

  /** Issue 8's goals, checked against this run's medians. */
  private ArrayNode goals(ObjectNode phases) {
    ArrayNode goals = MAPPER.createArrayNode();
    OUT.println("Issue 8 goals (this run, medians):");
    JsonNode c1 = phases.path("call-c1").path("clients");
    JsonNode c16 = phases.path("call-c16").path("clients");
    JsonNode chain1 = c1.path("chain").path("median");
    goal(goals, "full chain CPU per call <= 1.10x raw blocking (conc 1)",
        chain1.path("ratios").path("cpuVs_raw"), v -> v <= 1.10, "%.2fx");
    JsonNode chain16 = c16.path("chain").path("median");
    goal(goals, "full chain CPU per call <= 1.10x raw blocking (conc 16)",
        chain16.path("ratios").path("cpuVs_raw"), v -> v <= 1.10, "%.2fx");
    goal(goals, "full chain throughput at conc 16 >= 1.1x openai-java",
        chain16.path("ratios").path("throughputVs_openai"), v -> v >= 1.1, "%.2fx");
    goal(goals, "full chain throughput at conc 16 >= 1.5x langchain4j",
        chain16.path("ratios").path("throughputVs_lc4j"), v -> v >= 1.5, "%.2fx");
    JsonNode openaiP99 = c16.path("openai").path("median").path("p99Micros");
    JsonNode chainP99 = chain16.path("p99Micros");
    goal(goals, String.format(Locale.ROOT, "full chain p99 at conc 16 <= openai-java's (%.2f ms)",
            openaiP99.asDouble() / 1000),
        chainP99.isMissingNode() || openaiP99.isMissingNode() ? MAPPER.missingNode() : MAPPER.getNodeFactory().numberNode(
            chainP99.asDouble() / openaiP99.asDouble()), v -> v <= 1.0, "%.2fx of it");
    JsonNode streams = phases.path("stream-c" + args.get("streamConc")).path("clients");
    for (String sb : List.of("chain", "adapter")) {
      JsonNode r = streams.path(sb).path("median").path("ratios");
      double worst = Math.max(r.path("cpuVs_openai").asDouble(Double.NaN), r.path("cpuVs_lc4j").asDouble(Double.NaN));
      goal(goals, (sb.equals("chain") ? "full chain" : "adapter") + " streaming CPU per chunk <= every peer's "
              + "(worst ratio of openai-java, langchain4j)",
          r.isMissingNode() ? r : MAPPER.getNodeFactory().numberNode(worst), v -> v <= 1.0, "%.2fx");
    }
    double maxThreads = -1;
    for (var it = phases.fields(); it.hasNext();) {
      var e = it.next();
      for (JsonNode round : e.getValue().path("clients").path("chain").path("rounds")) {
        maxThreads = Math.max(maxThreads, round.path("threadsStarted").asDouble(-1));
      }
    }
    goal(goals, "full chain threads started per measured phase bounded (max over phases and rounds <= 32, "
        + "independent of calls)", maxThreads < 0 ? MAPPER.missingNode() : MAPPER.getNodeFactory().numberNode(maxThreads),
        v -> v <= 32, "%.0f");
    OUT.println();
    return goals;
  }

  private static void goal(ArrayNode goals, String name, JsonNode value, java.util.function.DoublePredicate pass,
      String format) {
    ObjectNode g = goals.addObject().put("goal", name);
    String verdict;
    if (value == null || value.isMissingNode() || value.isNull() || Double.isNaN(value.asDouble())) {
      verdict = "not measured";
    } else {
      g.put("value", value.asDouble());
      verdict = (pass.test(value.asDouble()) ? "HOLDS " : "MISSED ") + String.format(Locale.ROOT, format, value.asDouble());
    }
    g.put("verdict", verdict);
    OUT.printf(Locale.ROOT, "  %-100s %s%n", name, verdict);
  }

  private static ObjectNode machine() {
    ObjectNode m = MAPPER.createObjectNode();
    String cpu = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    m.put("cpu", cpu).put("cpus", Runtime.getRuntime().availableProcessors())
        .put("memoryGiB", Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024)))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("summary", String.format(Locale.ROOT, "%d CPUs (%s), %d GiB, %s, %s", m.get("cpus").asInt(), cpu,
        m.get("memoryGiB").asLong(), m.get("os").asText(), m.get("java").asText()));
    return m;
  }
}
