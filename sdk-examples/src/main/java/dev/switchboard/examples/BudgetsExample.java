package dev.switchboard.examples;

import dev.switchboard.BudgetExceededException;
import dev.switchboard.ChatRequest;
import dev.switchboard.Switchboard;
import dev.switchboard.cost.Budget;
import dev.switchboard.cost.Budgets;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.route.CallMetadata;
import dev.switchboard.testkit.OpenAiEmulator;

/** A team's daily budget: each call reserves its worst case, settles to what it cost; past the limit calls are refused. */
public final class BudgetsExample {
  public static void main(String[] args) {
    try (OpenAiEmulator emulator = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(emulator.baseUrl()).build())
            .interceptor(Budgets.builder()
                .budget(Budget.builder("team").perLabel("team").period(Budget.Period.DAY).limit(0.004).build())
                .build())
            .build()) {
      ChatRequest request = CallMetadata.attach(
          ChatRequest.builder().model("openai/gpt-4o").user("Summarise our incident log").maxOutputTokens(300).build(),
          CallMetadata.builder().label("team", "search").build());
      for (int i = 1; i <= 5; i++) {
        try {
          System.out.println("call " + i + ": " + llm.chat(request).cost());
        } catch (BudgetExceededException e) {
          System.out.println("call " + i + ": refused: " + e.getMessage());
          break;
        }
      }
    }
  }
}
