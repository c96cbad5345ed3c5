package com.example.thirdparty;

import dev.switchboard.Secret;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OllamaEmulator;
import dev.switchboard.testkit.ProviderContractTest;
import dev.switchboard.testkit.ProviderEmulator;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider contract (TCK) for {@link NdjsonChatProvider}, a third-party-style provider that lives
 * outside Switchboard's packages and uses only its public API: the provider itself imports nothing
 * but {@code java.*}, {@code com.fasterxml.jackson.*}, {@code org.slf4j.*} and the public packages
 * {@code dev.switchboard}, {@code dev.switchboard.spi}, {@code dev.switchboard.spi.http} and
 * {@code dev.switchboard.stream} (no {@code dev.switchboard.providers.*}, no testkit, no {@code
 * *.internal*}). It is checked against the Ollama wire emulator, as the built-in Ollama provider is.
 * Ollama reports no refusal, no cached or reasoning token counts, no request id and no schema name,
 * so those cases are skipped through the contract's capability hooks, as in the built-in provider's
 * contract test.
 */
class NdjsonChatProviderContractTest extends ProviderContractTest {

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
    return NdjsonChatProvider.builder().name("ndjson").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
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
