package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.observe.TimeoutKind;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ResilienceTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter openai = new FakeAdapter("openai");
  private final List<String> events = new CopyOnWriteArrayList<>();

  private Switchboard switchboard(Resilience resilience) {
    return Switchboard.builder().provider(openai).ticker(time).scheduler(time).interceptor(resilience)
        .listener(new ChatListener() {
          @Override
          public void retryScheduled(CallInfo call, ChatException failure, int next, Duration delay) {
            events.add("retry #" + next + " in " + delay.toMillis() + "ms after " + failure.getClass().getSimpleName());
          }

          @Override
          public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
            events.add("timeout " + kind);
          }
        }).build();
  }

  private static Resilience.Builder retries() {
    return Resilience.builder().maxAttempts(3).backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).jitter(0);
  }

  private static ErrorDetails.Builder details(int status) {
    return ErrorDetails.builder().provider("openai").model("m").statusCode(status);
  }

  static RateLimitException rateLimited(Duration retryAfter) {
    return new RateLimitException("429", details(429).retryable(true).retryAfter(retryAfter).build());
  }

  @Test
  void retries_afterRetryAfter_whenTheClockAdvances() {
    Switchboard sb = switchboard(retries().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(1)));
    time.advance(Duration.ofMillis(999));
    assertThat(openai.calls).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(openai.calls).hasSize(2);
    openai.calls.get(1).complete(FakeAdapter.answer("ok"));
    ChatResponse r = f.join();
    assertThat(r.text()).isEqualTo("ok");
    assertThat(r.attempts()).hasSize(2);
    assertThat(r.attempts().get(0).failure()).contains("RateLimitException");
    assertThat(events).containsExactly("retry #2 in 1000ms after RateLimitException");
  }

  @Test
  void retryAfterLongerThanTheCap_failsAtOnce() {
    Switchboard sb = switchboard(retries().maxRetryAfter(Duration.ofSeconds(30)).build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(rateLimited(Duration.ofDays(1)));
    assertThatThrownBy(f::join).hasCauseInstanceOf(RateLimitException.class);
    assertThat(openai.calls).hasSize(1);
  }

  @Test
  void retryAfterBeyondTheDeadline_failsAtOnce() {
    Switchboard sb = Switchboard.builder().provider(openai).ticker(time).scheduler(time)
        .interceptor(retries().build()).callTimeout(Duration.ofSeconds(2)).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(5)));
    assertThatThrownBy(f::join).hasCauseInstanceOf(RateLimitException.class);
  }

  @Test
  void notRetryable_401_isNotRetried() {
    Switchboard sb = switchboard(retries().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(new AuthenticationException("bad key", details(401).build()));
    time.advance(Duration.ofMinutes(1));
    assertThatThrownBy(f::join).hasCauseInstanceOf(AuthenticationException.class);
    assertThat(openai.calls).hasSize(1);
  }

  @Test
  void exhaustedRetries_throwLastError_withEveryAttemptListed() {
    Switchboard sb = switchboard(retries().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    for (int i = 0; i < 3; i++) {
      openai.calls.get(i).completeExceptionally(new ServerException("529 #" + i, details(529).retryable(true).build()));
      time.advance(Duration.ofSeconds(1));
    }
    assertThat(openai.calls).hasSize(3);
    assertThatThrownBy(f::join).cause().isInstanceOfSatisfying(ServerException.class, e -> {
      assertThat(e).hasMessage("529 #2");
      assertThat(e.attempts()).hasSize(3).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(529));
    });
    assertThat(events).containsExactly("retry #2 in 100ms after ServerException", "retry #3 in 200ms after ServerException");
  }

  @Test
  void cancellingTheCall_cancelsAPendingRetry() {
    Switchboard sb = switchboard(retries().build());
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("openai/m", "hi"));
    openai.calls.get(0).completeExceptionally(rateLimited(Duration.ofSeconds(1)));
    f.cancel(true);
    time.advance(Duration.ofSeconds(5));
    assertThat(openai.calls).hasSize(1);
  }

  @Test
  void stream_isRetriedBeforeItsFirstEvent() {
    Switchboard sb = switchboard(retries().build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    openai.streams.get(0).fail(new ServerException("overloaded", details(529).retryable(true).build()));
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofMillis(100));
    assertThat(openai.streams).hasSize(2);
    var second = openai.streams.get(1);
    second.emit(new ChatEvent.TextDelta("ok"));
    second.emit(new ChatEvent.Completed(FakeAdapter.answer("ok")));
    second.complete();
    assertThat(stream.collect().text()).isEqualTo("ok");
  }

  @Test
  void stream_isNotRetriedAfterItsFirstEvent() {
    Switchboard sb = switchboard(retries().build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    var first = openai.streams.get(0);
    first.emit(new ChatEvent.TextDelta("par"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("par"));
    first.fail(new ChatStreamException("broke", details(200).build(), FakeAdapter.answer("par"), null));
    assertThatThrownBy(stream::poll).isInstanceOf(ChatStreamException.class);
    time.advance(Duration.ofSeconds(5));
    assertThat(openai.streams).hasSize(1);
  }

  @Test
  void stalledBeforeFirstEvent_isCancelledAndRetried() {
    Switchboard sb = switchboard(retries().firstEventTimeout(Duration.ofSeconds(5)).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    var first = openai.streams.get(0);
    java.util.concurrent.atomic.AtomicInteger cancels = new java.util.concurrent.atomic.AtomicInteger();
    first.onCancel(cancels::incrementAndGet);
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofSeconds(5));
    assertThat(cancels).hasValue(1);
    assertThat(stream.poll()).isNull(); // the timeout is handled: a retry is scheduled
    time.advance(Duration.ofMillis(100));
    assertThat(openai.streams).hasSize(2);
    openai.streams.get(1).emit(new ChatEvent.Completed(FakeAdapter.answer("second")));
    openai.streams.get(1).complete();
    assertThat(stream.collect().text()).isEqualTo("second");
    assertThat(events).contains("timeout FIRST_EVENT");
  }

  @Test
  void stalledAfterFirstEvent_endsWithPartialText() {
    Switchboard sb = switchboard(retries().idleTimeout(Duration.ofSeconds(10)).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    var first = openai.streams.get(0);
    first.emit(new ChatEvent.TextDelta("Once upon"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("Once upon"));
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofSeconds(10));
    assertThatThrownBy(stream::poll).isInstanceOfSatisfying(ChatStreamException.class, e -> {
      assertThat(e.partialResponse().text()).isEqualTo("Once upon");
      assertThat(e.getCause()).isInstanceOf(ChatTimeoutException.class);
    });
    assertThat(openai.streams).hasSize(1);
    assertThat(events).containsExactly("timeout IDLE");
  }

  @Test
  void concurrencyLimit_queuesCallsWithoutAThread() {
    Switchboard sb = switchboard(retries().maxConcurrency("openai", 1).build());
    CompletableFuture<ChatResponse> a = sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> b = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    assertThat(openai.calls).hasSize(1);
    openai.calls.get(0).complete(FakeAdapter.answer("a"));
    assertThat(openai.calls).hasSize(2);
    openai.calls.get(1).complete(FakeAdapter.answer("b"));
    assertThat(a.join().text()).isEqualTo("a");
    assertThat(b.join().text()).isEqualTo("b");
  }

  @Test
  void slowStream_isAbandonedBeforeTheCallerSeesIt_andRetried() {
    Switchboard sb = switchboard(retries().minStreamSpeed(20, Duration.ofSeconds(2)).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    var slow = openai.streams.get(0);
    slow.emit(new ChatEvent.TextDelta("abcd")); // one token, then nothing for two seconds
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofSeconds(2));
    assertThat(stream.poll()).isNull(); // abandoned: a retry is scheduled, nothing was shown
    assertThat(events).contains("timeout SLOW_STREAM");
    time.advance(Duration.ofMillis(100));
    var fast = openai.streams.get(1);
    fast.emit(new ChatEvent.TextDelta("x".repeat(400)));
    fast.emit(new ChatEvent.Completed(FakeAdapter.answer("x".repeat(400))));
    fast.complete();
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("x".repeat(400)));
    assertThat(stream.collect().text()).hasSize(400);
  }

  @Test
  void fastStream_isReleasedAfterTheProbeWindow() {
    Switchboard sb = switchboard(retries().minStreamSpeed(20, Duration.ofSeconds(1)).build());
    ChatStream stream = sb.stream(ChatRequest.of("openai/m", "hi"));
    var s = openai.streams.get(0);
    s.emit(new ChatEvent.TextDelta("y".repeat(200)));
    assertThat(stream.poll()).isNull();
    time.advance(Duration.ofSeconds(1));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("y".repeat(200)));
    s.emit(new ChatEvent.Completed(FakeAdapter.answer("y".repeat(200))));
    s.complete();
    assertThat(stream.collect().text()).hasSize(200);
    assertThat(openai.streams).hasSize(1);
  }

  @Test
  void rateLimit_spacesCallsOnTheScheduler_andRefusesWaitsOverAMinute() {
    Switchboard sb = switchboard(retries().rateLimit("openai", 60, 0).build());
    CompletableFuture<ChatResponse> first = sb.chatAsync(ChatRequest.of("openai/m", "a"));
    CompletableFuture<ChatResponse> second = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    assertThat(openai.calls).hasSize(1); // 60 a minute: the second waits about a second
    time.awaitTaskDue(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(1));
    assertThat(openai.calls).hasSize(2);
    openai.calls.get(0).complete(FakeAdapter.answer("a"));
    openai.calls.get(1).complete(FakeAdapter.answer("b"));
    assertThat(first.join().text()).isEqualTo("a");
    assertThat(second.join().text()).isEqualTo("b");

    Switchboard tight = switchboard(Resilience.builder().maxAttempts(1).rateLimit("openai", 1, 0).build());
    tight.chatAsync(ChatRequest.of("openai/m", "c"));
    CompletableFuture<ChatResponse> refused = tight.chatAsync(ChatRequest.of("openai/m", "d"));
    CompletableFuture<ChatResponse> refusedToo = tight.chatAsync(ChatRequest.of("openai/m", "e"));
    assertThat(refused.isDone() || refusedToo.isDone()).as("a wait over a minute is refused at once").isTrue();
    assertThatThrownBy((refusedToo.isDone() ? refusedToo : refused)::join)
        .hasCauseInstanceOf(RateLimitException.class).hasMessageContaining("client-side rate limit");
  }

  @Test
  void callCancelledWhileWaitingForItsRateLimitSlot_neverStarts() {
    Switchboard sb = switchboard(retries().rateLimit("openai", 60, 0).maxConcurrency("openai", 1).build());
    CompletableFuture<ChatResponse> first = sb.chatAsync(ChatRequest.of("openai/m", "a"));
    openai.calls.get(0).complete(FakeAdapter.answer("a"));
    first.join();
    CompletableFuture<ChatResponse> waiting = sb.chatAsync(ChatRequest.of("openai/m", "b"));
    time.awaitTaskDue(Duration.ofSeconds(1));
    waiting.cancel(true);
    time.advance(Duration.ofSeconds(2));
    assertThat(openai.calls).hasSize(1);
    // the concurrency permit came back: the next call goes through once its rate-limit slot comes
    CompletableFuture<ChatResponse> next = sb.chatAsync(ChatRequest.of("openai/m", "c"));
    time.advance(Duration.ofSeconds(3));
    assertThat(openai.calls).hasSize(2);
    openai.calls.get(1).complete(FakeAdapter.answer("c"));
    assertThat(next.join().text()).isEqualTo("c");
  }
}
