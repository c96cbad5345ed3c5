package dev.switchboard.cache.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HNSW graph of {@link HnswIndex}: its nodes' vectors, byte codes and (once quantized) product
 * codes, links per layer, tombstones; insert and search. Not thread-safe: the index guards it with
 * its lock and replaces it whole on a rebuild. Not API.
 */
final class HnswGraph {
  private final int dimensions;
  private final int m;
  private final int efConstruction;
  final int m0;
  final double levelFactor;
  long random;
  float[] vectors;
  byte[] codes; // vectors quantized to bytes, for the search's graph walk
  ProductQuantizer pq; // once trained: the search walks product codes instead
  byte[] pqCodes;
  float[] scales; // per node: the float one code step stands for
  long[] ids;
  int[] levels;
  int[] links0; // per node: count, then up to m0 neighbours
  int[][] upper; // per node with level > 0: per level 1..level, count then up to m neighbours
  boolean[] deleted;
  final Map<Long, Integer> nodeOf = new HashMap<>();
  int size;
  int tombstones;
  int entry = -1;
  int maxLevel = -1;

  HnswGraph(int dimensions, int m, int efConstruction, long seed, int capacity) {
    this.dimensions = dimensions;
    this.m = m;
    this.efConstruction = efConstruction;
    this.m0 = 2 * m;
    this.levelFactor = 1 / Math.log(m);
    this.random = seed;
    vectors = new float[capacity * dimensions];
    codes = new byte[capacity * dimensions];
    scales = new float[capacity];
    ids = new long[capacity];
    levels = new int[capacity];
    links0 = new int[capacity * (m0 + 1)];
    upper = new int[capacity][];
    deleted = new boolean[capacity];
  }

  long bytesUsed() {
    long bytes = 4L * vectors.length + codes.length + 4L * scales.length + 8L * ids.length + 4L * levels.length + 4L * links0.length
        + 16L + 8L * upper.length + deleted.length;
    for (int i = 0; i < size; i++) {
      if (upper[i] != null) {
        bytes += 16 + 4L * upper[i].length;
      }
    }
    return bytes + 64L * nodeOf.size(); // HashMap node, boxed Long and Integer
  }

  boolean remove(long id) {
    Integer node = nodeOf.remove(id);
    if (node == null) {
      return false;
    }
    deleted[node] = true;
    tombstones++;
    return true;
  }

  private void grow() {
    int capacity = ids.length * 2;
    vectors = Arrays.copyOf(vectors, capacity * dimensions);
    codes = Arrays.copyOf(codes, capacity * dimensions);
    scales = Arrays.copyOf(scales, capacity);
    ids = Arrays.copyOf(ids, capacity);
    levels = Arrays.copyOf(levels, capacity);
    links0 = Arrays.copyOf(links0, capacity * (m0 + 1));
    upper = Arrays.copyOf(upper, capacity);
    deleted = Arrays.copyOf(deleted, capacity);
    if (pq != null) {
      pqCodes = Arrays.copyOf(pqCodes, capacity * pq.codeLength());
    }
  }

  /** Walks product codes from now on: {@code codes} holds the first nodes' (null: encode every node here). */
  void quantizeWith(ProductQuantizer quantizer, byte[] codes) {
    int length = quantizer.codeLength();
    byte[] all = new byte[ids.length * length];
    int done = 0;
    if (codes != null) {
      done = Math.min(size, codes.length / length);
      System.arraycopy(codes, 0, all, 0, done * length);
    }
    for (int node = done; node < size; node++) {
      quantizer.encode(vectors, node * dimensions, all, node * length);
    }
    pqCodes = all;
    pq = quantizer;
  }

  private int randomLevel() {
    random += 0x9e3779b97f4a7c15L; // SplitMix64
    long z = random;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    z ^= z >>> 31;
    double u = ((z >>> 11) + 1) * 0x1.0p-53; // (0, 1]
    return (int) (-Math.log(u) * levelFactor);
  }

