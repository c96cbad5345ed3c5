package dev.switchboard.providers.compat.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamException;
import dev.switchboard.DecodingException;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.http.ByteStreamConsumer;
import dev.switchboard.spi.http.SseEvent;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.stream.ThinkTagSplitter;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.spi.http.SseStreamDecoder;
import dev.switchboard.spi.http.StreamFailures;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a streamed {@code /chat/completions} body (Server-Sent Events, one JSON chunk per {@code
 * data:}) into {@link ChatEvent}s on a {@link PushChatStream}.
 *
 * <ul>
 *   <li>{@code delta.reasoning_content} / {@code delta.reasoning} → {@link ChatEvent.ReasoningDelta},
 *       {@code delta.content} → {@link ChatEvent.TextDelta}, {@code delta.refusal} → {@link
 *       ChatEvent.RefusalDelta}, {@code delta.tool_calls[]} → {@link ChatEvent.ToolCallDelta} keyed by
 *       {@code index}; a {@code usage} object → {@link ChatEvent.UsageReport} (again only when it
 *       changed, for servers that repeat it on every chunk).
 *   <li>{@code data: [DONE]}, or the end of the body after a {@code finish_reason}, → one {@link
 *       ChatEvent.Completed} with the accumulated answer, then completion.
 *   <li>An {@code {"error":...}} chunk (also next to a choice with {@code finish_reason: "error"},
 *       as OpenRouter sends it), a choice finished with {@code "error"}, or an {@code event: error}
 *       → the {@link ChatCompletionsErrorMapper}'s exception; once events went out, wrapped in a {@link
 *       ChatStreamException} carrying the partial answer.
 *   <li>A malformed chunk → {@link DecodingException} before any event, {@link ChatStreamException}
 *       after; a body that ends without {@code finish_reason} or {@code [DONE]} → {@link
 *       ChatStreamException} ("truncated"); a broken connection → {@link ChatStreamException}, or the
 *       errors's {@code TransportException} if nothing was emitted yet.
 * </ul>
 *
 * <p>Quirks handled: tool-call deltas without {@code index} (keyed by a new {@code id}, else the
 * call being built, else their position); a server that answers a stream request with a plain JSON
 * completion ({@code Content-Type: application/json}), which becomes the same events; error objects
 * inside a 200 stream; usage in Groq's {@code x_groq.usage}. Every stream ends in exactly one
 * {@link ChatEvent.Completed} or one failure.
 *
 * <p>Not thread-safe: driven by one transport callback at a time, as {@link ByteStreamConsumer}
 * promises. Not API.
 */
public final class ChatCompletionsStreamDecoder extends SseStreamDecoder {
  private final ChatCompletionsErrorMapper errors; // the base's mapper, typed
  private final Map<String, Integer> toolIndexById = new HashMap<>();
  private String id;
  private String responseModel;
  private String rawFinish;
  private boolean sawFinish;
  private Usage lastUsage;
  private int lastToolIndex = -1;
  private int maxToolIndex = -1;
  private final ThinkTagSplitter thinkTags; // null: content is all answer

  /**
   * @param status and {@code headers} of the 2xx response, for request ids and error mapping
   * @param maxEventBytes bounds one SSE line/event (and a plain JSON answer)
   */
  public ChatCompletionsStreamDecoder(PushChatStream out, String provider, String model, int status, HttpHeaders headers,
      ChatCompletionsErrorMapper mapper, int maxEventBytes) {
    this(out, provider, model, status, headers, mapper, maxEventBytes, false);
  }

  /** As above; {@code thinkTags}: reasoning written as {@code <think>…</think>} in the content is split off. */
  public ChatCompletionsStreamDecoder(PushChatStream out, String provider, String model, int status, HttpHeaders headers,
      ChatCompletionsErrorMapper mapper, int maxEventBytes, boolean thinkTags) {
    super(out, provider, model, status, headers, maxEventBytes, mapper.raiseHint(), mapper);
    this.errors = mapper;
    this.thinkTags = thinkTags ? new ThinkTagSplitter(r -> emit(new ChatEvent.ReasoningDelta(r)),
        t -> emit(new ChatEvent.TextDelta(t))) : null;
  }

  // ---- end of the body ----

  @Override
  protected void onEndOfStream() {
    if (sawFinish) {
      complete();
    } else {
      finished = true;
      out.fail(new ChatStreamException(errors.redact("the stream from " + provider + " for model '" + model
          + "' was truncated: the body ended after " + acc.eventCount()
          + " events without a finish_reason or [DONE]. The partial answer is attached; retrying repeats the "
          + "whole request."), details(true), partial(), null));
    }
  }

