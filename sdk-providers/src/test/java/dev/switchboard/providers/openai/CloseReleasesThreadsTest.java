package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OpenAiEmulator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Building, using and closing many Switchboards leaves no more HTTP threads behind than one holds:
 * providers share the JVM's transport instead of each starting a client (on JDK 17 a client's
 * selector thread lives as long as a pooled connection keeps the client reachable).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseReleasesThreadsTest {

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  @Test
  void twoHundredBuildCallClose_leaveNoMoreHttpThreadsThanOneSwitchboardHolds() {
    // One Switchboard in use: its calls fill the shared transport's pool.
    try (Switchboard one = newSwitchboard()) {
      for (int i = 0; i < 20; i++) {
        one.chat("openai/gpt-4o-mini", "warm up " + i);
      }
    }
    long held = httpThreads();

    for (int i = 0; i < 200; i++) {
      try (Switchboard sb = newSwitchboard()) {
        sb.chat("openai/gpt-4o-mini", "call " + i);
      }
    }
    System.gc();

    // The shared transport starts pool and sending threads on demand, so timing alone may add a few
    // (seen: one, in a full build); a per-Switchboard leak would add 200.
    assertThat(httpThreads()).as("HTTP threads after 200 x build/call/close").isLessThanOrEqualTo(held + 8);
  }

  private static Switchboard newSwitchboard() {
    return Switchboard.builder()
        .provider(OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl()).build())
        .build();
  }

  /** The JDK client's selector threads and Switchboard's HTTP threads, of every client in this JVM. */
  private static long httpThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.contains("SelectorManager") || n.startsWith("switchboard-http-"))
        .count();
  }
}
