package dev.switchboard.eval;

/**
 * A dataset row that cannot be read, naming the {@link #source()}, the {@link #line()} (1-based)
 * and the {@link #field()} at fault, e.g. {@code qa.jsonl line 4, field 'messages[1].role': 'bot'
 * is not one of system, user, assistant}. Immutable once thrown.
 */
public final class DatasetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String field;

  DatasetException(String source, int line, String field, String problem) {
    super(source + " line " + line + (field == null ? "" : ", field '" + field + "'") + ": " + problem);
    this.source = source;
    this.line = line;
    this.field = field;
  }

  /** The file (or the name the reader was given). */
  public String source() {
    return source;
  }

  /** The 1-based line of the row. */
  public int line() {
    return line;
  }

  /** The field at fault ({@code "messages[1].role"}), or "" when the row as a whole is. */
  public String field() {
    return field == null ? "" : field;
  }
}
