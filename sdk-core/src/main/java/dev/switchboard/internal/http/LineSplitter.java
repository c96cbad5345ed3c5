package dev.switchboard.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * nothing. Not API.
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

  private static final int INITIAL_BUFFER = 1024;
  private static final int SCRATCH_SIZE = 8192;
  private static final byte LF = '\n';
  private static final byte CR = '\r';
  private static final byte[] NO_BYTES = new byte[0];

  private enum State {
    OPEN,
    FINISHED,
    FAILED
  }

  private final Handler handler;
  private final int maxLineBytes;

  /** Bytes of the current, not yet terminated line (only used when a line spans chunks). */
  private byte[] lineBuf = NO_BYTES;

  private int lineLen;

  /** The next line delivered is the first of the body (BOM check). */
  private boolean firstLine = true;

  private byte[] scratch;
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
    this.maxLineBytes = maxLineBytes;
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
      if (bytes.hasArray()) {
        int start = bytes.arrayOffset() + bytes.position();
        split(bytes.array(), start, start + n);
        bytes.position(bytes.limit());
      } else {
        byte[] tmp = scratch;
        if (tmp == null) {
          tmp = scratch = new byte[SCRATCH_SIZE];
        }
        while (bytes.hasRemaining()) {
          int k = Math.min(bytes.remaining(), tmp.length);
          bytes.get(tmp, 0, k);
          split(tmp, 0, k);
        }
      }
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
      split(bytes, offset, offset + length);
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
      if (lineLen > 0) {
        int len = lineLen;
        lineLen = 0;
        deliver(lineBuf, 0, len);
      }
    } catch (Throwable t) {
      state = State.FAILED;
      throw t;
    } finally {
      lineBuf = NO_BYTES;
      scratch = null;
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
    lineBuf = NO_BYTES;
    lineLen = 0;
    scratch = null;
  }

  // ---- scanning ----

  private void split(byte[] b, int from, int end) {
    int i = from;
    while (i < end) {
      int lf = indexOfLf(b, i, end);
      if (lf < 0) {
        appendToLine(b, i, end);
        return;
      }
      if (lineLen > 0) {
        appendToLine(b, i, lf);
        int len = lineLen;
        lineLen = 0;
        deliver(lineBuf, 0, len);
      } else {
        deliver(b, i, lf);
      }
      i = lf + 1;
    }
  }

  private static int indexOfLf(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == LF) {
        return i;
      }
    }
    return -1;
  }

  /** Buffers {@code b[from, to)}; the buffer may hold one byte more than the limit: a CR that may end the line. */
  private void appendToLine(byte[] b, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return;
    }
    long needed = (long) lineLen + n;
    if (needed > (long) maxLineBytes + 1
        || (needed == (long) maxLineBytes + 1 && b[to - 1] != CR)) {
      throw new LineTooLongException(maxLineBytes);
    }
    if (needed > lineBuf.length) {
      lineBuf = grow(lineBuf, (int) needed);
    }
    System.arraycopy(b, from, lineBuf, lineLen, n);
    lineLen = (int) needed;
  }

  /** A larger copy of {@code buf} holding at least {@code needed} bytes, never past the limit (+1 for a CR). */
  private byte[] grow(byte[] buf, int needed) {
    long doubled = Math.max((long) buf.length * 2, INITIAL_BUFFER);
    int capacity = (int) Math.min(Math.max(doubled, needed), (long) maxLineBytes + 1);
    return Arrays.copyOf(buf, capacity);
  }

  /** Delivers the line {@code b[s, e)}: without a trailing CR, without a leading BOM, skipped if empty. */
  private void deliver(byte[] b, int s, int e) {
    if (e > s && b[e - 1] == CR) {
      e--;
    }
    if (e - s > maxLineBytes) {
      throw new LineTooLongException(maxLineBytes);
    }
    if (firstLine) {
      firstLine = false;
      if (e - s >= 3 && b[s] == (byte) 0xEF && b[s + 1] == (byte) 0xBB && b[s + 2] == (byte) 0xBF) {
        s += 3;
      }
    }
    if (s == e) {
      return;
    }
    handler.onLine(new String(b, s, e - s, StandardCharsets.UTF_8));
  }
}
