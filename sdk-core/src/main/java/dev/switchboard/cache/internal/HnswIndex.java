package dev.switchboard.cache.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  private HnswGraph graph; // guarded by lock
  private List<Object[]> pending; // writes made while a rebuild runs: {Long id, float[] vector or null}
  private ProductQuantizer pendingQuantizer; // trained while a rebuild ran
  private HnswGraph sampled; // the graph whose first nodes the quantizer is trained on
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
    this.graph = new HnswGraph(dimensions, m, efConstruction, seed, 16);
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
    HnswGraph fresh = null;
    try {
      HnswGraph building = new HnswGraph(dimensions, m, efConstruction, seed, Math.max(16, old.live()));
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
}
