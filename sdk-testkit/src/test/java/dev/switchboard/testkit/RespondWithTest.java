package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class RespondWithTest {
  @Test
  void aResponderAnswersByThePrompt_andScriptedRepliesStillComeFirst() throws Exception {
    try (OpenAiEmulator emulator = OpenAiEmulator.start()) {
      emulator.respondWith(request -> request.lastUserText().contains("busy")
          ? Reply.error(ErrorKind.RATE_LIMIT) : Reply.text("echo: " + request.lastUserText()));
      emulator.enqueue(Reply.text("scripted"));
      HttpClient http = HttpClient.newHttpClient();
      String body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
      HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/chat/completions"))
          .header("Content-Type", "application/json");
      assertThat(http.send(post.POST(HttpRequest.BodyPublishers.ofString(body.formatted("hi"))).build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("scripted");
      assertThat(http.send(post.POST(HttpRequest.BodyPublishers.ofString(body.formatted("hello"))).build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("echo: hello");
      assertThat(http.send(post.POST(HttpRequest.BodyPublishers.ofString(body.formatted("busy now"))).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
      emulator.keepRequests(false);
      http.send(post.POST(HttpRequest.BodyPublishers.ofString(body.formatted("x"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(emulator.requestCount()).isEqualTo(4);
    }
  }
}
