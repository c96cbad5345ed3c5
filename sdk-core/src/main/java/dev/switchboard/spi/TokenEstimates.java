package dev.switchboard.spi;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ToolSpec;

/**
 * Rough token counts for decisions made before a provider has counted: client-side rate limits,
 * the estimated usage of a cancelled exchange. About four characters a token, an image about 250;
 * no tokenizer. Stateless; thread-safe.
 */
public final class TokenEstimates {
  private TokenEstimates() {}

  public static long input(ChatRequest request) {
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
  public static long total(ChatRequest request) {
    return input(request) + request.maxOutputTokens().orElse(256);
  }

  public static long of(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }
}
