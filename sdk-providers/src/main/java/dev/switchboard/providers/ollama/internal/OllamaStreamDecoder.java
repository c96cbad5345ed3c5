package dev.switchboard.providers.ollama.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.http.ByteStreamConsumer;
import dev.switchboard.spi.http.LineSplitter;
import dev.switchboard.spi.http.PageBody;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.stream.ThinkTagSplitter;
import dev.switchboard.stream.ResponseAccumulator;
import dev.switchboard.spi.http.StreamFailures;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a streamed {@code /api/chat} body (NDJSON: one JSON object per line, split by the core
 * {@link LineSplitter}) into {@link ChatEvent}s on a {@link PushChatStream}.
 *
 * <ul>
 *   <li>{@code message.thinking} → {@link ChatEvent.ReasoningDelta}, {@code message.content} →
 *       {@link ChatEvent.TextDelta}, each entry of {@code message.tool_calls} → one whole {@link
 *       ChatEvent.ToolCallDelta} (Ollama sends calls complete; each gets the next index, in the
 *       order they came, across lines, with Ollama's {@code id} or a made-up stable {@code
 *       call_<index>}).
 *   <li>The line with {@code "done": true} → {@link ChatEvent.UsageReport} from {@code
 *       prompt_eval_count} / {@code eval_count}, then one {@link ChatEvent.Completed}, then
 *       completion; its durations are logged at DEBUG. Anything after it is ignored.
 *   <li>A line {@code {"error":"..."}} → the {@link OllamaErrorMapper}'s exception; once events went
 *       out, wrapped in a {@link ChatStreamException} carrying the partial answer.
 *   <li>A line that is not a JSON object → {@link DecodingException} before any event, {@link
 *       ChatStreamException} after; a body that ends without a {@code done} line → {@link
 *       ChatStreamException} ("truncated", retryable); a broken connection → {@link
 *       ChatStreamException}, or the mapper's {@code TransportException} if nothing was emitted yet.
 * </ul>
 *
 * <p>Every stream ends in exactly one {@link ChatEvent.Completed} or one failure. Not thread-safe:
 * driven by one transport callback at a time, as {@link ByteStreamConsumer} promises. Not API.
 */
public final class OllamaStreamDecoder implements ByteStreamConsumer, LineSplitter.Handler {
  private static final Logger log = LoggerFactory.getLogger("dev.switchboard.providers.ollama.OllamaProvider");
  private static final String RAISE_HINT = "OllamaProvider.builder().maxResponseBytes(...)";

  private final PushChatStream out;
  private final String provider;
  private final String model;
  private final int status;
  private final HttpHeaders headers;
  private final OllamaErrorMapper mapper;
  private final LineSplitter splitter;
  private final ResponseAccumulator acc = new ResponseAccumulator();
  private String responseModel;
  private int nextToolIndex;
  private boolean finished;
  private final ThinkTagSplitter thinkTags = new ThinkTagSplitter(r -> emit(new ChatEvent.ReasoningDelta(r)),
      t -> emit(new ChatEvent.TextDelta(t)));
  private final boolean pageBody; // text/html or XML: a proxy's page, never an NDJSON stream
  private final PageBody page = new PageBody();

  /**
   * @param status and {@code headers} of the 2xx response, for error mapping
   * @param maxLineBytes bounds one line of the body
   */
  public OllamaStreamDecoder(PushChatStream out, String provider, String model, int status, HttpHeaders headers,
      OllamaErrorMapper mapper, int maxLineBytes) {
    this.out = out;
    this.provider = provider;
    this.model = model;
    this.status = status;
    this.headers = headers;
    this.mapper = mapper;
    this.splitter = new LineSplitter(this, maxLineBytes);
    this.pageBody = PageBody.isPage(headers);
  }

  // ---- bytes in ----

  @Override
  public void onBytes(ByteBuffer chunk) {
    if (finished) {
      chunk.position(chunk.limit());
      return;
    }
    if (pageBody) {
      page.keep(chunk);
      chunk.position(chunk.limit());
      return;
    }
    splitter.feed(chunk);
  }

  @Override
  public void onComplete() {
    if (finished) {
      return;
    }
    if (pageBody) {
      finished = true;
      out.fail(page.failure(provider, model, status, headers, OllamaErrorMapper.EXCERPT_CHARS, "Check that the base "
          + "URL points at an Ollama server (the root, such as http://127.0.0.1:11434).", details(false),
          mapper::redact));
      return;
    }
    splitter.finish();
    if (finished) {
      return;
    }
    finished = true;
    out.fail(new ChatStreamException(mapper.redact("the stream from " + provider + " for model '" + model
        + "' was truncated: the body ended after " + acc.eventCount() + " events without the final \"done\": true "
        + "line. The partial answer is attached; retrying repeats the whole request."), details(true), partial(),
        null));
  }