  void insert(long id, float[] vector, HnswScratch s) {
    if (size == ids.length) {
      grow();
    }
    int node = size++;
    System.arraycopy(vector, 0, vectors, node * dimensions, dimensions);
    scales[node] = Vectors.quantize(vector, codes, node * dimensions);
    if (pq != null) {
      pq.encode(vector, 0, pqCodes, node * pq.codeLength());
    }
    ids[node] = id;
    int level = Math.min(randomLevel(), 16);
    levels[node] = level;
    upper[node] = level == 0 ? null : new int[level * (m + 1)];
    nodeOf.put(id, node);
    if (entry < 0) {
      entry = node;
      maxLevel = level;
      return;
    }
    int ep = entry;
    float epSim = dot(vector, ep);
    for (int l = maxLevel; l > level; l--) {
      ep = greedy(vector, null, null, ep, epSim, l);
      epSim = dot(vector, ep);
    }
    for (int l = Math.min(level, maxLevel); l >= 0; l--) {
      searchLayer(vector, null, null, ep, efConstruction, l, s);
      int found = s.sortResults(); // best first in s.resultNodes / s.resultSims
      int[] chosen = selectNeighbours(s.resultNodes, s.resultSims, found, m, node, s);
      setLinks(node, l, chosen, chosen.length);
      for (int neighbour : chosen) {
        link(neighbour, node, l, s);
      }
      ep = s.resultNodes[0];
    }
    if (level > maxLevel) {
      entry = node;
      maxLevel = level;
    }
  }

  /** Malkov's heuristic: keep a candidate only if it is closer to the base than to every kept one. */
  private int[] selectNeighbours(int[] nodes, float[] sims, int count, int max, int base, HnswScratch s) {
    int[] kept = new int[Math.min(max, count)];
    int k = 0;
    for (int i = 0; i < count && k < max; i++) {
      int c = nodes[i];
      if (c == base) {
        continue;
      }
      boolean good = true;
      for (int j = 0; j < k; j++) {
        if (dot(c, kept[j]) > sims[i]) {
          good = false;
          break;
        }
      }
      if (good) {
        kept[k++] = c;
      }
    }
    return k == kept.length ? kept : Arrays.copyOf(kept, k);
  }

  private void link(int from, int to, int level, HnswScratch s) {
    int max = level == 0 ? m0 : m;
    int[] arr = level == 0 ? links0 : upper[from];
    int base = level == 0 ? from * (m0 + 1) : (level - 1) * (m + 1);
    int count = arr[base];
    if (count < max) {
      arr[base + 1 + count] = to;
      arr[base] = count + 1;
      return;
    }
    int[] candidates = new int[count + 1];
    float[] sims = new float[count + 1];
    for (int i = 0; i < count; i++) {
      candidates[i] = arr[base + 1 + i];
    }
    candidates[count] = to;
    for (int i = 0; i <= count; i++) {
      sims[i] = dot(from, candidates[i]);
    }
    Vectors.sortBySimDesc(candidates, sims, count + 1);
    int[] chosen = selectNeighbours(candidates, sims, count + 1, max, from, s);
    setLinks(from, level, chosen, chosen.length);
  }

  private void setLinks(int node, int level, int[] neighbours, int count) {
    int[] arr = level == 0 ? links0 : upper[node];
    int base = level == 0 ? node * (m0 + 1) : (level - 1) * (m + 1);
    arr[base] = count;
    System.arraycopy(neighbours, 0, arr, base + 1, count);
  }

  /**
   * The similarity of the query to {@code node}: exact floats while inserting ({@code q8} and
   * {@code table} null); while searching, product codes read through the query's {@code table}
   * once the index is quantized (one cache line a node), byte codes before (a quarter of the
   * floats' memory traffic).
   */
  private float sim(float[] q, byte[] q8, float[] table, int node) {
    if (table != null) {
      return pq.similarity(table, pqCodes, node * pq.codeLength());
    }
    return q8 != null ? Vectors.dot8(q8, codes, node * dimensions, dimensions) * scales[node]
        : Vectors.dot(q, 0, vectors, node * dimensions, dimensions);
  }

