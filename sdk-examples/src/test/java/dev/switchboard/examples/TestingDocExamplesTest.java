package dev.switchboard.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.RateLimitException;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.ScriptedProvider;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The examples of docs/testing.md, as written there, so they keep compiling and passing. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TestingDocExamplesTest {

  @Test
  void scriptedProvider() {
    ScriptedProvider fake = ScriptedProvider.named("fake")
        .enqueue(ChatResponse.builder().text("Paris").build())
        .enqueue(new RateLimitException("slow down", ErrorDetails.of("fake", "m")));
    try (Switchboard llm = Switchboard.builder().provider(fake).build()) {
      assertEquals("Paris", llm.chat(ChatRequest.of("fake/m", "Capital of France?")).text());
      assertThrows(RateLimitException.class, () -> llm.chat(ChatRequest.of("fake/m", "again")));
      assertEquals(1, fake.takeRequest().messages().size());
    }
  }

  @Test
  void emulator() {
    try (OpenAiEmulator emulator = OpenAiEmulator.start();
        OpenAiProvider openai = OpenAiProvider.builder().baseUrl(emulator.baseUrl()).build()) {
      emulator.enqueue(Reply.builder().text("Hi").usage(12, 3).streamPieces(2).build());
      emulator.enqueue(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(7)));
      ChatResponse r = openai.stream(ChatRequest.of("gpt-4o-mini", "hello")).collect();
      CompletionException e = assertThrows(CompletionException.class,
          () -> openai.chat(ChatRequest.of("gpt-4o-mini", "again")).join().text());
      assertEquals("Hi", r.text());
      assertEquals(RateLimitException.class, e.getCause().getClass());
      assertEquals(Duration.ofSeconds(7), ((ChatException) e.getCause()).retryAfter().orElseThrow());
    }
  }
}
