package dev.switchboard.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.internal.Csv;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * A trained {@link ComplexityScorer}: logistic regression over hashed words, word pairs and
 * character 4-grams of the last user message (signed feature hashing into {@code 2^hashBits}
 * weights, each group scaled to unit length) plus the {@link ComplexityScorer#heuristic()}'s
 * features, standardized. Its score is the predicted probability that a prompt needs the strong
 * model; its confidence, the share of the prompt's words seen in training, so a prompt unlike any
 * it learned from (another language, another domain) lets a {@link TieredRouter} abstain.
 *
 * <p>Train it with {@link #trainer()} on {@link Example}s, each a prompt and a label. The label
 * used in {@code docs/routing.md} is RouteLLM's "strong wins": 1 where the strong model's outcome
 * beats the weak model's ({@link Example#fromOutcomes}), 0 where they tie or the weak one does
 * better. Training is plain stochastic gradient descent with L2 regularization over a seeded
 * shuffle: the same examples and settings give the same weights, bit for bit.
 *
 * <p>Save it with {@link #write(OutputStream)} and load it at start with {@link #read(InputStream)}:
 * a JSON file of about 130 KB with the default 2^14 weights (base64 of little-endian floats) and the
 * vocabulary's 2^18-bit set.
 *
 * <p>Immutable and thread-safe. Scoring allocates a few small objects and reads at most the first
 * and the last 512 characters of the last user message.
 */
public final class ComplexityModel implements ComplexityScorer {
  static final String FORMAT = "switchboard.complexity-model";
  static final int VERSION = 1;
  private static final int DENSE = PromptScan.FEATURES.size();
  static final int VOCABULARY_BITS = 18;
  static final long SALT_UNIGRAM = 0x51ed270b27ae3e95L;
  static final long SALT_BIGRAM = 0x2545f4914f6cdd1dL;
  static final long SALT_GRAM = 0x9e3779b97f4a7c15L;
  static final long SALT_VOCABULARY = 0xd6e8feb86659fd93L;
  private static final ObjectMapper JSON = JsonMapper.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

  private final int hashBits;
  private final float[] weights;
  private final double bias;
  private final double[] denseMean;
  private final double[] denseScale;
  private final double[] denseWeights;
  private final long[] vocabulary;
  private final String label;
  private final Training training;

  private ComplexityModel(int hashBits, float[] weights, double bias, double[] denseMean, double[] denseScale,
      double[] denseWeights, long[] vocabulary, String label, Training training) {
    this.hashBits = hashBits;
    this.weights = weights;
    this.bias = bias;
    this.denseMean = denseMean;
    this.denseScale = denseScale;
    this.denseWeights = denseWeights;
    this.vocabulary = vocabulary;
    this.label = label;
    this.training = training;
  }

  /** A new trainer with the defaults documented on its setters. */
  public static Trainer trainer() {
    return new Trainer();
  }

  /**
   * One training prompt and its label: {@code true} where the prompt should go to the strong
   * model. Immutable.
   */
  public record Example(String prompt, boolean label) {
    public Example {
      Objects.requireNonNull(prompt, "prompt");
    }

    /**
     * RouteLLM's "strong wins" label: {@code true} where {@code strongOutcome} is higher than
     * {@code weakOutcome} (strong right and weak wrong for 0/1 outcomes; a higher judge score for
     * graded ones), {@code false} on a tie or where the weak model does better.
     */
    public static Example fromOutcomes(String prompt, double strongOutcome, double weakOutcome) {
      return new Example(prompt, strongOutcome > weakOutcome);
    }

    /**
     * Examples from a CSV file with a header naming a {@code prompt} column and a {@code label}
     * column ({@code 1}/{@code 0} or {@code true}/{@code false}); other columns are ignored. Does
     * not close {@code in}.
     */
    public static List<Example> readCsv(Reader in) throws IOException {
      Csv csv = Csv.read(in, "examples CSV");
      int prompt = csv.require("prompt");
      int label = csv.require("label");
      List<Example> examples = new ArrayList<>(csv.size());
      for (int r = 0; r < csv.size(); r++) {
        String value = csv.get(r, label).strip().toLowerCase(Locale.ROOT);
        boolean yes = switch (value) {
          case "1", "1.0", "true" -> true;
          case "0", "0.0", "false" -> false;
          default -> throw new IOException("examples CSV row " + (r + 1) + ": label '" + value
              + "' is not 1, 0, true or false");
        };
        examples.add(new Example(csv.get(r, prompt), yes));
      }
      return examples;
    }
  }

  /**
   * How a model was trained, as saved with it: the settings, the number of examples and of
   * positive ones, and the mean log-loss over the examples after the last epoch. Immutable.
   */
  public record Training(long seed, int epochs, double learningRate, double l2, int examples, int positives,
      double logLoss) {}

  @Override
  public Score score(ChatRequest request) {
    Inference sink = new Inference(this);
    PromptScan scan = PromptScan.read(request, sink);
    double z = logit(sink, scan);
    double confidence = sink.unigrams == 0 ? 0 : sink.seen / (double) sink.unigrams;
    return new Score(sigmoid(z), confidence);
  }

  /** The score of one user message {@code prompt}. */
  public double probability(String prompt) {
    return score(ChatRequest.of("score", prompt)).value();
  }

  private double logit(Inference sink, PromptScan scan) {
    double z = bias;
    if (sink.words > 0) {
      z += sink.wordSum / Math.sqrt(sink.words);
    }
    if (sink.grams > 0) {
      z += sink.gramSum / Math.sqrt(sink.grams);
    }
    for (int i = 0; i < DENSE; i++) {
      z += denseWeights[i] * (scan.feature(i) - denseMean[i]) * denseScale[i];
    }
    return z;
  }

  /** What the label meant when this model was trained, as given to {@link Trainer#label(String)}. */
  public String label() {
    return label;
  }

  public Training training() {
    return training;
  }

  public int hashBits() {
    return hashBits;
  }

  /** Writes this model as JSON; does not close {@code out}. */
  public void write(OutputStream out) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("label", label);
    ObjectNode t = root.putObject("training");
    t.put("seed", training.seed());
    t.put("epochs", training.epochs());
    t.put("learningRate", training.learningRate());
    t.put("l2", training.l2());
    t.put("examples", training.examples());
    t.put("positives", training.positives());
    t.put("logLoss", training.logLoss());
    root.put("hashBits", hashBits);
    root.put("bias", bias);
    ArrayNode dense = root.putArray("features");
    for (int i = 0; i < DENSE; i++) {
      dense.addObject().put("name", PromptScan.FEATURES.get(i)).put("mean", denseMean[i])
          .put("scale", denseScale[i]).put("weight", denseWeights[i]);
    }
    ByteBuffer w = ByteBuffer.allocate(weights.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    w.asFloatBuffer().put(weights);
    root.put("weights", Base64.getEncoder().encodeToString(w.array()));
    root.put("vocabularyBits", VOCABULARY_BITS);
    ByteBuffer v = ByteBuffer.allocate(vocabulary.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    v.asLongBuffer().put(vocabulary);
    root.put("vocabulary", Base64.getEncoder().encodeToString(v.array()));
    JSON.writerWithDefaultPrettyPrinter().writeValue(out, root);
  }

  /**
   * A model written by {@link #write(OutputStream)}; an {@link IOException} names what is wrong
   * with a file that is not one. Does not close {@code in}.
   */
  public static ComplexityModel read(InputStream in) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new IOException("not a complexity model: " + e.getOriginalMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IOException("not a complexity model: expected \"format\": \"" + FORMAT + "\"");
    }
    if (root.path("version").asInt() != VERSION) {
      throw new IOException("complexity model version " + root.path("version") + " is not supported; this "
          + "build reads version " + VERSION);
    }
    int hashBits = root.path("hashBits").asInt();
    if (hashBits < 4 || hashBits > 24) {
      throw new IOException("complexity model: hashBits " + hashBits + " is not within [4, 24]");
    }
    byte[] w = decode(root, "weights");
    if (w.length != (Float.BYTES << hashBits)) {
      throw new IOException("complexity model: weights hold " + w.length / Float.BYTES + " floats, expected "
          + (1 << hashBits) + " for hashBits " + hashBits);
    }
    float[] weights = new float[1 << hashBits];
    ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(weights);
    byte[] v = decode(root, "vocabulary");
    if (root.path("vocabularyBits").asInt() != VOCABULARY_BITS || v.length != (1 << VOCABULARY_BITS) / Byte.SIZE) {
      throw new IOException("complexity model: the vocabulary is not a " + (1 << VOCABULARY_BITS) + "-bit set");
    }
    long[] vocabulary = new long[(1 << VOCABULARY_BITS) / Long.SIZE];
    ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(vocabulary);
    JsonNode features = root.path("features");
    if (features.size() != DENSE) {
      throw new IOException("complexity model: expected " + DENSE + " features " + PromptScan.FEATURES + ", found "
          + features.size());
    }
    double[] mean = new double[DENSE];
    double[] scale = new double[DENSE];
    double[] dense = new double[DENSE];
    for (int i = 0; i < DENSE; i++) {
      JsonNode f = features.get(i);
      if (!PromptScan.FEATURES.get(i).equals(f.path("name").asText())) {
        throw new IOException("complexity model: feature " + i + " is '" + f.path("name").asText()
            + "', expected '" + PromptScan.FEATURES.get(i) + "'");
      }
      mean[i] = f.path("mean").asDouble();
      scale[i] = f.path("scale").asDouble();
      dense[i] = f.path("weight").asDouble();
    }
    JsonNode t = root.path("training");
    Training training = new Training(t.path("seed").asLong(), t.path("epochs").asInt(),
        t.path("learningRate").asDouble(), t.path("l2").asDouble(), t.path("examples").asInt(),
        t.path("positives").asInt(), t.path("logLoss").asDouble());
    return new ComplexityModel(hashBits, weights, root.path("bias").asDouble(), mean, scale, dense, vocabulary,
        root.path("label").asText(""), training);
  }

  private static byte[] decode(JsonNode root, String field) throws IOException {
    JsonNode node = root.path(field);
    if (!node.isTextual()) {
      throw new IOException("complexity model: \"" + field + "\" is missing or not base64 text");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new IOException("complexity model: \"" + field + "\" is not base64: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ComplexityModel m && hashBits == m.hashBits && bias == m.bias
        && Arrays.equals(weights, m.weights) && Arrays.equals(denseMean, m.denseMean)
        && Arrays.equals(denseScale, m.denseScale) && Arrays.equals(denseWeights, m.denseWeights)
        && Arrays.equals(vocabulary, m.vocabulary) && label.equals(m.label) && training.equals(m.training);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hashBits, bias, Arrays.hashCode(weights), label, training);
  }

  @Override
  public String toString() {
    return "ComplexityModel[" + (label.isEmpty() ? "" : label + ", ") + "2^" + hashBits + " weights, "
        + training.examples() + " examples]";
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** murmur3's 64-bit finalizer. */
  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Sums the weights of a prompt's features as the scan finds them. */
  private static final class Inference implements PromptScan.Sink {
    private final float[] weights;
    private final long[] vocabulary;
    private final int shift;
    double wordSum;
    int words;
    double gramSum;
    int grams;
    int unigrams;
    int seen;

    Inference(ComplexityModel model) {
      this.weights = model.weights;
      this.vocabulary = model.vocabulary;
      this.shift = Long.SIZE - model.hashBits;
    }

    @Override
    public void unigram(long hash) {
      long h = mix(hash ^ SALT_UNIGRAM);
      wordSum += (h & 1) == 0 ? weights[(int) (h >>> shift)] : -weights[(int) (h >>> shift)];
      words++;
      unigrams++;
      int bit = (int) (mix(hash ^ SALT_VOCABULARY) >>> (Long.SIZE - VOCABULARY_BITS));
      if ((vocabulary[bit >>> 6] & (1L << bit)) != 0) {
        seen++;
      }
    }

    @Override
    public void bigram(long hash) {
      long h = mix(hash ^ SALT_BIGRAM);
      wordSum += (h & 1) == 0 ? weights[(int) (h >>> shift)] : -weights[(int) (h >>> shift)];
      words++;
    }

    @Override
    public void gram(long window) {
      long h = mix(window ^ SALT_GRAM);
      gramSum += (h & 1) == 0 ? weights[(int) (h >>> shift)] : -weights[(int) (h >>> shift)];
      grams++;
    }
  }


  /**
   * Trains a {@link ComplexityModel}. The defaults are those {@code docs/routing.md} reports with.
   * Not thread-safe; {@link #train} may run many times.
   */
  public static final class Trainer {
    private long seed = 1;
    private int epochs = 12;
    private double learningRate = 0.2;
    private double l2 = 1e-2;
    private int hashBits = 14;
    private String label = "";

    private Trainer() {}

    /** Seeds the shuffle of the examples before each epoch; 1 by default. */
    public Trainer seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Passes over the examples; 12 by default. */
    public Trainer epochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("ComplexityModel.Trainer.epochs must be at least 1, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    /** The first step size, decaying as {@code η/(1 + η·l2·t)} over steps t; 0.2 by default. */
    public Trainer learningRate(double learningRate) {
      if (!(learningRate > 0)) {
        throw new IllegalArgumentException("ComplexityModel.Trainer.learningRate must be above 0, got "
            + learningRate);
      }
      this.learningRate = learningRate;
      return this;
    }

    /** The L2 penalty on the weights (not the bias); 1e-2 by default. */
    public Trainer l2(double l2) {
      if (!(l2 >= 0)) {
        throw new IllegalArgumentException("ComplexityModel.Trainer.l2 must be 0 or more, got " + l2);
      }
      this.l2 = l2;
      return this;
    }

    /** {@code 2^hashBits} hashed weights; 14 (16,384: 87 KB of base64) by default, within [4, 24]. */
    public Trainer hashBits(int hashBits) {
      if (hashBits < 4 || hashBits > 24) {
        throw new IllegalArgumentException("ComplexityModel.Trainer.hashBits must be within [4, 24], got "
            + hashBits);
      }
      this.hashBits = hashBits;
      return this;
    }

    /** What a positive label means, saved with the model, e.g. "gpt-4-1106-preview beats mixtral-8x7b". */
    public Trainer label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** A model fitted to {@code examples}, which must hold both labels. */
    public ComplexityModel train(List<Example> examples) {
      int n = examples.size();
      int positives = (int) examples.stream().filter(Example::label).count();
      if (positives == 0 || positives == n) {
        throw new IllegalArgumentException("ComplexityModel.Trainer.train needs examples of both labels, got "
            + positives + " positive of " + n);
      }
      long[] vocabulary = new long[(1 << VOCABULARY_BITS) / Long.SIZE];
      PromptFeatures.Sparse[] sparse = new PromptFeatures.Sparse[n];
      double[][] dense = new double[n][DENSE];
      double[] y = new double[n];
      for (int e = 0; e < n; e++) {
        PromptFeatures collector = new PromptFeatures(hashBits, vocabulary);
        PromptScan scan = PromptScan.read(ChatRequest.of("training", examples.get(e).prompt()), collector);
        sparse[e] = collector.sparse();
        for (int i = 0; i < DENSE; i++) {
          dense[e][i] = scan.feature(i);
        }
        y[e] = examples.get(e).label() ? 1 : 0;
      }
      double[] mean = new double[DENSE];
      double[] scale = new double[DENSE];
      for (int i = 0; i < DENSE; i++) {
        double sum = 0;
        double squares = 0;
        for (double[] d : dense) {
          sum += d[i];
          squares += d[i] * d[i];
        }
        mean[i] = sum / n;
        double sd = Math.sqrt(Math.max(0, squares / n - mean[i] * mean[i]));
        scale[i] = sd > 1e-9 ? 1 / sd : 0;
      }
      for (double[] d : dense) {
        for (int i = 0; i < DENSE; i++) {
          d[i] = (d[i] - mean[i]) * scale[i];
        }
      }

      // Weights are v·s: the L2 shrink of every weight per step is one multiplication of s.
      double[] v = new double[1 << hashBits];
      double s = 1;
      double[] denseWeights = new double[DENSE];
      double bias = Math.log(positives / (double) (n - positives));
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Random random = new Random(seed);
      long t = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        for (int i = n - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int swap = order[i];
          order[i] = order[j];
          order[j] = swap;
        }
        for (int k = 0; k < n; k++) {
          int e = order[k];
          double eta = learningRate / (1 + learningRate * l2 * t++);
          double g = sigmoid(margin(sparse[e], dense[e], v, s, denseWeights, bias)) - y[e];
          s *= 1 - eta * l2;
          if (s < 1e-6) {
            for (int i = 0; i < v.length; i++) {
              v[i] *= s;
            }
            s = 1;
          }
          int[] index = sparse[e].index();
          float[] value = sparse[e].value();
          double step = eta * g / s;
          for (int i = 0; i < index.length; i++) {
            v[index[i]] -= step * value[i];
          }
          for (int i = 0; i < DENSE; i++) {
            denseWeights[i] -= eta * (g * dense[e][i] + l2 * denseWeights[i]);
          }
          bias -= eta * g;
        }
      }
      float[] weights = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        weights[i] = (float) (v[i] * s);
      }
      double loss = 0;
      for (int e = 0; e < n; e++) {
        double p = sigmoid(margin(sparse[e], dense[e], v, s, denseWeights, bias));
        loss -= y[e] == 1 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
      }
      return new ComplexityModel(hashBits, weights, bias, mean, scale, denseWeights, vocabulary, label,
          new Training(seed, epochs, learningRate, l2, n, positives, loss / n));
    }

    private static double margin(PromptFeatures.Sparse x, double[] dense, double[] v, double s, double[] denseWeights,
        double bias) {
      double z = 0;
      int[] index = x.index();
      float[] value = x.value();
      for (int i = 0; i < index.length; i++) {
        z += v[index[i]] * value[i];
      }
      z = z * s + bias;
      for (int i = 0; i < DENSE; i++) {
        z += denseWeights[i] * dense[i];
      }
      return z;
    }
  }
}
