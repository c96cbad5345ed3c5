package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The producer/consumer protocol of {@link PushChatStream}, driven from the test's thread. */
@Timeout(10)
class PushChatStreamTest {
  private static final ChatEvent A = new ChatEvent.TextDelta("a");
  private static final ChatEvent B = new ChatEvent.TextDelta("b");
  private static final ChatEvent DONE = new ChatEvent.Completed(ChatResponse.builder().text("ab").build());

  private final PushChatStream stream = new PushChatStream();

  @Test
  void handsOutEvents_inOrder_thenEndsOnceCompleted() {
    assertThat(stream.poll()).as("nothing yet").isNull();
    assertThat(stream.isFinished()).isFalse();
    stream.emit(A);
    stream.emit(B);
    stream.emit(DONE);
    stream.complete();
    assertThat(stream.bufferedEvents()).isEqualTo(3);

    assertThat(stream.poll()).isEqualTo(A);
    assertThat(stream.bufferedEvents()).isEqualTo(2);
    assertThat(stream.poll()).isEqualTo(B);
    assertThat(stream.poll()).isEqualTo(DONE);
    assertThat(stream.isFinished()).as("the end is taken by the next poll").isFalse();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.bufferedEvents()).isZero();
    assertThat(stream.attempts()).isEmpty();
  }

  @Test
  void aFailure_comesAfterTheEventsBeforeIt_once() {
    ChatException boom = serverError();
    stream.emit(A);
    stream.fail(boom);
    stream.emit(B);

    assertThat(stream.poll()).isEqualTo(A);
    assertThat(stream.isFinished()).isFalse();
    assertThatThrownBy(stream::poll).isSameAs(boom);
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
  }

  @Test
  void theFirstEndWins() {
    ChatException first = serverError();
    PushChatStream failedThenCompleted = new PushChatStream();
    failedThenCompleted.fail(first);
    failedThenCompleted.fail(serverError());
    failedThenCompleted.complete();
    assertThatThrownBy(failedThenCompleted::poll).isSameAs(first);

    stream.complete();
    stream.fail(serverError());
    stream.emit(A);
    assertThat(stream.poll()).as("completed normally; later events dropped").isNull();
    assertThat(stream.isFinished()).isTrue();
  }

  @Test
  void onReady_runsAtOnce_whenAnythingIsThereToTake() {
    AtomicInteger runs = new AtomicInteger();
    stream.emit(A);
    stream.onReady(runs::incrementAndGet);
    assertThat(runs).hasValue(1);

    PushChatStream completed = new PushChatStream();
    completed.complete();
    completed.onReady(runs::incrementAndGet);
    assertThat(runs).hasValue(2);

    PushChatStream failed = new PushChatStream();
    failed.fail(serverError());
    failed.onReady(runs::incrementAndGet);
    assertThat(runs).hasValue(3);

    PushChatStream closed = new PushChatStream();
    closed.close();
    closed.onReady(runs::incrementAndGet);
    assertThat(runs).hasValue(4);
  }

  @Test
  void onReady_waitsForTheProducer_runsOnce_andALaterRegistrationReplacesIt() {
    List<String> runs = new ArrayList<>();
    stream.onReady(() -> runs.add("first"));
    stream.onReady(() -> runs.add("second"));
    assertThat(runs).isEmpty();

    stream.emit(A);
    stream.emit(B);
    assertThat(runs).containsExactly("second");

    stream.poll();
    stream.poll();
    stream.onReady(() -> runs.add("on complete"));
    assertThat(runs).hasSize(1);
    stream.complete();
    assertThat(runs).containsExactly("second", "on complete");

    PushChatStream failing = new PushChatStream();
    failing.onReady(() -> runs.add("on fail"));
    failing.fail(serverError());
    assertThat(runs).endsWith("on fail");
  }

  @Test
  void close_cancelsUpstreamOnce_andDropsWhatIsBuffered() {
    AtomicInteger cancels = new AtomicInteger();
    stream.onCancel(cancels::incrementAndGet);
    stream.emit(A);
    stream.emit(B);
    assertThat(stream.poll()).isEqualTo(A);

    stream.close();
    stream.close();

    assertThat(cancels).hasValue(1);
    assertThat(stream.isClosed()).isTrue();
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).as("B was dropped").isNull();
    stream.emit(A);
    stream.complete();
    assertThat(stream.poll()).isNull();
  }

  @Test
  void close_wakesAWaitingConsumer() {
    List<String> calls = new ArrayList<>();
    stream.onCancel(() -> calls.add("cancel"));
    stream.onReady(() -> calls.add("ready"));
    assertThat(calls).isEmpty();
    stream.close();
    assertThat(calls).containsExactly("cancel", "ready");
  }

  @Test
  void onCancel_afterClose_runsAtOnce_andOnlyTheLastRegistrationRuns() {
    List<String> calls = new ArrayList<>();
    stream.onCancel(() -> calls.add("replaced"));
    stream.onCancel(() -> calls.add("cancel"));
    assertThat(stream.isClosed()).isFalse();
    assertThat(calls).isEmpty();
    stream.close();
    assertThat(calls).containsExactly("cancel");

    stream.onCancel(() -> calls.add("late"));
    assertThat(calls).containsExactly("cancel", "late");
  }

  @Test
  void requestMore_runsAtOnce_belowTheHighWaterMark() {
    AtomicInteger requests = new AtomicInteger();
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    assertThat(requests).hasValue(1);
    emit(255);
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    assertThat(requests).as("255 buffered").hasValue(2);
  }

  @Test
  void requestMore_atTheHighWaterMark_waitsUntilTheConsumerDrainsToTheLowWaterMark() {
    AtomicInteger requests = new AtomicInteger();
    emit(256);
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    assertThat(requests).hasValue(0);

    for (int i = 0; i < 256 - 65; i++) {
      assertThat(stream.poll()).isNotNull();
    }
    assertThat(stream.bufferedEvents()).isEqualTo(65);
    assertThat(requests).hasValue(0);

    stream.poll();
    assertThat(stream.bufferedEvents()).isEqualTo(64);
    assertThat(requests).as("drained to 64").hasValue(1);
    stream.poll();
    assertThat(requests).as("once").hasValue(1);
  }

  @Test
  void requestMore_isDroppedOnceClosed_evenWithRoomInTheBuffer() {
    AtomicInteger requests = new AtomicInteger();
    stream.emit(A);
    stream.close();
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    assertThat(requests).hasValue(0);
  }

  @Test
  void requestMore_isDroppedOnceClosed() {
    AtomicInteger requests = new AtomicInteger();
    emit(300);
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    stream.close();
    stream.requestMoreWhenDrained(requests::incrementAndGet);
    assertThat(stream.poll()).isNull();
    assertThat(requests).hasValue(0);
  }

  private void emit(int n) {
    for (int i = 0; i < n; i++) {
      stream.emit(new ChatEvent.TextDelta("t" + i));
    }
  }

  private static ChatException serverError() {
    return new ServerException("boom", ErrorDetails.builder().provider("p").model("m").statusCode(500).retryable(true)
        .build());
  }

  @Test
  void closing_dropsTheBufferedEvents_andCountsNoneLeft() {
    dev.switchboard.stream.PushChatStream s = new dev.switchboard.stream.PushChatStream();
    s.emit(new ChatEvent.TextDelta("a"));
    s.emit(new ChatEvent.TextDelta("b"));
    assertThat(s.bufferedEvents()).isEqualTo(2);
    s.close();
    assertThat(s.bufferedEvents()).isZero();
  }
}
