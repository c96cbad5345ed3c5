package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every example runs offline, as it is, and prints what it promises. */
@Timeout(60)
class ExamplesRunTest {
  interface Main {
    void run(String[] args) throws Exception;
  }

  private static String run(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      main.run(new String[0]);
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rankingService() throws Exception {
    assertThat(run(RankingService::main)).contains("scores: [9.0, 3.0, 7.0]");
  }

  @Test
  void switchByOneString() throws Exception {
    assertThat(run(SwitchByOneString::main)).contains("before: openai").contains("after:  deepseek");
  }

  @Test
  void fallbackChain() throws Exception {
    assertThat(run(FallbackChain::main)).contains("answered by deepseek/")
        .contains("openai/gpt-4o OverloadedException (503)");
  }

  @Test
  void semanticCache() throws Exception {
    assertThat(run(SemanticCacheExample::main)).contains("second: semantic hit").contains("provider calls: 1");
  }

  @Test
  void tieredRouting() throws Exception {
    String out = run(TieredRoutingExample::main);
    assertThat(out).contains("deepseek/deepseek-v4-flash  <- tiered: simple").contains("openai/gpt-4o  <- tiered: complex");
  }

  @Test
  void streaming() throws Exception {
    assertThat(run(StreamingExample::main)).contains("Streams arrive piece by piece, and usage comes last.");
  }

  @Test
  void budgets() throws Exception {
    assertThat(run(BudgetsExample::main)).contains("call 1: Cost[").contains("refused: budget 'team' for 'search'");
  }

  @Test
  void quickStart() throws Exception {
    assertThat(run(QuickStart::main)).contains("Spent $").contains("gen_ai_client_operation_duration_seconds_count");
  }

  @Test
  void evaluation() throws Exception {
    String out = run(EvaluationExample::main);
    assertThat(out).contains("openai/gpt-4o").contains("deepseek/deepseek-chat");
    assertThat(out.lines().filter(l -> l.startsWith("| openai/gpt-4o")).findFirst().orElseThrow()).contains("| 1.000 [");
    assertThat(out.lines().filter(l -> l.startsWith("| deepseek/deepseek-chat")).findFirst().orElseThrow()).contains("| 0.333 [");
  }
}
