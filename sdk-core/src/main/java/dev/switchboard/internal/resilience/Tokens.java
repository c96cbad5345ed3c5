package dev.switchboard.internal.resilience;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ToolSpec;

/** Token estimates for limits decided before a call (about four characters a token). Not API. */
public final class Tokens {
  private Tokens() {}

  public static long estimateInput(ChatRequest request) {
    long chars = 0;
    for (Message m : request.messages()) {
      chars += 4; // role and framing
      for (ContentPart p : m.parts()) {
        chars += p instanceof ContentPart.Text t ? t.text().length() : 1000; // an image costs roughly 250 tokens
      }
      for (var call : m.toolCalls()) {
        chars += call.name().length() + call.argumentsJson().length();
      }
    }
    for (ToolSpec t : request.tools()) {
      chars += t.name().length() + t.description().length() + t.parametersJsonSchema().length();
    }
    return Math.max(1, (chars + 3) / 4);
  }

  /** Input estimate plus the output the request allows for (or a modest default). */
  public static long estimateTotal(ChatRequest request) {
    return estimateInput(request) + request.maxOutputTokens().orElse(256);
  }

  public static long estimate(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }
}
