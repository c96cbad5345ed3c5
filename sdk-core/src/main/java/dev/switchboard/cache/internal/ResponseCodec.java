package dev.switchboard.cache.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.Message;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored answer as JSON, for caches shared through Redis: the response (text, tool calls,
 * reasoning and its signed blocks, refusal, finish reason, usage, other choices), the question it
 * answered, when it was stored and what it cost. Attempts are not stored: a hit makes none.
 * Stateless. Not API.
 */
public final class ResponseCodec {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What a cache keeps for one answer. */
  public record Stored(ChatResponse response, String question, Instant storedAt, BigDecimal costUsd) {}

  private ResponseCodec() {}

  public static String encode(Stored stored) {
    StringWriter out = new StringWriter(256 + stored.response().text().length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);
      ChatResponse r = stored.response();
      g.writeStartObject();
      g.writeNumberField("v", 1);
      g.writeStringField("storedAt", stored.storedAt().toString());
      g.writeNumberField("costUsd", stored.costUsd());
      if (stored.question() != null) {
        g.writeStringField("question", stored.question());
      }
      g.writeStringField("id", r.id());
      g.writeStringField("provider", r.provider());
      g.writeStringField("model", r.model());
      g.writeStringField("text", r.text());
      toolCalls(g, r.toolCalls());
      if (r.reasoning().isPresent()) {
        g.writeStringField("reasoning", r.reasoning().get());
      }
      if (!r.message().thinking().isEmpty()) {
        g.writeArrayFieldStart("thinking");
        for (Message.Thinking t : r.message().thinking()) {
          g.writeStartObject();
          g.writeStringField("text", t.text());
          g.writeStringField("signature", t.signature());
          g.writeStringField("redactedData", t.redactedData());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      if (r.refusal().isPresent()) {
        g.writeStringField("refusal", r.refusal().get());
      }
      g.writeStringField("finish", r.finishReason().name());
      if (r.rawFinishReason().isPresent()) {
        g.writeStringField("rawFinish", r.rawFinishReason().get());
      }
      Usage u = r.usage();
      g.writeObjectFieldStart("usage");
      g.writeNumberField("in", u.inputTokens());
      g.writeNumberField("cachedIn", u.cachedInputTokens());
      g.writeNumberField("cacheWriteIn", u.cacheWriteInputTokens());
      g.writeNumberField("out", u.outputTokens());
      g.writeNumberField("reasoning", u.reasoningTokens());
      g.writeBooleanField("estimated", u.estimated());
      g.writeEndObject();
      List<ChatResponse.Choice> choices = r.choices();
      if (choices.size() > 1) {
        g.writeArrayFieldStart("choices");
        for (ChatResponse.Choice c : choices.subList(1, choices.size())) {
          g.writeStartObject();
          g.writeNumberField("index", c.index());
          g.writeStringField("text", c.text());
          toolCalls(g, c.message().toolCalls());
          if (c.reasoning() != null) {
            g.writeStringField("reasoning", c.reasoning());
          }
          g.writeStringField("finish", c.finishReason().name());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void toolCalls(JsonGenerator g, List<ToolCall> calls) throws IOException {
    if (calls.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart("toolCalls");
    for (ToolCall c : calls) {
      g.writeStartObject();
      g.writeStringField("id", c.id());
      g.writeStringField("name", c.name());
      g.writeStringField("arguments", c.argumentsJson());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** The stored answer, or throws {@link IllegalArgumentException} when {@code json} is not one. */
  public static Stored decode(String json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a stored answer: " + e.getMessage(), e);
    }
    if (n == null || n.path("v").asInt() != 1) {
      throw new IllegalArgumentException("not a stored answer of version 1");
    }
    ChatResponse.Builder b = ChatResponse.builder()
        .id(n.path("id").asText(""))
        .provider(n.path("provider").asText(""))
        .model(n.path("model").asText(""))
        .text(n.path("text").asText(""))
        .toolCalls(toolCalls(n.path("toolCalls")))
        .reasoning(n.hasNonNull("reasoning") ? n.get("reasoning").asText() : null)
        .refusal(n.hasNonNull("refusal") ? n.get("refusal").asText() : null)
        .finishReason(FinishReason.valueOf(n.path("finish").asText("STOP")))
        .rawFinishReason(n.hasNonNull("rawFinish") ? n.get("rawFinish").asText() : null);
    List<Message.Thinking> thinking = new ArrayList<>();
    for (JsonNode t : n.path("thinking")) {
      thinking.add(new Message.Thinking(t.path("text").asText(""), t.path("signature").asText(null),
          t.path("redactedData").asText(null)));
    }
    b.thinking(thinking);
    JsonNode u = n.path("usage");
    b.usage(Usage.builder().inputTokens(u.path("in").asLong()).cachedInputTokens(u.path("cachedIn").asLong())
        .cacheWriteInputTokens(u.path("cacheWriteIn").asLong()).outputTokens(u.path("out").asLong())
        .reasoningTokens(u.path("reasoning").asLong()).estimated(u.path("estimated").asBoolean()).build());
    for (JsonNode c : n.path("choices")) {
      b.addChoice(new ChatResponse.Choice(c.path("index").asInt(),
          Message.assistant(c.path("text").asText(""), toolCalls(c.path("toolCalls"))),
          c.hasNonNull("reasoning") ? c.get("reasoning").asText() : null,
          FinishReason.valueOf(c.path("finish").asText("STOP"))));
    }
    return new Stored(b.build(), n.hasNonNull("question") ? n.get("question").asText() : null,
        Instant.parse(n.path("storedAt").asText()), n.path("costUsd").decimalValue());
  }

  private static List<ToolCall> toolCalls(JsonNode array) {
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : array) {
      calls.add(new ToolCall(c.path("id").asText(""), c.path("name").asText(""), c.path("arguments").asText("")));
    }
    return calls;
  }
}
