package dev.switchboard.cost;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.route.ModelRef;
import java.util.concurrent.ConcurrentHashMap;

/** {@link TokenCounter#tiktoken()}: JTokkit's encodings, one per model name, remembered. */
final class TiktokenCounter implements TokenCounter {
  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int REPLY_PRIMING = 3;
  private static final int TOKENS_PER_IMAGE = 250;
  private static final int MEMO_LIMIT = 1024;

  private final EncodingRegistry registry;
  private final Encoding fallback;
  private final ConcurrentHashMap<String, Encoding> byModel = new ConcurrentHashMap<>();

  private TiktokenCounter(EncodingRegistry registry) {
    this.registry = registry;
    this.fallback = registry.getEncoding(EncodingType.O200K_BASE);
  }

  static TiktokenCounter create() {
    try {
      return new TiktokenCounter(Encodings.newLazyEncodingRegistry());
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException("TokenCounter.tiktoken() needs JTokkit: add the dependency "
          + "com.knuddels:jtokkit (1.1.0 or later), or use TokenCounter.ESTIMATE", e);
    }
  }

  @Override
  public long inputTokens(ModelRef model, ChatRequest request) {
    Encoding encoding = encoding(model.model());
    long tokens = REPLY_PRIMING;
    for (Message m : request.messages()) {
      tokens += TOKENS_PER_MESSAGE + encoding.countTokensOrdinary(m.role().name().toLowerCase(java.util.Locale.ROOT));
      for (ContentPart p : m.parts()) {
        tokens += p instanceof ContentPart.Text t ? encoding.countTokensOrdinary(t.text()) : TOKENS_PER_IMAGE;
      }
      for (ToolCall call : m.toolCalls()) {
        tokens += encoding.countTokensOrdinary(call.name()) + encoding.countTokensOrdinary(call.argumentsJson());
      }
    }
    for (ToolSpec t : request.tools()) {
      tokens += encoding.countTokensOrdinary(t.name()) + encoding.countTokensOrdinary(t.description())
          + encoding.countTokensOrdinary(t.parametersJsonSchema());
    }
    return tokens;
  }

  private Encoding encoding(String model) {
    Encoding known = byModel.get(model);
    if (known == null) {
      known = registry.getEncodingForModel(model).orElse(fallback);
      if (byModel.size() < MEMO_LIMIT) {
        byModel.put(model, known);
      }
    }
    return known;
  }

  @Override
  public String toString() {
    return "TokenCounter.tiktoken()";
  }
}
