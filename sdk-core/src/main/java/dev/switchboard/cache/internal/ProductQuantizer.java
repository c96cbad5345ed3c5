package dev.switchboard.cache.internal;

import java.util.SplittableRandom;

/**
 * Product quantization for {@link HnswIndex}'s graph walk: a vector is cut into sub-vectors of
 * {@link #SUB_DIMENSIONS} floats, each replaced by the index of the nearest of 256 centroids learnt
 * for its place (k-means), so a 256-float vector becomes 64 bytes — one cache line. A query's
 * similarity to a code is then a sum of table lookups ({@link #table}, {@link #similarity}): an
 * estimate, used to steer the walk, never returned (the index re-scores the best exactly).
 * Immutable once trained; thread-safe.
 */
final class ProductQuantizer {
  /** Floats per sub-vector. */
  static final int SUB_DIMENSIONS = 4;
  private static final int CENTROIDS = 256;
  private static final int ROUNDS = 8;

  private final int places;
  private final float[] centroids; // place-major: (place * 256 + centroid) * SUB_DIMENSIONS

  private ProductQuantizer(int places, float[] centroids) {
    this.places = places;
    this.centroids = centroids;
  }

  /** Whether vectors of {@code dimensions} can be quantized (a whole number of sub-vectors). */
  static boolean fits(int dimensions) {
    return dimensions % SUB_DIMENSIONS == 0;
  }

  /** Bytes per code: one per sub-vector. */
  int codeLength() {
    return places;
  }

  /** Learns centroids from the first {@code n} vectors of {@code vectors} (k-means, seeded, deterministic). */
  static ProductQuantizer train(float[] vectors, int n, int dimensions, long seed) {
    int places = dimensions / SUB_DIMENSIONS;
    float[] centroids = new float[places * CENTROIDS * SUB_DIMENSIONS];
    SplittableRandom random = new SplittableRandom(seed);
    for (int c = 0; c < CENTROIDS; c++) {
      int pick = random.nextInt(n);
      for (int p = 0; p < places; p++) {
        System.arraycopy(vectors, pick * dimensions + p * SUB_DIMENSIONS, centroids,
            (p * CENTROIDS + c) * SUB_DIMENSIONS, SUB_DIMENSIONS);
      }
    }
    ProductQuantizer pq = new ProductQuantizer(places, centroids);
    double[] sums = new double[CENTROIDS * SUB_DIMENSIONS];
    int[] counts = new int[CENTROIDS];
    for (int round = 0; round < ROUNDS; round++) {
      for (int p = 0; p < places; p++) {
        java.util.Arrays.fill(sums, 0);
        java.util.Arrays.fill(counts, 0);
        for (int i = 0; i < n; i++) {
          int off = i * dimensions + p * SUB_DIMENSIONS;
          int c = pq.nearest(p, vectors, off);
          counts[c]++;
          for (int d = 0; d < SUB_DIMENSIONS; d++) {
            sums[c * SUB_DIMENSIONS + d] += vectors[off + d];
          }
        }
        for (int c = 0; c < CENTROIDS; c++) {
          if (counts[c] > 0) { // an empty centroid keeps its place
            for (int d = 0; d < SUB_DIMENSIONS; d++) {
              centroids[(p * CENTROIDS + c) * SUB_DIMENSIONS + d] = (float) (sums[c * SUB_DIMENSIONS + d] / counts[c]);
            }
          }
        }
      }
    }
    return pq;
  }

  private int nearest(int place, float[] vector, int off) {
    int best = 0;
    float bestDistance = Float.MAX_VALUE;
    int base = place * CENTROIDS * SUB_DIMENSIONS;
    for (int c = 0; c < CENTROIDS; c++) {
      int at = base + c * SUB_DIMENSIONS;
      float d0 = vector[off] - centroids[at];
      float d1 = vector[off + 1] - centroids[at + 1];
      float d2 = vector[off + 2] - centroids[at + 2];
      float d3 = vector[off + 3] - centroids[at + 3];
      float distance = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    return best;
  }

  /** Writes the code of the vector at {@code vectors[off..]} to {@code codes[codeOff..]}. */
  void encode(float[] vectors, int off, byte[] codes, int codeOff) {
    for (int p = 0; p < places; p++) {
      codes[codeOff + p] = (byte) nearest(p, vectors, off + p * SUB_DIMENSIONS);
    }
  }

  /** Fills {@code table} (at least {@link #tableLength()}) with the query's dot product with every centroid. */
  void table(float[] query, float[] table) {
    for (int p = 0; p < places; p++) {
      int q = p * SUB_DIMENSIONS;
      for (int c = 0; c < CENTROIDS; c++) {
        int at = (p * CENTROIDS + c) * SUB_DIMENSIONS;
        table[p * CENTROIDS + c] = query[q] * centroids[at] + query[q + 1] * centroids[at + 1]
            + query[q + 2] * centroids[at + 2] + query[q + 3] * centroids[at + 3];
      }
    }
  }

  int tableLength() {
    return places * CENTROIDS;
  }

  /** The estimated similarity of the query whose {@code table} this is to the code at {@code codes[off..]}. */
  float similarity(float[] table, byte[] codes, int off) {
    float s0 = 0;
    float s1 = 0;
    int p = 0;
    for (; p + 1 < places; p += 2) {
      s0 += table[p * CENTROIDS + (codes[off + p] & 0xff)];
      s1 += table[(p + 1) * CENTROIDS + (codes[off + p + 1] & 0xff)];
    }
    if (p < places) {
      s0 += table[p * CENTROIDS + (codes[off + p] & 0xff)];
    }
    return s0 + s1;
  }
}
