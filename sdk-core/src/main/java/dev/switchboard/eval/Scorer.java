package dev.switchboard.eval;

import dev.switchboard.ChatClient;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleBiFunction;
import java.util.regex.Pattern;

/**
 * How good one answer to one {@link Example} is: a number, 1 for right and 0 for wrong when the
 * scorer is all-or-nothing, a share in between otherwise (field accuracy, NDCG, a judge's grade
 * mapped to [0, 1]). Built-ins are below; a scorer of your own is a lambda, or {@link #of} to give
 * it a name.
 *
 * <pre>{@code
 * Scorer containsCity = Scorer.of("mentions-city",
 *     (example, answer) -> answer.contains(example.referenceText().orElseThrow()) ? 1 : 0);
 * }</pre>
 *
 * <p>A scorer that cannot score an answer throws (a {@link ScoringException}, or anything else):
 * the {@link Evaluation} records the failure on the item and goes on; such an item has no score and
 * is left out of the quality mean. An answer in the wrong format is not a failure: it scores 0.
 *
 * <p>Implementations must be thread-safe: an evaluation scores several answers at once.
 */
@FunctionalInterface
public interface Scorer {

  /** The score of {@code answer} to {@code example}; see the class doc for failures. */
  double score(Example example, String answer);

  /**
   * Scores without holding a thread while waiting: {@link #score} at once unless overridden, as a
   * scorer that calls a model ({@link LlmJudge}) does. The future fails where {@link #score} throws.
   */
  default CompletableFuture<Double> scoreAsync(Example example, String answer) {
    try {
      return CompletableFuture.completedFuture(score(example, answer));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The name reports and run files show; {@code "custom"} unless overridden. */
  default String name() {
    return "custom";
  }

  /**
   * Whether every example needs a {@link Example#reference()}: an {@link Evaluation} with such a
   * scorer refuses to start on a dataset with an example without one, before any call is paid for.
   * False unless overridden.
   */
  default boolean requiresReference() {
    return false;
  }

  /** 1 when the answer equals the reference text, leading and trailing whitespace aside; else 0. */
  static Scorer exactMatch() {
    return Scorers.ExactMatch.INSTANCE;
  }

  /**
   * 1 when answer and reference are equal after normalizing both: Unicode NFKC, lower case,
   * punctuation removed (except a {@code .} or {@code ,} between digits, so {@code 3.14} stays a
   * number), runs of whitespace made one space, ends trimmed; else 0. {@code "Paris."} matches
   * {@code "paris"}.
   */
  static Scorer normalizedMatch() {
    return Scorers.NormalizedMatch.INSTANCE;
  }

  /** 1 when {@code pattern} is found in the answer, else 0; for checking a format. Needs no reference. */
  static Scorer regex(Pattern pattern) {
    return new Scorers.FixedRegex(Objects.requireNonNull(pattern, "pattern"));
  }

  /** 1 when the example's reference, read as a regular expression, is found in the answer; else 0. */
  static Scorer referenceRegex() {
    return Scorers.ReferenceRegex.INSTANCE;
  }

  /**
   * 1 when the last number in the answer is within {@code tolerance} of the reference (a JSON
   * number, or the last number in a string reference), else 0; 0 when the answer has no number.
   * Numbers may have a sign, thousands separators ({@code 1,234}), decimals and an exponent.
   */
  static Scorer numeric(double tolerance) {
    return new Scorers.Numeric(tolerance);
  }

  /**
   * Field-level accuracy for extraction: the share of the reference object's fields (nested
   * objects flattened to dotted paths, arrays compared whole) that the answer's JSON object has
   * with an equal value (numbers by value, so {@code 3} equals {@code 3.0}; strings with their ends
   * trimmed). The answer's object may sit inside a Markdown code fence or text; an answer with no
   * JSON object scores 0.
   */
  static Scorer jsonFields() {
    return Scorers.JsonFields.INSTANCE;
  }

  /**
   * NDCG@k of a ranking: the answer lists item ids best first (a JSON array, or ids separated by
   * commas or new lines, list markers such as {@code 1.} or {@code -} dropped; repeats count once);
   * the reference grades them, an object {@code {"d1": 3, "d2": 1}} (an id not graded is 0), or an
   * array of the relevant ids (each graded 1). DCG@k = Σ_{i=1..k} grade_i / log2(i + 1), with
   * linear gain as scikit-learn's {@code ndcg_score}; NDCG@k = DCG@k / the DCG@k of the ideal order.
   */
  static Scorer ndcg(int k) {
    return new Scorers.Ndcg(k);
  }

  /**
   * A model grading the answer by {@code rubric} on a 1 to 5 scale, mapped to [0, 1]; see {@link
   * LlmJudge} for the prompt, the parsing and more options.
   */
  static Scorer judge(ChatClient client, String model, String rubric) {
    return LlmJudge.builder(client, model).rubric(rubric).build();
  }

  /** A scorer of your own with a {@code name} for reports. */
  static Scorer of(String name, ToDoubleBiFunction<Example, String> score) {
    return new Scorers.Named(name, score);
  }
}