  // ---- SSE events ----

  @Override
  public void onEvent(SseEvent event) {
    if (finished) {
      return;
    }
    String data = event.data().strip();
    if ("error".equals(event.type())) {
      throw streamError(StreamFailures.errorObject(data));
    }
    if (data.isEmpty()) {
      return;
    }
    if (data.equals("[DONE]")) {
      complete();
      return;
    }
    JsonNode chunk;
    try {
      chunk = WireJson.MAPPER.readTree(data);
    } catch (IOException | RuntimeException e) {
      throw malformed("a chunk is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", data, e);
    }
    if (chunk == null || !chunk.isObject()) {
      throw malformed("a chunk is not a JSON object", data, null);
    }
    onChunk(chunk);
  }

  private void onChunk(JsonNode chunk) {
    JsonNode choices = chunk.get("choices");
    // An error chunk may carry the last delta, a finish reason and usage: they go into the partial answer first.
    boolean error = isError(chunk);
    if (id == null) {
      id = nonEmpty(ChatCompletionsWire.string(chunk, "id"));
    }
    if (responseModel == null) {
      responseModel = nonEmpty(ChatCompletionsWire.string(chunk, "model"));
    }
    if (choices != null && choices.isArray()) {
      for (JsonNode choice : choices) {
        int index = ChatCompletionsResponseReader.indexOf(choice);
        if (index > 0) {
          onOtherChoice(index, choice); // n > 1: kept apart, delivered in the final response
          continue;
        }
        JsonNode delta = choice.get("delta");
        if (delta != null && delta.isObject()) {
          onDelta(delta);
        }
        String finish = ChatCompletionsWire.string(choice, "finish_reason");
        if (finish != null && !finish.isEmpty()) {
          rawFinish = finish;
          sawFinish = true;
        }
      }
    }
    Usage usage = ChatCompletionsWire.usage(chunk.get("usage"));
    if (usage == null) {
      // Quirk X_GROQ_USAGE: Groq's last chunk reports usage in x_groq.usage.
      usage = ChatCompletionsWire.usage(chunk.path("x_groq").get("usage"));
    }
    if (usage != null && !usage.equals(lastUsage)) {
      lastUsage = usage;
      emit(new ChatEvent.UsageReport(usage));
    }
    if (error) {
      throw streamError(chunk);
    }
  }

