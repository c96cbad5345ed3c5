package dev.switchboard.spi.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Push parser for a {@code text/event-stream} body, following the WHATWG "event stream
 * interpretation" rules: feed bytes as they arrive, in chunks of any size split at any byte, and
 * receive events through the {@link Handler}.
 *
 * <p>Details:
 *
 * <ul>
 *   <li>Lines end with LF, CR or CRLF; a CRLF split across two chunks is one line end. U+2028 and
 *       U+2029 are ordinary characters.
 *   <li>One UTF-8 byte order mark at the very start of the stream is skipped.
 *   <li>Lines are decoded as UTF-8 only once complete, so a character split across chunks decodes
 *       correctly; malformed input becomes U+FFFD and never throws.
 *   <li>Deviation from the spec: at {@link #finish()} an unterminated last line is still processed
 *       and collected data is dispatched even without the closing blank line, because real servers
 *       end streams that way.
 *   <li>A {@code retry:} value that overflows a {@code long} is reported as {@link Long#MAX_VALUE}.
 * </ul>
 *
 * <p>Memory is bounded by {@code maxEventBytes}: neither a single line nor one event's collected
 * data may exceed it, otherwise {@link SseFormatException} is thrown.
 *
 * <p><b>Not thread-safe.</b> One feeder at a time: calls to {@link #feed}, {@link #finish()} and
 * {@link #bytesRead()} must not overlap and must be ordered by the caller (a single transport
 * callback thread, or external synchronization). The handler runs on the feeding thread, inside
 * {@code feed}/{@code finish}, and must not call back into the parser.
 *
 * <p>Failure: if the parser or the handler throws, the exception propagates and the parser is
 * failed; later {@code feed} calls throw {@link IllegalStateException} and {@code finish()} does
 * nothing.
 */
public final class SseParser {

  /** Receives parse results on the feeding thread. */
  public interface Handler {
    void onEvent(SseEvent event);

    /** A valid retry: field (ASCII digits only), in milliseconds. */
    default void onRetry(long millis) {}

    /** A comment line (starts with ':'), text after the colon; servers use them as keep-alives. */
    default void onComment(String comment) {}
  }

  /** Default bound for one line and for one event's data: 16 MiB. */
  private static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private static final byte LF = '\n';
  private static final byte COLON = ':';
  private static final byte SPACE = ' ';
  private static final byte[] NO_BYTES = new byte[0];

  private enum State {
    OPEN,
    FINISHED,
    FAILED
  }

  private final Handler handler;
  private final int maxEventBytes;

  /** Finds the lines (LF, CR, CRLF), buffers one that spans chunks, skips the BOM. */
  private final LineScanner lines;

  /** The data buffer: each data field's value followed by LF. */
  private byte[] dataBuf = NO_BYTES;

  private int dataLen;

  /** Event type buffer; null means empty (dispatches as "message"). */
  private String eventType;

  private String lastEventId = "";
  private final CachedString typeCache = new CachedString();
  private final CachedString idCache = new CachedString();

  private long bytesRead;
  private State state = State.OPEN;

  /**
   * @param handler receives events, retries and comments on the feeding thread
   * @param maxEventBytes bounds the bytes buffered for one line and for one event's data;
   *     exceeding it throws {@link SseFormatException} naming the limit
   */
  public SseParser(Handler handler, int maxEventBytes) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (maxEventBytes <= 0) {
      throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
    }
    this.maxEventBytes = maxEventBytes;
    this.lines =
        new LineScanner(
            LineScanner.LineEnds.LF_CR_CRLF,
            maxEventBytes,
            this::processLine,
            () ->
                new SseFormatException(
                    "SSE line exceeds the limit of maxEventBytes=" + maxEventBytes + " bytes"));
  }

  /** A parser with a 16 MiB bound per line and per event. */
  public SseParser(Handler handler) {
    this(handler, DEFAULT_MAX_EVENT_BYTES);
  }

  /** Parses all remaining bytes of {@code bytes}; its position ends at its limit. */
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
      state = State.FAILED;
      throw t;
    }
  }

  /** Parses {@code length} bytes of {@code bytes} starting at {@code offset}. */
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
      state = State.FAILED;
      throw t;
    }
  }

  /**
   * End of input. Unlike the strict spec, an event whose data was collected but not yet dispatched
   * (no trailing blank line, or even no final newline) IS dispatched here, because real LLM servers
   * end streams that way. Calling feed after finish throws IllegalStateException; calling finish
   * again, or after a failure, does nothing.
   */
  public void finish() {
    if (state != State.OPEN) {
      return;
    }
    state = State.FINISHED;
    try {
      lines.finish();
      if (dataLen > 0) {
        dispatch();
      }
    } catch (Throwable t) {
      state = State.FAILED;
      throw t;
    } finally {
      lines.release();
      dataBuf = NO_BYTES;
      dataLen = 0;
    }
  }

  /** Total bytes fed so far. */
  public long bytesRead() {
    return bytesRead;
  }

  private void ensureOpen() {
    if (state == State.FINISHED) {
      throw new IllegalStateException("SseParser: feed after finish()");
    }
    if (state == State.FAILED) {
      throw new IllegalStateException("SseParser: feed after an earlier failure");
    }
  }

  // ---- interpretation ----

  /** Interprets one complete line {@code b[s, s + length)} without its terminator or a BOM. */
  private void processLine(byte[] b, int s, int length) {
    int e = s + length;
    if (s == e) {
      dispatch();
      return;
    }
    if (b[s] == COLON) {
      int v = s + 1;
      if (v < e && b[v] == SPACE) {
        v++;
      }
      handler.onComment(v == e ? "" : new String(b, v, e - v, StandardCharsets.UTF_8));
      return;
    }
    int nameEnd = s;
    while (nameEnd < e && b[nameEnd] != COLON) {
      nameEnd++;
    }
    int v = nameEnd;
    if (v < e) {
      v++; // the colon
      if (v < e && b[v] == SPACE) {
        v++;
      }
    }
    switch (nameEnd - s) {
      case 4:
        if (b[s] == 'd' && b[s + 1] == 'a' && b[s + 2] == 't' && b[s + 3] == 'a') {
          appendData(b, v, e);
        }
        break;
      case 5:
        if (b[s] == 'e' && b[s + 1] == 'v' && b[s + 2] == 'e' && b[s + 3] == 'n'
            && b[s + 4] == 't') {
          eventType = v == e ? null : typeCache.get(b, v, e);
        } else if (b[s] == 'r' && b[s + 1] == 'e' && b[s + 2] == 't' && b[s + 3] == 'r'
            && b[s + 4] == 'y') {
          retry(b, v, e);
        }
        break;
      case 2:
        if (b[s] == 'i' && b[s + 1] == 'd') {
          setId(b, v, e);
        }
        break;
      default:
        // unknown field: ignored
    }
  }

  private void appendData(byte[] b, int from, int to) {
    int n = to - from;
    long needed = (long) dataLen + n + 1;
    if (needed > maxEventBytes) {
      throw new SseFormatException(
          "SSE event data exceeds the limit of maxEventBytes=" + maxEventBytes + " bytes");
    }
    if (needed > dataBuf.length) {
      dataBuf = LineScanner.grow(dataBuf, (int) needed, maxEventBytes);
    }
    System.arraycopy(b, from, dataBuf, dataLen, n);
    dataBuf[dataLen + n] = LF;
    dataLen = (int) needed;
  }

  private void setId(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == 0) {
        return; // U+0000 is encoded only as the byte 0x00: ignore the field
      }
    }
    lastEventId = from == to ? "" : idCache.get(b, from, to);
  }

  private void retry(byte[] b, int from, int to) {
    if (from == to) {
      return;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return;
      }
      if (value <= (Long.MAX_VALUE - d) / 10) {
        value = value * 10 + d;
      } else {
        value = Long.MAX_VALUE;
      }
    }
    handler.onRetry(value);
  }

  private void dispatch() {
    if (dataLen == 0) {
      eventType = null;
      return;
    }
    String data =
        dataLen == 1 ? "" : new String(dataBuf, 0, dataLen - 1, StandardCharsets.UTF_8);
    String type = eventType == null ? "message" : eventType;
    dataLen = 0;
    eventType = null;
    handler.onEvent(new SseEvent(type, data, lastEventId));
  }

  /**
   * Remembers the last decoded value so that a repeated value (an event type sent with every
   * event, say) costs a byte comparison instead of a new String.
   */
  private static final class CachedString {
    private byte[] bytes = NO_BYTES;
    private String value = "";

    String get(byte[] b, int from, int to) {
      if (Arrays.equals(bytes, 0, bytes.length, b, from, to)) {
        return value;
      }
      bytes = Arrays.copyOfRange(b, from, to);
      value = new String(bytes, StandardCharsets.UTF_8);
      return value;
    }
  }
}
