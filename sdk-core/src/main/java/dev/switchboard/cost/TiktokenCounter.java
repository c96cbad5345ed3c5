package dev.switchboard.cost;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import dev.switchboard.route.ModelRef;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link TokenCounter#tiktoken()}: JTokkit's encodings, one per model name, remembered. JTokkit is
 * reached through method handles, so that this module need not require it (it has no module name
 * of its own) and users without it pay nothing.
 */
final class TiktokenCounter implements TokenCounter {
  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int REPLY_PRIMING = 3;
  private static final int TOKENS_PER_IMAGE = 250;
  private static final int MEMO_LIMIT = 1024;

  private final Object registry;
  private final MethodHandle encodingForModel; // (EncodingRegistry, String) -> Optional<Encoding>
  private final MethodHandle countTokens; // (Encoding, String) -> int
  private final Object fallback;
  private final ConcurrentHashMap<String, Object> byModel = new ConcurrentHashMap<>();

  private TiktokenCounter() throws Throwable {
    ClassLoader loader = TiktokenCounter.class.getClassLoader();
    Class<?> encodings = Class.forName("com.knuddels.jtokkit.Encodings", true, loader);
    Class<?> registryType = Class.forName("com.knuddels.jtokkit.api.EncodingRegistry", true, loader);
    Class<?> encodingType = Class.forName("com.knuddels.jtokkit.api.Encoding", true, loader);
    TiktokenCounter.class.getModule().addReads(encodings.getModule());
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    this.registry = lookup.findStatic(encodings, "newLazyEncodingRegistry", MethodType.methodType(registryType))
        .invoke();
    MethodHandle byName = lookup.findVirtual(registryType, "getEncoding", MethodType.methodType(Optional.class,
        String.class));
    this.encodingForModel = lookup.findVirtual(registryType, "getEncodingForModel",
        MethodType.methodType(Optional.class, String.class));
    this.countTokens = lookup.findVirtual(encodingType, "countTokensOrdinary",
        MethodType.methodType(int.class, String.class));
    this.fallback = ((Optional<?>) byName.invoke(registry, "o200k_base")).orElseThrow(
        () -> new IllegalStateException("JTokkit has no o200k_base encoding: use JTokkit 1.1.0 or later"));
  }

  static TiktokenCounter create() {
    try {
      return new TiktokenCounter();
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      throw new IllegalStateException("TokenCounter.tiktoken() needs JTokkit: add the dependency "
          + "com.knuddels:jtokkit (1.1.0 or later), or use TokenCounter.ESTIMATE", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("TokenCounter.tiktoken() does not know this JTokkit: use 1.1.0 or later", e);
    } catch (Throwable e) {
      throw new IllegalStateException("JTokkit failed to load its encodings", e);
    }
  }

  @Override
  public long inputTokens(ModelRef model, ChatRequest request) {
    Object encoding = encoding(model.model());
    long tokens = REPLY_PRIMING;
    for (Message m : request.messages()) {
      tokens += TOKENS_PER_MESSAGE + count(encoding, m.role().name().toLowerCase(Locale.ROOT));
      for (ContentPart p : m.parts()) {
        tokens += p instanceof ContentPart.Text t ? count(encoding, t.text()) : TOKENS_PER_IMAGE;
      }
      for (ToolCall call : m.toolCalls()) {
        tokens += count(encoding, call.name()) + count(encoding, call.argumentsJson());
      }
    }
    for (ToolSpec t : request.tools()) {
      tokens += count(encoding, t.name()) + count(encoding, t.description()) + count(encoding,
          t.parametersJsonSchema());
    }
    return tokens;
  }

  private int count(Object encoding, String text) {
    try {
      return (int) countTokens.invoke(encoding, text);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("JTokkit failed to count tokens", e);
    }
  }

  private Object encoding(String model) {
    Object known = byModel.get(model);
    if (known == null) {
      try {
        known = ((Optional<?>) encodingForModel.invoke(registry, model)).map(e -> (Object) e).orElse(fallback);
      } catch (Throwable e) {
        known = fallback;
      }
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
