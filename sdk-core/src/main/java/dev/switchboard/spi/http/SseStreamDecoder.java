package dev.switchboard.spi.http;

import dev.switchboard.stream.PushChatStream;
import dev.switchboard.stream.ResponseAccumulator;
import dev.switchboard.ChatException;
import dev.switchboard.DecodingException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.http.SseFormatException;
import dev.switchboard.spi.http.ByteStreamConsumer;
import dev.switchboard.spi.http.SseParser;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The skeleton shared by the SSE stream decoders of the providers: a streamed body is fed to an
 * {@link SseParser} whose events go to {@link #onEvent}, unless the server answered the stream
 * request with a plain JSON body ({@code Content-Type: application/json}), which is collected up to
 * {@code maxEventBytes} and handed to {@link #finishJsonBody} at the end. Bytes after the stream
 * finished are skipped. A body that is not an event stream (an HTML page from a proxy, or any body
 * in which no SSE line came) fails the stream with a {@link DecodingException} that quotes the
 * content type and the start of the body, as {@code chat()} does for such an answer.
 *
 * <p>Subclasses set {@link #finished} when the stream completed or failed, and supply what differs:
 * the events ({@link #onEvent}), the JSON answer ({@link #finishJsonBody}), the end of an SSE body
 * that did not finish ({@link #onEndOfStream}), what arrived so far ({@link #partial}) and the hints
 * of their messages; failures are mapped, redacted and reported here through the provider's {@link
 * HttpErrorMapper} ({@link #streamError} for an error object inside the stream).
 *
 * <p>Not thread-safe: driven by one feeder (one transport callback at a time, as {@link
 * ByteStreamConsumer} promises).
 */
public abstract class SseStreamDecoder implements ByteStreamConsumer, SseParser.Handler {
  protected final PushChatStream out;
  protected final String provider;
  protected final String model;
  protected final int status;
  protected final HttpHeaders headers;
  protected final int maxEventBytes;
  /** How a user raises the limit, e.g. {@code "OpenAiProvider.builder().maxResponseBytes(...)"}. */
  protected final String raiseHint;
  /** The provider's error mapper: what failures mean, redaction, request ids. */
  protected final HttpErrorMapper mapper;
  private final SseParser parser;
  private final boolean jsonBody;
  private final boolean pageBody; // text/html or XML: never an event stream
  private final PageBody page = new PageBody(); // the start of the body, until an SSE line comes
  private boolean sawSse; // an event, comment or retry field arrived
  private ByteArrayOutputStream json;
  /** Set once the stream completed or failed; later input is ignored. */
  protected boolean finished;
  /** Everything received so far. */
  protected final ResponseAccumulator acc = new ResponseAccumulator();

  /**
   * @param status and {@code headers} of the 2xx response, for request ids and error mapping
   * @param maxEventBytes bounds one SSE line/event (and a plain JSON answer)
   * @param raiseHint how to raise {@code maxEventBytes}, quoted in the over-limit messages
   */
  protected SseStreamDecoder(PushChatStream out, String provider, String model, int status, HttpHeaders headers,
      int maxEventBytes, String raiseHint, HttpErrorMapper mapper) {
    this.out = out;
    this.provider = provider;
    this.model = model;
    this.status = status;
    this.headers = headers;
    this.maxEventBytes = maxEventBytes;
    this.raiseHint = raiseHint;
    this.mapper = mapper;
    this.parser = new SseParser(new SseParser.Handler() {
      @Override
      public void onEvent(SseEvent event) {
        sawSse = true;
        SseStreamDecoder.this.onEvent(event);
      }

      @Override
      public void onRetry(long millis) {
        sawSse = true;
        SseStreamDecoder.this.onRetry(millis);
      }

      @Override
      public void onComment(String comment) {
        sawSse = true;
        SseStreamDecoder.this.onComment(comment);
      }
    }, maxEventBytes);
    this.jsonBody = headers.firstValue("content-type")
        .map(v -> v.toLowerCase(Locale.ROOT).startsWith("application/json")).orElse(false);
    this.pageBody = PageBody.isPage(headers);
  }

  // ---- bytes in ----

  @Override
  public final void onBytes(ByteBuffer chunk) {
    if (finished) {
      chunk.position(chunk.limit());
      return;
    }
    if (jsonBody) {
      collectJson(chunk);
      return;
    }
    if (pageBody) {
      page.keep(chunk);
      chunk.position(chunk.limit()); // only its start is quoted
      return;
    }
    boolean sseBefore = sawSse;
    ByteBuffer start = sseBefore ? null : chunk.duplicate();
    parser.feed(chunk);
    if (!sawSse && start != null) {
      page.keep(start); // no SSE line yet: keep the start of the body for the message, should none come
    }
  }

  @Override
  public final void onComplete() {
    if (finished) {
      return;
    }
    if (jsonBody) {
      finished = true;
      finishJsonBody(json == null ? new byte[0] : json.toByteArray());
      return;
    }
    if (!pageBody) {
      parser.finish();
    }
    if (finished) {
      return;
    }
    if (!sawSse && !page.isEmpty()) {
      finished = true;
      out.fail(page.failure(provider, model, status, headers, excerptChars(), undecodableHint(), details(false),
          this::redact));
      return;
    }
    onEndOfStream();
  }

  @Override
  public final void onError(Throwable error) {
    if (finished) {
      return;
    }
    finished = true;
    out.fail(toFailure(error));
  }

  // ---- hooks ----

  /**
   * A plain JSON answer to the stream request ended; {@link #finished} is already set. Replays it,
   * or fails the stream.
   */
  protected abstract void finishJsonBody(byte[] body);

  /**
   * The SSE body ended and no event finished the stream: completes it, or fails it as truncated;
   * either way sets {@link #finished}.
   */
  protected abstract void onEndOfStream();

  /** The configured key and bearer tokens removed from {@code message}. */
  protected final String redact(String message) {
    return mapper.redact(message);
  }

  /** A failure before any event arrived, mapped by the provider's error mapper. */
  protected final ChatException transportFailure(Throwable error) {
    return mapper.mapFailure(error, provider, model);
  }

  /** The mapped error of an error object inside the stream; wrapped with the partial answer once events went out. */
  protected final ChatException streamError(com.fasterxml.jackson.databind.JsonNode error) {
    ChatException mapped = mapper.mapBodyError(status, headers, error, provider, model, "an error event in the stream");
    return StreamFailures.midStreamError(mapped, provider, model, acc.eventCount(), this::partial);
  }

  /** What arrived so far, as the partial response of a broken stream. */
  protected abstract ChatResponse partial();

  /** The provider's request id from the response headers, or {@code null}. */
  protected final String requestId() {
    return mapper.requestId(headers);
  }

  /** What to check when a stream cannot be decoded at all, e.g. which endpoint the base URL must name. */
  protected abstract String undecodableHint();

  /** How many characters of an offending chunk a message may quote. */
  protected abstract int excerptChars();

  /** The failure that ends the stream when the body broke with {@code error}. */
  protected final ChatException toFailure(Throwable error) {
    if (error instanceof ChatException ce) {
      return ce;
    }
    if (error instanceof SseFormatException) {
      return malformed(error.getMessage() + "; raise it with " + raiseHint, null, error);
    }
    if (acc.eventCount() == 0) {
      return transportFailure(error);
    }
    return StreamFailures.connectionBroke(error, provider, model, acc.eventCount(), this::redact, details(true),
        partial());
  }

  /**
   * A chunk that could not be decoded: a {@link DecodingException} before any event, else a broken
   * stream carrying what arrived.
   */
  protected final ChatException malformed(String what, String data, Throwable cause) {
    String detail = what + (data == null ? "" : ": '" + WireJson.excerpt(data, excerptChars() - 1) + "'");
    if (acc.eventCount() == 0) {
      return new DecodingException(redact(provider + " sent a stream for model '" + model
          + "' that could not be decoded: " + detail + ". " + undecodableHint()), details(false), cause);
    }
    return StreamFailures.brokenAfterEvents(detail, provider, model, acc.eventCount(), this::redact, details(false),
        partial(), cause);
  }

  /** The error details of a failure of this stream. */
  protected final ErrorDetails details(boolean retryable) {
    return ErrorDetails.builder()
        .provider(provider)
        .model(model)
        .statusCode(status)
        .requestId(requestId())
        .retryable(retryable)
        .build();
  }

  // ---- a plain JSON answer to a stream request ----

  private void collectJson(ByteBuffer chunk) {
    if (json == null) {
      json = new ByteArrayOutputStream(Math.min(8192, maxEventBytes));
    }
    int n = chunk.remaining();
    if (n > maxEventBytes - json.size()) {
      throw new DecodingException("the answer of " + provider + " for model '" + model + "' is larger than the limit of "
          + maxEventBytes + " bytes and was not read to the end; raise the limit with " + raiseHint, details(false));
    }
    byte[] bytes = new byte[n];
    chunk.get(bytes);
    json.write(bytes, 0, n);
  }
}
