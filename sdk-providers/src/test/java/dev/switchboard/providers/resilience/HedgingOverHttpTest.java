package dev.switchboard.providers.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Attempt;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.testkit.RecordingListener;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A slow primary and a fast secondary over real HTTP: the hedge answers at the hedge delay; the primary is cancelled. */
@Timeout(30)
class HedgingOverHttpTest {
  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> SLOW = EmulatorExtension.openAi();

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> FAST = EmulatorExtension.openAi();

  @Test
  void hedge_answersNearTheHedgeDelay_andCancelsThePrimary() throws Exception {
    ManualClock clock = new ManualClock();
    RecordingListener events = new RecordingListener();
    try (Switchboard sb = Switchboard.builder()
        .provider(OpenAiProvider.builder().name("slow").baseUrl(SLOW.emulator().baseUrl()).apiKey(Secret.of("k")).build())
        .provider(OpenAiProvider.builder().name("fast").baseUrl(FAST.emulator().baseUrl()).apiKey(Secret.of("k")).build())
        .ticker(clock).scheduler(clock)
        .interceptor(Fallback.builder().chain("ranker", "slow/gpt-4o", "fast/gpt-4o-mini")
            .hedgeAfter(Duration.ofMillis(800)).build())
        .listener(events)
        .build()) {
      SLOW.emulator().enqueue(Reply.builder().text("slow answer").delay(Duration.ofSeconds(20)).build());
      FAST.emulator().enqueue(Reply.text("fast answer"));

      CompletableFuture<ChatResponse> call = sb.chatAsync(ChatRequest.of("ranker", "rank these"));
      SLOW.emulator().takeRequest(Duration.ofSeconds(10));
      clock.awaitTaskDueWithin(Duration.ofMillis(800), Duration.ofSeconds(10));
      assertThat(FAST.emulator().requestCount()).isZero();
      clock.advance(Duration.ofMillis(800));

      ChatResponse response = call.get(10, TimeUnit.SECONDS);
      assertThat(response.text()).isEqualTo("fast answer");
      assertThat(response.provider()).isEqualTo("fast");
      assertThat(clock.elapsed()).as("answered at the hedge delay, not the primary's 20 s").isEqualTo(Duration.ofMillis(800));

      events.attemptEnded(a -> a.provider().equals("slow")).get(10, TimeUnit.SECONDS);
      List<Attempt> attempts = events.attempts();
      assertThat(attempts).anySatisfy(a -> {
        assertThat(a.provider()).isEqualTo("slow");
        assertThat(a.failure()).contains("Cancelled");
        assertThat(a.usage().estimated()).as("the cancelled attempt's usage is estimated, not dropped").isTrue();
        assertThat(a.usage().inputTokens()).isPositive();
      });
      assertThat(attempts).anySatisfy(a -> {
        assertThat(a.provider()).isEqualTo("fast");
        assertThat(a.succeeded()).isTrue();
      });
    }
  }
}
