package dev.switchboard.testkit;

/**
 * A transport-level failure for {@link Reply#fault(Fault)}: the server misbehaves below the level
 * of error statuses. Immutable and thread-safe, as enums are.
 */
public enum Fault {
  /** The server resets the connection instead of answering. */
  CONNECTION_RESET,
  /** The server closes the connection without sending any response. */
  EMPTY_RESPONSE,
  /**
   * Streamed: the reply's text arrives in good chunks, then a {@code data:} line that is not JSON
   * (followed by the normal end marker, so a decoder that skips it silently is caught). Not
   * streamed: a 200 response whose JSON body is cut off mid-object.
   */
  MALFORMED_CHUNK,
  /**
   * Streamed: the reply's text arrives in good chunks, then the body ends without a finish reason,
   * usage or end marker. Not streamed: a 200 response whose JSON body ends half-way.
   */
  TRUNCATED_STREAM
}
