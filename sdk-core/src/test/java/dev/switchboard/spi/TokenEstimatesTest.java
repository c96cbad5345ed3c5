package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ContentPart;
import dev.switchboard.Message;
import dev.switchboard.ToolCall;
import dev.switchboard.ToolSpec;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** About four characters a token, rounded up; an image 1000 characters; 4 characters of framing per message. */
@Timeout(10)
class TokenEstimatesTest {

  @Test
  void of_text_isAQuarterOfItsLengthRoundedUp_atLeastOne() {
    assertThat(TokenEstimates.of("")).isEqualTo(1);
    assertThat(TokenEstimates.of("a")).isEqualTo(1);
    assertThat(TokenEstimates.of("abcd")).isEqualTo(1);
    assertThat(TokenEstimates.of("abcde")).isEqualTo(2);
    assertThat(TokenEstimates.of("x".repeat(400))).isEqualTo(100);
    assertThat(TokenEstimates.of("x".repeat(401))).isEqualTo(101);
  }

  @Test
  void input_countsFramingAndTextOfEachMessage() {
    // 4 + 12 chars = 16 -> 4 tokens
    assertThat(TokenEstimates.input(ChatRequest.of("m", "x".repeat(12)))).isEqualTo(4);
    // 4 + 13 = 17 -> 5
    assertThat(TokenEstimates.input(ChatRequest.of("m", "x".repeat(13)))).isEqualTo(5);
    // two messages: (4 + 8) + (4 + 100) = 116 -> 29
    ChatRequest two = ChatRequest.builder().model("m").system("x".repeat(8)).user("y".repeat(100)).build();
    assertThat(TokenEstimates.input(two)).isEqualTo(29);
    // an empty text still costs its framing: 4 -> 1
    assertThat(TokenEstimates.input(ChatRequest.of("m", ""))).isEqualTo(1);
  }

  @Test
  void input_countsAnImageAsAThousandCharacters() {
    ChatRequest request = ChatRequest.builder().model("m")
        .addMessage(Message.user(new ContentPart.Text("x".repeat(8)),
            ContentPart.imageUrl(URI.create("https://example.com/cat.png"))))
        .build();
    // 4 + 8 + 1000 = 1012 -> 253
    assertThat(TokenEstimates.input(request)).isEqualTo(253);
  }

  @Test
  void input_countsToolCallsAndToolSpecs() {
    ChatRequest request = ChatRequest.builder().model("m")
        .addMessage(Message.assistant("", List.of(ToolCall.of("c1", "lookup", "{\"q\":\"abc\"}"))))
        .addTool(ToolSpec.of("search", "find things", "{\"type\":\"object\"}"))
        .build();
    // message: 4 + 0 text + "lookup"(6) + {"q":"abc"}(11) = 21; tool: 6 + 11 + 17 = 34; 55 -> 14
    assertThat(TokenEstimates.input(request)).isEqualTo(14);
  }

  @Test
  void total_addsTheAllowedOutput_orADefaultOf256() {
    ChatRequest request = ChatRequest.of("m", "x".repeat(12));
    assertThat(TokenEstimates.total(request)).isEqualTo(4 + 256);
    assertThat(TokenEstimates.total(request.toBuilder().maxOutputTokens(100).build())).isEqualTo(104);
  }
}
