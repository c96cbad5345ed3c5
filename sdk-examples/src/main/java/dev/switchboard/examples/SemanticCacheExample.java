package dev.switchboard.examples;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.cache.ResponseCache;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;

/** A near-duplicate question (other casing, no question mark) is answered from the cache: no call, no cost. */
public final class SemanticCacheExample {
  public static void main(String[] args) {
    try (OpenAiEmulator emulator = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(emulator.baseUrl()).build())
            .interceptor(ResponseCache.builder().semantic().build()).build()) {
      ChatResponse first = llm.chat(ChatRequest.of("openai/gpt-4o", "How do I set a timeout on the Java HTTP client?"));
      ChatResponse second = llm.chat(ChatRequest.of("openai/gpt-4o", "how do I set a timeout on the Java HTTP client"));
      System.out.println("first:  " + first.cost() + ", " + first.attempts().size() + " attempt");
      System.out.println("second: " + second.cacheHit().map(h -> h.cache() + " hit, similarity "
          + String.format("%.2f", h.similarity()) + ", saved " + h.saved()).orElse("miss"));
      System.out.println("provider calls: " + emulator.requestCount());
    }
  }
}
