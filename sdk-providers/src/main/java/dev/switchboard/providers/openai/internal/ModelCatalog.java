package dev.switchboard.providers.openai.internal;

import dev.switchboard.spi.Capabilities;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the model families reachable over the OpenAI protocol can do, in one table: tools, JSON
 * schema output, image input, usage at the end of a stream, context window and output limit.
 * Anything not in the table, and any field left out of an entry, is unknown ("try").
 *
 * <p>Lookup: the model name is lower-cased, a path prefix ({@code "openai/gpt-4o"} on OpenRouter,
 * {@code "Qwen/Qwen3-32B"} on vLLM) and a {@code :variant} suffix ({@code ":free"}) are dropped, and
 * the longest key that is the whole name, or the start of it followed by a character that is not a
 * letter or digit, wins. So {@code gpt-4o-2024-08-06} is {@code gpt-4o}, {@code gpt-4o-mini-2024-07-18}
 * is {@code gpt-4o-mini}, {@code glm-4.7} is {@code glm-4}, but {@code glm-4v} is not {@code glm-4}.
 * Entries with no fields ({@link Capabilities#UNKNOWN}) mark variants that must not inherit their
 * family's figures (audio, realtime, search and Responses-only models).
 *
 * <p>Figures come from the vendors' model pages as of late 2025 (sources and doubts in
 * docs/providers.md); a vendor that repoints an alias ({@code deepseek-chat}, {@code qwen-plus})
 * can change them. Immutable and thread-safe. Not API.
 */
public final class ModelCatalog {
  private static final Map<String, Capabilities> TABLE = new LinkedHashMap<>();

  static {
    // OpenAI
    put("gpt-4o", caps(true, true, true, true, 128_000, 16_384));
    put("gpt-4o-2024-05-13", caps(true, false, true, true, 128_000, 4_096));
    put("gpt-4o-mini", caps(true, true, true, true, 128_000, 16_384));
    for (String variant : new String[] {"audio", "realtime", "search", "transcribe", "tts"}) {
      put("gpt-4o-" + variant, Capabilities.UNKNOWN);
      put("gpt-4o-mini-" + variant, Capabilities.UNKNOWN);
    }
    put("gpt-4.1", caps(true, true, true, true, 1_047_576, 32_768));
    put("o1", caps(true, true, true, true, 200_000, 100_000));
    put("o1-mini", caps(false, false, false, true, 128_000, 65_536));
    put("o1-preview", caps(false, false, false, true, 128_000, 32_768));
    put("o1-pro", Capabilities.UNKNOWN);
    put("o3", caps(true, true, true, true, 200_000, 100_000));
    put("o3-mini", caps(true, true, false, true, 200_000, 100_000));
    put("o3-pro", Capabilities.UNKNOWN);
    put("o3-deep-research", Capabilities.UNKNOWN);
    put("o4-mini", caps(true, true, true, true, 200_000, 100_000));
    put("o4-mini-deep-research", Capabilities.UNKNOWN);
    put("gpt-3.5-turbo", caps(true, false, false, true, 16_385, 4_096));
    put("gpt-3.5-turbo-instruct", Capabilities.UNKNOWN);

    // DeepSeek (figures of DeepSeek-V3.2 behind both aliases; JSON output is json_object only)
    put("deepseek-chat", caps(true, false, false, true, 128_000, 8_192));
    put("deepseek-reasoner", Capabilities.builder().jsonSchema(false).vision(false).streamingUsage(true)
        .maxContextTokens(128_000).maxOutputTokens(65_536).build());

    // Qwen (DashScope compatible mode; usage in streams when stream_options asks for it)
    put("qwen3", Capabilities.builder().tools(true).vision(false).streamingUsage(true).build());
    put("qwen3-vl", Capabilities.builder().tools(true).vision(true).streamingUsage(true).build());
    put("qwen3-omni", Capabilities.UNKNOWN);
    put("qwen-plus", Capabilities.builder().tools(true).vision(false).streamingUsage(true)
        .maxContextTokens(131_072).build());
    put("qwen-max", Capabilities.builder().tools(true).vision(false).streamingUsage(true)
        .maxContextTokens(32_768).maxOutputTokens(8_192).build());

    // GLM (Zhipu / Z.ai; usage arrives in the last chunk unasked)
    put("glm-4", Capabilities.builder().tools(true).vision(false).streamingUsage(true).build());
    put("glm-4v", Capabilities.builder().vision(true).streamingUsage(true).build());
    put("glm-4.5", caps(true, null, false, true, 131_072, 98_304));
    put("glm-4.5v", Capabilities.builder().tools(true).vision(true).streamingUsage(true).build());
    put("glm-4.6", caps(true, null, false, true, 204_800, 131_072));
    put("glm-4.6v", Capabilities.builder().tools(true).vision(true).streamingUsage(true).build());
  }

  private ModelCatalog() {}

  /** What {@code model} can do as far as the table knows; {@link Capabilities#UNKNOWN} for the rest. */
  public static Capabilities lookup(String model) {
    if (model == null) {
      return Capabilities.UNKNOWN;
    }
    String name = normalize(model);
    Capabilities best = Capabilities.UNKNOWN;
    int bestLength = -1;
    for (Map.Entry<String, Capabilities> e : TABLE.entrySet()) {
      String key = e.getKey();
      if (key.length() > bestLength && matches(name, key)) {
        best = e.getValue();
        bestLength = key.length();
      }
    }
    return best;
  }

  /** The keys of the table, in declaration order; for tests and docs. */
  public static Iterable<String> keys() {
    return TABLE.keySet();
  }

  static String normalize(String model) {
    String name = model.trim().toLowerCase(Locale.ROOT);
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    int colon = name.indexOf(':');
    if (colon > 0) {
      name = name.substring(0, colon);
    }
    return name;
  }

  private static boolean matches(String name, String key) {
    if (!name.startsWith(key)) {
      return false;
    }
    return name.length() == key.length() || !Character.isLetterOrDigit(name.charAt(key.length()));
  }

  private static void put(String key, Capabilities capabilities) {
    if (TABLE.put(key, capabilities) != null) {
      throw new IllegalStateException("duplicate model catalog key " + key);
    }
  }

  private static Capabilities caps(boolean tools, Boolean jsonSchema, boolean vision, boolean streamingUsage,
      int maxContext, int maxOutput) {
    Capabilities.Builder b = Capabilities.builder().tools(tools).vision(vision).streamingUsage(streamingUsage)
        .maxContextTokens(maxContext).maxOutputTokens(maxOutput);
    if (jsonSchema != null) {
      b.jsonSchema(jsonSchema);
    }
    return b.build();
  }
}
