package dev.switchboard.providers.anthropic.internal;

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
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.spi.http.SseStreamDecoder;
import dev.switchboard.spi.http.StreamFailures;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a streamed Messages body (Server-Sent Events with {@code event:} names) into {@link
 * ChatEvent}s on a {@link PushChatStream}.
 *
 * <ul>
 *   <li>{@code message_start}: the message id, model and initial usage (input, cache reads and
 *       writes). Nothing is emitted yet, so a failure right after it still counts as "before the
 *       first event" and can be retried or failed over.
 *   <li>{@code content_block_start}: a {@code text} block (its initial text, if any, as a {@link
 *       ChatEvent.TextDelta}); a {@code tool_use} block as the first {@link ChatEvent.ToolCallDelta}
 *       with id and name, its index the block's position among the tool-use blocks; a {@code
 *       thinking} block; a {@code redacted_thinking} block as the reasoning "{@value
 *       AnthropicWire#REDACTED_THINKING}" (its content is encrypted). Other blocks (server tools)
 *       are skipped.
 *   <li>{@code content_block_delta}: {@code text_delta} → {@link ChatEvent.TextDelta}, {@code
 *       input_json_delta} ({@code partial_json}) → {@link ChatEvent.ToolCallDelta}, {@code
 *       thinking_delta} → {@link ChatEvent.ReasoningDelta}; {@code signature_delta} is kept with its
 *       block for the final response's {@code message().thinking()}; unknown
 *       deltas are ignored. Consecutive thinking blocks are separated by a blank line, as in {@link
 *       AnthropicResponseReader}.
 *   <li>{@code content_block_stop}: a tool-use block that streamed no input gets {@code "{}"}, so a
 *       call without parameters reads the same streamed or not.
 *   <li>{@code message_delta}: the stop reason and the usage, whose {@code output_tokens} is
 *       cumulative (a field it repeats from {@code message_start} replaces the earlier value) →
 *       one {@link ChatEvent.UsageReport} with the normalized usage whenever it changes.
 *   <li>{@code message_stop} → one {@link ChatEvent.Completed}, then completion. {@code ping} and
 *       unknown events are ignored.
 *   <li>An {@code error} event (e.g. {@code overloaded_error}) → the {@link AnthropicErrorMapper}'s
 *       exception ({@link dev.switchboard.ServerException}, retryable, for an overload) if nothing
 *       was emitted yet, else a {@link ChatStreamException} with the partial answer and the mapped
 *       exception as its cause.
 *   <li>A malformed event → {@link DecodingException} before any event, {@link ChatStreamException}
 *       after; a body that ends without {@code message_stop} → {@link ChatStreamException}
 *       ("truncated"); a broken connection → {@link ChatStreamException}, or the errors's {@code
 *       TransportException} if nothing was emitted yet.
 * </ul>
 *
 * <p>Quirks: the adapter's JSON-answer tool (see {@link AnthropicRequestWriter}) streams its input
 * as {@link ChatEvent.TextDelta}s, not as a tool call; a server that answers a stream request with
 * a plain JSON message ({@code Content-Type: application/json}, as some gateways do) becomes the
 * same events. Every stream ends in exactly one {@link ChatEvent.Completed} or one failure.
 *
 * <p>Not thread-safe: driven by one transport callback at a time, as {@link ByteStreamConsumer}
 * promises. Not API.
 */
public final class AnthropicStreamDecoder extends SseStreamDecoder {
  private static final String RAISE_HINT = "AnthropicProvider.builder().maxResponseBytes(...)";

  private enum Kind {
    TEXT,
    THINKING,
    TOOL,
    ANSWER,
    OTHER
  }

  /** A content block being streamed. */
  private static final class Block {
    final Kind kind;
    final int toolIndex;
    final String startInput;
    boolean inputSeen;
    boolean thinkingSeen;
    final StringBuilder thought = new StringBuilder(); // a thinking block's text, for Message.thinking()
    String signature;
    String redactedData;

    Block(Kind kind, int toolIndex, String startInput) {
      this.kind = kind;
      this.toolIndex = toolIndex;
      this.startInput = startInput;
    }
  }

  private final AnthropicErrorMapper errors; // the base's mapper, typed
  private final String schemaTool;
  private final Map<Integer, Block> blocks = new HashMap<>();
  private final List<Block> thoughts = new java.util.ArrayList<>(); // thinking blocks in order
  private String id;
  private String responseModel;
  private String rawStop;
  private AnthropicWire.Counts counts = AnthropicWire.Counts.NONE;
  private Usage reported;
  private int nextToolIndex;
  private boolean reasoningSeen;

