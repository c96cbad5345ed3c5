package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatRequest;
import dev.switchboard.EmbeddingRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallInfoTest {
  private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");
  private final ChatRequest chat = ChatRequest.of("openai/gpt-4o", "hi");
  private final EmbeddingRequest embedding = EmbeddingRequest.of("vectors", "a");

  @Test
  void chatCall() {
    CallInfo call = new CallInfo(7, chat, false, START, 1_000, Duration.ofSeconds(2));
    assertThat(call.id()).isEqualTo(7);
    assertThat(call.kind()).isEqualTo(CallInfo.Kind.CHAT);
    assertThat(call.streaming()).isFalse();
    assertThat(call.model()).isEqualTo("openai/gpt-4o");
    assertThat(call.request()).isSameAs(chat);
    assertThat(call.embeddingRequest()).isEmpty();
    assertThat(call.startedAt()).isEqualTo(START);
    assertThat(call.startNanos()).isEqualTo(1_000);
    assertThat(call.timeout()).contains(Duration.ofSeconds(2));
    assertThat(call).hasToString("CallInfo[#7, openai/gpt-4o]");
  }

  @Test
  void streamCall() {
    CallInfo call = new CallInfo(8, chat, true, START, 0, null);
    assertThat(call.kind()).isEqualTo(CallInfo.Kind.STREAM);
    assertThat(call.streaming()).isTrue();
    assertThat(call.request()).isSameAs(chat);
    assertThat(call.timeout()).isEmpty();
    assertThat(call).hasToString("CallInfo[#8, openai/gpt-4o, STREAM]");
  }

  @Test
  void embeddingCall_hasItsRequestApart() {
    CallInfo call = new CallInfo(9, embedding, START, 5, Duration.ofMillis(300));
    assertThat(call.kind()).isEqualTo(CallInfo.Kind.EMBEDDING);
    assertThat(call.streaming()).isFalse();
    assertThat(call.model()).isEqualTo("vectors");
    assertThat(call.embeddingRequest()).containsSame(embedding);
    assertThat(call.startNanos()).isEqualTo(5);
    assertThat(call.timeout()).contains(Duration.ofMillis(300));
    assertThat(call).hasToString("CallInfo[#9, vectors, EMBEDDING]");
    assertThatThrownBy(call::request).isInstanceOf(IllegalStateException.class)
        .hasMessage("call #9 is an embedding call: use embeddingRequest()");
  }

  @Test
  void remaining_countsDownFromTheStart_andGoesNegative() {
    CallInfo call = new CallInfo(1, chat, false, START, 1_000_000_000L, Duration.ofSeconds(2));
    assertThat(call.remaining(1_000_000_000L)).contains(Duration.ofSeconds(2));
    assertThat(call.remaining(1_500_000_000L)).contains(Duration.ofMillis(1500));
    assertThat(call.remaining(3_000_000_000L)).contains(Duration.ZERO);
    assertThat(call.remaining(3_250_000_000L)).contains(Duration.ofMillis(-250));

    assertThat(new CallInfo(2, chat, false, START, 0, null).remaining(10)).isEmpty();
  }

  @Test
  void requiredParts() {
    assertThatThrownBy(() -> new CallInfo(1, chat, false, null, 0, null))
        .isInstanceOf(NullPointerException.class).hasMessage("startedAt");
    assertThatThrownBy(() -> new CallInfo(1, (EmbeddingRequest) null, START, 0, null))
        .isInstanceOf(NullPointerException.class).hasMessage("request");
  }
}
