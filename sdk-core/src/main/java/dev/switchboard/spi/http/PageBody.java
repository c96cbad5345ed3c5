package dev.switchboard.spi.http;

import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The start of a 2xx body that turned out not to be an event stream (a proxy's HTML page, a
 * captive portal, a wrong base URL), kept so that the failure can quote it: stream decoders feed it
 * the body until the first real event and fail with {@link #failure} when none came. Not
 * thread-safe: one per stream, fed by its one feeder.
 */
public final class PageBody {
  private static final int KEEP_BYTES = 512;
  private byte[] head; // made on the first bytes kept: most streams never need it
  private int length;

  /** Whether a 2xx answer with these headers is a page (HTML or XML), never an event stream. */
  public static boolean isPage(HttpHeaders headers) {
    String type = headers.firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
    return type.startsWith("text/html") || type.contains("xml");
  }

  /** Keeps the start of {@code chunk} (up to 512 bytes in all) without consuming it. */
  public void keep(ByteBuffer chunk) {
    if (length < KEEP_BYTES) {
      if (head == null) {
        head = new byte[KEEP_BYTES];
      }
      ByteBuffer start = chunk.duplicate();
      int n = Math.min(start.remaining(), KEEP_BYTES - length);
      start.get(head, length, n);
      length += n;
    }
  }

  /** Whether no byte was kept. */
  public boolean isEmpty() {
    return length == 0;
  }

  /**
   * The non-retryable failure of a stream whose body was no event stream: names the status and
   * content type, quotes the start of the body on one line ({@code excerptChars} at most), ends with
   * {@code hint}; {@code redact} removes secrets from the whole message.
   */
  public DecodingException failure(String provider, String model, int status, HttpHeaders headers, int excerptChars,
      String hint, ErrorDetails details, UnaryOperator<String> redact) {
    String type = headers.firstValue("content-type").map(t -> "Content-Type '" + t + "'").orElse("no Content-Type");
    String start = WireJson.excerpt((head == null ? "" : new String(head, 0, length, StandardCharsets.UTF_8)).replaceAll("\\s+", " ")
        .trim(), excerptChars - 1);
    return new DecodingException(redact.apply(provider + " answered the stream request for model '" + model
        + "' with HTTP " + status + " and " + type + ", which is not an event stream: '" + start + "'. " + hint),
        details);
  }
}
