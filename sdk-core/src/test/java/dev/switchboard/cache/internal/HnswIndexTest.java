package dev.switchboard.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HnswIndexTest {
  private static final int DIM = 32;

  private static float[][] randomUnitVectors(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] vs = new float[n][DIM];
    for (float[] v : vs) {
      double norm = 0;
      for (int i = 0; i < DIM; i++) {
        v[i] = (float) random.nextGaussian();
        norm += v[i] * v[i];
      }
      for (int i = 0; i < DIM; i++) {
        v[i] /= (float) Math.sqrt(norm);
      }
    }
    return vs;
  }

  private static float dot(float[] a, float[] b) {
    return Vectors.dot(a, 0, b, 0, a.length);
  }

  private static int bruteForceBest(float[][] stored, boolean[] live, float[] q) {
    int best = -1;
    for (int i = 0; i < stored.length; i++) {
      if (live[i] && (best < 0 || dot(q, stored[i]) > dot(q, stored[best]))) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void search_findsTheExactBest_onASmallSet_withExactSimilarities_bestFirst() {
    float[][] stored = randomUnitVectors(500, 1);
    HnswIndex index = new HnswIndex(DIM);
    for (int i = 0; i < stored.length; i++) {
      index.add(i, stored[i]);
    }
    boolean[] live = new boolean[stored.length];
    java.util.Arrays.fill(live, true);
    for (float[] q : randomUnitVectors(200, 2)) {
      List<HnswIndex.Hit> hits = index.search(q, 5);
      assertThat(hits).hasSize(5);
      assertThat(hits.get(0).id()).isEqualTo(bruteForceBest(stored, live, q));
      for (int i = 0; i < hits.size(); i++) {
        assertThat(hits.get(i).similarity()).isEqualTo(dot(q, stored[(int) hits.get(i).id()]));
        if (i > 0) {
          assertThat(hits.get(i).similarity()).isLessThanOrEqualTo(hits.get(i - 1).similarity());
        }
      }
    }
    assertThat(index.search(stored[7], 1).get(0).id()).isEqualTo(7);
  }

  @Test
  void removedEntries_areNeverReturned_andCompactionKeepsTheRest() {
    float[][] stored = randomUnitVectors(400, 3);
    HnswIndex index = new HnswIndex(DIM);
    for (int i = 0; i < stored.length; i++) {
      index.add(i, stored[i]);
    }
    boolean[] live = new boolean[stored.length];
    java.util.Arrays.fill(live, true);
    for (int i = 0; i < stored.length; i += 2) { // half: crosses the 25% line
      assertThat(index.remove(i)).isTrue();
      live[i] = false;
    }
    assertThat(index.remove(0)).isFalse();
    assertThat(index.rebuilds()).isPositive();
    assertThat(index.size()).isEqualTo(200);
    assertThat(index.contains(0)).isFalse();
    assertThat(index.contains(1)).isTrue();
    for (int i = 0; i < stored.length; i++) {
      List<HnswIndex.Hit> hits = index.search(stored[i], 3);
      assertThat(hits).allSatisfy(h -> assertThat(h.id() % 2).isEqualTo(1));
      assertThat(hits.get(0).id()).isEqualTo(bruteForceBest(stored, live, stored[i]));
    }
  }

  /** Quantized from 1,000 nodes, trained on the adding thread, so the test sees the switch. */
  private static HnswIndex quantizingIndex() {
    return new HnswIndex(DIM, HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_EF_CONSTRUCTION, HnswIndex.DEFAULT_EF_SEARCH, 42L,
        HnswIndex.DEFAULT_COMPACT_SHARE, 1_000, Runnable::run);
  }

  @Test
  void fromItsQuantizeSize_theWalkUsesProductCodes_andStillFindsTheExactBest_withExactSimilarities() {
    float[][] stored = randomUnitVectors(3_000, 5);
    HnswIndex index = quantizingIndex();
    for (int i = 0; i < stored.length; i++) {
      index.add(i, stored[i]);
      assertThat(index.quantized()).as("after %d adds", i + 1).isEqualTo(i + 1 >= 1_000);
    }
    boolean[] live = new boolean[stored.length];
    java.util.Arrays.fill(live, true);
    int found = 0;
    List<float[]> queries = java.util.Arrays.asList(randomUnitVectors(300, 6));
    for (float[] q : queries) {
      List<HnswIndex.Hit> hits = index.search(q, 2);
      found += hits.get(0).id() == bruteForceBest(stored, live, q) ? 1 : 0;
      for (HnswIndex.Hit h : hits) { // the estimates steer; what is returned is exact
        assertThat(h.similarity()).isEqualTo(dot(q, stored[(int) h.id()]));
      }
    }
    assertThat(found).as("exact best found, of 300").isGreaterThanOrEqualTo(294);
    assertThat(index.search(stored[2_500], 1).get(0).id()).as("added after the switch, encoded on insert").isEqualTo(2_500);
  }

  @Test
  void aRebuild_keepsTheQuantizer() {
    float[][] stored = randomUnitVectors(2_000, 7);
    HnswIndex index = quantizingIndex();
    for (int i = 0; i < stored.length; i++) {
      index.add(i, stored[i]);
    }
    boolean[] live = new boolean[stored.length];
    java.util.Arrays.fill(live, true);
    for (int i = 0; i < stored.length; i += 2) {
      index.remove(i);
      live[i] = false;
    }
    assertThat(index.rebuilds()).isPositive();
    assertThat(index.quantized()).isTrue();
    int found = 0;
    for (int i = 1; i < stored.length; i += 2) {
      found += index.search(stored[i], 1).get(0).id() == i ? 1 : 0;
    }
    assertThat(found).as("stored vectors find themselves, of 1,000").isGreaterThanOrEqualTo(995);
  }

  @Test
  void aQuantizerTrainedWhileTheGraphWasRebuilt_encodesTheNewGraph() {
    List<Runnable> training = new ArrayList<>();
    HnswIndex index = new HnswIndex(DIM, HnswIndex.DEFAULT_M, 100, HnswIndex.DEFAULT_EF_SEARCH, 42L,
        HnswIndex.DEFAULT_COMPACT_SHARE, 1_000, training::add);
    float[][] stored = randomUnitVectors(1_600, 9);
    for (int i = 0; i < stored.length; i++) {
      index.add(i, stored[i]);
    }
    assertThat(training).as("one training, held back").hasSize(1);
    for (int i = 0; i < stored.length; i += 2) { // the graph the sample came from is replaced
      index.remove(i);
    }
    assertThat(index.rebuilds()).isPositive();
    assertThat(index.quantized()).isFalse();
    training.get(0).run();
    assertThat(index.quantized()).isTrue();
    int found = 0;
    for (int i = 1; i < stored.length; i += 2) {
      found += index.search(stored[i], 1).get(0).id() == i ? 1 : 0;
    }
    assertThat(found).as("stored vectors find themselves, of 800").isGreaterThanOrEqualTo(796);
  }

  @Test
  void vectorsOfDimensionsNotAMultipleOfFour_areNeverQuantized() {
    HnswIndex index = new HnswIndex(6, HnswIndex.DEFAULT_M, 100, 64, 1L, HnswIndex.DEFAULT_COMPACT_SHARE, 10, Runnable::run);
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < 50; i++) {
      float[] v = new float[6];
      double norm = 0;
      for (int d = 0; d < 6; d++) {
        v[d] = (float) random.nextGaussian();
        norm += v[d] * v[d];
      }
      for (int d = 0; d < 6; d++) {
        v[d] /= (float) Math.sqrt(norm);
      }
      index.add(i, v);
    }
    assertThat(index.quantized()).isFalse();
  }

  @Test
  void add_withAnExistingId_replacesItsVector() {
    float[][] vs = randomUnitVectors(3, 4);
    HnswIndex index = new HnswIndex(DIM);
    index.add(1, vs[0]);
    index.add(2, vs[1]);
    index.add(1, vs[2]);
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.search(vs[2], 1).get(0).id()).isEqualTo(1);
    assertThat(index.search(vs[0], 2)).extracting(HnswIndex.Hit::id).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void sameAdds_sameResults() {
    float[][] stored = randomUnitVectors(1000, 5);
    HnswIndex a = new HnswIndex(DIM);
    HnswIndex b = new HnswIndex(DIM);
    for (int i = 0; i < stored.length; i++) {
      a.add(i, stored[i]);
      b.add(i, stored[i]);
    }
    for (float[] q : randomUnitVectors(100, 6)) {
      assertThat(a.search(q, 10)).isEqualTo(b.search(q, 10));
    }
  }

  @Test
  void emptyIndex_returnsNothing_andShortIndex_returnsWhatItHas() {
    HnswIndex index = new HnswIndex(DIM);
    float[] q = randomUnitVectors(1, 7)[0];
    assertThat(index.search(q, 3)).isEmpty();
    index.add(9, q);
    assertThat(index.search(q, 3)).containsExactly(new HnswIndex.Hit(9, dot(q, q)));
    index.remove(9);
    assertThat(index.search(q, 3)).isEmpty();
  }

  @Test
  void wrongDimensions_areRejected() {
    HnswIndex index = new HnswIndex(DIM);
    assertThatThrownBy(() -> index.add(1, new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vector has 3 dimensions, the index 32");
    assertThatThrownBy(() -> index.search(new float[3], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("query has 3 dimensions, the index 32");
  }

  @Test
  void concurrentSearches_whileAddingAndRemoving_seeOnlyLiveOrJustRemovedIds() throws Exception {
    float[][] stored = randomUnitVectors(3000, 8);
    HnswIndex index = new HnswIndex(DIM);
    for (int i = 0; i < 1000; i++) {
      index.add(i, stored[i]);
    }
    float[][] queries = randomUnitVectors(500, 9);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      threads.add(new Thread(() -> {
        try {
          start.await();
          for (int round = 0; round < 4; round++) {
            for (float[] q : queries) {
              List<HnswIndex.Hit> hits = index.search(q, 4);
              assertThat(hits).isNotEmpty();
              assertThat(hits).allSatisfy(h -> assertThat(h.id()).isBetween(0L, 2999L));
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    threads.add(new Thread(() -> {
      try {
        start.await();
        for (int i = 1000; i < 3000; i++) { // a sliding window of 1000 entries: crosses compaction
          index.add(i, stored[i]);
          index.remove(i - 1000);
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    }));
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(index.size()).isEqualTo(1000);
    assertThat(index.rebuilds()).isPositive();
    boolean[] live = new boolean[stored.length];
    for (int i = 2000; i < 3000; i++) {
      live[i] = true;
    }
    for (float[] q : queries) {
      List<HnswIndex.Hit> hits = index.search(q, 1);
      assertThat(hits.get(0).id()).isBetween(2000L, 2999L);
    }
    int exact = 0;
    for (float[] q : queries) {
      if (index.search(q, 1).get(0).id() == bruteForceBest(stored, live, q)) {
        exact++;
      }
    }
    assertThat(exact).isGreaterThanOrEqualTo(queries.length * 95 / 100);
  }
}
