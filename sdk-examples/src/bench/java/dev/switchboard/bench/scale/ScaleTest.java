package dev.switchboard.bench.scale;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.spi.http.HttpTransport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scale test of issue 8: N concurrent streams held open against a slow-drip stub in another
 * process, consumed with callbacks ({@link ChatStream#subscribe}, no thread per stream), through
 * one {@link Switchboard} with one {@link OpenAiProvider} at default settings; records platform
 * threads and heap. Exits 1 if a stream did not complete, if the streams were not all open at once
 * on the server, or if a bound (platform threads, heap) was exceeded.
 *
 * <p>Arguments, {@code key=value}, all optional:
 *
 * <ul>
 *   <li>{@code streams=10000} concurrent streams; {@code chunks=20} content chunks each, one every
 *       {@code interval=750} ms (so a stream lasts about chunks × interval);
 *   <li>{@code transport=default} the provider's default (the JVM's shared {@link HttpTransport});
 *       {@code async}: a transport that always uses {@code sendAsync}; {@code waiting}: one that
 *       always sends on waiting threads; {@code threads=} the pool size of a built transport;
 *   <li>{@code maxThreads=64} bound on the JVM's peak live platform threads ({@link
 *       ThreadMXBean#getPeakThreadCount()}); {@code maxHeapMiB=1024} bound on heap used;
 *   <li>{@code serverJava=} the java that runs the drip server (default: JDK 25 if installed at
 *       {@code /usr/lib/jvm/temurin-25-jdk-amd64}, for virtual threads; else this JVM's);
 *   <li>{@code timeout=240} seconds to wait for all streams; {@code sampleMs=20};
 *   <li>{@code histo=N}: print the top N classes of the live heap once all streams are open;
 *       {@code heapDump=/path.hprof}: write a heap dump (live objects) at that moment.
 * </ul>
 *
 * <p>Threads are counted JVM-wide with {@link ThreadMXBean} (Java threads: JVM service threads such
 * as Reference Handler and Finalizer included, GC and compiler threads not), so the harness's own two
 * (the sampler and the JDK's "process reaper" that watches the server process) count against the
 * bound too. Run it with {@code -Xmx1g}.
 */
public final class ScaleTest {
  private static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
  private static final long MIB = 1024 * 1024;

  private ScaleTest() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    opts.put("streams", "10000");
    opts.put("chunks", "20");
    opts.put("interval", "750");
    opts.put("transport", "default");
    opts.put("threads", "0");
    opts.put("maxThreads", "64");
    opts.put("maxHeapMiB", "1024");
    opts.put("serverJava", new File(JDK25).canExecute() ? JDK25 : Path.of(System.getProperty("java.home"), "bin",
        "java").toString());
    opts.put("timeout", "240");
    opts.put("sampleMs", "20");
    opts.put("histo", "0");
    opts.put("heapDump", "");
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0 || !opts.containsKey(arg.substring(0, eq))) {
        throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + opts.keySet());
      }
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int streams = Integer.parseInt(opts.get("streams"));
    int chunks = Integer.parseInt(opts.get("chunks"));
    long intervalMs = Long.parseLong(opts.get("interval"));
    int maxThreads = Integer.parseInt(opts.get("maxThreads"));
    long maxHeap = Long.parseLong(opts.get("maxHeapMiB")) * MIB;
    long timeoutSeconds = Long.parseLong(opts.get("timeout"));

    System.out.printf(Locale.ROOT, "scale test: %s%n", opts);
    System.out.printf(Locale.ROOT, "client: JDK %s, %d CPUs, max heap %d MiB, common pool parallelism %d%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / MIB,
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    // ---- the drip server, in its own process (the JVM adds a "process reaper" thread here) ----
    Process server = new ProcessBuilder(opts.get("serverJava"), "-Xmx2g", "-cp",
        System.getProperty("java.class.path"), DripServer.class.getName(), Integer.toString(chunks),
        Long.toString(intervalMs)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader serverOut =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
    Writer serverIn = new OutputStreamWriter(server.getOutputStream(), StandardCharsets.US_ASCII);
    String portLine = serverOut.readLine();
    if (portLine == null || !portLine.startsWith("PORT ")) {
      throw new IllegalStateException("drip server did not start: " + portLine);
    }
    int port = Integer.parseInt(portLine.substring(5).trim());
    System.out.println("drip server: " + opts.get("serverJava") + " on port " + port + ", "
        + stats(serverIn, serverOut));

    Sampler sampler = new Sampler(threads, memory, Long.parseLong(opts.get("sampleMs")));
    sampler.start();

    // ---- the client: one Switchboard, one OpenAiProvider, defaults ----
    HttpTransport transport = switch (opts.get("transport")) {
      case "default" -> null;
      case "async" -> transportBuilder(opts).sendOnWaitingThreads(false).build();
      case "waiting" -> transportBuilder(opts).sendOnWaitingThreads(true).build();
      case "built" -> transportBuilder(opts).build();
      default -> throw new IllegalArgumentException("transport must be default, async, waiting or built");
    };
    OpenAiProvider.Builder provider = OpenAiProvider.builder().name("drip")
        .baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(Secret.of("scale-test-key"));
    if (transport != null) {
      provider.transport(transport);
    }
    Switchboard switchboard = Switchboard.builder().provider(provider.build()).build();
    ChatRequest request = ChatRequest.of("drip/gpt-4o-mini", "Stream a slow answer, please.");

    long threadsStartedBefore = threads.getTotalStartedThreadCount();
    int liveBefore = threads.getThreadCount();
    Run run = new Run(streams, chunks);

    // ---- open all streams at once ----
    long t0 = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      run.startedAt[i] = System.nanoTime();
      try {
        ChatStream stream = switchboard.stream(request);
        stream.subscribe(run.new Probe(i));
      } catch (RuntimeException e) {
        run.failed(i, e);
      }
    }
    long tCalls = System.nanoTime();
    System.out.printf(Locale.ROOT, "opened %d streams (stream() + subscribe() returned) in %.0f ms%n", streams,
        (tCalls - t0) / 1e6);

    long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    boolean allReached = run.firstOrEnd.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    long tAllFirst = System.nanoTime();
    String statsAtOpen = stats(serverIn, serverOut);
    long liveHeapOpen = usedAfterGc(memory);
    String statsAfterGc = stats(serverIn, serverOut);
    System.out.printf(Locale.ROOT, "%s every stream had its first event (or ended) after %.0f ms; "
            + "live heap after GC with them open: %.1f MiB%n  server then: %s%n  server after GC: %s%n",
        allReached ? "" : "NOT", (tAllFirst - t0) / 1e6, liveHeapOpen / (double) MIB, statsAtOpen, statsAfterGc);
    int histo = Integer.parseInt(opts.get("histo"));
    if (histo > 0) {
      System.out.println(classHistogram(histo));
    }
    if (!opts.get("heapDump").isEmpty()) {
      Files.deleteIfExists(Path.of(opts.get("heapDump")));
      ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .dumpHeap(opts.get("heapDump"), true);
      System.out.println("heap dump (live objects, all streams open): " + opts.get("heapDump"));
    }

    boolean allEnded = run.ended.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    long tEnd = System.nanoTime();
    if (!allEnded) {
      System.out.printf(Locale.ROOT, "timed out after %d s with %d streams not ended%n", timeoutSeconds,
          run.ended.getCount());
    }
    String statsAtEnd = stats(serverIn, serverOut);
    sampler.stop();
    long threadsStarted = threads.getTotalStartedThreadCount() - threadsStartedBefore;
    int peakThreads = threads.getPeakThreadCount();
    long liveHeapEnd = usedAfterGc(memory);

    // ---- report ----
    long completedOk = run.ok.sum();
    Map<String, Long> failures = new TreeMap<>();
    run.failures.forEach((k, v) -> failures.put(k, v.sum()));
    long notEnded = run.ended.getCount();
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    int serverPeakStreams = intStat(statsAtEnd, "peakStreams");

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n==== scale test: %d streams, %d chunks x %d ms, transport=%s ====%n",
        streams, chunks, intervalMs, opts.get("transport")));
    out.append(String.format(Locale.ROOT, "completed            %d / %d (content and usage checked)%n", completedOk,
        streams));
    out.append(String.format(Locale.ROOT, "failed               %d %s%n", failures.values().stream()
        .mapToLong(Long::longValue).sum(), failures));
    run.sampleMessages.forEach((k, m) -> out.append(String.format(Locale.ROOT, "  e.g. %s: %s%n", k, m)));
    out.append(String.format(Locale.ROOT, "not ended at timeout %d%n", notEnded));
    out.append(String.format(Locale.ROOT, "server peak open     %d streams at once (%s)%n", serverPeakStreams,
        statsAtEnd));
    out.append(String.format(Locale.ROOT, "time to open         stream()+subscribe() x%d: %.0f ms; all first events: "
        + "%.0f ms; ttft p50 %.0f / p99 %.0f / max %.0f ms%n", streams, (tCalls - t0) / 1e6, (tAllFirst - t0) / 1e6,
        run.percentile(run.firstAt, 0.50), run.percentile(run.firstAt, 0.99), run.percentile(run.firstAt, 1.0)));
    out.append(String.format(Locale.ROOT, "wall time            %.1f s (stream duration p50 %.1f / max %.1f s; "
        + "nominal %.1f s)%n", (tEnd - t0) / 1e9, run.percentile(run.doneAt, 0.5) / 1e3,
        run.percentile(run.doneAt, 1.0) / 1e3, chunks * intervalMs / 1e3));
    out.append(String.format(Locale.ROOT, "platform threads     peak %d (ThreadMXBean), sampled max %d, live before "
        + "opening %d, started during the run %d; OS threads sampled max %d%n", peakThreads, sampler.maxThreads,
        liveBefore, threadsStarted, sampler.maxOsThreads));
    out.append("  threads at the sampled peak: ").append(sampler.peakThreadNames).append('\n');
    out.append(String.format(Locale.ROOT, "heap                 sampled peak used %.1f MiB; live after GC with all "
            + "open %.1f MiB; after the run %.1f MiB; GCs %d (%d ms)%n", sampler.maxHeap / (double) MIB,
        liveHeapOpen / (double) MIB, liveHeapEnd / (double) MIB, gcCount, gcMillis));
    out.append(String.format(Locale.ROOT, "off heap             direct buffers peak %.1f MiB; RSS peak %.1f MiB%n",
        sampler.maxDirect / (double) MIB, sampler.maxRssKb / 1024.0));

    List<String> violations = new ArrayList<>();
    if (completedOk != streams) {
      violations.add((streams - completedOk) + " of " + streams + " streams did not complete");
    }
    if (serverPeakStreams < streams) {
      violations.add("only " + serverPeakStreams + " of " + streams + " streams were open at once on the server");
    }
    if (peakThreads > maxThreads) {
      violations.add("peak platform threads " + peakThreads + " > " + maxThreads);
    }
    if (sampler.maxHeap > maxHeap || liveHeapOpen > maxHeap) {
      violations.add("heap used " + sampler.maxHeap / MIB + " MiB > " + maxHeap / MIB + " MiB");
    }
    out.append(violations.isEmpty() ? "RESULT PASS\n" : "RESULT FAIL: " + String.join("; ", violations) + "\n");
    out.append(String.format(Locale.ROOT, "SUMMARY streams=%d completed=%d failed=%d serverPeakOpen=%d "
            + "openCallsMs=%.0f allFirstMs=%.0f wallS=%.1f peakThreads=%d sampledThreads=%d threadsStarted=%d "
            + "peakHeapMiB=%.0f liveHeapOpenMiB=%.0f liveHeapEndMiB=%.0f transport=%s%n", streams, completedOk,
        failures.values().stream().mapToLong(Long::longValue).sum(), serverPeakStreams, (tCalls - t0) / 1e6,
        (tAllFirst - t0) / 1e6, (tEnd - t0) / 1e9, peakThreads, sampler.maxThreads, threadsStarted,
        sampler.maxHeap / (double) MIB, liveHeapOpen / (double) MIB, liveHeapEnd / (double) MIB,
        opts.get("transport")));
    System.out.print(out);
    System.out.flush();

    serverIn.close(); // the server stops when its standard input closes
    if (!server.waitFor(10, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
    System.exit(violations.isEmpty() ? 0 : 1);
  }

  private static HttpTransport.Builder transportBuilder(Map<String, String> opts) {
    HttpTransport.Builder b = HttpTransport.builder();
    int threads = Integer.parseInt(opts.get("threads"));
    if (threads > 0) {
      b.threads(threads);
    }
    return b;
  }

  private static String stats(Writer in, BufferedReader out) throws IOException {
    in.write("STATS\n");
    in.flush();
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("STATS ")) {
        return line.substring(6);
      }
    }
    return "(server gone)";
  }

  private static int intStat(String stats, String key) {
    for (String kv : stats.split(" ")) {
      if (kv.startsWith(key + "=")) {
        return Integer.parseInt(kv.substring(key.length() + 1));
      }
    }
    return -1;
  }

  /** The top {@code lines} of {@code jcmd GC.class_histogram} (live objects, after a full GC), taken in-process. */
  private static String classHistogram(int lines) {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      String[] all = String.valueOf(text).split("\n");
      StringBuilder top = new StringBuilder("live heap by class with all streams open:\n");
      for (int i = 0; i < Math.min(all.length, lines + 2); i++) {
        top.append(all[i]).append('\n');
      }
      top.append(all[all.length - 1]).append('\n');
      return top.toString();
    } catch (Exception e) {
      return "(no class histogram: " + e + ")";
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Per-stream state, filled by the handlers (one call at a time per stream) and read after the latches. */
  private static final class Run {
    final int streams;
    final int chunks;
    final long[] startedAt;
    final long[] firstAt;
    final long[] doneAt;
    final CountDownLatch firstOrEnd;
    final CountDownLatch ended;
    final LongAdder ok = new LongAdder();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final Map<String, String> sampleMessages = new ConcurrentHashMap<>();

    Run(int streams, int chunks) {
      this.streams = streams;
      this.chunks = chunks;
      startedAt = new long[streams];
      firstAt = new long[streams];
      doneAt = new long[streams];
      firstOrEnd = new CountDownLatch(streams);
      ended = new CountDownLatch(streams);
    }

    void failed(int i, Throwable e) {
      String key = e.getClass().getSimpleName();
      Throwable cause = e.getCause();
      if (cause != null && cause != e) {
        key += " <- " + cause.getClass().getSimpleName();
      }
      failures.computeIfAbsent(key, k -> new LongAdder()).increment();
      sampleMessages.putIfAbsent(key, String.valueOf(e.getMessage()));
      end(i);
    }

    void end(int i) {
      doneAt[i] = System.nanoTime();
      if (firstAt[i] == 0) {
        firstAt[i] = -1;
        firstOrEnd.countDown();
      }
      ended.countDown();
    }

    /** Milliseconds from start to {@code at[i]} over the streams that got there. */
    double percentile(long[] at, double q) {
      long[] d = new long[streams];
      int n = 0;
      for (int i = 0; i < streams; i++) {
        if (at[i] > 0) {
          d[n++] = at[i] - startedAt[i];
        }
      }
      if (n == 0) {
        return Double.NaN;
      }
      Arrays.sort(d, 0, n);
      return d[Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1))] / 1e6;
    }

    final class Probe implements ChatStreamHandler {
      private final int i;
      private int deltas;
      private final StringBuilder text = new StringBuilder();

      Probe(int i) {
        this.i = i;
      }

      @Override
      public void onEvent(ChatEvent event) {
        if (firstAt[i] == 0) {
          firstAt[i] = System.nanoTime();
          firstOrEnd.countDown();
        }
        if (event instanceof ChatEvent.TextDelta d) {
          deltas++;
          text.append(d.text());
        }
      }

      @Override
      public void onComplete(ChatResponse response) {
        boolean good = deltas == chunks && response.text().contentEquals(text)
            && response.usage().outputTokens() == chunks && text.toString().startsWith("tok0 ");
        if (good) {
          ok.increment();
          end(i);
        } else {
          failed(i, new IllegalStateException("bad content: " + deltas + " deltas, usage "
              + response.usage().outputTokens() + ", text '" + abbreviate(response.text()) + "'"));
        }
      }

      @Override
      public void onError(ChatException error) {
        failed(i, error);
      }
    }

    private static String abbreviate(String s) {
      return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
  }

  /** Samples live platform threads, heap, direct buffers, OS threads and RSS on one daemon thread. */
  private static final class Sampler implements Runnable {
    private final ThreadMXBean threads;
    private final MemoryMXBean memory;
    private final long periodMs;
    private final BufferPoolMXBean direct;
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "scale-sampler");
          t.setDaemon(true);
          return t;
        });
    private long samples;
    volatile int maxThreads;
    volatile long maxHeap;
    volatile long maxDirect;
    volatile int maxOsThreads;
    volatile long maxRssKb;
    volatile String peakThreadNames = "";

    Sampler(ThreadMXBean threads, MemoryMXBean memory, long periodMs) {
      this.threads = threads;
      this.memory = memory;
      this.periodMs = periodMs;
      this.direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(p -> p.getName().equals("direct")).findFirst().orElse(null);
    }

    void start() {
      timer.scheduleAtFixedRate(this, 0, periodMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void stop() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      sample(0); // one last look
    }

    @Override
    public void run() {
      sample(samples++);
    }

    private void sample(long n) {
      int live = threads.getThreadCount();
      if (live > maxThreads) {
        maxThreads = live;
        peakThreadNames = threadNames();
      }
      maxHeap = Math.max(maxHeap, memory.getHeapMemoryUsage().getUsed());
      if (direct != null) {
        maxDirect = Math.max(maxDirect, direct.getMemoryUsed());
      }
      if (n % 5 == 0) {
        readProcStatus();
      }
    }

    /** Live threads grouped by name with the digits folded: "switchboard-http-#-send-#=12". */
    private String threadNames() {
      Map<String, AtomicInteger> groups = new TreeMap<>();
      for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
        if (info != null) {
          groups.computeIfAbsent(info.getThreadName().replaceAll("[0-9]+", "#"), k -> new AtomicInteger())
              .incrementAndGet();
        }
      }
      return groups.toString();
    }

    private void readProcStatus() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("Threads:")) {
            maxOsThreads = Math.max(maxOsThreads, Integer.parseInt(line.substring(8).trim()));
          } else if (line.startsWith("VmRSS:")) {
            maxRssKb = Math.max(maxRssKb, Long.parseLong(line.substring(6).replace("kB", "").trim()));
          }
        }
      } catch (IOException | RuntimeException notLinux) {
        // figures stay 0
      }
    }
  }
}
