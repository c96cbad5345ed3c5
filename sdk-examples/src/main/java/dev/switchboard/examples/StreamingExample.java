package dev.switchboard.examples;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;

/** A pull stream: iterate the events; closing it early cancels the exchange. */
public final class StreamingExample {
  public static void main(String[] args) {
    try (OpenAiEmulator emulator = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("openai").baseUrl(emulator.baseUrl()).build()).build()) {
      emulator.enqueue(Reply.builder().text("Streams arrive piece by piece, and usage comes last.").streamPieces(6)
          .build());
      try (ChatStream stream = llm.stream(ChatRequest.of("openai/gpt-4o-mini", "Tell me how streams work"))) {
        for (ChatEvent event : stream) {
          if (event instanceof ChatEvent.TextDelta d) {
            System.out.print(d.text());
          } else if (event instanceof ChatEvent.Completed c) {
            System.out.println("\n-- " + c.response().usage() + ", " + c.response().cost());
          }
        }
      }
    }
  }
}
