package dev.switchboard.bench.semantic;

import dev.switchboard.cache.MiniLmBgeEmbedder;
import dev.switchboard.cache.MiniLmEmbedder;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a local embedding model costs: start-up (model load and first vector, and the JVM's uptime
 * then), per-embed latency on one caller thread for QQP questions of 55 to 65 characters (p50,
 * p99, p99.9 after a warm-up), throughput with two caller threads, resident memory and heap before
 * and after, and the size of the jars it brings. Run it in a fresh JVM per model.
 *
 * <p>Arguments ({@code key=value}): {@code model=minilm-q} (the shipped {@link MiniLmEmbedder}),
 * {@code minilm-bge} ({@link MiniLmBgeEmbedder}: both models, one after the other),
 * {@code minilm} (the full-precision model, through langchain4j), {@code lexical}; {@code
 * warmup=1000 n=5000}.
 */
public final class MiniLmCost {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchData.args(args);
    String model = a.getOrDefault("model", "minilm-q");
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "1000"));
    int n = Integer.parseInt(a.getOrDefault("n", "5000"));
    long rss0 = rssKb();
    long heap0 = heapUsed();
    long t0 = System.nanoTime();
    Function<String, float[]> embed;
    dev.switchboard.cache.PairClassifier guard = null;
    if (model.equals("minilm-q")) {
      MiniLmEmbedder e = MiniLmEmbedder.create();
      embed = e::vector;
    } else if (model.equals("minilm-bge")) {
      MiniLmBgeEmbedder e = MiniLmBgeEmbedder.create();
      embed = e::vector;
      guard = e.guard();
    } else {
      embed = ModelVectors.embedder(model);
    }
    long t1 = System.nanoTime();
    embed.apply("How do I learn Java quickly?");
    long t2 = System.nanoTime();
    System.out.printf("%s: create %.0f ms, first vector %.0f ms; JVM uptime at first vector %d ms%n", model,
        (t1 - t0) / 1e6, (t2 - t1) / 1e6, ManagementFactory.getRuntimeMXBean().getUptime());
    long rss1 = rssKb();
    long heap1 = heapUsed();

    List<String> questions = new ArrayList<>();
    for (BenchData.Pair p : BenchData.qqp(a.get("data")).pairs) {
      for (String q : new String[] {p.a(), p.b()}) {
        if (q.length() >= 55 && q.length() <= 65) {
          questions.add(q);
        }
      }
    }
    double meanChars = questions.stream().limit(warmup + n).mapToInt(String::length).average().orElse(0);
    for (int i = 0; i < warmup; i++) {
      embed.apply(questions.get(i));
    }
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      String q = questions.get(warmup + i);
      long s = System.nanoTime();
      embed.apply(q);
      ns[i] = System.nanoTime() - s;
    }
    Arrays.sort(ns);
    System.out.printf("one thread, %d questions of 55-65 chars (mean %.1f): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, mean %.2f ms%n",
        n, meanChars, ns[n / 2] / 1e6, ns[(int) (n * 0.99)] / 1e6, ns[(int) (n * 0.999)] / 1e6,
        Arrays.stream(ns).average().orElse(0) / 1e6);

    if (guard != null) { // the pair classifier on the calling thread, vectors at hand (as in the cache)
      int pairs = Math.min(2_000, n - 1);
      float[][] v = new float[pairs + 1][];
      for (int i = 0; i <= pairs; i++) {
        v[i] = embed.apply(questions.get(warmup + i));
      }
      long[] g = new long[pairs];
      long allowed = 0;
      for (int round = 0; round < 2; round++) { // the first round warms the JIT
        for (int i = 0; i < pairs; i++) {
          long s = System.nanoTime();
          allowed += guard.allows(questions.get(warmup + i), v[i], questions.get(warmup + i + 1), v[i + 1], 0.9) ? 1 : 0;
          g[i] = System.nanoTime() - s;
        }
      }
      Arrays.sort(g);
      System.out.printf("pair classifier, %d candidates: p50 %.3f ms, p99 %.3f ms (%d allowed)%n",
          pairs, g[pairs / 2] / 1e6, g[(int) (pairs * 0.99)] / 1e6, allowed);
    }

    int per = n / 2;
    Thread[] threads = new Thread[2];
    long[][] lat = new long[2][per];
    long w0 = System.nanoTime();
    for (int t = 0; t < 2; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        for (int i = 0; i < per; i++) {
          String q = questions.get(warmup + id * per + i);
          long s = System.nanoTime();
          embed.apply(q);
          lat[id][i] = System.nanoTime() - s;
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long wall = System.nanoTime() - w0;
    long[] both = new long[2 * per];
    System.arraycopy(lat[0], 0, both, 0, per);
    System.arraycopy(lat[1], 0, both, per, per);
    Arrays.sort(both);
    System.out.printf("two threads: %.0f questions/s, p50 %.2f ms, p99 %.2f ms%n", 2 * per / (wall / 1e9),
        both[per] / 1e6, both[(int) (2 * per * 0.99)] / 1e6);

    long rss2 = rssKb();
    long heap2 = heapUsed();
    System.out.printf("resident memory: %d MB before, %d MB after create + first vector (+%d MB), %d MB after %d vectors (+%d MB from start)%n",
        rss0 / 1024, rss1 / 1024, (rss1 - rss0) / 1024, rss2 / 1024, warmup + 2 * n, (rss2 - rss0) / 1024);
    System.out.printf("heap after GC: %d MB before, %d MB after create, %d MB at the end%n", heap0 >> 20, heap1 >> 20, heap2 >> 20);

    long total = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.matches("(langchain4j-(core|embeddings).*|onnxruntime.*|api-0\\..*|tokenizers.*|jna-.*|gson-.*"
          + "|commons-(compress|codec|io)-.*)\\.jar") && (model.startsWith("minilm") || name.startsWith("x"))) {
        if (name.contains("minilm-l6-v2-q") && !model.startsWith("minilm-")
            || name.contains("minilm-l6-v2-1") && !model.equals("minilm")
            || name.contains("bge-small") && !model.equals("minilm-bge") || name.contains("e5-small")) {
          continue;
        }
        long size = Files.size(Path.of(entry));
        total += size;
        System.out.printf("  %-60s %6.1f MB%n", name, size / 1e6);
      }
    }
    System.out.printf("jars the model brings: %.1f MB%n", total / 1e6);
  }

  private static long rssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static long heapUsed() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
