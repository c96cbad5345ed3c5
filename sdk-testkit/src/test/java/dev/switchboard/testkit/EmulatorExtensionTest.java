package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmulatorExtensionTest {
  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  private static final AtomicReference<OpenAiEmulator> FIRST = new AtomicReference<>();

  @Test
  @Order(1)
  void resolvesTheRunningEmulator_asParameter(OpenAiEmulator emulator, ProviderEmulator neutral) {
    assertThat(emulator).isSameAs(OPENAI.emulator()).isSameAs(neutral);
    FIRST.set(emulator);
    emulator.enqueue(Reply.text("left over"));
  }

  @Test
  @Order(2)
  void keepsOneEmulatorPerClass_andResetsItBeforeEachTest() {
    assertThat(OPENAI.emulator()).isSameAs(FIRST.get());
    assertThat(OPENAI.emulator().pendingReplies()).isZero();
    assertThat(OPENAI.emulator().requestCount()).isZero();
  }

  @Nested
  class NestedTests {
    @Test
    void shareTheOuterEmulator() {
      assertThat(OPENAI.emulator()).isSameAs(FIRST.get());
    }
  }
}