  private int greedy(float[] q, byte[] q8, float[] table, int ep, float epSim, int level) {
    boolean changed = true;
    while (changed) {
      changed = false;
      int[] arr = upper[ep];
      int base = (level - 1) * (m + 1);
      int count = arr[base];
      for (int i = 1; i <= count; i++) {
        int c = arr[base + i];
        float sim = sim(q, q8, table, c);
        if (sim > epSim) {
          epSim = sim;
          ep = c;
          changed = true;
        }
      }
    }
    return ep;
  }

  /** Beam search on one layer; leaves up to {@code ef} results (unsorted) in {@code s}. */
  private void searchLayer(float[] q, byte[] q8, float[] table, int ep, int ef, int level, HnswScratch s) {
    s.reset(size);
    s.visit(ep);
    float sim = sim(q, q8, table, ep);
    s.pushCandidate(ep, sim);
    s.pushResult(ep, sim, ef);
    while (s.candidateCount > 0) {
      float cSim = s.candidateSims[0];
      if (s.resultCount >= ef && cSim < s.resultSims[0]) {
        break;
      }
      int c = s.popCandidate();
      int[] arr = level == 0 ? links0 : upper[c];
      int base = level == 0 ? c * (m0 + 1) : (level - 1) * (m + 1);
      int count = arr[base];
      for (int i = 1; i <= count; i++) {
        int n = arr[base + i];
        if (s.visit(n)) {
          float nSim = sim(q, q8, table, n);
          if (s.resultCount < ef || nSim > s.resultSims[0]) {
            s.pushCandidate(n, nSim);
            s.pushResult(n, nSim, ef);
          }
        }
      }
    }
  }

  List<HnswIndex.Hit> search(float[] q, int k, int ef, HnswScratch s) {
    if (entry < 0 || size == tombstones) {
      return List.of();
    }
    if (s.query.length < dimensions) {
      s.query = new byte[dimensions];
    }
    byte[] q8 = null;
    float[] table = null;
    if (pq != null) {
      if (s.table.length < pq.tableLength()) {
        s.table = new float[pq.tableLength()];
      }
      table = s.table;
      pq.table(q, table);
    } else {
      q8 = s.query;
      Vectors.quantize(q, q8, 0);
    }
    int ep = entry;
    float epSim = sim(null, q8, table, ep);
    for (int l = maxLevel; l > 0; l--) {
      ep = greedy(null, q8, table, ep, epSim, l);
      epSim = sim(null, q8, table, ep);
    }
    // tombstones take beam places; widen the beam by their share
    int widened = tombstones == 0 ? ef : (int) Math.min(size, (long) ef * size / (size - tombstones) + 1);
    searchLayer(null, q8, table, ep, widened, 0, s);
    int found = s.resultCount;
    int[] nodes = new int[found];
    float[] sims = new float[found];
    int live = 0;
    for (int i = 0; i < found; i++) {
      int node = s.resultNodes[i];
      if (!deleted[node]) {
        nodes[live] = node;
        sims[live] = table != null ? s.resultSims[i] : dot(q, node);
        live++;
      }
    }
    Vectors.sortBySimDesc(nodes, sims, live);
    if (table != null) { // estimates so far: the best of them scored exactly
      live = Math.min(live, Math.max(k, HnswIndex.RESCORED));
      for (int i = 0; i < live; i++) {
        sims[i] = dot(q, nodes[i]);
      }
      Vectors.sortBySimDesc(nodes, sims, live);
    }
    List<HnswIndex.Hit> hits = new ArrayList<>(Math.min(k, live));
    for (int i = 0; i < live && hits.size() < k; i++) {
      hits.add(new HnswIndex.Hit(ids[nodes[i]], sims[i]));
    }
    return hits;
  }

  private float dot(float[] q, int node) {
    return Vectors.dot(q, 0, vectors, node * dimensions, dimensions);
  }

  private float dot(int a, int b) {
    return Vectors.dot(vectors, a * dimensions, vectors, b * dimensions, dimensions);
  }
}
