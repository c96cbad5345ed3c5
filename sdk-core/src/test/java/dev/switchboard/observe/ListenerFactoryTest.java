package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Switchboard;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.route.ModelRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ListenerFactoryTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");

  /** Records one call's events as text, and checks that each event belongs to that call. */
  static final class CallRecorder implements ChatListener {
    final CallInfo owner;
    final List<String> events = new CopyOnWriteArrayList<>();

    CallRecorder(CallInfo owner) {
      this.owner = owner;
    }

    private void add(CallInfo call, String event) {
      events.add(call == owner ? event : "FOREIGN " + event);
    }

    @Override
    public void callStart(CallInfo call) {
      add(call, "start " + call.model());
    }

    @Override
    public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
      add(call, "attemptStart " + attemptId + " " + target);
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      add(call, "attemptEnd " + attemptId + " " + attempt.provider() + " " + attempt.failure().orElse("ok"));
    }

    @Override
    public void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {
      add(call, "retry " + nextAttempt);
    }

    @Override
    public void hedgeStarted(CallInfo call, String model, Duration after) {
      add(call, "hedge " + model);
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      add(call, "end " + response.text());
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      add(call, "failed " + error.getClass().getSimpleName());
    }
  }

  @Test
  void eachCallGetsItsOwnListener_thatSeesItsEventsAndNoOthers() {
    Map<Long, CallRecorder> perCall = new ConcurrentHashMap<>();
    List<String> global = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(cheap).ticker(time).scheduler(time)
        .listener(new ChatListener() {
          @Override
          public void callStart(CallInfo call) {
            global.add("start " + call.id());
          }
        })
        .listenerFactory(call -> {
          CallRecorder recorder = new CallRecorder(call);
          assertThat(perCall.put(call.id(), recorder)).isNull();
          return recorder;
        })
        .build();

    CompletableFuture<ChatResponse> first = sb.chatAsync(ChatRequest.of("cheap/a", "one"));
    CompletableFuture<ChatResponse> second = sb.chatAsync(ChatRequest.of("cheap/b", "two"));
    cheap.calls.get(1).complete(FakeAdapter.answer("second"));
    cheap.calls.get(0).completeExceptionally(new ServerException("boom", ErrorDetails.of("cheap", "a")));
    second.join();
    assertThat(first).isCompletedExceptionally();

    assertThat(perCall).hasSize(2);
    List<CallRecorder> recorders = perCall.values().stream()
        .sorted((x, y) -> Long.compare(x.owner.id(), y.owner.id())).toList();
    assertThat(recorders.get(0).events).containsExactly(
        "start cheap/a", "attemptStart 1 cheap/a", "attemptEnd 1 cheap ServerException", "failed ServerException");
    assertThat(recorders.get(1).events).containsExactly(
        "start cheap/b", "attemptStart 1 cheap/b", "attemptEnd 1 cheap ok", "end second");
    assertThat(global).hasSize(2);
  }

  @Test
  void hedgedAttempts_pairEachStartWithItsEndById() {
    List<CallRecorder> recorders = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
            .hedgeAfter(Duration.ofMillis(800)).build())
        .listenerFactory(call -> {
          CallRecorder r = new CallRecorder(call);
          recorders.add(r);
          return r;
        })
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hello"));
    time.advance(Duration.ofMillis(800));
    premium.calls.get(0).complete(FakeAdapter.answer("fast"));
    ChatResponse response = f.join();
    assertThat(response.text()).isEqualTo("fast");
    assertThat(response.attempts()).extracting(a -> a.provider() + " " + a.failure().orElse("ok"))
        .containsExactly("premium ok", "cheap Cancelled");

    assertThat(recorders).singleElement().satisfies(r -> assertThat(r.events).containsExactly(
        "start ranker",
        "attemptStart 1 cheap/m",
        "hedge premium/m",
        "attemptStart 2 premium/m",
        "attemptEnd 2 premium ok",
        "attemptEnd 1 cheap Cancelled",
        "end fast"));
  }

  @Test
  void withoutFactories_attemptIdsStillCountFromOnePerCall() {
    List<String> ids = new CopyOnWriteArrayList<>();
    Switchboard sb = Switchboard.builder().provider(cheap).ticker(time).scheduler(time)
        .listener(new ChatListener() {
          @Override
          public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
            ids.add(call.id() + ":" + attemptId);
          }
        })
        .build();
    sb.chatAsync(ChatRequest.of("cheap/m", "x"));
    sb.chatAsync(ChatRequest.of("cheap/m", "y"));
    assertThat(ids).hasSize(2).allSatisfy(id -> assertThat(id).endsWith(":1"));
  }
}
