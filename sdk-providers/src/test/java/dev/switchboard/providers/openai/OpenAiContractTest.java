package dev.switchboard.providers.openai;

import dev.switchboard.Secret;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.ProviderContractTest;
import dev.switchboard.testkit.ProviderEmulator;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provider contract (TCK) for {@link OpenAiProvider}, against the OpenAI wire emulator. */
class OpenAiContractTest extends ProviderContractTest {

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  @Override
  protected ProviderEmulator emulator() {
    return OPENAI.emulator();
  }

  @Override
  protected ProviderAdapter newAdapter(String baseUrl) {
    return OpenAiProvider.builder().name("openai").baseUrl(baseUrl).apiKey(Secret.of(apiKey())).transport(transport()).build();
  }
}