  /**
   * An error chunk: an {@code error} object without choices (OpenAI), or next to a choice that
   * finished with {@code "error"} (quirk ERROR_IN_STREAM: OpenRouter), or such a choice alone.
   */
  static boolean isError(JsonNode chunk) {
    JsonNode error = chunk.get("error");
    boolean hasError = error != null && !error.isNull();
    JsonNode choices = chunk.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return hasError;
    }
    boolean finishedWithError = "error".equals(ChatCompletionsWire.string(ChatCompletionsResponseReader.firstChoice(choices),
        "finish_reason"));
    return finishedWithError || hasError && isErrorObjectWithMessage(error);
  }

  private static boolean isErrorObjectWithMessage(JsonNode error) {
    return error.isTextual() || error.isObject() && error.hasNonNull("message");
  }

  /** Choices 1 and up of a request for several: text, reasoning and finish reason, by index. */
  private final java.util.TreeMap<Integer, OtherChoice> otherChoices = new java.util.TreeMap<>();

  private static final class OtherChoice {
    final StringBuilder text = new StringBuilder();
    final StringBuilder reasoning = new StringBuilder();
    String rawFinish;
  }

  private void onOtherChoice(int index, JsonNode choice) {
    OtherChoice c = otherChoices.computeIfAbsent(index, i -> new OtherChoice());
    JsonNode delta = choice.path("delta");
    String text = ChatCompletionsWire.text(delta.get("content"));
    if (text != null) {
      c.text.append(text);
    }
    String reasoning = ChatCompletionsResponseReader.reasoning(delta);
    if (reasoning != null) {
      c.reasoning.append(reasoning);
    }
    String finish = ChatCompletionsWire.string(choice, "finish_reason");
    if (finish != null && !finish.isEmpty()) {
      c.rawFinish = finish;
    }
  }

  private void onDelta(JsonNode delta) {
    String reasoning = ChatCompletionsResponseReader.reasoning(delta);
    if (reasoning != null && !reasoning.isEmpty()) {
      emit(new ChatEvent.ReasoningDelta(reasoning));
    }
    String text = ChatCompletionsWire.text(delta.get("content"));
    if (text != null && !text.isEmpty()) {
      if (thinkTags != null) {
        thinkTags.feed(text);
      } else {
        emit(new ChatEvent.TextDelta(text));
      }
    }
    String refusal = ChatCompletionsWire.text(delta.get("refusal"));
    if (refusal != null && !refusal.isEmpty()) {
      emit(new ChatEvent.RefusalDelta(refusal));
    }
    JsonNode calls = delta.get("tool_calls");
    if (calls != null && calls.isArray()) {
      int position = 0;
      for (JsonNode call : calls) {
        onToolCallDelta(call, position++);
      }
    }
  }

  private void onToolCallDelta(JsonNode call, int position) {
    String callId = nonEmpty(ChatCompletionsWire.string(call, "id"));
    JsonNode indexNode = call.get("index");
    int index;
    if (indexNode != null && indexNode.isIntegralNumber() && indexNode.canConvertToInt() && indexNode.intValue() >= 0) {
      index = indexNode.intValue();
    } else if (callId != null) {
      // Quirk: no index. A new id starts a new call; a known id continues its call.
      Integer known = toolIndexById.get(callId);
      index = known != null ? known : maxToolIndex + 1;
    } else {
      // Quirk: neither index nor id: a continuation of the call being built, else by position.
      index = lastToolIndex >= 0 ? lastToolIndex : position;
    }
    if (callId != null) {
      toolIndexById.putIfAbsent(callId, index);
    }
    lastToolIndex = index;
    maxToolIndex = Math.max(maxToolIndex, index);
    JsonNode function = call.path("function");
    String name = nonEmpty(ChatCompletionsWire.string(function, "name"));
    String arguments = ChatCompletionsWire.arguments(function.get("arguments"));
    if (callId == null && name == null && arguments.isEmpty()) {
      return;
    }
    emit(new ChatEvent.ToolCallDelta(index, callId, name, arguments));
  }

  private void emit(ChatEvent event) {
    acc.add(event);
    out.emit(event);
  }

  private void complete() {
    if (thinkTags != null) {
      thinkTags.finish();
    }
    finished = true;
    List<ToolCall> calls = acc.toolCalls();
    ChatResponse response = acc.toResponseBuilder()
        .id(id == null ? "" : id)
        .provider(provider)
        .model(responseModel == null ? model : responseModel)
        .finishReason(ChatCompletionsWire.finishReason(rawFinish, !calls.isEmpty()))
        .rawFinishReason(rawFinish)
        .requestId(ChatCompletionsWire.requestId(headers))
        .build();
    if (response.reasoning().isPresent()) { // kept on the message, for tool loops that must send it back (DeepSeek)
      response = response.toBuilder().addThinking(new dev.switchboard.Message.Thinking(response.reasoning().get(), null,
          null)).build();
    }
    if (!otherChoices.isEmpty()) {
      ChatResponse.Builder withChoices = response.toBuilder();
      otherChoices.forEach((index, c) -> withChoices.addChoice(new ChatResponse.Choice(index,
          dev.switchboard.Message.assistant(c.text.toString()), c.reasoning.length() == 0 ? null : c.reasoning.toString(),
          ChatCompletionsWire.finishReason(c.rawFinish, false))));
      response = withChoices.build();
    }
    out.emit(new ChatEvent.Completed(response));
    out.complete();
  }

  // ---- a plain JSON answer to a stream request ----

  @Override
  protected void finishJsonBody(byte[] body) {
    ChatResponse response;
    try {
      response = ChatCompletionsResponseReader.read(status, headers, body, provider, model, errors);
    } catch (ChatException e) {
      out.fail(e);
      return;
    }
    ChatStreams.replayInto(out, response);
  }

  // ---- failures ----





  @Override
  protected String undecodableHint() {
    return "Check that the base URL points at an OpenAI-compatible /chat/completions endpoint.";
  }

  @Override
  protected int excerptChars() {
    return ChatCompletionsErrorMapper.EXCERPT_CHARS;
  }

  @Override
  protected ChatResponse partial() {
    ChatResponse.Builder b = acc.partial(provider, responseModel == null ? model : responseModel).toBuilder()
        .id(id == null ? "" : id)
        .requestId(ChatCompletionsWire.requestId(headers));
    if (rawFinish != null) {
      b.finishReason(ChatCompletionsWire.finishReason(rawFinish, !acc.toolCalls().isEmpty())).rawFinishReason(rawFinish);
    }
    return b.build();
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
