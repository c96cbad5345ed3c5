package dev.switchboard.examples;

import dev.switchboard.ChatRequest;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.testkit.OpenAiEmulator;
import java.util.Map;
import java.util.Set;

/**
 * Switching a workload to another model is one string: the code calls {@code "ranker"}; the alias
 * decides where that goes, and can be swapped at runtime (calls in flight finish where they began).
 */
public final class SwitchByOneString {
  public static void main(String[] args) {
    try (OpenAiEmulator gpt = OpenAiEmulator.start(); OpenAiEmulator deepseek = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(gpt.baseUrl()).build())
            .provider(OpenAiProvider.builder().name("deepseek").baseUrl(deepseek.baseUrl()).build())
            .alias("ranker", "openai/gpt-4o").build()) {
      System.out.println("before: " + llm.chat(ChatRequest.of("ranker", "rank these")).provider());
      llm.directory(ModelDirectory.of(Set.of("openai", "deepseek"), Map.of("ranker", "deepseek/deepseek-v4-flash")));
      System.out.println("after:  " + llm.chat(ChatRequest.of("ranker", "rank these")).provider());
    }
  }
}
