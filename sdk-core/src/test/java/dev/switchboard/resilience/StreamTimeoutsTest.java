package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.TimeoutKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each stream time limit on a manual clock, through a Switchboard without retries. */
@Timeout(10)
class StreamTimeoutsTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();

  private ChatStream stream(StreamTimeouts timeouts) {
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(Resilience.builder().maxAttempts(1).streamTimeouts(timeouts).build())
        .listener(new ChatListener() {
          @Override
          public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
            events.add("timeout " + kind + " " + limit.toSeconds() + "s");
          }

          @Override
          public void callFailed(CallInfo call, ChatException error) {
            events.add("failed " + error.getClass().getSimpleName());
          }
        }).build();
    return sb.stream(ChatRequest.of("openai/m", "hi"));
  }

  @Test
  void firstEvent_firesAtItsLimit_notBefore_andEndsRetryably() {
    ChatStream s = stream(StreamTimeouts.builder().firstEvent(Duration.ofSeconds(5)).build());
    time.advance(Duration.ofMillis(4_999));
    assertThat(s.poll()).isNull();
    assertThat(events).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThatThrownBy(s::poll).isInstanceOfSatisfying(ChatTimeoutException.class, e -> {
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("openai/m");
    });
    assertThat(events).containsExactly("timeout FIRST_EVENT 5s", "failed ChatTimeoutException");
  }

  @Test
  void firstEvent_isDisarmedByTheFirstEvent() {
    ChatStream s = stream(StreamTimeouts.builder().firstEvent(Duration.ofSeconds(5)).build());
    openai.streams.get(0).emit(new ChatEvent.TextDelta("a"));
    assertThat(s.poll()).isEqualTo(new ChatEvent.TextDelta("a"));
    time.advance(Duration.ofMinutes(10));
    openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("a")));
    openai.streams.get(0).complete();
    assertThat(s.collect().text()).isEqualTo("a");
    assertThat(events).isEmpty();
  }

  @Test
  void idle_countsWhileTheConsumerWaits_restartsWithEveryEvent_andKeepsWhatArrived() {
    ChatStream s = stream(StreamTimeouts.builder().idle(Duration.ofSeconds(10)).build());
    var server = openai.streams.get(0);
    server.emit(new ChatEvent.TextDelta("Once "));
    assertThat(s.poll()).isNotNull();
    assertThat(s.poll()).isNull(); // the consumer waits from here
    time.advance(Duration.ofSeconds(9));
    server.emit(new ChatEvent.TextDelta("upon"));
    assertThat(s.poll()).isNotNull();
    assertThat(s.poll()).isNull();
    time.advance(Duration.ofSeconds(9));
    assertThat(s.poll()).isNull();
    assertThat(events).isEmpty();
    time.advance(Duration.ofSeconds(1));
    assertThatThrownBy(s::poll).isInstanceOfSatisfying(ChatStreamException.class, e -> {
      assertThat(e.partialResponse().text()).isEqualTo("Once upon");
      assertThat(e.getCause()).isInstanceOf(ChatTimeoutException.class);
    });
    assertThat(events).containsExactly("timeout IDLE 10s", "failed ChatStreamException");
  }

  @Test
  void slowStream_isAbandonedAfterTheProbeWindow_havingShownNothing() {
    ChatStream s = stream(StreamTimeouts.builder().minSpeed(20, Duration.ofSeconds(2)).build());
    openai.streams.get(0).emit(new ChatEvent.TextDelta("abcd"));
    assertThat(s.poll()).isNull(); // held back during the window
    time.advance(Duration.ofSeconds(2));
    assertThatThrownBy(s::poll).isInstanceOf(ChatException.class);
    assertThat(events).first().isEqualTo("timeout SLOW_STREAM 2s");
  }

  @Test
  void values_validation_andNone() {
    StreamTimeouts t = StreamTimeouts.builder().firstEvent(Duration.ofSeconds(1)).idle(Duration.ofSeconds(2))
        .minSpeed(5, Duration.ofSeconds(3)).build();
    assertThat(t.firstEvent()).contains(Duration.ofSeconds(1));
    assertThat(t.idle()).contains(Duration.ofSeconds(2));
    assertThat(t.minTokensPerSecond()).hasValue(5);
    assertThat(t.probeWindow()).contains(Duration.ofSeconds(3));
    assertThat(t.isNone()).isFalse();
    assertThat(StreamTimeouts.none().isNone()).isTrue();
    assertThat(StreamTimeouts.none().minTokensPerSecond()).isEmpty();
    assertThat(StreamTimeouts.builder().idle(Duration.ofSeconds(1)).build().isNone()).isFalse();
    assertThat(StreamTimeouts.builder().minSpeed(1, Duration.ofSeconds(1)).build().isNone()).isFalse();

    assertThatThrownBy(() -> StreamTimeouts.builder().idle(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout must be positive");
    assertThatThrownBy(() -> StreamTimeouts.builder().firstEvent(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firstEvent");
    assertThatThrownBy(() -> StreamTimeouts.builder().minSpeed(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> 0");
    assertThatThrownBy(() -> StreamTimeouts.builder().minSpeed(Double.NaN, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamTimeouts.builder().minSpeed(1, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probeWindow");
  }
}
