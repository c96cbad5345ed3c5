package dev.switchboard.cache.internal;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Role;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.cache.CacheControl;
import dev.switchboard.route.CallMetadata;
import dev.switchboard.route.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cache keys of a request: SHA-256 over a length-prefixed canonical form of everything that
 * changes the answer — namespace, the model it resolves to, every message (role, text, images,
 * tool calls, tool results), tools, tool choice, response format, sampling parameters and the
 * request's other tags (provider options) — so that two requests share a key only when a provider
 * would see the same request. The semantic partition is the same hash without the last user
 * message's text, which is the question that is embedded instead. Stateless. Not API.
 */
public final class RequestKeys {
  private static final String VERSION = "switchboard-cache-v1";
  /** Tags that do not change the answer: the cache's own control, the resolution, who is calling. */
  private static final Set<Class<?>> NOT_IN_KEY = Set.of(CacheControl.class, Target.class, CallMetadata.class);

  /** The keys of one request. {@code question} is null when the request cannot be looked up semantically. */
  public record Keys(String exact, String partition, String question) {}

  private RequestKeys() {}

  public static Keys of(ChatRequest request, String target, String namespace) {
    List<Message> messages = request.messages();
    int last = messages.size() - 1;
    boolean askable = last >= 0 && messages.get(last).role() == Role.USER
        && messages.get(last).parts().stream().allMatch(p -> p instanceof ContentPart.Text)
        && !messages.get(last).text().isBlank();
    Canon exact = new Canon();
    Canon partition = new Canon();
    for (Canon c : new Canon[] {exact, partition}) {
      c.str(VERSION).str(namespace).str(target);
      parameters(c, request);
      c.num(messages.size());
    }
    for (int i = 0; i < messages.size(); i++) {
      message(exact, messages.get(i), true);
      message(partition, messages.get(i), !(askable && i == last));
    }
    return new Keys(exact.hex(), askable ? partition.hex() : null, askable ? messages.get(last).text() : null);
  }

  private static void parameters(Canon c, ChatRequest r) {
    c.str(String.valueOf(r.temperature().orElse(null)))
        .str(String.valueOf(r.topP().orElse(null)))
        .str(String.valueOf(r.maxOutputTokens().orElse(null)))
        .str(String.valueOf(r.seed().orElse(null)))
        .num(r.choices())
        .str(String.valueOf(r.parallelToolCalls().orElse(null)));
    c.num(r.stop().size());
    r.stop().forEach(c::str);
    c.num(r.tools().size());
    for (ToolSpec t : r.tools()) {
      c.str(t.name()).str(t.description()).str(t.parametersJsonSchema()).str(String.valueOf(t.strict()));
    }
    c.str(r.toolChoice().map(tc -> tc.mode() + ":" + tc.toolName().orElse("")).orElse("-"));
    ResponseFormat f = r.responseFormat().orElse(null);
    c.str(f == null ? "-" : f.type() + ":" + f.schemaName().orElse("") + ":" + f.jsonSchema().orElse("") + ":"
        + f.strict());
    Map<String, String> tags = new TreeMap<>();
    r.tags().forEach((type, value) -> {
      if (!NOT_IN_KEY.contains(type)) {
        tags.put(type.getName(), String.valueOf(value));
      }
    });
    c.num(tags.size());
    tags.forEach((k, v) -> c.str(k).str(v));
  }

  private static void message(Canon c, Message m, boolean withText) {
    c.str(m.role().name()).num(m.parts().size());
    for (ContentPart p : m.parts()) {
      if (p instanceof ContentPart.Text t) {
        c.str("t").str(withText ? t.text() : "");
      } else if (p instanceof ContentPart.Image img) {
        c.str("i").str(img.asUrl());
      }
    }
    c.num(m.toolCalls().size());
    for (ToolCall call : m.toolCalls()) {
      c.str(call.id()).str(call.name()).str(call.argumentsJson());
    }
    c.str(m.toolCallId().orElse("")).str(m.name().orElse(""));
  }

  /** A digest fed with length-prefixed fields, so that no two different sequences collide by concatenation. */
  private static final class Canon {
    private final MessageDigest digest;

    Canon() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }

    Canon str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      num(b.length);
      digest.update(b);
      return this;
    }

    Canon num(long n) {
      for (int i = 7; i >= 0; i--) {
        digest.update((byte) (n >>> (8 * i)));
      }
      return this;
    }

    String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
