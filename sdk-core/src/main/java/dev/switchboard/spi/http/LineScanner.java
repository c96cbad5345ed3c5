package dev.switchboard.spi.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Byte-level line scanner shared by {@link SseParser} and the NDJSON {@code LineSplitter}: feed
 * bytes in chunks of any size split at any byte, and receive each complete line, without its
 * terminator, as {@code (array, offset, length)} through the {@link Sink}.
 *
 * <p>It owns the search for line ends, the buffer for a line that spans chunks (grown
 * geometrically, never past the limit), a CRLF split across chunks, and skipping one UTF-8 byte
 * order mark at the start of the first line. A line lying wholly inside one chunk is handed over in
 * place, without a copy; the sink must not keep the array, which may be reused.
 *
 * <p>Line ends, chosen by {@link LineEnds}:
 *
 * <ul>
 *   <li>{@link LineEnds#LF_CR_CRLF} (SSE): LF, CR or CRLF ends a line; the limit bounds the bytes of
 *       a line.
 *   <li>{@link LineEnds#LF} (NDJSON): only LF ends a line; one CR right before the LF (or before the
 *       end of input) is removed, a CR anywhere else is an ordinary byte. The limit bounds a line
 *       without that CR, so the buffer may hold one byte more: a CR that may end the line.
 * </ul>
 *
 * <p>A line over the limit throws the exception from the {@code tooLong} supplier as soon as it is
 * known to be too long. Not thread-safe.
 */
public final class LineScanner {

  /** Which bytes end a line. */
  public enum LineEnds {
    /** LF, CR or CRLF (WHATWG event stream). */
    LF_CR_CRLF,
    /** LF only; one CR before it is removed from the line (NDJSON). */
    LF
  }

  /** Receives one complete line {@code b[offset, offset + length)} on the feeding thread. */
  @FunctionalInterface
  public interface Sink {
    void onLine(byte[] b, int offset, int length);
  }

  private static final int INITIAL_BUFFER = 1024;
  private static final int SCRATCH_SIZE = 8192;
  private static final byte LF = '\n';
  private static final byte CR = '\r';
  private static final byte[] NO_BYTES = new byte[0];

  private final boolean crEndsLine;
  private final int maxLineBytes;
  private final long bufferLimit;
  private final Sink sink;
  private final Supplier<? extends RuntimeException> tooLong;

  /** Bytes of the current, not yet terminated line (only used when a line spans chunks). */
  private byte[] lineBuf = NO_BYTES;

  private int lineLen;

  /** The previous chunk ended with CR: an LF at the start of the next chunk belongs to it. */
  private boolean skipLf;

  /** The next line delivered is the first of the stream (BOM check). */
  private boolean firstLine = true;

  /**
   * The copy buffer for read-only chunks (what {@code java.net.http} hands a body subscriber): one
   * per thread, not per stream, so 10,000 open streams do not hold 10,000 of them. Taken out while
   * in use, so a nested feed on the same thread gets its own.
   */
  private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

  /**
   * @param lineEnds which bytes end a line
   * @param maxLineBytes bounds one line (positive; checked by the caller)
   * @param sink receives the lines
   * @param tooLong creates the exception thrown for a line over the limit
   */
  public LineScanner(
      LineEnds lineEnds,
      int maxLineBytes,
      Sink sink,
      Supplier<? extends RuntimeException> tooLong) {
    this.crEndsLine = Objects.requireNonNull(lineEnds, "lineEnds") == LineEnds.LF_CR_CRLF;
    this.maxLineBytes = maxLineBytes;
    this.bufferLimit = crEndsLine ? maxLineBytes : (long) maxLineBytes + 1;
    this.sink = Objects.requireNonNull(sink, "sink");
    this.tooLong = Objects.requireNonNull(tooLong, "tooLong");
  }

  /** Scans all remaining bytes of {@code bytes} (at least one); its position ends at its limit. */
  public void feed(ByteBuffer bytes) {
    if (bytes.hasArray()) {
      int start = bytes.arrayOffset() + bytes.position();
      scan(bytes.array(), start, start + bytes.remaining());
      bytes.position(bytes.limit());
    } else {
      byte[] tmp = SCRATCH.get();
      if (tmp == null) {
        tmp = new byte[SCRATCH_SIZE];
      } else {
        SCRATCH.set(null);
      }
      try {
        while (bytes.hasRemaining()) {
          int k = Math.min(bytes.remaining(), tmp.length);
          bytes.get(tmp, 0, k);
          scan(tmp, 0, k);
        }
      } finally {
        SCRATCH.set(tmp);
      }
    }
  }

  /** Scans {@code b[from, end)}, which must not be empty. */
  public void feed(byte[] b, int from, int end) {
    scan(b, from, end);
  }

  /**
   * End of input: delivers a last line without terminator, if any (in {@link LineEnds#LF} mode
   * without a trailing CR), then releases the buffers.
   */
  public void finish() {
    try {
      if (lineLen > 0) {
        int len = lineLen;
        lineLen = 0;
        line(lineBuf, 0, len);
      }
    } finally {
      release();
    }
  }

  /** Drops the buffered partial line and the buffers. */
  public void release() {
    lineBuf = NO_BYTES;
    lineLen = 0;
  }

  /**
   * A larger copy of {@code buf} holding at least {@code needed} bytes: doubled (at least 1024
   * bytes), never past {@code cap}.
   */
  public static byte[] grow(byte[] buf, int needed, long cap) {
    long doubled = Math.max((long) buf.length * 2, INITIAL_BUFFER);
    int capacity = (int) Math.min(Math.max(doubled, needed), cap);
    return Arrays.copyOf(buf, capacity);
  }

  // ---- scanning ----

  private void scan(byte[] b, int from, int end) {
    int i = from;
    if (skipLf) {
      skipLf = false;
      if (b[i] == LF) {
        i++;
      }
    }
    while (i < end) {
      int eol = crEndsLine ? indexOfLfOrCr(b, i, end) : indexOfLf(b, i, end);
      if (eol < 0) {
        appendToLine(b, i, end);
        return;
      }
      if (lineLen > 0) {
        appendToLine(b, i, eol);
        int len = lineLen;
        lineLen = 0;
        line(lineBuf, 0, len);
      } else {
        line(b, i, eol);
      }
      i = eol + 1;
      if (b[eol] == CR) {
        if (i < end) {
          if (b[i] == LF) {
            i++;
          }
        } else {
          skipLf = true;
        }
      }
    }
  }

  private static int indexOfLfOrCr(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      byte c = b[i];
      if (c == LF || c == CR) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfLf(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == LF) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Buffers {@code b[from, to)}. In {@link LineEnds#LF} mode the buffer may hold one byte more than
   * the limit, if that byte is a CR that may end the line.
   */
  private void appendToLine(byte[] b, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return;
    }
    long needed = (long) lineLen + n;
    if (needed > maxLineBytes && (crEndsLine || needed > bufferLimit || b[to - 1] != CR)) {
      throw tooLong.get();
    }
    if (needed > lineBuf.length) {
      lineBuf = grow(lineBuf, (int) needed, bufferLimit);
    }
    System.arraycopy(b, from, lineBuf, lineLen, n);
    lineLen = (int) needed;
  }

  /** Checks and delivers the line {@code b[s, e)}: without a CR before LF, without a leading BOM. */
  private void line(byte[] b, int s, int e) {
    if (!crEndsLine && e > s && b[e - 1] == CR) {
      e--;
    }
    if (e - s > maxLineBytes) {
      throw tooLong.get();
    }
    if (firstLine) {
      firstLine = false;
      if (e - s >= 3 && b[s] == (byte) 0xEF && b[s + 1] == (byte) 0xBB && b[s + 2] == (byte) 0xBF) {
        s += 3;
      }
    }
    sink.onLine(b, s, e - s);
  }
}
