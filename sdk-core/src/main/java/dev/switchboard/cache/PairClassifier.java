package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A second stage that reads both questions' vectors, not only their similarity: a small neural
 * network (one hidden layer of rectified units; several trained with different seeds, their logits
 * averaged) over, for each model whose vector makes up the embedder's, the element-wise product and
 * the absolute difference of the two vectors and their cosine, followed by the eight lexical
 * features of {@link LearnedGuard#features} (all but the similarity). A pair is allowed when its
 * probability of being the same question reaches {@link #cut()}; {@link SemanticGuard#keyTerms()}'s
 * verdicts are among the features, not vetoes.
 *
 * <p>The weights are data trained for one embedder on labelled pairs ({@link #read}); {@link
 * MiniLmBgeEmbedder#guard()} is the one trained on QQP for that embedder (docs/caching.md,
 * "Semantic matching quality"). A cache gives it both vectors ({@link #allows(String, float[],
 * String, float[], double)}, about 0.4 ms); {@link #allows(String, String)} embeds both questions
 * first.
 *
 * <p>Immutable and thread-safe.
 */
public final class PairClassifier implements SemanticGuard {
  /** The format this class reads: the first string of the file. */
  public static final String FORMAT = "switchboard-pair-classifier-v1";

  /** How many lexical features follow the vector features: {@link LearnedGuard#FEATURES} but the similarity. */
  public static final int LEXICAL_FEATURES = LearnedGuard.FEATURES.size() - 1;

  private final Embedder embedder;
  private final int[] segments;
  private final int inputs;
  private final int hidden;
  private final float[] mean;
  private final float[] scale; // 1 / standard deviation
  private final float[][] w1; // per member: inputs x hidden, input-major
  private final float[][] b1;
  private final float[][] w2;
  private final float[] b2;
  private final double cut;

  private PairClassifier(Embedder embedder, int[] segments, int hidden, float[] mean, float[] scale,
      float[][] w1, float[][] b1, float[][] w2, float[] b2, double cut) {
    this.embedder = embedder;
    this.segments = segments;
    this.inputs = mean.length;
    this.hidden = hidden;
    this.mean = mean;
    this.scale = scale;
    this.w1 = w1;
    this.b1 = b1;
    this.w2 = w2;
    this.b2 = b2;
    this.cut = cut;
  }

  /**
   * The number of inputs for vectors made of {@code segments} (each model's dimensions, in the
   * order they are concatenated): {@code 2 d + 1} per segment, then {@link #LEXICAL_FEATURES}.
   */
  public static int inputs(int... segments) {
    int n = LEXICAL_FEATURES;
    for (int d : segments) {
      n += 2 * d + 1;
    }
    return n;
  }

  /**
   * The inputs of a pair, in the order the weights expect: per segment of the two vectors (each
   * segment scaled to unit length first), the element-wise product, the absolute difference and the
   * cosine; then the lexical features of {@code asked} against {@code stored}. Used to train weights.
   */
  public static float[] features(int[] segments, String asked, float[] askedVector, String stored, float[] storedVector) {
    float[] x = new float[inputs(segments)];
    int at = 0;
    int offset = 0;
    for (int d : segments) {
      double na = 0;
      double nb = 0;
      for (int i = 0; i < d; i++) {
        na += (double) askedVector[offset + i] * askedVector[offset + i];
        nb += (double) storedVector[offset + i] * storedVector[offset + i];
      }
      float sa = na == 0 ? 0 : (float) (1 / Math.sqrt(na));
      float sb = nb == 0 ? 0 : (float) (1 / Math.sqrt(nb));
      double cosine = 0;
      for (int i = 0; i < d; i++) {
        float a = askedVector[offset + i] * sa;
        float b = storedVector[offset + i] * sb;
        x[at + i] = a * b;
        x[at + d + i] = Math.abs(a - b);
        cosine += a * b;
      }
      x[at + 2 * d] = (float) cosine;
      at += 2 * d + 1;
      offset += d;
    }
    double[] lexical = LearnedGuard.features(asked, stored, 0);
    for (int i = 1; i < lexical.length; i++) {
      x[at++] = (float) lexical[i];
    }
    return x;
  }

  /**
   * Reads weights written by the trainer (bench main {@code PairClassifierTrainer}), big-endian:
   * the string {@link #FORMAT}, the embedder's {@link Embedder#id()}, the segment count and each
   * segment's dimensions, the hidden size, the member count, the inputs' means and scales, per
   * member the hidden layer's weights (input-major, as {@linkplain #bfloat16 bfloat16}) and biases
   * and the output's weights and bias, then the cut (a double).
   *
   * @throws IllegalArgumentException when the data is not such weights, or they were trained for another embedder
   */
  public static PairClassifier read(Embedder embedder, InputStream weights) {
    Objects.requireNonNull(embedder, "embedder");
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Objects.requireNonNull(weights, "weights")))) {
      String format = in.readUTF();
      if (!FORMAT.equals(format)) {
        throw new IllegalArgumentException("pair classifier weights must start with \"" + FORMAT + "\"");
      }
      String trainedFor = in.readUTF();
      if (!trainedFor.equals(embedder.id())) {
        throw new IllegalArgumentException("pair classifier weights were trained for embedder '" + trainedFor
            + "', not for '" + embedder.id() + "': train them for this embedder");
      }
      int[] segments = new int[checked(in.readInt(), 1, 16, "segment count")];
      int total = 0;
      for (int i = 0; i < segments.length; i++) {
        segments[i] = checked(in.readInt(), 1, 1 << 16, "segment dimensions");
        total += segments[i];
      }
      if (total != embedder.dimensions()) {
        throw new IllegalArgumentException("pair classifier weights are for " + total
            + " dimensions, the embedder has " + embedder.dimensions());
      }
      int hidden = checked(in.readInt(), 1, 1 << 12, "hidden size");
      int members = checked(in.readInt(), 1, 64, "member count");
      int inputs = inputs(segments);
      float[] mean = floats(in, inputs);
      float[] scale = floats(in, inputs);
      float[][] w1 = new float[members][];
      float[][] b1 = new float[members][];
      float[][] w2 = new float[members][];
      float[] b2 = new float[members];
      for (int m = 0; m < members; m++) {
        w1[m] = bfloat16s(in, inputs * hidden);
        b1[m] = floats(in, hidden);
        w2[m] = floats(in, hidden);
        b2[m] = in.readFloat();
      }
      double cut = in.readDouble();
      if (!(cut > 0 && cut < 1)) {
        throw new IllegalArgumentException("pair classifier cut is a probability within (0, 1), got " + cut);
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("pair classifier weights have bytes after the cut");
      }
      return new PairClassifier(embedder, segments, hidden, mean, scale, w1, b1, w2, b2, cut);
    } catch (IOException e) {
      throw new IllegalArgumentException("pair classifier weights are truncated or unreadable: " + e.getMessage(), e);
    }
  }

  static PairClassifier fromResource(Embedder embedder, String resource) {
    InputStream in = PairClassifier.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(resource + " is missing from the switchboard-core jar");
    }
    return read(embedder, in);
  }

  private static int checked(int value, int min, int max, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException("pair classifier " + what + " " + value + " is outside [" + min + ", " + max + "]");
    }
    return value;
  }

  private static float[] floats(DataInputStream in, int n) throws IOException {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = in.readFloat();
    }
    return out;
  }

  private static float[] bfloat16s(DataInputStream in, int n) throws IOException {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Float.intBitsToFloat(in.readUnsignedShort() << 16);
    }
    return out;
  }

  /** The upper half of {@code value}'s bits, rounded to nearest even: how hidden-layer weights are stored. */
  public static short bfloat16(float value) {
    int bits = Float.floatToIntBits(value);
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The probability that the two questions are the same, by these weights. */
  public double probability(String asked, float[] askedVector, String stored, float[] storedVector) {
    float[] x = features(segments, asked, askedVector, stored, storedVector);
    for (int i = 0; i < inputs; i++) {
      x[i] = (x[i] - mean[i]) * scale[i];
    }
    double logit = 0;
    float[] h = new float[hidden];
    for (int m = 0; m < w1.length; m++) {
      float[] w = w1[m];
      System.arraycopy(b1[m], 0, h, 0, hidden);
      for (int i = 0; i < inputs; i++) {
        float xi = x[i];
        int row = i * hidden;
        for (int j = 0; j < hidden; j++) {
          h[j] += xi * w[row + j];
        }
      }
      double z = b2[m];
      float[] out = w2[m];
      for (int j = 0; j < hidden; j++) {
        if (h[j] > 0) {
          z += h[j] * out[j];
        }
      }
      logit += z;
    }
    return 1 / (1 + Math.exp(-logit / w1.length));
  }

  /** The probability from which a pair is allowed. */
  public double cut() {
    return cut;
  }

  @Override
  public boolean allows(String asked, float[] askedVector, String stored, float[] storedVector, double similarity) {
    if (askedVector == null || storedVector == null
        || askedVector.length != embedder.dimensions() || storedVector.length != embedder.dimensions()) {
      return allows(asked, stored);
    }
    return probability(asked, askedVector, stored, storedVector) >= cut;
  }

  /** Embeds both questions with the embedder the weights were trained for, then decides; a failed embedding rejects. */
  @Override
  public boolean allows(String asked, String stored) {
    try {
      return probability(asked, embedder.embed(asked).join(), stored, embedder.embed(stored).join()) >= cut;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "PairClassifier[" + embedder.id() + ", " + w1.length + " x " + hidden + " hidden, cut " + cut + "]";
  }
}
