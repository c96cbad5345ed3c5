package dev.switchboard;

import java.util.Arrays;

/** One embedding vector, in input order. Immutable and thread-safe: accessors never expose the array. */
public final class Embedding {
  private final int index;
  private final float[] vector;

  private Embedding(int index, float[] vector) {
    this.index = index;
    this.vector = vector;
  }

  /** Copies {@code vector}. */
  public static Embedding of(int index, float[] vector) {
    if (vector.length == 0) {
      throw new IllegalArgumentException("an embedding needs at least one dimension");
    }
    return new Embedding(index, vector.clone());
  }

  /** The position of the input this embeds. */
  public int index() {
    return index;
  }

  public int dimensions() {
    return vector.length;
  }

  public float get(int dimension) {
    return vector[dimension];
  }

  /** A copy of the vector. */
  public float[] toArray() {
    return vector.clone();
  }

  /** Cosine similarity with another embedding of the same dimensions. */
  public double cosine(Embedding other) {
    if (other.vector.length != vector.length) {
      throw new IllegalArgumentException("cannot compare embeddings of " + vector.length + " and "
          + other.vector.length + " dimensions");
    }
    double dot = 0;
    double a = 0;
    double b = 0;
    for (int i = 0; i < vector.length; i++) {
      dot += (double) vector[i] * other.vector[i];
      a += (double) vector[i] * vector[i];
      b += (double) other.vector[i] * other.vector[i];
    }
    return a == 0 || b == 0 ? 0 : dot / Math.sqrt(a * b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e && index == e.index && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return 31 * index + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Embedding[#" + index + ", " + vector.length + " dims]";
  }
}
