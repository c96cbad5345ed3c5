package dev.switchboard.examples;

import dev.switchboard.Secret;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.OpenAiEmulator;

/**
 * Where the examples send their calls: a real OpenAI-compatible endpoint when its key is in the
 * environment, otherwise the testkit's OpenAI emulator on 127.0.0.1 (real HTTP, simulated model).
 *
 * <ul>
 *   <li>{@code OPENAI_API_KEY} (and optionally {@code OPENAI_BASE_URL}, {@code OPENAI_MODEL}, default
 *       {@code gpt-4o-mini}): provider {@code openai}.
 *   <li>{@code GLOBAL_API_KEY} with {@code GLOBAL_BASE_URL} (and optionally {@code GLOBAL_MODEL},
 *       default {@code qwen3-32b}): provider {@code global}, an OpenAI-compatible aggregator.
 * </ul>
 *
 * Not thread-safe; close it to stop the emulator.
 */
public final class DemoEndpoint implements AutoCloseable {
  private final ProviderAdapter provider;
  private final String model;
  private final OpenAiEmulator emulator;

  private DemoEndpoint(ProviderAdapter provider, String model, OpenAiEmulator emulator) {
    this.provider = provider;
    this.model = model;
    this.emulator = emulator;
  }

  public static DemoEndpoint fromEnvOrEmulator() {
    if (present("OPENAI_API_KEY")) {
      String baseUrl = env("OPENAI_BASE_URL", "https://api.openai.com/v1");
      System.err.println("[switchboard demo] live: OpenAI-compatible endpoint " + baseUrl);
      return new DemoEndpoint(
          OpenAiProvider.builder().name("openai").baseUrl(baseUrl).apiKey(Secret.fromEnv("OPENAI_API_KEY")).build(),
          "openai/" + env("OPENAI_MODEL", "gpt-4o-mini"), null);
    }
    if (present("GLOBAL_API_KEY")) {
      String baseUrl = System.getenv("GLOBAL_BASE_URL");
      if (baseUrl == null || baseUrl.isBlank()) {
        throw new IllegalStateException(
            "GLOBAL_API_KEY is set but GLOBAL_BASE_URL is not: set it to the aggregator's OpenAI-compatible base URL");
      }
      System.err.println("[switchboard demo] live: aggregator " + baseUrl);
      return new DemoEndpoint(
          OpenAiProvider.builder().name("global").baseUrl(baseUrl).apiKey(Secret.fromEnv("GLOBAL_API_KEY")).build(),
          "global/" + env("GLOBAL_MODEL", "qwen3-32b"), null);
    }
    OpenAiEmulator emulator = OpenAiEmulator.start();
    System.err.println("[switchboard demo] offline: OpenAI emulator at " + emulator.baseUrl()
        + " (set OPENAI_API_KEY to go live)");
    return new DemoEndpoint(
        OpenAiProvider.builder().name("openai").baseUrl(emulator.baseUrl()).build(), "openai/gpt-4o-mini", emulator);
  }

  public ProviderAdapter provider() {
    return provider;
  }

  /** The model string to call, e.g. {@code openai/gpt-4o-mini}. */
  public String model() {
    return model;
  }

  @Override
  public void close() {
    provider.close();
    if (emulator != null) {
      emulator.close();
    }
  }

  private static boolean present(String name) {
    String v = System.getenv(name);
    return v != null && !v.isBlank();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
