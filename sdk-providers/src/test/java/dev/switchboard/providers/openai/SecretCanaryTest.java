package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.testing.RawHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A canary key must reach the wire and nowhere else: not toString(), not exception messages (even
 * when the server echoes the key back), not log output at DEBUG.
 */
@Timeout(30)
@org.junit.jupiter.api.Tag("secret-canary") // runs at DEBUG in a surefire execution of its own
class SecretCanaryTest {
  private static final String CANARY = "sk-canary-7f3c9e1d2b4a68f0e5d7c3b1a9f2e4d6";

  @Test
  void canaryKey_appearsOnlyOnTheWire() throws Exception {
    String echo = "{\"error\":{\"message\":\"Incorrect API key provided: " + CANARY
        + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
    try (RawHttpServer server = new RawHttpServer(2, c -> c.write("HTTP/1.1 401 Unauthorized\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + echo.getBytes(StandardCharsets.UTF_8).length
        + "\r\nConnection: close\r\n\r\n" + echo))) {
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream originalErr = System.err;
      PrintStream originalOut = System.out;
      PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
      System.setErr(tee);
      System.setOut(tee);
      StringBuilder everything = new StringBuilder();
      try {
        OpenAiProvider provider = OpenAiProvider.builder().name("openai").baseUrl(server.baseUrl())
            .apiKey(Secret.of(CANARY)).header("X-Title", "canary-test").build();
        Switchboard sb = Switchboard.builder().provider(provider).alias("main", "openai/gpt-4o").build();
        everything.append(provider).append(sb);

        ChatException chatError = catchChat(sb);
        ChatException streamError;
        try (ChatStream stream = sb.stream(ChatRequest.of("main", "hi"))) {
          streamError = (ChatException) org.assertj.core.api.Assertions.catchThrowable(stream::collect);
        }
        for (ChatException e : new ChatException[] {chatError, streamError}) {
          assertThat(e).isInstanceOf(AuthenticationException.class);
          everything.append(e.getMessage()).append(e).append(e.details()).append(stackTrace(e));
        }
        sb.close();
      } finally {
        System.setErr(originalErr);
        System.setOut(originalOut);
      }
      everything.append(captured.toString(StandardCharsets.UTF_8));

      assertThat(server.accepted.get(0).get(10, TimeUnit.SECONDS).requestHead)
          .as("the key is really sent").contains("Bearer " + CANARY);
      assertThat(everything.toString()).doesNotContain(CANARY).doesNotContain(CANARY.substring(8));
    }
  }

  @Test
  void canaryKey_staysOutOfTheCallLogLedgerAndBudgets_onASuccessfulCall() throws Exception {
    String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-08-06\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}";
    try (RawHttpServer server = new RawHttpServer(1, c -> c.write("HTTP/1.1 200 OK\r\n"
        + "Content-Type: application/json\r\nx-request-id: req-canary\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body))) {
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream originalErr = System.err;
      PrintStream originalOut = System.out;
      PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
      System.setErr(tee);
      System.setOut(tee);
      StringBuilder everything = new StringBuilder();
      try {
        OpenAiProvider provider = OpenAiProvider.builder().name("openai").baseUrl(server.baseUrl())
            .apiKey(Secret.of(CANARY)).build();
        dev.switchboard.cost.CostLedger ledger = new dev.switchboard.cost.CostLedger();
        dev.switchboard.cost.Budgets budgets = dev.switchboard.cost.Budgets.builder()
            .budget(dev.switchboard.cost.Budget.builder("org").global()
                .period(dev.switchboard.cost.Budget.Period.DAY).limit(10).build())
            .build();
        Switchboard sb = Switchboard.builder().provider(provider).alias("main", "openai/gpt-4o")
            .interceptor(budgets).listener(ledger).build();
        dev.switchboard.ChatResponse response = sb.chat(ChatRequest.of("main", "hi"));
        everything.append(response).append(response.attempts()).append(ledger).append(ledger.entries())
            .append(budgets);
        java.io.StringWriter csv = new java.io.StringWriter();
        dev.switchboard.cost.CostLedger.writeCsv(ledger.entries(), csv);
        everything.append(csv);
        sb.close();
      } finally {
        System.setErr(originalErr);
        System.setOut(originalOut);
      }
      String logged = captured.toString(StandardCharsets.UTF_8);
      everything.append(logged);

      assertThat(server.accepted.get(0).get(10, TimeUnit.SECONDS).requestHead).contains("Bearer " + CANARY);
      assertThat(logged).as("the call's DEBUG line was written").contains("outcome=success")
          .contains("request_id=req-canary").contains("cost_usd=");
      assertThat(everything.toString()).doesNotContain(CANARY).doesNotContain(CANARY.substring(8));
    }
  }

  private static ChatException catchChat(Switchboard sb) {
    try {
      sb.chat(ChatRequest.of("main", "hi"));
    } catch (ChatException e) {
      return e;
    }
    throw new AssertionError("expected an AuthenticationException");
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void secretFromEnv_namesTheVariableNotTheValue() {
    OpenAiProvider provider = OpenAiProvider.builder().baseUrl("http://127.0.0.1:9/v1")
        .apiKey(Secret.fromEnv("SWITCHBOARD_TEST_KEY_THAT_IS_UNSET")).build();
    assertThat(provider.toString()).doesNotContain("sk-");
    assertThatThrownBy(() -> provider.chat(ChatRequest.of("m", "hi")).join()).isNotNull();
    provider.close();
  }
}