  /**
   * @param status and {@code headers} of the 2xx response, for request ids and error mapping
   * @param schemaTool the name of the JSON-answer tool, or {@code null}
   * @param maxEventBytes bounds one SSE line/event (and a plain JSON answer)
   */
  public AnthropicStreamDecoder(PushChatStream out, String provider, String model, int status, HttpHeaders headers,
      String schemaTool, AnthropicErrorMapper mapper, int maxEventBytes) {
    super(out, provider, model, status, headers, maxEventBytes, RAISE_HINT, mapper);
    this.schemaTool = schemaTool;
    this.errors = mapper;
  }

  // ---- end of the body ----

  @Override
  protected void onEndOfStream() {
    finished = true;
    out.fail(new ChatStreamException(errors.redact("the stream from " + provider + " for model '" + model
        + "' was truncated: the body ended after " + acc.eventCount()
        + " events without message_stop. The partial answer is attached; retrying repeats the whole request."),
        details(true), partial(), null));
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
    JsonNode node;
    try {
      node = AnthropicWire.parse(data);
    } catch (IOException | RuntimeException e) {
      throw malformed("an event is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", data, e);
    }
    if (node == null || !node.isObject()) {
      throw malformed("an event is not a JSON object", data, null);
    }
    String type = "message".equals(event.type()) ? AnthropicWire.string(node, "type") : event.type();
    if (type == null) {
      return;
    }
    switch (type) {
      case "message_start" -> onMessageStart(node.path("message"));
      case "content_block_start" -> onBlockStart(index(node), node.path("content_block"));
      case "content_block_delta" -> onBlockDelta(index(node), node.path("delta"));
      case "content_block_stop" -> onBlockStop(index(node));
      case "message_delta" -> onMessageDelta(node);
      case "message_stop" -> complete();
      case "error" -> throw streamError(node);
      default -> {
        // ping, and event types added after this adapter was written
      }
    }
  }

  private void onMessageStart(JsonNode message) {
    id = nonEmpty(AnthropicWire.string(message, "id"));
    responseModel = nonEmpty(AnthropicWire.string(message, "model"));
    counts = counts.merge(AnthropicWire.Counts.of(message.get("usage")));
  }

  private void onBlockStart(int index, JsonNode block) {
    String type = AnthropicWire.string(block, "type");
    if (type == null) {
      type = "";
    }
    switch (type) {
      case "text" -> {
        blocks.put(index, new Block(Kind.TEXT, -1, null));
        String text = AnthropicWire.string(block, "text");
        if (text != null && !text.isEmpty()) {
          emit(new ChatEvent.TextDelta(text));
        }
      }
      case "thinking" -> {
        Block b = new Block(Kind.THINKING, -1, null);
        blocks.put(index, b);
        thoughts.add(b);
        b.signature = nonEmpty(AnthropicWire.string(block, "signature"));
        thinking(b, AnthropicWire.string(block, "thinking"));
      }
      case "redacted_thinking" -> {
        Block b = new Block(Kind.OTHER, -1, null);
        blocks.put(index, b);
        thoughts.add(b);
        b.redactedData = AnthropicWire.string(block, "data");
        thinking(b, AnthropicWire.REDACTED_THINKING);
      }
      case "tool_use" -> {
        String name = AnthropicWire.string(block, "name");
        JsonNode input = block.get("input");
        String startInput = input != null && (input.isTextual() || (input.isObject() && !input.isEmpty()))
            ? AnthropicWire.input(input) : null;
        if (schemaTool != null && schemaTool.equals(name)) {
          blocks.put(index, new Block(Kind.ANSWER, -1, startInput));
        } else {
          int toolIndex = nextToolIndex++;
          blocks.put(index, new Block(Kind.TOOL, toolIndex, startInput));
          emit(new ChatEvent.ToolCallDelta(toolIndex, nonEmpty(AnthropicWire.string(block, "id")),
              name == null ? "" : name, ""));
        }
      }
      default -> blocks.put(index, new Block(Kind.OTHER, -1, null));
    }
  }