  @Override
  public void onError(Throwable error) {
    if (finished) {
      return;
    }
    finished = true;
    out.fail(toFailure(error));
  }

  // ---- lines ----

  @Override
  public void onLine(String line) {
    if (finished || line.isBlank()) {
      return;
    }
    JsonNode object;
    try {
      object = WireJson.MAPPER.readTree(line);
    } catch (IOException | RuntimeException e) {
      throw malformed("a line is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", line, e);
    }
    if (object == null || !object.isObject()) {
      throw malformed("a line is not a JSON object", line, null);
    }
    JsonNode error = object.get("error");
    if (error != null && !error.isNull()) {
      throw streamError(object);
    }
    if (responseModel == null) {
      responseModel = OllamaWire.nonEmpty(object, "model");
    }
    JsonNode message = object.get("message");
    if (message != null && message.isObject()) {
      onMessage(message);
    }
    if (object.path("done").asBoolean(false)) {
      complete(object);
    }
  }

  private void onMessage(JsonNode message) {
    String thinking = OllamaWire.string(message, "thinking");
    if (thinking != null && !thinking.isEmpty()) {
      emit(new ChatEvent.ReasoningDelta(thinking));
    }
    String content = OllamaWire.string(message, "content");
    if (content != null && !content.isEmpty()) {
      thinkTags.feed(content); // models that write <think>…</think> into the content (no "thinking" field)
    }
    List<ToolCall> calls = OllamaWire.toolCalls(message.get("tool_calls"), nextToolIndex);
    for (ToolCall call : calls) {
      emit(new ChatEvent.ToolCallDelta(nextToolIndex++, call.id(), call.name(), call.argumentsJson()));
    }
  }

  private void emit(ChatEvent event) {
    acc.add(event);
    out.emit(event);
  }

  private void complete(JsonNode done) {
    thinkTags.finish();
    finished = true;
    String answeredBy = responseModel == null ? model : responseModel;
    OllamaWire.logMetrics(log, provider, answeredBy, done);
    if (OllamaWire.hasUsage(done)) {
      emit(new ChatEvent.UsageReport(OllamaWire.usage(done)));
    }
    List<ToolCall> calls = acc.toolCalls();
    String rawFinish = OllamaWire.nonEmpty(done, "done_reason");
    ChatResponse response = acc.toResponseBuilder()
        .provider(provider)
        .model(answeredBy)
        .finishReason(OllamaWire.finishReason(rawFinish, !calls.isEmpty()))
        .rawFinishReason(rawFinish)
        .build();
    out.emit(new ChatEvent.Completed(response));
    out.complete();
  }

  // ---- failures ----

  /** The mapped error of an error line; wrapped with the partial answer once events went out. */
  private ChatException streamError(JsonNode errorLine) {
    ChatException mapped = mapper.mapBodyError(status, headers, errorLine, provider, model,
        "an error line in the stream");
    return StreamFailures.midStreamError(mapped, provider, model, acc.eventCount(), this::partial);
  }

  private ChatException malformed(String what, String line, Throwable cause) {
    String detail = what + (line == null ? "" : ": '" + WireJson.excerpt(line, OllamaErrorMapper.EXCERPT_CHARS - 1) + "'");
    if (acc.eventCount() == 0) {
      return new DecodingException(mapper.redact(provider + " sent a stream for model '" + model
          + "' that could not be decoded: " + detail + ". Check that the base URL points at an Ollama server (the "
          + "root, such as http://127.0.0.1:11434)."), details(false), cause);
    }
    return StreamFailures.brokenAfterEvents(detail, provider, model, acc.eventCount(), mapper::redact, details(false),
        partial(), cause);
  }

  private ChatException toFailure(Throwable error) {
    if (error instanceof ChatException ce) {
      return ce;
    }
    if (error instanceof LineSplitter.LineTooLongException tooLong) {
      return malformed(tooLong.getMessage() + "; raise it with " + RAISE_HINT, null, error);
    }
    if (acc.eventCount() == 0) {
      return mapper.mapFailure(error, provider, model);
    }
    return StreamFailures.connectionBroke(error, provider, model, acc.eventCount(), mapper::redact, details(true),
        partial());
  }

  private ErrorDetails details(boolean retryable) {
    return ErrorDetails.builder().provider(provider).model(model).statusCode(status).retryable(retryable).build();
  }

  private ChatResponse partial() {
    return acc.partial(provider, responseModel == null ? model : responseModel);
  }
}
