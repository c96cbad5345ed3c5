package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link Embedder} that needs no model and no dependency: the question is normalized (accents
 * folded, lower case, contractions expanded, punctuation dropped), and its character 3- to 5-grams
 * (within each word, with the word's boundaries), its words and its word pairs are hashed with a
 * sign into {@link #dimensions()} buckets, weighted by 1 + ln(count), and the vector is scaled to
 * unit length. Grams make it robust to typos and inflections, words and grams ignore word order,
 * and stop words ("the", "how", "best", ...) weigh less. It sees spelling, not meaning: synonyms
 * and paraphrases score low.
 *
 * <p>Similarities are dot products in [-1, 1]; {@link #DEFAULT_THRESHOLD} with {@link
 * SemanticGuard#keyTerms()} is the measured default (docs/caching.md, "Semantic matching
 * quality"). About 10 µs per 60-character question on the caller's thread; {@link #embed} returns
 * an already-completed future.
 *
 * <p>Immutable and thread-safe.
 */
public final class LexicalEmbedder implements Embedder {

  /**
   * The similarity from which a stored question counts as the same as the asked one, for this
   * embedder with {@link SemanticGuard#keyTerms()}: chosen on QQP's tuning split for precision
   * first (docs/caching.md).
   */
  public static final double DEFAULT_THRESHOLD = 0.80;

  /** The default number of dimensions: as good as 512 or 1024 on QQP, half the memory and time. */
  public static final int DEFAULT_DIMENSIONS = 256;

  /** Tuning knobs, package-private: the defaults are the measured choice. */
  static final class Params {
    int dimensions = DEFAULT_DIMENSIONS;
    int minGram = 3;
    int maxGram = 5;
    boolean crossWordGrams = false;
    float gramWeight = 1f;
    float wordWeight = 1f;
    float bigramWeight = 0.5f;
    float stopWeight = 0.3f;
    boolean sublinear = true;

    Params copy() {
      Params p = new Params();
      p.dimensions = dimensions;
      p.minGram = minGram;
      p.maxGram = maxGram;
      p.crossWordGrams = crossWordGrams;
      p.gramWeight = gramWeight;
      p.wordWeight = wordWeight;
      p.bigramWeight = bigramWeight;
      p.stopWeight = stopWeight;
      p.sublinear = sublinear;
      return p;
    }

    @Override
    public String toString() {
      return "dim=" + dimensions + " grams=" + minGram + "-" + maxGram + (crossWordGrams ? "x" : "w")
          + " gw=" + gramWeight + " ww=" + wordWeight + " bw=" + bigramWeight + " sw=" + stopWeight
          + " sub=" + sublinear;
    }
  }

  private static final int KIND_GRAM = 0;
  private static final int KIND_WORD = 1;
  private static final int KIND_BIGRAM = 2;
  private static final int KIND_STOP_GRAM = 3; // a gram of a stop word, weighted down

  private final Params p;
  private final int mask;
  private final float[] kindWeight;
  private final String id;

  LexicalEmbedder(Params params) {
    this.p = params.copy();
    if (Integer.bitCount(p.dimensions) != 1 || p.dimensions < 16 || p.dimensions > 65536) {
      throw new IllegalArgumentException("dimensions must be a power of two from 16 to 65536, was " + p.dimensions);
    }
    this.mask = p.dimensions - 1;
    this.kindWeight = new float[] {p.gramWeight, p.wordWeight, p.bigramWeight, p.gramWeight * p.stopWeight};
    this.id = "lexical-v1-" + p.dimensions;
  }

  /** An embedder of {@link #DEFAULT_DIMENSIONS} dimensions. */
  public static LexicalEmbedder create() {
    return new LexicalEmbedder(new Params());
  }

  /**
   * An embedder of {@code dimensions} dimensions, a power of two from 16 to 65536. Vectors of two
   * sizes are not comparable; {@link #id()} tells them apart.
   */
  public static LexicalEmbedder create(int dimensions) {
    Params p = new Params();
    p.dimensions = dimensions;
    return new LexicalEmbedder(p);
  }

  @Override
  public CompletableFuture<float[]> embed(String text) {
    return CompletableFuture.completedFuture(vector(text));
  }

  /** The unit vector for {@code text}, computed on the calling thread. */
  public float[] vector(String text) {
    List<String> words = Words.of(text);
    long[] features = new long[64];
    int count = 0;
    char[] buf = new char[64];
    if (p.crossWordGrams) {
      int len = 0;
      buf[len++] = ' ';
      for (String w : words) {
        if (len + w.length() + 1 > buf.length) {
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + w.length() + 1));
        }
        w.getChars(0, w.length(), buf, len);
        len += w.length();
        buf[len++] = ' ';
      }
      int needed = count + len * (p.maxGram - p.minGram + 1) + words.size() * 2;
      features = ensure(features, needed);
      count = grams(buf, len, KIND_GRAM, features, count);
    } else {
      for (String w : words) {
        int len = w.length() + 2;
        if (len > buf.length) {
          buf = new char[len * 2];
        }
        buf[0] = ' ';
        w.getChars(0, w.length(), buf, 1);
        buf[len - 1] = ' ';
        features = ensure(features, count + len * (p.maxGram - p.minGram + 1) + 2);
        count = grams(buf, len, Words.isStop(w) ? KIND_STOP_GRAM : KIND_GRAM, features, count);
      }
    }
    features = ensure(features, count + words.size() * 2);
    long prev = 0;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      long h = 0xcbf29ce484222325L;
      for (int j = 0; j < w.length(); j++) {
        h = (h ^ w.charAt(j)) * 0x100000001b3L;
      }
      boolean stop = Words.isStop(w);
      if (p.wordWeight > 0) {
        features[count++] = tag(mix(h ^ 0x5bd1e995L), stop ? KIND_STOP_GRAM : KIND_WORD);
      }
      if (i > 0 && p.bigramWeight > 0) {
        features[count++] = tag(mix(prev * 31 + h), KIND_BIGRAM);
      }
      prev = h;
    }
    return accumulate(features, count);
  }

  private static long[] ensure(long[] a, int n) {
    return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
  }

  private int grams(char[] buf, int len, int kind, long[] out, int count) {
    for (int i = 0; i < len; i++) {
      long h = 0xcbf29ce484222325L;
      int end = Math.min(len, i + p.maxGram);
      for (int j = i; j < end; j++) {
        h = (h ^ buf[j]) * 0x100000001b3L;
        int n = j - i + 1;
        if (n >= p.minGram) {
          out[count++] = tag(mix(h), kind);
        }
      }
    }
    return count;
  }

  private float[] accumulate(long[] features, int count) {
    float[] v = new float[p.dimensions];
    Arrays.sort(features, 0, count);
    int i = 0;
    while (i < count) {
      long f = features[i];
      int run = 1;
      while (i + run < count && features[i + run] == f) {
        run++;
      }
      float w = kindWeight[(int) (f & 3)];
      if (p.sublinear) {
        w *= 1f + (float) Math.log(run);
      } else {
        w *= run;
      }
      int bucket = (int) (f >>> 2) & mask;
      v[bucket] += f < 0 ? -w : w;
      i += run;
    }
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    if (norm == 0) {
      v[0] = 1f;
      return v;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int k = 0; k < v.length; k++) {
      v[k] *= inv;
    }
    return v;
  }

  private static long tag(long h, int kind) {
    return (h & ~3L) | kind;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public int dimensions() {
    return p.dimensions;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return "LexicalEmbedder[" + id + "]";
  }
}
