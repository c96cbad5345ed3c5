package dev.switchboard.examples;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.time.Duration;

/** A provider is down: the call retries, then falls back to the next model; every attempt is on the response. */
public final class FallbackChain {
  public static void main(String[] args) {
    try (OpenAiEmulator premium = OpenAiEmulator.start(); OpenAiEmulator backup = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(premium.baseUrl()).build())
            .provider(OpenAiProvider.builder().name("deepseek").baseUrl(backup.baseUrl()).build())
            .interceptor(Fallback.builder().chain("answer", "openai/gpt-4o", "deepseek/deepseek-v4-pro").build())
            .interceptor(Resilience.builder().maxAttempts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(10))
                .build())
            .build()) {
      premium.enqueue(Reply.error(ErrorKind.SERVICE_UNAVAILABLE)).enqueue(Reply.error(ErrorKind.SERVICE_UNAVAILABLE));
      ChatResponse r = llm.chat(ChatRequest.of("answer", "Is the premium provider up?"));
      System.out.println("answered by " + r.provider() + "/" + r.model() + " after " + r.attempts().size()
          + " attempts:");
      r.attempts().forEach(a -> System.out.println("  " + a.target() + " " + (a.succeeded() ? "ok"
          : a.failure().orElse("")) + " (" + a.statusCode() + ")"));
    }
  }
}
