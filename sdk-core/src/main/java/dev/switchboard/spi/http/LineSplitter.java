package dev.switchboard.spi.http;

import dev.switchboard.spi.http.LineScanner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Push splitter for newline-delimited bodies (NDJSON / JSON Lines, as Ollama streams them): feed
 * bytes as they arrive, in chunks of any size split at any byte, and receive each complete line
 * through the {@link Handler}. A decoder that implements {@link ByteStreamConsumer} feeds it from
 * {@code onBytes} and calls {@link #finish()} from {@code onComplete}.
 *
 * <p>Details:
 *
 * <ul>
 *   <li>A line ends with LF; one CR right before the LF is removed too, so CRLF works, also when
 *       the CR and the LF arrive in different chunks. A CR anywhere else is an ordinary byte (JSON
 *       allows it as whitespace). U+2028 and U+2029 are ordinary characters.
 *   <li>Empty lines (nothing, or only the CR, before the LF) are skipped: servers send them as
 *       keep-alives.
 *   <li>One UTF-8 byte order mark at the very start of the body is skipped.
 *   <li>Each line is decoded as UTF-8 only once it is complete, so a character split across chunks
 *       decodes correctly; malformed input becomes U+FFFD and never throws.
 *   <li>At {@link #finish()} a last line without a terminator is still delivered, because servers
 *       end bodies that way.
 * </ul>
 *
 * <p>Memory is bounded by {@code maxLineBytes}: a line longer than that (terminator excluded)
 * throws {@link LineTooLongException} as soon as it is known to be too long, without buffering the
 * rest of it.
 *
 * <p><b>Not thread-safe.</b> One feeder at a time: calls to {@link #feed}, {@link #finish()} and
 * {@link #bytesRead()} must not overlap and must be ordered by the caller (a single transport
 * callback thread, as {@link ByteStreamConsumer} guarantees). The handler runs on the feeding
 * thread, inside {@code feed}/{@code finish}, and must not call back into the splitter.
 *
 * <p>Failure: if the splitter or the handler throws, the exception propagates and the splitter is
 * failed; later {@code feed} calls throw {@link IllegalStateException} and {@code finish()} does
 * nothing.
 */
public final class LineSplitter {

  /** Receives complete lines, without their terminator, on the feeding thread. */
  @FunctionalInterface
  public interface Handler {
    void onLine(String line);
  }

  /**
   * A line is longer than the splitter's {@code maxLineBytes}. The splitter is unusable afterwards.
   * Like any exception, instances are not meant to be mutated concurrently.
   */
  public static final class LineTooLongException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    public LineTooLongException(int maxLineBytes) {
      super("a line of the body exceeds the limit of maxLineBytes=" + maxLineBytes + " bytes");
      this.maxLineBytes = maxLineBytes;
    }

    /** The limit that was exceeded. */
    public int maxLineBytes() {
      return maxLineBytes;
    }
  }

  /** Default bound for one line: 16 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

  private enum State {
    OPEN,
    FINISHED,
    FAILED
  }

  private final Handler handler;

  /** Finds the lines (LF, one CR before it removed), buffers one that spans chunks, skips the BOM. */
  private final LineScanner lines;

  private long bytesRead;
  private State state = State.OPEN;

  /**
   * @param handler receives the lines on the feeding thread
   * @param maxLineBytes bounds one line, terminator excluded; exceeding it throws {@link
   *     LineTooLongException} naming the limit
   */
  public LineSplitter(Handler handler, int maxLineBytes) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (maxLineBytes <= 0) {
      throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    }
    this.lines =
        new LineScanner(
            LineScanner.LineEnds.LF,
            maxLineBytes,
            this::deliver,
            () -> new LineTooLongException(maxLineBytes));
  }

  /** A splitter with a 16 MiB bound per line. */
  public LineSplitter(Handler handler) {
    this(handler, DEFAULT_MAX_LINE_BYTES);
  }

  /** Splits all remaining bytes of {@code bytes}; its position ends at its limit. */
  public void feed(ByteBuffer bytes) {
    Objects.requireNonNull(bytes, "bytes");
    ensureOpen();
    int n = bytes.remaining();
    if (n == 0) {
      return;
    }
    bytesRead += n;
    try {
      lines.feed(bytes);
    } catch (Throwable t) {
      fail();
      throw t;
    }
  }

  /** Splits {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public void feed(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    ensureOpen();
    if (length == 0) {
      return;
    }
    bytesRead += length;
    try {
      lines.feed(bytes, offset, offset + length);
    } catch (Throwable t) {
      fail();
      throw t;
    }
  }

  /**
   * End of input: a last line without terminator is delivered (a trailing CR removed). Calling
   * {@code feed} after this throws {@link IllegalStateException}; calling {@code finish} again, or
   * after a failure, does nothing.
   */
  public void finish() {
    if (state != State.OPEN) {
      return;
    }
    state = State.FINISHED;
    try {
      lines.finish();
    } catch (Throwable t) {
      state = State.FAILED;
      throw t;
    }
  }

  /** Total bytes fed so far. */
  public long bytesRead() {
    return bytesRead;
  }

  private void ensureOpen() {
    if (state == State.FINISHED) {
      throw new IllegalStateException("LineSplitter: feed after finish()");
    }
    if (state == State.FAILED) {
      throw new IllegalStateException("LineSplitter: feed after an earlier failure");
    }
  }

  private void fail() {
    state = State.FAILED;
    lines.release();
  }

  /** Delivers one line (without terminator, CR or BOM) unless it is empty. */
  private void deliver(byte[] b, int offset, int length) {
    if (length == 0) {
      return;
    }
    handler.onLine(new String(b, offset, length, StandardCharsets.UTF_8));
  }
}