  private void onBlockDelta(int index, JsonNode delta) {
    Block block = blocks.get(index);
    String type = AnthropicWire.string(delta, "type");
    if (block == null || type == null) {
      return;
    }
    switch (type) {
      case "text_delta" -> {
        String text = AnthropicWire.string(delta, "text");
        if (text != null && !text.isEmpty() && block.kind != Kind.OTHER) {
          emit(new ChatEvent.TextDelta(text));
        }
      }
      case "thinking_delta" -> {
        if (block.kind == Kind.THINKING) {
          thinking(block, AnthropicWire.string(delta, "thinking"));
        }
      }
      case "input_json_delta" -> {
        String partial = AnthropicWire.string(delta, "partial_json");
        if (partial == null || partial.isEmpty()) {
          return;
        }
        if (block.kind == Kind.TOOL) {
          block.inputSeen = true;
          emit(new ChatEvent.ToolCallDelta(block.toolIndex, null, null, partial));
        } else if (block.kind == Kind.ANSWER) {
          block.inputSeen = true;
          emit(new ChatEvent.TextDelta(partial));
        }
      }
      case "signature_delta" -> {
        if (block.kind == Kind.THINKING) {
          String part = AnthropicWire.string(delta, "signature");
          block.signature = (block.signature == null ? "" : block.signature) + (part == null ? "" : part);
        }
      }
      default -> {
        // citations_delta, ...
      }
    }
  }

  private void onBlockStop(int index) {
    Block block = blocks.get(index);
    if (block == null || block.inputSeen) {
      return;
    }
    String input = block.startInput != null ? block.startInput : "{}";
    if (block.kind == Kind.TOOL) {
      block.inputSeen = true;
      emit(new ChatEvent.ToolCallDelta(block.toolIndex, null, null, input));
    } else if (block.kind == Kind.ANSWER) {
      block.inputSeen = true;
      emit(new ChatEvent.TextDelta(input));
    }
  }

  private void onMessageDelta(JsonNode node) {
    String stop = AnthropicWire.string(node.path("delta"), "stop_reason");
    if (stop != null && !stop.isEmpty()) {
      rawStop = stop;
    }
    counts = counts.merge(AnthropicWire.Counts.of(node.get("usage")));
    reportUsage();
  }

  private void thinking(Block block, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    if (!block.thinkingSeen && reasoningSeen) {
      emit(new ChatEvent.ReasoningDelta(AnthropicWire.THINKING_SEPARATOR));
    }
    block.thinkingSeen = true;
    reasoningSeen = true;
    if (block.kind == Kind.THINKING) {
      block.thought.append(text);
    }
    emit(new ChatEvent.ReasoningDelta(text));
  }

  private void reportUsage() {
    if (counts.isEmpty()) {
      return;
    }
    Usage usage = counts.toUsage();
    if (!usage.equals(reported)) {
      reported = usage;
      emit(new ChatEvent.UsageReport(usage));
    }
  }

  private void emit(ChatEvent event) {
    acc.add(event);
    out.emit(event);
  }

  private void complete() {
    finished = true;
    if (reported == null) {
      reportUsage();
    }
    List<ToolCall> calls = acc.toolCalls();
    List<dev.switchboard.Message.Thinking> thinking = new java.util.ArrayList<>();
    for (Block b : thoughts) {
      thinking.add(b.redactedData != null ? dev.switchboard.Message.Thinking.redacted(b.redactedData)
          : new dev.switchboard.Message.Thinking(b.thought.toString(), b.signature, null));
    }
    ChatResponse response = acc.toResponseBuilder()
        .thinking(thinking)
        .id(id == null ? "" : id)
        .provider(provider)
        .model(responseModel == null ? model : responseModel)
        .finishReason(AnthropicWire.finishReason(rawStop, !calls.isEmpty()))
        .rawFinishReason(rawStop)
        .requestId(AnthropicWire.requestId(headers))
        .build();
    out.emit(new ChatEvent.Completed(response));
    out.complete();
  }

  private static int index(JsonNode node) {
    JsonNode index = node.get("index");
    return index != null && index.isIntegralNumber() && index.canConvertToInt() ? index.intValue() : -1;
  }

  // ---- a plain JSON answer to a stream request ----

  @Override
  protected void finishJsonBody(byte[] body) {
    ChatResponse response;
    try {
      response = AnthropicResponseReader.read(status, headers, body, provider, model, schemaTool, errors);
    } catch (ChatException e) {
      out.fail(e);
      return;
    }
    ChatStreams.replayInto(out, response);
  }

  // ---- failures ----





  @Override
  protected String undecodableHint() {
    return "Check that the base URL points at Anthropic's Messages API (the adapter appends /v1/messages).";
  }

  @Override
  protected int excerptChars() {
    return AnthropicErrorMapper.EXCERPT_CHARS;
  }

  /** What arrived so far, with the usage known so far (the input is billed even when the stream breaks). */
  @Override
  protected ChatResponse partial() {
    ChatResponse.Builder b = acc.partial(provider, responseModel == null ? model : responseModel).toBuilder()
        .id(id == null ? "" : id)
        .requestId(AnthropicWire.requestId(headers));
    if (!acc.hasUsage() && !counts.isEmpty()) {
      b.usage(counts.toUsage());
    }
    return b.build();
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
