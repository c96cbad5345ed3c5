package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import dev.switchboard.stream.ForwardingChatStream;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.stream.ResponseAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PullStreamsTest {
  private static final ChatResponse DONE = ChatResponse.builder().text("ab").build();

  @Test
  void iterator_blocksUntilProducerEmits_fromAnotherThread() throws Exception {
    PushChatStream stream = new PushChatStream();
    CompletableFuture<List<ChatEvent>> consumed = CompletableFuture.supplyAsync(() -> {
      List<ChatEvent> out = new ArrayList<>();
      stream.forEach(out::add);
      return out;
    });
    stream.emit(new ChatEvent.TextDelta("a"));
    stream.emit(new ChatEvent.TextDelta("b"));
    stream.emit(new ChatEvent.Completed(DONE));
    stream.complete();
    assertThat(consumed.get()).hasSize(3).last().isEqualTo(new ChatEvent.Completed(DONE));
  }

  @Test
  void failure_isThrownAfterTheEventsBeforeIt() {
    PushChatStream stream = new PushChatStream();
    stream.emit(new ChatEvent.TextDelta("a"));
    stream.fail(new ServerException("boom", ErrorDetails.of("p", "m")));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("a"));
    assertThatThrownBy(stream::poll).isInstanceOf(ServerException.class);
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
  }

  @Test
  void close_runsCancelOnce_andEndsIteration() {
    PushChatStream stream = new PushChatStream();
    AtomicInteger cancels = new AtomicInteger();
    stream.onCancel(cancels::incrementAndGet);
    stream.emit(new ChatEvent.TextDelta("a"));
    stream.close();
    stream.close();
    assertThat(cancels).hasValue(1);
    assertThat(stream.iterator().hasNext()).isFalse();
    stream.emit(new ChatEvent.TextDelta("late"));
    assertThat(stream.poll()).isNull();
  }

  @Test
  void onCancel_registeredAfterClose_runsAtOnce() {
    PushChatStream stream = new PushChatStream();
    stream.close();
    AtomicInteger cancels = new AtomicInteger();
    stream.onCancel(cancels::incrementAndGet);
    assertThat(cancels).hasValue(1);
  }

  @Test
  void backPressure_defersDemandUntilConsumerDrains() {
    PushChatStream stream = new PushChatStream();
    AtomicInteger requested = new AtomicInteger();
    for (int i = 0; i < 300; i++) {
      stream.emit(new ChatEvent.TextDelta("x"));
    }
    stream.requestMoreWhenDrained(requested::incrementAndGet);
    assertThat(requested).hasValue(0);
    for (int i = 0; i < 200; i++) {
      stream.poll();
    }
    assertThat(requested).hasValue(0);
    for (int i = 0; i < 50; i++) {
      stream.poll();
    }
    assertThat(requested).hasValue(1);
  }

  @Test
  void subscribe_deliversEventsThenComplete_withoutAThread() {
    PushChatStream stream = new PushChatStream();
    List<String> seen = new CopyOnWriteArrayList<>();
    stream.subscribe(new ChatStreamHandler() {
      @Override
      public void onEvent(ChatEvent event) {
        seen.add(event.getClass().getSimpleName());
      }

      @Override
      public void onComplete(ChatResponse response) {
        seen.add("complete " + response.text());
      }

      @Override
      public void onError(ChatException error) {
        seen.add("error");
      }
    });
    assertThat(seen).isEmpty();
    stream.emit(new ChatEvent.TextDelta("a"));
    assertThat(seen).containsExactly("TextDelta");
    stream.emit(new ChatEvent.Completed(DONE));
    stream.complete();
    assertThat(seen).containsExactly("TextDelta", "Completed", "complete ab");
  }

  @Test
  void subscribe_handlerThatThrows_closesStreamAndGetsOnError() {
    PushChatStream stream = new PushChatStream();
    AtomicInteger cancels = new AtomicInteger();
    stream.onCancel(cancels::incrementAndGet);
    List<ChatException> errors = new ArrayList<>();
    stream.subscribe(new ChatStreamHandler() {
      @Override
      public void onEvent(ChatEvent event) {
        throw new IllegalStateException("handler bug");
      }

      @Override
      public void onError(ChatException error) {
        errors.add(error);
      }
    });
    stream.emit(new ChatEvent.TextDelta("a"));
    assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("handler bug"));
    assertThat(cancels).hasValue(1);
  }

  @Test
  void publisher_honoursDemand() {
    PushChatStream stream = new PushChatStream();
    stream.emit(new ChatEvent.TextDelta("a"));
    stream.emit(new ChatEvent.TextDelta("b"));
    stream.emit(new ChatEvent.Completed(DONE));
    stream.complete();
    List<Object> seen = new ArrayList<>();
    Flow.Subscription[] sub = new Flow.Subscription[1];
    stream.publisher().subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        sub[0] = s;
      }

      @Override
      public void onNext(ChatEvent item) {
        seen.add(item);
      }

      @Override
      public void onError(Throwable t) {
        seen.add(t);
      }

      @Override
      public void onComplete() {
        seen.add("complete");
      }
    });
    assertThat(seen).isEmpty();
    sub[0].request(1);
    assertThat(seen).containsExactly(new ChatEvent.TextDelta("a"));
    sub[0].request(5);
    assertThat(seen).hasSize(4).last().isEqualTo("complete");
  }

  @Test
  void collect_returnsCompletedResponse_orThrowsWhenClosedEarly() {
    PushChatStream ok = new PushChatStream();
    ok.emit(new ChatEvent.Completed(DONE));
    ok.complete();
    assertThat(ok.collect().text()).isEqualTo("ab");

    PushChatStream truncated = new PushChatStream();
    truncated.emit(new ChatEvent.TextDelta("a"));
    truncated.complete();
    assertThatThrownBy(truncated::collect).isInstanceOf(ChatException.class)
        .hasMessageContaining("closed before it completed");
  }

  @Test
  void accumulator_mergesToolCallDeltasByIndex() {
    ResponseAccumulator acc = new ResponseAccumulator();
    acc.add(new ChatEvent.ToolCallDelta(0, "call_a", "weather", "{\"ci"));
    acc.add(new ChatEvent.ToolCallDelta(1, "call_b", "time", "{}"));
    acc.add(new ChatEvent.ToolCallDelta(0, null, null, "ty\":\"Paris\"}"));
    acc.add(new ChatEvent.TextDelta("checking"));
    assertThat(acc.toolCalls()).extracting(t -> t.id() + " " + t.name() + " " + t.argumentsJson())
        .containsExactly("call_a weather {\"city\":\"Paris\"}", "call_b time {}");
    assertThat(acc.partial("p", "m").text()).isEqualTo("checking");
  }

  @Test
  void abortAfterTheFinalEvent_isRefused_soACompletedCallStaysCompleted() {
    PushChatStream inner = new PushChatStream();
    ForwardingChatStream stream = new ForwardingChatStream(inner);
    inner.emit(new ChatEvent.Completed(DONE));
    inner.complete();
    assertThat(stream.poll()).isInstanceOf(ChatEvent.Completed.class);
    assertThat(stream.abort(new ServerException("late timeout", ErrorDetails.of("p", "m")))).isFalse();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
  }

  @Test
  void abortBeforeTheFinalEventIsTaken_winsAndDropsIt() {
    PushChatStream inner = new PushChatStream();
    ForwardingChatStream stream = new ForwardingChatStream(inner);
    inner.emit(new ChatEvent.TextDelta("a"));
    assertThat(stream.abort(new ServerException("timeout", ErrorDetails.of("p", "m")))).isTrue();
    assertThatThrownBy(stream::poll).hasMessage("timeout");
    assertThat(stream.poll()).isNull();
  }

  @Test
  void publisher_requestOfZero_signalsExactlyOneError() {
    PushChatStream stream = new PushChatStream();
    List<Object> signals = new ArrayList<>();
    Flow.Subscription[] sub = new Flow.Subscription[1];
    stream.publisher().subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        sub[0] = s;
      }

      @Override
      public void onNext(ChatEvent item) {
        signals.add(item);
      }

      @Override
      public void onError(Throwable t) {
        signals.add(t);
      }

      @Override
      public void onComplete() {
        signals.add("complete");
      }
    });
    sub[0].request(1);
    sub[0].request(0);
    assertThat(signals).singleElement().isInstanceOf(IllegalArgumentException.class);
  }
}
