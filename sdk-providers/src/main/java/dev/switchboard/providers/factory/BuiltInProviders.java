package dev.switchboard.providers.factory;

import dev.switchboard.providers.anthropic.AnthropicProvider;
import dev.switchboard.providers.ollama.OllamaProvider;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.providers.openai.Vendor;
import dev.switchboard.providers.selfhosted.Backend;
import dev.switchboard.providers.selfhosted.SelfHostedProvider;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.ProviderFactory;
import dev.switchboard.spi.ProviderSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The providers of this module by configuration type: the hosted OpenAI-compatible vendors
 * ({@code openai}, {@code azure}, {@code deepseek}, {@code qwen}, {@code glm}, {@code openrouter},
 * {@code groq}, {@code together}), any other such endpoint ({@code openai-compatible}, with a
 * {@code baseUrl}), {@code anthropic}, {@code ollama}, and self-hosted replicas ({@code vllm},
 * {@code sglang}, {@code tgi}, {@code llama.cpp}, with {@code replicas}). Settings: {@code
 * baseUrl}, {@code apiKeyEnv} (the environment variable that holds the key; by default the
 * vendor's usual one), {@code headers}, {@code timeout}, {@code connectTimeout}, and per type
 * {@code anthropicVersion}, {@code keepAlive}, {@code replicas}. Stateless; thread-safe.
 */
public final class BuiltInProviders implements ProviderFactory {
  private static final Map<String, Vendor> VENDORS = new LinkedHashMap<>();
  private static final Map<String, Backend> BACKENDS = Map.of("vllm", Backend.VLLM, "sglang", Backend.SGLANG,
      "tgi", Backend.TGI, "llama.cpp", Backend.LLAMA_CPP);
  private static final Set<String> COMMON = Set.of("baseUrl", "apiKeyEnv", "headers", "timeout", "connectTimeout");

  static {
    VENDORS.put("openai", Vendor.OPENAI);
    VENDORS.put("azure", Vendor.AZURE_OPENAI);
    VENDORS.put("deepseek", Vendor.DEEPSEEK);
    VENDORS.put("qwen", Vendor.QWEN);
    VENDORS.put("glm", Vendor.GLM);
    VENDORS.put("openrouter", Vendor.OPENROUTER);
    VENDORS.put("groq", Vendor.GROQ);
    VENDORS.put("together", Vendor.TOGETHER);
    VENDORS.put("openai-compatible", Vendor.GENERIC);
  }

  @Override
  public Set<String> types() {
    Set<String> types = new TreeSet<>(VENDORS.keySet());
    types.add("anthropic");
    types.add("ollama");
    types.addAll(BACKENDS.keySet());
    return types;
  }

  @Override
  public ProviderAdapter create(String name, String type, ProviderSettings s) {
    if (VENDORS.containsKey(type)) {
      known(s, Set.of());
      Vendor vendor = VENDORS.get(type);
      if (vendor.defaultBaseUrl().isEmpty() && s.string("baseUrl").isEmpty()) {
        throw new IllegalArgumentException("baseUrl: required for type " + type);
      }
      OpenAiProvider.Builder b = OpenAiProvider.builder().vendor(vendor).name(name);
      // a hosted vendor's key is in its usual variable unless named; an endpoint of your own may need none
      s.secret("apiKeyEnv").or(() -> vendor == Vendor.GENERIC ? java.util.Optional.empty()
          : java.util.Optional.of(dev.switchboard.Secret.fromEnv(vendor.apiKeyEnv()))).ifPresent(b::apiKey);
      s.string("baseUrl").ifPresent(b::baseUrl);
      s.map("headers").forEach(b::header);
      s.duration("timeout").ifPresent(b::timeout);
      s.duration("connectTimeout").ifPresent(b::connectTimeout);
      return b.build();
    }
    if (type.equals("anthropic")) {
      known(s, Set.of("anthropicVersion"));
      AnthropicProvider.Builder b = AnthropicProvider.builder().name(name)
          .apiKey(s.secret("apiKeyEnv").orElse(dev.switchboard.Secret.fromEnv("ANTHROPIC_API_KEY")));
      s.string("baseUrl").ifPresent(b::baseUrl);
      s.string("anthropicVersion").ifPresent(b::anthropicVersion);
      s.map("headers").forEach(b::header);
      s.duration("timeout").ifPresent(b::timeout);
      s.duration("connectTimeout").ifPresent(b::connectTimeout);
      return b.build();
    }
    if (type.equals("ollama")) {
      known(s, Set.of("keepAlive"));
      OllamaProvider.Builder b = OllamaProvider.builder().name(name);
      s.string("baseUrl").ifPresent(b::baseUrl);
      s.secret("apiKeyEnv").ifPresent(b::apiKey);
      s.string("keepAlive").ifPresent(b::keepAlive);
      s.map("headers").forEach(b::header);
      s.duration("timeout").ifPresent(b::timeout);
      s.duration("connectTimeout").ifPresent(b::connectTimeout);
      return b.build();
    }
    Backend backend = BACKENDS.get(type);
    if (backend != null) {
      known(s, Set.of("replicas"));
      if (s.string("baseUrl").isPresent()) {
        throw new IllegalArgumentException("baseUrl: a self-hosted provider takes \"replicas\", a list of base URLs");
      }
      List<String> replicas = s.strings("replicas");
      if (replicas.isEmpty()) {
        throw new IllegalArgumentException("replicas: required for type " + type + ", a list of base URLs such as "
            + "[\"http://10.0.0.5:8000/v1\"]");
      }
      SelfHostedProvider.Builder b = SelfHostedProvider.builder().name(name).backend(backend);
      replicas.forEach(b::replica);
      s.secret("apiKeyEnv").ifPresent(b::apiKey);
      s.duration("timeout").ifPresent(b::timeout);
      s.duration("connectTimeout").ifPresent(b::connectTimeout);
      return b.build();
    }
    throw new IllegalArgumentException("type: " + type + " is not built here; known: " + types());
  }

  private static void known(ProviderSettings s, Set<String> more) {
    for (String key : s.keys()) {
      if (!COMMON.contains(key) && !more.contains(key)) {
        Set<String> all = new TreeSet<>(COMMON);
        all.addAll(more);
        throw new IllegalArgumentException(key + ": unknown setting; known: " + all);
      }
    }
  }
}
