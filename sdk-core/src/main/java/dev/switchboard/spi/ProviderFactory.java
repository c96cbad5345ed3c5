package dev.switchboard.spi;

import java.util.Set;

/**
 * Builds providers from a configuration file's {@code providers} section, by type: the providers
 * module registers one (types {@code openai}, {@code deepseek}, {@code anthropic}, {@code ollama},
 * {@code vllm}, ...), and a third-party provider registers its own with {@link
 * java.util.ServiceLoader} ({@code provides dev.switchboard.spi.ProviderFactory with ...} or {@code
 * META-INF/services}). Implementations must be thread-safe.
 */
public interface ProviderFactory {

  /** The type names this factory builds. */
  Set<String> types();

  /**
   * Provider {@code name} of {@code type}. Throws {@link IllegalArgumentException} naming the
   * setting at fault (the configuration adds where it sits in the file).
   */
  ProviderAdapter create(String name, String type, ProviderSettings settings);
}
