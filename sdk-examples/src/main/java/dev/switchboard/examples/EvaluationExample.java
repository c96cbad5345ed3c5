package dev.switchboard.examples;

import dev.switchboard.Switchboard;
import dev.switchboard.eval.Dataset;
import dev.switchboard.eval.EvalReport;
import dev.switchboard.eval.Evaluation;
import dev.switchboard.eval.Example;
import dev.switchboard.eval.Scorer;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;
import java.util.List;

/**
 * The story's method in a few lines: the same questions, the same system prompt, temperature 0,
 * through two models; quality, cost and latency per model side by side. Offline: two emulated
 * models, one that knows the capitals and one that does not.
 */
public final class EvaluationExample {
  public static void main(String[] args) throws java.io.IOException {
    try (OpenAiEmulator strong = OpenAiEmulator.start(); OpenAiEmulator weak = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(strong.baseUrl()).build())
            .provider(OpenAiProvider.builder().name("deepseek").baseUrl(weak.baseUrl()).build()).build()) {
      strong.respondWith(r -> dev.switchboard.testkit.Reply.text(r.lastUserText().contains("France") ? "Paris"
          : r.lastUserText().contains("Japan") ? "Tokyo" : "Canberra"));
      weak.respondWith(r -> dev.switchboard.testkit.Reply.text(r.lastUserText().contains("France") ? "Paris"
          : "Sydney"));
      Dataset capitals = Dataset.of("capitals", List.of(
          Example.of("fr", "What is the capital of France? One word.", "Paris"),
          Example.of("jp", "What is the capital of Japan? One word.", "Tokyo"),
          Example.of("au", "What is the capital of Australia? One word.", "Canberra")));
      EvalReport report = Evaluation.builder().client(llm).dataset(capitals)
          .models(List.of("openai/gpt-4o", "deepseek/deepseek-chat"))
          .systemPrompt("Answer with the city only.").scorer(Scorer.normalizedMatch()).concurrency(4)
          .build().run();
      System.out.println(report.markdown());
    }
  }
}
