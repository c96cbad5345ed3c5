package dev.switchboard.cache.internal;

import java.util.List;

/**
 * One partition's questions: a flat scan while it is small (exact, no build cost), an {@link
 * HnswIndex} once it holds more than {@link #FLAT_LIMIT} (a scan of that many 256-float vectors
 * takes about half a millisecond). The switch copies the entries into the graph once, on the thread
 * whose add crossed the line. Thread-safe. Not API.
 */
public final class PartitionIndex {
  public static final int FLAT_LIMIT = 4096;

  private final int dimensions;
  private final FlatIndex flat = new FlatIndex();
  private volatile HnswIndex graph;

  public PartitionIndex(int dimensions) {
    this.dimensions = dimensions;
  }

  public void add(long id, float[] vector) {
    HnswIndex g = graph;
    if (g != null) {
      g.add(id, vector);
      return;
    }
    synchronized (this) {
      if (graph != null) {
        graph.add(id, vector);
        return;
      }
      flat.add(id, vector);
      if (flat.size() > FLAT_LIMIT) {
        HnswIndex built = new HnswIndex(dimensions);
        flat.forEach((v, i) -> built.add(i, v));
        graph = built;
      }
    }
  }

  public void remove(long id) {
    HnswIndex g = graph;
    if (g != null) {
      g.remove(id);
      return;
    }
    synchronized (this) {
      if (graph != null) {
        graph.remove(id);
      } else {
        flat.remove(id);
      }
    }
  }

  /** The most similar entry and the runner-up; id -1 where there is none. */
  public FlatIndex.Best best(float[] query) {
    HnswIndex g = graph;
    if (g == null) {
      return flat.best(query);
    }
    List<HnswIndex.Hit> hits = g.search(query, 2);
    if (hits.isEmpty()) {
      return FlatIndex.Best.NONE;
    }
    HnswIndex.Hit first = hits.get(0);
    return hits.size() == 1 ? new FlatIndex.Best(first.id(), first.similarity(), -1, -2)
        : new FlatIndex.Best(first.id(), first.similarity(), hits.get(1).id(), hits.get(1).similarity());
  }

  /** The stored vector of {@code id} (not to be written), or null when it is not here. */
  public float[] vector(long id) {
    HnswIndex g = graph;
    return g != null ? g.vector(id) : flat.vector(id);
  }

  public int size() {
    HnswIndex g = graph;
    return g != null ? g.size() : flat.size();
  }
}
