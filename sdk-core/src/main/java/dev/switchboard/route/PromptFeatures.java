package dev.switchboard.route;

import static dev.switchboard.route.ComplexityModel.SALT_BIGRAM;
import static dev.switchboard.route.ComplexityModel.SALT_GRAM;
import static dev.switchboard.route.ComplexityModel.SALT_UNIGRAM;
import static dev.switchboard.route.ComplexityModel.SALT_VOCABULARY;
import static dev.switchboard.route.ComplexityModel.VOCABULARY_BITS;
import static dev.switchboard.route.ComplexityModel.mix;

import java.util.Arrays;

/**
 * Collects a training prompt's features for {@link ComplexityModel.Trainer}: signed bucket
 * indexes, words and 4-grams apart, hashed as {@link ComplexityModel} hashes them at inference.
 * Not thread-safe: one per prompt.
 */
final class PromptFeatures implements PromptScan.Sink {
  /** A sparse vector: distinct buckets and their values. */
  record Sparse(int[] index, float[] value) {}

  private final int shift;
  private final long[] vocabulary;
  private int[] words = new int[256];
  private int wordCount;
  private int[] grams = new int[1024];
  private int gramCount;

  PromptFeatures(int hashBits, long[] vocabulary) {
    this.shift = Long.SIZE - hashBits;
    this.vocabulary = vocabulary;
  }

  @Override
  public void unigram(long hash) {
    addWord(mix(hash ^ SALT_UNIGRAM));
    int bit = (int) (mix(hash ^ SALT_VOCABULARY) >>> (Long.SIZE - VOCABULARY_BITS));
    vocabulary[bit >>> 6] |= 1L << bit;
  }

  @Override
  public void bigram(long hash) {
    addWord(mix(hash ^ SALT_BIGRAM));
  }

  @Override
  public void gram(long window) {
    if (gramCount == grams.length) {
      grams = Arrays.copyOf(grams, gramCount * 2);
    }
    grams[gramCount++] = signed(mix(window ^ SALT_GRAM));
  }

  private void addWord(long h) {
    if (wordCount == words.length) {
      words = Arrays.copyOf(words, wordCount * 2);
    }
    words[wordCount++] = signed(h);
  }

  /** The bucket shifted left once, its low bit set for a negative sign. */
  private int signed(long h) {
    return (int) (h >>> shift) << 1 | (int) (h & 1);
  }

  /** The sparse vector: distinct buckets, each with its signed count over the group's length. */
  Sparse sparse() {
    int[] index = new int[wordCount + gramCount];
    float[] value = new float[wordCount + gramCount];
    int n = group(words, wordCount, index, value, 0);
    n = group(grams, gramCount, index, value, n);
    return new Sparse(Arrays.copyOf(index, n), Arrays.copyOf(value, n));
  }

  private static int group(int[] signed, int count, int[] index, float[] value, int n) {
    if (count == 0) {
      return n;
    }
    int[] sorted = Arrays.copyOf(signed, count);
    Arrays.sort(sorted);
    double norm = 1 / Math.sqrt(count);
    int i = 0;
    while (i < count) {
      int bucket = sorted[i] >>> 1;
      double sum = 0;
      while (i < count && sorted[i] >>> 1 == bucket) {
        sum += (sorted[i] & 1) == 0 ? 1 : -1;
        i++;
      }
      if (sum != 0) {
        index[n] = bucket;
        value[n] = (float) (sum * norm);
        n++;
      }
    }
    return n;
  }
}
