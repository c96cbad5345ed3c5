package dev.switchboard.cache.internal;

import java.util.Arrays;

/** One thread's working memory for HnswIndex walks: the visited set and the two heaps. Not thread-safe. Not API. */
final class HnswScratch {
  byte[] query = new byte[0];
  float[] table = new float[0]; // a quantized search's query-to-centroid table
  int[] visited = new int[0];
  int epoch;
  // candidates: max-heap by similarity
  int[] candidateNodes = new int[64];
  float[] candidateSims = new float[64];
  int candidateCount;
  // results: min-heap by similarity (the worst kept on top)
  int[] resultNodes = new int[64];
  float[] resultSims = new float[64];
  int resultCount;

  void reset(int nodes) {
    if (visited.length < nodes) {
      visited = new int[Math.max(nodes, visited.length * 2)];
      epoch = 0;
    }
    if (++epoch == 0) {
      Arrays.fill(visited, 0);
      epoch = 1;
    }
    candidateCount = 0;
    resultCount = 0;
  }

  /** Marks {@code node} visited; false if it already was. */
  boolean visit(int node) {
    if (visited[node] == epoch) {
      return false;
    }
    visited[node] = epoch;
    return true;
  }

  void pushCandidate(int node, float sim) {
    if (candidateCount == candidateNodes.length) {
      candidateNodes = Arrays.copyOf(candidateNodes, candidateCount * 2);
      candidateSims = Arrays.copyOf(candidateSims, candidateCount * 2);
    }
    int i = candidateCount++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (candidateSims[parent] >= sim) {
        break;
      }
      candidateNodes[i] = candidateNodes[parent];
      candidateSims[i] = candidateSims[parent];
      i = parent;
    }
    candidateNodes[i] = node;
    candidateSims[i] = sim;
  }

  int popCandidate() {
    int top = candidateNodes[0];
    int n = --candidateCount;
    int node = candidateNodes[n];
    float sim = candidateSims[n];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && candidateSims[child + 1] > candidateSims[child]) {
        child++;
      }
      if (candidateSims[child] <= sim) {
        break;
      }
      candidateNodes[i] = candidateNodes[child];
      candidateSims[i] = candidateSims[child];
      i = child;
    }
    candidateNodes[i] = node;
    candidateSims[i] = sim;
    return top;
  }

  /** Adds to the results, dropping the worst when more than {@code ef} are kept. */
  void pushResult(int node, float sim, int ef) {
    if (resultCount == ef) {
      if (sim <= resultSims[0]) {
        return;
      }
      siftDownResult(0, node, sim, resultCount);
      return;
    }
    if (resultCount == resultNodes.length) {
      resultNodes = Arrays.copyOf(resultNodes, resultCount * 2);
      resultSims = Arrays.copyOf(resultSims, resultCount * 2);
    }
    int i = resultCount++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (resultSims[parent] <= sim) {
        break;
      }
      resultNodes[i] = resultNodes[parent];
      resultSims[i] = resultSims[parent];
      i = parent;
    }
    resultNodes[i] = node;
    resultSims[i] = sim;
  }

  private void siftDownResult(int i, int node, float sim, int n) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && resultSims[child + 1] < resultSims[child]) {
        child++;
      }
      if (resultSims[child] >= sim) {
        break;
      }
      resultNodes[i] = resultNodes[child];
      resultSims[i] = resultSims[child];
      i = child;
    }
    resultNodes[i] = node;
    resultSims[i] = sim;
  }

  /** Sorts the results best first, in place (the heap is spent); returns how many there are. */
  int sortResults() {
    int n = resultCount;
    // heap-sort a min-heap: repeatedly move the worst to the end
    for (int end = n - 1; end > 0; end--) {
      int worst = resultNodes[0];
      float worstSim = resultSims[0];
      int last = resultNodes[end];
      float lastSim = resultSims[end];
      siftDownResult(0, last, lastSim, end);
      resultNodes[end] = worst;
      resultSims[end] = worstSim;
    }
    resultCount = 0;
    return n;
  }
}
