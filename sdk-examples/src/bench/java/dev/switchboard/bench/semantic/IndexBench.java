package dev.switchboard.bench.semantic;

import dev.switchboard.cache.LexicalEmbedder;
import dev.switchboard.cache.internal.HnswIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Semantic lookup at scale: {@code n} distinct QQP questions embedded by {@link LexicalEmbedder}
 * and added to an {@link HnswIndex}; then {@code queries} other QQP questions (each the partner of
 * an indexed one) looked up. Prints build time, heap per entry, recall@1 and recall@k against
 * exact brute force, and the latency of embed + search (p50, p99, p99.9) on one thread and on two.
 *
 * <p>Arguments ({@code key=value}): {@code n=100000 queries=1000 latencyQueries=20000 m=16
 * efConstruction=100 efSearch=64 k=4 dimensions=512 data=<path to qqp_pairs_dev.jsonl>}.
 */
public final class IndexBench {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchData.args(args);
    int n = Integer.parseInt(a.getOrDefault("n", "100000"));
    int queries = Integer.parseInt(a.getOrDefault("queries", "1000"));
    int latencyQueries = Integer.parseInt(a.getOrDefault("latencyQueries", "20000"));
    int m = Integer.parseInt(a.getOrDefault("m", String.valueOf(HnswIndex.DEFAULT_M)));
    int efc = Integer.parseInt(a.getOrDefault("efConstruction", String.valueOf(HnswIndex.DEFAULT_EF_CONSTRUCTION)));
    int ef = Integer.parseInt(a.getOrDefault("efSearch", String.valueOf(HnswIndex.DEFAULT_EF_SEARCH)));
    int k = Integer.parseInt(a.getOrDefault("k", "4"));
    LexicalEmbedder embedder = a.containsKey("dimensions")
        ? LexicalEmbedder.create(Integer.parseInt(a.get("dimensions"))) : LexicalEmbedder.create();
    int dim = embedder.dimensions();

    BenchData.Qqp qqp = BenchData.qqp(a.get("data"));
    List<String> stored = new ArrayList<>();
    List<String> asked = new ArrayList<>();
    qqp.storedAndAsked(n, stored, asked);
    if (stored.size() < n) {
      throw new IllegalStateException("only " + stored.size() + " distinct questions available, asked for n=" + n);
    }
    System.out.printf("index: %s, m=%d efConstruction=%d efSearch=%d; %d entries, %d lookup questions%n",
        embedder.id(), m, efc, ef, n, asked.size());

