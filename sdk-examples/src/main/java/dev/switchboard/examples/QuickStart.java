package dev.switchboard.examples;

import dev.switchboard.*;

/** Asks one question through Switchboard: offline against the testkit's emulator, live when API keys are set. */
public final class QuickStart {
  public static void main(String[] args) {
    try (DemoEndpoint endpoint = DemoEndpoint.fromEnvOrEmulator();
        Switchboard llm = Switchboard.builder().provider(endpoint.provider()).alias("fast", endpoint.model()).build()) {
      ChatResponse answer = llm.chat(ChatRequest.of("fast", "In one sentence: why route LLM traffic by cost?"));
      System.out.println(answer.text());
      System.out.println("-- " + answer.provider() + "/" + answer.model() + ", " + answer.usage());
    }
  }
}
