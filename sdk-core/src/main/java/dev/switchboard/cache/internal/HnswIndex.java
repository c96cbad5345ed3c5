package dev.switchboard.cache.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An approximate nearest-neighbour index over unit vectors by cosine similarity (the dot product),
 * after Malkov and Yashunin's HNSW: a graph of layers, searched greedily from the top layer down
 * and with a beam of {@code efSearch} on the bottom one. The similarities it returns are exact dot
 * products; only which neighbours are found is approximate. The search walks the graph on byte
 * codes of the vectors (a quarter of the memory traffic) and scores the beam's results exactly.
 * With the defaults, on 100,000 lexical question vectors, the top-1 is the exact one for 96% of
 * lookups and for 99% of those whose best match scores 0.70 or more (the ones a cache can serve);
 * p99 of embed + search is 0.89 ms ({@code docs/caching.md}, "Index speed"). {@link
 * #search(float[], int, int)} trades speed for recall.
 *
 * <p>The caller bounds it: a cache evicts an entry by calling {@link #remove}, which leaves a
 * tombstone (still a waypoint, never a result). Once tombstones exceed {@code compactShare} of the
 * nodes, the remove that crossed the line rebuilds the graph from the live entries on its own
 * thread, outside the lock, while searches and writes go on against the old graph; writes made in
 * the meantime are replayed on the new graph before it replaces the old one.
 *
 * <p>Once the index holds {@code quantizeFrom} nodes (default {@value #DEFAULT_QUANTIZE_FROM}), a
 * {@link ProductQuantizer} is trained on them in the background ({@code trainer}, default the common
 * pool) while searches go on walking byte codes; from then on searches walk 64-byte product codes
 * read through a per-query table and re-score the best {@value #RESCORED} of the beam exactly.
 *
 * <p>Levels come from a generator seeded at construction, so the same sequence of adds builds the
 * same graph and returns the same results.
 *
 * <p>Thread-safe: searches run concurrently under a read lock; {@link #add} and {@link #remove}
 * take the write lock.
 */
public final class HnswIndex {

  /** Default neighbours per node on the upper layers (twice as many on the bottom layer). */
  public static final int DEFAULT_M = 16;
  /** Default beam width while inserting. */
  public static final int DEFAULT_EF_CONSTRUCTION = 300;
  /** Default beam width while searching (at least k). */
  public static final int DEFAULT_EF_SEARCH = 160;
  /** Default share of tombstones at which the graph is rebuilt. */
  public static final double DEFAULT_COMPACT_SHARE = 0.25;
  /** Default size from which searches walk product-quantized codes. */
  public static final int DEFAULT_QUANTIZE_FROM = 10_000;
  /** How many of the beam's results a quantized search scores exactly. */
  static final int RESCORED = 32;

  /** One result: a stored id and its exact similarity to the query. */
  public record Hit(long id, float similarity) {}

  private final int dimensions;
  private final int m;
  private final int efConstruction;
  private final int efSearch;
  private final long seed;
  private final double compactShare;
  private final int quantizeFrom;
  private final Executor trainer;
  private final AtomicBoolean training = new AtomicBoolean();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ThreadLocal<HnswScratch> scratch = ThreadLocal.withInitial(HnswScratch::new);

  private Graph graph; // guarded by lock
  private List<Object[]> pending; // writes made while a rebuild runs: {Long id, float[] vector or null}
  private ProductQuantizer pendingQuantizer; // trained while a rebuild ran
  private Graph sampled; // the graph whose first nodes the quantizer is trained on
  private long rebuilds;

  /** An index with the default parameters. */
  public HnswIndex(int dimensions) {
    this(dimensions, DEFAULT_M, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, 42L, DEFAULT_COMPACT_SHARE);
  }

  public HnswIndex(int dimensions, int m, int efConstruction, int efSearch, long seed, double compactShare) {
    this(dimensions, m, efConstruction, efSearch, seed, compactShare, DEFAULT_QUANTIZE_FROM, ForkJoinPool.commonPool());
  }

  /** As above; quantization from {@code quantizeFrom} nodes (0: never), trained on {@code trainer}. */
  public HnswIndex(int dimensions, int m, int efConstruction, int efSearch, long seed, double compactShare,
      int quantizeFrom, Executor trainer) {
    if (dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be positive, was " + dimensions);
    }
    if (m < 2) {
      throw new IllegalArgumentException("m must be at least 2, was " + m);
    }
    if (efConstruction < 1 || efSearch < 1) {
      throw new IllegalArgumentException("efConstruction and efSearch must be positive, were "
          + efConstruction + " and " + efSearch);
    }
    if (!(compactShare > 0 && compactShare <= 1)) {
      throw new IllegalArgumentException("compactShare must be in (0, 1], was " + compactShare);
    }
    this.dimensions = dimensions;
    this.m = m;
    this.efConstruction = efConstruction;
    this.efSearch = efSearch;
    this.seed = seed;
    this.compactShare = compactShare;
    this.quantizeFrom = ProductQuantizer.fits(dimensions) ? quantizeFrom : 0;
    this.trainer = java.util.Objects.requireNonNull(trainer, "trainer");
    this.graph = new Graph(16);
  }

  public int dimensions() {
    return dimensions;
  }

  /** Adds {@code vector} (unit length, copied) under {@code id}, replacing what {@code id} had. */
  public void add(long id, float[] vector) {
    if (vector.length != dimensions) {
      throw new IllegalArgumentException("vector has " + vector.length + " dimensions, the index " + dimensions);
    }
    float[] copy = vector.clone();
    float[] sample = null;
    lock.writeLock().lock();
    try {
      graph.remove(id);
      graph.insert(id, copy, scratch.get());
      if (pending != null) {
        pending.add(new Object[] {id, copy});
      }
      if (quantizeFrom > 0 && graph.size >= quantizeFrom && graph.pq == null && training.compareAndSet(false, true)) {
        sample = Arrays.copyOf(graph.vectors, quantizeFrom * dimensions);
        sampled = graph;
      }
    } finally {
      lock.writeLock().unlock();
    }
    if (sample != null) {
      float[] trainOn = sample;
      try {
        trainer.execute(() -> quantize(trainOn));
      } catch (RuntimeException e) { // a trainer that refuses: walk byte codes, try again on a later add
        training.set(false);
      }
    }
  }

  /** Trains a quantizer outside the lock, encodes the sample outside it too, then installs both under it. */
  private void quantize(float[] sample) {
    ProductQuantizer pq = ProductQuantizer.train(sample, quantizeFrom, dimensions, seed);
    byte[] codes = new byte[quantizeFrom * pq.codeLength()];
    for (int i = 0; i < quantizeFrom; i++) {
      pq.encode(sample, i * dimensions, codes, i * pq.codeLength());
    }
    lock.writeLock().lock();
    try {
      graph.quantizeWith(pq, graph == sampled ? codes : null);
      sampled = null;
      if (pending != null) {
        pendingQuantizer = pq; // a rebuild is under way: its graph gets the quantizer too
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether searches walk product-quantized codes (for tests and the benchmark). */
  public boolean quantized() {
    lock.readLock().lock();
    try {
      return graph.pq != null;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Removes {@code id}, if present; may rebuild the graph on this thread (see the class comment).
   *
   * @return whether {@code id} was present
   */
  public boolean remove(long id) {
    Snapshot snapshot;
    lock.writeLock().lock();
    try {
      boolean removed = graph.remove(id);
      if (pending != null) {
        pending.add(new Object[] {id, null});
      }
      if (!removed || pending != null || graph.tombstones <= compactShare * graph.size) {
        return removed;
      }
      pending = new ArrayList<>();
      snapshot = new Snapshot(graph.size, graph.size - graph.tombstones, graph.ids, graph.vectors,
          Arrays.copyOf(graph.deleted, graph.size), graph.pq);
    } finally {
      lock.writeLock().unlock();
    }
    rebuild(snapshot);
    return true;
  }

  /** The old graph's nodes; those below {@code size} never change, and arrays are only replaced. */
  private record Snapshot(int size, int live, long[] ids, float[] vectors, boolean[] deleted, ProductQuantizer pq) {}

  private void rebuild(Snapshot old) {
    Graph fresh = null;
    try {
      Graph building = new Graph(Math.max(16, old.live()));
      if (old.pq() != null) {
        building.quantizeWith(old.pq(), null);
      }
      HnswScratch s = scratch.get();
      for (int i = 0; i < old.size(); i++) {
        if (!old.deleted()[i]) {
          building.insert(old.ids()[i], Arrays.copyOfRange(old.vectors(), i * dimensions, (i + 1) * dimensions), s);
        }
      }
      fresh = building;
    } finally {
      lock.writeLock().lock();
      try {
        if (fresh != null) {
          HnswScratch s = scratch.get();
          for (Object[] op : pending) {
            long id = (Long) op[0];
            fresh.remove(id);
            if (op[1] != null) {
              fresh.insert(id, (float[]) op[1], s);
            }
          }
          if (fresh.pq == null && pendingQuantizer != null) {
            fresh.quantizeWith(pendingQuantizer, null);
          }
          graph = fresh;
          rebuilds++;
        }
        pending = null;
        pendingQuantizer = null;
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /**
   * The {@code k} live entries most similar to {@code query} (unit length), best first, each with
   * its exact similarity; fewer when the index holds fewer.
   */
  public List<Hit> search(float[] query, int k) {
    return search(query, k, efSearch);
  }

  /** {@link #search(float[], int)} with a beam of {@code ef} instead of the index's {@code efSearch}. */
  public List<Hit> search(float[] query, int k, int ef) {
    if (query.length != dimensions) {
      throw new IllegalArgumentException("query has " + query.length + " dimensions, the index " + dimensions);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive, was " + k);
    }
    lock.readLock().lock();
    try {
      return graph.search(query, k, Math.max(ef, k), scratch.get());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Live entries. */
  public int size() {
    lock.readLock().lock();
    try {
      return graph.size - graph.tombstones;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of the live entry's vector, or null when {@code id} is not one. */
  public float[] vector(long id) {
    lock.readLock().lock();
    try {
      Integer node = graph.nodeOf.get(id);
      if (node == null) {
        return null;
      }
      int from = node * dimensions;
      return Arrays.copyOfRange(graph.vectors, from, from + dimensions);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether {@code id} is a live entry. */
  public boolean contains(long id) {
    lock.readLock().lock();
    try {
      return graph.nodeOf.containsKey(id);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How often the graph was rebuilt to drop tombstones (for tests and metrics). */
  public long rebuilds() {
    lock.readLock().lock();
    try {
      return rebuilds;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Approximate heap bytes held, vectors and links included (for the benchmark's memory figure). */
  public long bytesUsed() {
    lock.readLock().lock();
    try {
      return graph.bytesUsed();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "HnswIndex[dimensions=" + dimensions + ", m=" + m + ", efConstruction=" + efConstruction
        + ", efSearch=" + efSearch + ", size=" + size() + "]";
  }

  /** One graph; not thread-safe (the index's lock guards it). */
  private final class Graph {
    final int m0 = 2 * m;
    final double levelFactor = 1 / Math.log(m);
    long random = seed;
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

    Graph(int capacity) {
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

    List<Hit> search(float[] q, int k, int ef, HnswScratch s) {
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
        live = Math.min(live, Math.max(k, RESCORED));
        for (int i = 0; i < live; i++) {
          sims[i] = dot(q, nodes[i]);
        }
        Vectors.sortBySimDesc(nodes, sims, live);
      }
      List<Hit> hits = new ArrayList<>(Math.min(k, live));
      for (int i = 0; i < live && hits.size() < k; i++) {
        hits.add(new Hit(ids[nodes[i]], sims[i]));
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

}
