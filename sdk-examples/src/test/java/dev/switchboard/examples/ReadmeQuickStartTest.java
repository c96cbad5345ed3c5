package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's quick start, as it stands there: only the SDK and the testkit, over loopback HTTP. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ReadmeQuickStartTest {

  @Test
  void quickStart_runsAsWritten() {
    String printed;
    // ---- as in README.md ----
    try (OpenAiEmulator emulator = OpenAiEmulator.start()) {
      emulator.enqueue(Reply.text("Cheap models for bulk traffic, premium ones for hard queries."));
      try (OpenAiProvider openai = OpenAiProvider.builder().baseUrl(emulator.baseUrl()).build();
          Switchboard llm = Switchboard.builder().provider(openai).alias("fast", "openai/gpt-4o-mini").build()) {
        ChatResponse answer = llm.chat(ChatRequest.of("fast", "In one sentence: why route LLM traffic by cost?"));
        printed = answer.text() + " -- " + answer.provider() + "/" + answer.model() + ", " + answer.usage();
      }
    }
    // ---- end ----
    assertThat(printed).startsWith("Cheap models for bulk traffic, premium ones for hard queries. -- openai/");
  }
}