    // embed
    float[][] vectors = new float[n][];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      vectors[i] = embedder.vector(stored.get(i));
    }
    long embedNs = System.nanoTime() - t0;
    double meanChars = stored.stream().mapToInt(String::length).average().orElse(0);
    System.out.printf("embed: %.1f us per question (mean %.0f chars, first pass, JIT included)%n",
        embedNs / 1e3 / n, meanChars);

    // build
    long heapBefore = usedHeap();
    HnswIndex index = new HnswIndex(dim, m, efc, ef, 42L, HnswIndex.DEFAULT_COMPACT_SHARE);
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      index.add(i, vectors[i]);
    }
    long buildNs = System.nanoTime() - t0;
    long heapAfter = usedHeap();
    System.out.printf("build: %.1f s for %d entries (%.0f us per add)%n", buildNs / 1e9, n, buildNs / 1e3 / n);
    System.out.printf("memory: %.0f bytes per entry by the index's own count (vector %d bytes), %.0f by heap delta%n",
        (double) index.bytesUsed() / n, 4 * dim, (double) (heapAfter - heapBefore) / n);

    int q = Math.min(queries, asked.size());
    float[] flat = new float[n * dim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(vectors[i], 0, flat, i * dim, dim);
    }
    float[][] queryVectors = new float[q][];
    int[][] exactTop = new int[q][];
    float[] exactBest = new float[q];
    long bruteNs = 0;
    for (int i = 0; i < q; i++) {
      queryVectors[i] = embedder.vector(asked.get(i));
      long b0 = System.nanoTime();
      exactTop[i] = bruteForce(flat, n, dim, queryVectors[i], k);
      bruteNs += System.nanoTime() - b0;
      exactBest[i] = dot(flat, exactTop[i][0], dim, queryVectors[i]);
    }
    System.out.printf("exact brute force: %.1f ms per query%n", bruteNs / 1e6 / q);
    System.out.printf("walk on product codes: %s%n", index.quantized());
    String[] efs = a.getOrDefault("efSweep", String.valueOf(ef)).split(",");
    for (String efText : efs) {
      int e = Integer.parseInt(efText);
      measure(embedder, index, asked, queryVectors, exactTop, exactBest, k, e, latencyQueries, n);
    }
  }

  private static void measure(LexicalEmbedder embedder, HnswIndex index, List<String> asked, float[][] queryVectors,
      int[][] exactTop, float[] exactBest, int k, int ef, int latencyQueries, int n) throws InterruptedException {
    int q = queryVectors.length;
    int hit1 = 0;
    int hitK = 0;
    int above = 0;
    int hit1Above = 0;
    for (int i = 0; i < q; i++) {
      int[] exact = exactTop[i];
      List<HnswIndex.Hit> hits = index.search(queryVectors[i], k, ef);
      boolean found = !hits.isEmpty() && (hits.get(0).id() == exact[0] || hits.get(0).similarity() >= exactBest[i] - 1e-5f);
      if (found) {
        hit1++;
      }
      if (exactBest[i] >= 0.7f) {
        above++;
        if (found) {
          hit1Above++;
        }
      }
      for (int e : exact) {
        for (HnswIndex.Hit h : hits) {
          if (h.id() == e) {
            hitK++;
            break;
          }
        }
      }
    }
    System.out.printf("efSearch=%d: recall@1 %.4f, recall@%d %.4f over %d queries; recall@1 %.4f over the %d whose best exact match scores >= 0.70%n",
        ef, (double) hit1 / q, k, (double) hitK / (q * (double) k), q, (double) hit1Above / above, above);

    // latency of embed + search
    for (int threads : new int[] {1, 2}) {
      long[][] lat = new long[threads][];
      Thread[] ts = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int tt = t;
        ts[t] = new Thread(() -> lat[tt] = lookups(embedder, index, asked, latencyQueries, k, ef, tt));
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf("lookup (embed + search k=%d), %d thread(s): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%d lookups after warm-up)%n",
          k, threads, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all[all.length - 1] / 1e3, all.length);
    }
    long[] searchOnly = new long[latencyQueries];
    for (int i = 0; i < latencyQueries; i++) {
      float[] v = embedder.vector(asked.get(i % asked.size()));
      long s0 = System.nanoTime();
      index.search(v, k, ef);
      searchOnly[i] = System.nanoTime() - s0;
    }
    Arrays.sort(searchOnly);
    System.out.printf("search alone, 1 thread: p50 %.1f us, p99 %.1f us%n", pct(searchOnly, 0.50), pct(searchOnly, 0.99));
  }

  private static long[] lookups(LexicalEmbedder embedder, HnswIndex index, List<String> asked, int count, int k, int ef, int offset) {
    for (int i = 0; i < count; i++) { // warm-up
      index.search(embedder.vector(asked.get((i * 7 + offset) % asked.size())), k, ef);
    }
    long[] lat = new long[count];
    for (int i = 0; i < count; i++) {
      String text = asked.get((i + offset * 997) % asked.size());
      long s0 = System.nanoTime();
      index.search(embedder.vector(text), k, ef);
      lat[i] = System.nanoTime() - s0;
    }
    return lat;
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e3;
  }

  static int[] bruteForce(float[] flat, int n, int dim, float[] q, int k) {
    int[] best = new int[k];
    float[] sims = new float[k];
    Arrays.fill(sims, -2f);
    for (int i = 0; i < n; i++) {
      float s = dot(flat, i, dim, q);
      if (s > sims[k - 1]) {
        int j = k - 1;
        while (j > 0 && sims[j - 1] < s) {
          sims[j] = sims[j - 1];
          best[j] = best[j - 1];
          j--;
        }
        sims[j] = s;
        best[j] = i;
      }
    }
    return best;
  }

  static float dot(float[] flat, int i, int dim, float[] q) {
    float s = 0;
    int off = i * dim;
    for (int d = 0; d < dim; d++) {
      s += flat[off + d] * q[d];
    }
    return s;
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
