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
}
