package dev.switchboard.providers.ollama;

import dev.switchboard.Secret;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OllamaEmulator;
import dev.switchboard.testkit.ProviderContractTest;
import dev.switchboard.testkit.ProviderEmulator;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider contract (TCK) for {@link OllamaProvider}, against the Ollama wire emulator. Ollama
 * reports no refusal, no cached or reasoning token counts, no request id and no schema name, so
 * those cases are skipped through the contract's capability hooks.
 */
class OllamaContractTest extends ProviderContractTest {

  @RegisterExtension
  static final EmulatorExtension<OllamaEmulator> OLLAMA = EmulatorExtension.of(OllamaEmulator.class,
      OllamaEmulator::start);

  @Override
  protected ProviderEmulator emulator() {
    return OLLAMA.emulator();
  }

  @Override
  protected ProviderAdapter newAdapter(String baseUrl) {
    // A key is configured (as for ollama.com or a proxy) so the contract can check it never leaks.
    return OllamaProvider.builder().name("ollama").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
  }

  @Override
  protected boolean supportsRefusal() {
    return false;
  }

  @Override
  protected boolean reportsCachedInputTokens() {
    return false;
  }

  @Override
  protected boolean reportsReasoningTokens() {
    return false;
  }

  @Override
  protected boolean sendsRequestId() {
    return false;
  }

  @Override
  protected boolean namesJsonSchema() {
    return false;
  }
}
