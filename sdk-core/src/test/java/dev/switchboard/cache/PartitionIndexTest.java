package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.cache.internal.FlatIndex;
import dev.switchboard.cache.internal.PartitionIndex;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionIndexTest {
  private static float[] unit(SplittableRandom r, int d) {
    float[] v = new float[d];
    double n = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < d; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  @Test
  void aPartitionThatGrowsPastTheFlatLimit_movesToTheGraph_andStillFindsItsEntries() {
    SplittableRandom r = new SplittableRandom(7);
    PartitionIndex index = new PartitionIndex(32);
    float[][] vectors = new float[PartitionIndex.FLAT_LIMIT + 200][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = unit(r, 32);
      index.add(i + 1, vectors[i]);
    }
    assertThat(index.size()).isEqualTo(vectors.length);
    int exact = 0;
    for (int i = 0; i < 200; i++) {
      FlatIndex.Best best = index.best(vectors[i * 20]);
      exact += best.id() == i * 20 + 1 ? 1 : 0;
    }
    assertThat(exact).as("a stored vector finds itself").isGreaterThanOrEqualTo(198);
    index.remove(1);
    assertThat(index.best(vectors[0]).id()).isNotEqualTo(1);
    assertThat(index.size()).isEqualTo(vectors.length - 1);
  }

  @Test
  void bestNamesTheRunnerUp_andVectorReturnsWhatWasStored_flatAndGraph() {
    for (int size : new int[] {100, PartitionIndex.FLAT_LIMIT + 200}) {
      SplittableRandom r = new SplittableRandom(11);
      PartitionIndex index = new PartitionIndex(32);
      float[][] vectors = new float[size][];
      for (int i = 0; i < size; i++) {
        vectors[i] = unit(r, 32);
        index.add(i + 1, vectors[i]);
      }
      int runnerUpsRight = 0;
      for (int q = 0; q < 50; q++) {
        float[] query = unit(r, 32);
        int first = -1;
        int second = -1;
        float s1 = -2;
        float s2 = -2;
        for (int i = 0; i < size; i++) {
          float s = 0;
          for (int d = 0; d < 32; d++) {
            s += query[d] * vectors[i][d];
          }
          if (s > s1) {
            s2 = s1;
            second = first;
            s1 = s;
            first = i;
          } else if (s > s2) {
            s2 = s;
            second = i;
          }
        }
        FlatIndex.Best best = index.best(query);
        assertThat(best.secondSimilarity()).as("the runner-up is not better than the best").isLessThanOrEqualTo(best.similarity());
        runnerUpsRight += best.id() == first + 1 && best.secondId() == second + 1 ? 1 : 0;
      }
      assertThat(runnerUpsRight).as("best and runner-up as by brute force, %d entries", size).isGreaterThanOrEqualTo(48);
      assertThat(index.vector(size)).containsExactly(vectors[size - 1]);
      assertThat(index.vector(size + 1)).isNull();
    }
  }
}
