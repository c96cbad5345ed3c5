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

  boolean allows(String asked, String stored);
}
