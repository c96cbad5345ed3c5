package dev.switchboard.cache.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stored questions of a semantic cache: one {@link PartitionIndex} per partition, each
 * question under the exact key its answer is stored under, at most {@code maximumSize} (the
 * oldest leave first). Thread-safe. Not API.
 */
public final class QuestionIndex {
  /** A stored question: its partition, the key its answer is stored under, its text. */
  public record Question(String partition, String exactKey, String text) {}

  /**
   * The nearest stored question of a partition, its vector and similarity, and the runner-up
   * (null when there is none).
   */
  public record Nearest(Question question, float[] vector, double similarity, Question runnerUp, double runnerUpSimilarity) {}

  private final long maximumSize;
  private final Map<String, PartitionIndex> partitions = new ConcurrentHashMap<>();
  private final Map<Long, Question> questions = new ConcurrentHashMap<>();
  private final Map<String, Long> idByKey = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> order = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();

  public QuestionIndex(long maximumSize) {
    this.maximumSize = maximumSize;
  }

  /** Adds a question unless its exact key is indexed already; evicts the oldest beyond the maximum size. */
  public void add(String partition, String exactKey, String text, float[] vector) {
    long id = ids.incrementAndGet();
    if (idByKey.putIfAbsent(exactKey, id) != null) {
      return; // indexed already (our own question coming back from the shared store, or a repeat)
    }
    questions.put(id, new Question(partition, exactKey, text));
    partitions.computeIfAbsent(partition, p -> new PartitionIndex(vector.length)).add(id, vector);
    order.add(id);
    while (questions.size() > maximumSize) {
      Long oldest = order.poll();
      if (oldest == null) {
        break;
      }
      Question gone = questions.get(oldest);
      if (gone != null) {
        remove(gone.exactKey());
      }
    }
  }

  public void remove(String exactKey) {
    Long id = idByKey.remove(exactKey);
    if (id == null) {
      return;
    }
    Question gone = questions.remove(id);
    PartitionIndex index = gone == null ? null : partitions.get(gone.partition());
    if (index != null) {
      index.remove(id);
      if (index.size() == 0) {
        partitions.remove(gone.partition(), index);
      }
    }
  }

  /** The nearest question to {@code vector} in {@code partition}, or null when it holds none. */
  public Nearest nearest(String partition, float[] vector) {
    PartitionIndex index = partitions.get(partition);
    if (index == null) {
      return null;
    }
    FlatIndex.Best best = index.best(vector);
    Question question = best.id() < 0 ? null : questions.get(best.id());
    if (question == null) {
      return null;
    }
    Question runnerUp = best.secondId() < 0 ? null : questions.get(best.secondId());
    return new Nearest(question, index.vector(best.id()), best.similarity(), runnerUp, best.secondSimilarity());
  }

  /** Whether {@code partition} holds any question. */
  public boolean has(String partition) {
    return partitions.containsKey(partition);
  }
}
