package dev.switchboard.cache;

/**
 * The second look before a semantic hit is served: given the question asked and the stored
 * question that scored above the threshold, says whether the stored answer may be served. Near
 * duplicates that differ in one key term (Python and Java, 2019 and 2020, "can" and "cannot")
 * score high on any embedding; a guard is what keeps them apart. Implementations must be
 * thread-safe and fast (they run on every candidate hit).
 */
@FunctionalInterface
public interface SemanticGuard {
  /** Lets every candidate through: the threshold alone decides. */
  SemanticGuard NONE = (asked, stored) -> true;

  /**
   * True when the stored question's answer may be served for the asked one. Called only for a
   * candidate that already scored above the threshold; must not throw.
   */
  boolean allows(String asked, String stored);

  /**
   * The same decision when the caller already knows the pair's similarity under its embedder: a
   * cache calls this one. By default it ignores {@code similarity}; a guard that weighs it (such as
   * {@link LearnedGuard}) overrides it. Must not throw.
   */
  default boolean allows(String asked, String stored, double similarity) {
    return allows(asked, stored);
  }

  /**
   * The same decision when the caller also has both questions' vectors under its embedder (a cache
   * calls this one; either vector may be null when it is not at hand). By default it ignores the
   * vectors; a guard that reads them (such as {@link PairClassifier}) overrides it. Must not throw.
   */
  default boolean allows(String asked, float[] askedVector, String stored, float[] storedVector, double similarity) {
    return allows(asked, stored, similarity);
  }

  /**
   * A guard that compares the two questions' key terms, after the normalization {@link
   * LexicalEmbedder} uses (accents folded, lower case, contractions expanded: "don't" is "do not").
   * It rejects a pair when:
   *
   * <ol>
   *   <li>they differ in a number ("iPhone 6" and "iPhone 7", "2019" and "2020"; "two" counts as
   *       "2");
   *   <li>they differ in how many negations they hold: not, no, never, without, none, nothing,
   *       nobody, neither, nor, nowhere ("can" and "cannot");
   *   <li>they differ in why, when, where or who ("why was it built" and "when was it built");
   *   <li>one holds a name that the other lacks: a word typed with a capital not at the start of a
   *       sentence, with two capitals, or with letters and digits ("Python" and "Java");
   *   <li>more than half of their content words (all but stop words such as "the", "how", "best")
   *       are in one question only; for short questions, any two.
   * </ol>
   *
   * A word counts as present in the other question when it appears there as written, as a simple
   * variant (plural, -ing, -ed, -ly, or a shared stem of five letters or more: "program" and
   * "programming"), or as a typo (one edit in words of four letters or more, two in words of eight
   * or more: "pyhton" for "python").
   *
   * <p>Immutable and thread-safe; a few microseconds per pair.
   */
  static SemanticGuard keyTerms() {
    return KeyTermsGuard.DEFAULT;
  }
}
