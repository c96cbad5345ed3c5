package dev.switchboard.cache.internal;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact nearest-neighbour search by a scan over unit vectors (dot product), for small
 * partitions: no build cost, always the true best. Thread-safe (a read-write lock). Not API.
 */
public final class FlatIndex {
  /**
   * The best match (its id and similarity, or id -1 when the index is empty) and the runner-up
   * (id -1 when there is none).
   */
  public record Best(long id, float similarity, long secondId, float secondSimilarity) {
    static final Best NONE = new Best(-1, -2, -1, -2);
  }

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private long[] ids = new long[8];
  private float[][] vectors = new float[8][];
  private int size;

  public void add(long id, float[] vector) {
    lock.writeLock().lock();
    try {
      if (size == ids.length) {
        ids = java.util.Arrays.copyOf(ids, size * 2);
        vectors = java.util.Arrays.copyOf(vectors, size * 2);
      }
      ids[size] = id;
      vectors[size] = vector;
      size++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void remove(long id) {
    lock.writeLock().lock();
    try {
      for (int i = 0; i < size; i++) {
        if (ids[i] == id) {
          size--;
          ids[i] = ids[size];
          vectors[i] = vectors[size];
          vectors[size] = null;
          return;
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  public Best best(float[] query) {
    lock.readLock().lock();
    try {
      long bestId = -1;
      float best = -2;
      long secondId = -1;
      float second = -2;
      for (int i = 0; i < size; i++) {
        float[] v = vectors[i];
        float dot = 0;
        for (int d = 0; d < v.length; d++) {
          dot += v[d] * query[d];
        }
        if (dot > best) {
          second = best;
          secondId = bestId;
          best = dot;
          bestId = ids[i];
        } else if (dot > second) {
          second = dot;
          secondId = ids[i];
        }
      }
      return new Best(bestId, best, secondId, second);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The entry's vector (not a copy: never written), or null when {@code id} is not here. */
  public float[] vector(long id) {
    lock.readLock().lock();
    try {
      for (int i = 0; i < size; i++) {
        if (ids[i] == id) {
          return vectors[i];
        }
      }
      return null;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Calls {@code each} with every entry, under the read lock. */
  public void forEach(java.util.function.ObjLongConsumer<float[]> each) {
    lock.readLock().lock();
    try {
      for (int i = 0; i < size; i++) {
        each.accept(vectors[i], ids[i]);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  public int size() {
    lock.readLock().lock();
    try {
      return size;
    } finally {
      lock.readLock().unlock();
    }
  }
}
