package dev.switchboard.cache.internal;

/** Dot products and byte codes of unit vectors, for the indexes. Stateless. Not API. */
final class Vectors {
  private Vectors() {}

  /** Writes {@code v} as bytes at {@code off} (the largest magnitude as ±127); returns the float one step stands for. */
  static float quantize(float[] v, byte[] out, int off) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float step = max == 0 ? 1 : max / 127f;
    for (int i = 0; i < v.length; i++) {
      out[off + i] = (byte) Math.round(v[i] / step);
    }
    return step;
  }

  /** The dot product of byte codes, in four integer sums. */
  static int dot8(byte[] a, byte[] b, int offB, int length) {
    int s0 = 0;
    int s1 = 0;
    int s2 = 0;
    int s3 = 0;
    int i = 0;
    for (int end = length & ~3; i < end; i += 4) {
      s0 += a[i] * b[offB + i];
      s1 += a[i + 1] * b[offB + i + 1];
      s2 += a[i + 2] * b[offB + i + 2];
      s3 += a[i + 3] * b[offB + i + 3];
    }
    for (; i < length; i++) {
      s0 += a[i] * b[offB + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Eight independent sums, so that the multiply-adds overlap (one sum is one long chain). */
  static float dot(float[] a, int offA, float[] b, int offB, int length) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = 0;
    for (int end = length & ~7; i < end; i += 8) {
      s0 += a[offA + i] * b[offB + i];
      s1 += a[offA + i + 1] * b[offB + i + 1];
      s2 += a[offA + i + 2] * b[offB + i + 2];
      s3 += a[offA + i + 3] * b[offB + i + 3];
      s4 += a[offA + i + 4] * b[offB + i + 4];
      s5 += a[offA + i + 5] * b[offB + i + 5];
      s6 += a[offA + i + 6] * b[offB + i + 6];
      s7 += a[offA + i + 7] * b[offB + i + 7];
    }
    for (; i < length; i++) {
      s0 += a[offA + i] * b[offB + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  static void sortBySimDesc(int[] nodes, float[] sims, int count) {
    for (int i = 1; i < count; i++) { // insertion sort: at most 2m + 1 elements
      int n = nodes[i];
      float s = sims[i];
      int j = i - 1;
      while (j >= 0 && sims[j] < s) {
        nodes[j + 1] = nodes[j];
        sims[j + 1] = sims[j];
        j--;
      }
      nodes[j + 1] = n;
      sims[j + 1] = s;
    }
  }

  /** Per-thread search state: visited marks and two primitive heaps. */
}
