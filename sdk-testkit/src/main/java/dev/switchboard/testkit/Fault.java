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
  TRUNCATED_STREAM,
  /**
   * Streamed: the reply's text (if any) arrives in good chunks, then the provider reports a
   * transient server failure inside the 200 stream and ends it (Anthropic: an {@code event: error}
   * with {@code overloaded_error}; OpenAI-compatible: an {@code {"error":...}} chunk of type {@code
   * server_error}). With no text the error comes before any content, so an adapter can still fail
   * with the plain retryable exception. Not streamed: the same failure as an error status (Anthropic
   * 529, OpenAI-compatible 500).
   */
  MID_STREAM_ERROR
}
