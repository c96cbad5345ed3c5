package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.OpenAiEmulator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where the work of a call runs: the answer completes on the transport's own HTTP thread (not behind
 * the JDK's hand-off of {@code sendAsync}'s future to the common pool), and a finished call leaves
 * no timeout armed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiProviderThreadingTest {

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  @Test
  void chatAndEmbed_completeOnTheProvidersHttpThread() throws Exception {
    try (OpenAiProvider p = OpenAiProvider.builder().name("threads").baseUrl(OPENAI.emulator().baseUrl()).build()) {
      CompletableFuture<String> chatThread = new CompletableFuture<>();
      CompletableFuture<ChatResponse> chat = p.chat(ChatRequest.of("m", "Say hello"));
      chat.whenComplete((r, e) -> chatThread.complete(Thread.currentThread().getName()));
      chat.get(10, TimeUnit.SECONDS);

      CompletableFuture<String> embedThread = new CompletableFuture<>();
      p.embed(EmbeddingRequest.of("m", "hi")).whenComplete((r, e) -> embedThread.complete(Thread.currentThread()
          .getName())).get(10, TimeUnit.SECONDS);

      // Unless the call was already done when the dependent was added (then it ran right here).
      String main = Thread.currentThread().getName();
      assertThat(chatThread.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
          t -> assertThat(t).startsWith("switchboard-http-"), t -> assertThat(t).isEqualTo(main));
      assertThat(embedThread.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
          t -> assertThat(t).startsWith("switchboard-http-"), t -> assertThat(t).isEqualTo(main));
    }
  }

  @Test
  void finishedCalls_leaveNoDeadlineArmed() throws Exception {
    try (HttpTransport transport = HttpTransport.builder().build();
        OpenAiProvider p = OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl()).transport(transport).build()) {
      for (int i = 0; i < 20; i++) {
        p.chat(ChatRequest.of("m", "hi " + i)).get(10, TimeUnit.SECONDS);
      }
      p.embed(EmbeddingRequest.of("m", "hi")).get(10, TimeUnit.SECONDS);

      assertThat(transport.exchangesInFlight()).isZero();
    }
  }
}
