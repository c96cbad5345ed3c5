package dev.switchboard.eval;

/**
 * An answer that a {@link Scorer} cannot score: the example lacks what the scorer needs (a
 * reference, a well-formed one), or a judge's reply holds no score. An {@link Evaluation} records
 * it on the item's result ({@link EvalResult#scoreError()}) and goes on. Immutable once thrown.
 */
public class ScoringException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScoringException(String message) {
    super(message);
  }

  public ScoringException(String message, Throwable cause) {
    super(message, cause);
  }
}
