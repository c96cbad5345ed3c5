package dev.switchboard.bench.sidebyside;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * One client of the side-by-side benchmark in a JVM of its own (default flags), driven by {@code
 * SideBySide} over standard input and output, so that this process's CPU time is the client's alone
 * (its JIT and GC included) and clients never share a heap, a pool or a JIT profile.
 *
 * <p>Arguments: {@code <client> <stub root URL>}. Prints {@code READY}, then answers each command
 * line with one {@code RESULT <json>} line:
 *
 * <ul>
 *   <li>{@code call <concurrency> <calls> <warm-up calls>}: non-streamed blocking calls from a fixed
 *       pool of {@code concurrency} caller threads;
 *   <li>{@code stream <concurrency> <streams> <warm-up streams> <expected chunks>}: streams, each
 *       consumed to the end on its caller thread;
 *   <li>{@code quit}.
 * </ul>
 *
 * <p>Figures of the measured phase (warm-up excluded, caller threads started before it):
 * process CPU time ({@code OperatingSystemMXBean}), wall time, per-call latencies, threads started
 * ({@code ThreadMXBean.getTotalStartedThreadCount} delta), and allocation, see {@link Allocation}.
 * Anything else a library prints goes to standard error.
 */
public final class ClientMain {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    PrintStream results = System.out;
    System.setOut(System.err); // only RESULT lines on the pipe to the driver
    Allocation.install();
    String name = args[0];
    try (Clients.BenchClient client = Clients.create(name, args[1])) {
      results.println("READY");
      results.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String[] cmd = line.trim().split("\\s+");
        if (cmd[0].equals("quit")) {
          break;
        }
        ObjectNode result;
        try {
          boolean stream = cmd[0].equals("stream");
          int conc = Integer.parseInt(cmd[1]);
          int n = Integer.parseInt(cmd[2]);
          int warmup = Integer.parseInt(cmd[3]);
          int chunks = stream ? Integer.parseInt(cmd[4]) : 0;
          long warmedUp = warmUp(client, stream, conc, warmup, chunks);
          result = run(client, stream, conc, n, chunks);
          result.put("warmupCalls", warmedUp);
          result.put("client", name);
          String note = client.note();
          if (note != null) {
            result.put("note", note);
          }
        } catch (UnsupportedOperationException e) {
          result = MAPPER.createObjectNode().put("client", name).put("unsupported", true);
        } catch (Throwable e) {
          e.printStackTrace();
          result = MAPPER.createObjectNode().put("client", name).put("failed", String.valueOf(e));
        }
        results.println("RESULT " + MAPPER.writeValueAsString(result));
        results.flush();
      }
    }
  }

  /**
   * {@code warmup} calls, then more in slices of a quarter of that until the JIT is quiet: a slice
   * in which the compilers worked less than 2% of its wall time, at most 8 more slices. On two CPUs
   * the compilers lag far behind the calls, and their work would otherwise count as the client's.
   */
  static long warmUp(Clients.BenchClient client, boolean stream, int conc, int warmup, int chunks) throws Exception {
    if (warmup <= 0) {
      return 0;
    }
    run(client, stream, conc, warmup, chunks);
    long calls = warmup;
    int slice = Math.max(1, warmup / 4);
    for (int i = 0; i < 8; i++) {
      long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      long start = System.nanoTime();
      run(client, stream, conc, slice, chunks);
      calls += slice;
      long wallMillis = (System.nanoTime() - start) / 1_000_000;
      long jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit;
      if (jitMillis * 50 < wallMillis) {
        break;
      }
    }
    return calls;
  }

  /** One phase: {@code n} calls or streams from {@code conc} caller threads. */
  static ObjectNode run(Clients.BenchClient client, boolean stream, int conc, int n, int chunks) throws Exception {
    long[] latency = new long[n];
    long[] ttft = stream ? new long[n] : null;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicLong badChunks = new AtomicLong();
    AtomicInteger noUsage = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(conc);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(conc);
    CountDownLatch release = new CountDownLatch(1);
    Thread[] callers = new Thread[conc];
    for (int t = 0; t < conc; t++) {
      callers[t] = new Thread(() -> {
        ready.countDown();
        await(go);
        int i;
        while ((i = next.getAndIncrement()) < n) {
          long start = System.nanoTime();
          try {
            if (stream) {
              Clients.Probe probe = new Clients.Probe();
              if (!client.stream(probe)) {
                throw new UnsupportedOperationException("no streaming");
              }
              latency[i] = System.nanoTime() - start;
              ttft[i] = probe.firstTextNanos - start;
              if (probe.texts != chunks) {
                badChunks.incrementAndGet();
              }
              if (!probe.usage) {
                noUsage.incrementAndGet();
              }
            } else {
              String text = client.call();
              latency[i] = System.nanoTime() - start;
              if (text == null || !text.equals(BenchStub.ANSWER)) {
                throw new IllegalStateException("unexpected answer: " + text);
              }
            }
          } catch (UnsupportedOperationException e) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, "unsupported");
            next.set(n);
          } catch (Throwable e) {
            latency[i] = -1;
            errors.incrementAndGet();
            if (firstError.compareAndSet(null, String.valueOf(e))) {
              e.printStackTrace();
            }
          }
        }
        done.countDown();
        await(release); // stay alive for the closing snapshot
      }, "bench-caller-" + t);
      callers[t].start();
    }
    ready.await();
    System.gc();
    Map<Long, long[]> threadCpuBefore = threadCpu();
    long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    long gcBefore = gcMillis();
    Snapshot before = Snapshot.take(false);
    go.countDown();
    done.await();
    Snapshot after = Snapshot.take(true);
    ObjectNode cpuByThread = cpuByThreadGroup(threadCpuBefore);
    // not thread CPU, but where the rest of the process CPU most likely went (both in ms of time)
    cpuByThread.put("(JIT compiling)", (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore)
        * 1_000_000);
    cpuByThread.put("(GC pauses)", (gcMillis() - gcBefore) * 1_000_000);
    release.countDown();
    for (Thread t : callers) {
      t.join();
    }
    if ("unsupported".equals(firstError.get())) {
      throw new UnsupportedOperationException();
    }
    ObjectNode r = MAPPER.createObjectNode();
    r.put("mode", stream ? "stream" : "call").put("concurrency", conc).put("n", n);
    r.put("cpuNanos", after.cpu - before.cpu);
    r.put("wallNanos", after.wall - before.wall);
    r.put("threadsStarted", after.started - before.started);
    r.put("liveThreadsAfter", after.live);
    r.put("allocBytes", after.heapAlloc - before.heapAlloc);
    r.put("allocBytesLiveThreads", after.threadAlloc - before.threadAlloc);
    r.put("gcCount", after.gcCount - before.gcCount);
    r.set("cpuByThread", cpuByThread);
    r.put("errors", errors.get());
    if (firstError.get() != null) {
      r.put("firstError", firstError.get());
    }
    long[] ok = Arrays.stream(latency).filter(v -> v >= 0).sorted().toArray();
    r.put("p50Nanos", percentile(ok, 0.50)).put("p99Nanos", percentile(ok, 0.99)).put("maxNanos",
        ok.length == 0 ? -1 : ok[ok.length - 1]);
    if (stream) {
      long[] first = Arrays.stream(ttft).filter(v -> v > 0).sorted().toArray();
      r.put("ttftP50Nanos", percentile(first, 0.50)).put("ttftP99Nanos", percentile(first, 0.99));
      r.put("chunks", chunks).put("badChunkCounts", badChunks.get()).put("withoutUsage", noUsage.get());
    }
    return r;
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .sum();
  }

  /** CPU nanoseconds of every live thread, by id: {cpu, name index into THREAD_NAMES}. */
  private static Map<Long, long[]> threadCpu() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, long[]> cpu = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, new long[] {t});
      }
    }
    return cpu;
  }

  /**
   * CPU of the phase by thread group (the name with its digits as {@code #}), in nanoseconds, of
   * the threads alive at its end; threads that ended inside the phase are missed (their CPU shows
   * only in the process total).
   */
  private static ObjectNode cpuByThreadGroup(Map<Long, long[]> before) {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long now = threads.getThreadCpuTime(info.getThreadId());
      if (now < 0) {
        continue;
      }
      long[] then = before.get(info.getThreadId());
      long delta = now - (then == null ? 0 : then[0]);
      groups.merge(info.getThreadName().replaceAll("[0-9]+", "#"), delta, Long::sum);
    }
    ObjectNode out = MAPPER.createObjectNode();
    groups.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The figures read at the start and the end of a measured phase. */
  private record Snapshot(long cpu, long wall, long started, int live, long heapAlloc, long threadAlloc, long gcCount) {
    /** At the start, times are read last; at the end, first (so bookkeeping stays out of the phase). */
    static Snapshot take(boolean end) {
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long cpu = end ? os.getProcessCpuTime() : 0;
      long wall = end ? System.nanoTime() : 0;
      long started = threads.getTotalStartedThreadCount();
      int live = threads.getThreadCount();
      long heap = Allocation.total();
      long[] ids = threads.getAllThreadIds();
      long threadAlloc = Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(v -> v > 0).sum();
      long gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
          .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
      if (!end) {
        cpu = os.getProcessCpuTime();
        wall = System.nanoTime();
      }
      return new Snapshot(cpu, wall, started, live, heap, threadAlloc, gcs);
    }
  }

  /**
   * Bytes allocated in the heap by the whole process since start, from the heap's own accounting:
   * heap used now plus everything every garbage collection so far has freed (used before minus
   * used after, over the heap pools, from the GC notifications). Unlike per-thread counters, this
   * counts every thread, also threads that started and ended inside the measured phase (a client
   * that starts a thread per call would otherwise look cheap). Precision: G1 accounts eden by
   * region (1-2 MiB here), so the error is a few MiB per phase, divided by its thousands of calls;
   * memory freed outside a GC pause (a concurrent cycle's cleanup) would be missed, which the
   * System.gc() before each phase makes unlikely.
   */
  static final class Allocation {
    private static final AtomicLong FREED = new AtomicLong();
    private static final AtomicLong SEEN = new AtomicLong();

    static void install() {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener(Allocation::onGc, null, null);
      }
    }

    private static void onGc(Notification n, Object handback) {
      if (!"com.sun.management.gc.notification".equals(n.getType())) {
        return;
      }
      com.sun.management.GarbageCollectionNotificationInfo info =
          com.sun.management.GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
      long before = heapUsed(info.getGcInfo().getMemoryUsageBeforeGc());
      long after = heapUsed(info.getGcInfo().getMemoryUsageAfterGc());
      FREED.addAndGet(before - after);
      SEEN.incrementAndGet();
      synchronized (SEEN) {
        SEEN.notifyAll();
      }
    }

    private static long heapUsed(Map<String, MemoryUsage> pools) {
      long sum = 0;
      for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          MemoryUsage u = pools.get(pool.getName());
          if (u != null) {
            sum += u.getUsed();
          }
        }
      }
      return sum;
    }

    /** Allocated since start; waits (up to 2 s) until every GC so far has been accounted for. */
    static long total() {
      long deadline = System.nanoTime() + 2_000_000_000L;
      synchronized (SEEN) {
        long left;
        while (SEEN.get() < collections() && (left = deadline - System.nanoTime()) > 0) {
          try {
            SEEN.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      long freed = FREED.get();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + freed;
    }

    private static long collections() {
      return ManagementFactory.getGarbageCollectorMXBeans().stream()
          .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }
  }

  private ClientMain() {}
}
