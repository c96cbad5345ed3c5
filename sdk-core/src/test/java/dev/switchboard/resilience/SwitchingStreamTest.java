package dev.switchboard.resilience;

import static dev.switchboard.resilience.LateTimers.assertNoTimerPending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Usage;
import dev.switchboard.stream.ChatStreams;
import dev.switchboard.stream.PushChatStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream of attempts under retries and fallbacks: when it replaces an attempt, and when it must not. */
@Timeout(10)
class SwitchingStreamTest {
  private final ManualTime time = new ManualTime();

  /** A strategy that answers from a script and records what it was asked. */
  private static final class Plan implements SwitchingStream.Strategy {
    final Deque<Duration> delays = new ArrayDeque<>(); // empty: give up
    final Deque<Supplier<ChatStream>> nexts = new ArrayDeque<>();
    final List<ChatException> failures = new ArrayList<>();
    final List<List<Attempt>> recorded = new ArrayList<>();
    Runnable whileDeciding;
    Function<ChatException, ChatException> giveUp;
    Function<ChatEvent.Completed, ChatEvent> completed;
    int started;

    Plan then(Duration delay, Supplier<ChatStream> next) {
      delays.add(delay);
      nexts.add(next);
      return this;
    }

    @Override
    public Duration onFailure(ChatException failure, List<Attempt> attempts) {
      failures.add(failure);
      recorded.add(attempts);
      if (whileDeciding != null) {
        whileDeciding.run();
      }
      return delays.poll();
    }

    @Override
    public ChatStream next() {
      started++;
      return nexts.remove().get();
    }

    @Override
    public ChatException giveUp(ChatException last) {
      return giveUp != null ? giveUp.apply(last) : SwitchingStream.Strategy.super.giveUp(last);
    }

    @Override
    public ChatEvent completed(ChatEvent.Completed done) {
      return completed != null ? completed.apply(done) : SwitchingStream.Strategy.super.completed(done);
    }
  }

  private static ServerException overloaded(String message) {
    return new ServerException(message, ErrorDetails.builder().provider("openai").model("m").statusCode(529)
        .retryable(true).build());
  }

  private static Attempt attempt(String provider) {
    return new Attempt(provider, "m", 529, Duration.ofMillis(5), Usage.ZERO, Optional.of("ServerException"));
  }

  private static ChatEvent delta(String text) {
    return new ChatEvent.TextDelta(text);
  }

  private static ChatEvent.Completed done(String text) {
    return new ChatEvent.Completed(FakeAdapter.answer(text));
  }

  @Test
  void aFailureBeforeTheFirstEvent_isReplacedAtOnce_andTheNewAttemptAnswersInTheSamePoll() {
    ServerException first = overloaded("first");
    Plan plan = new Plan().then(Duration.ZERO, () -> ChatStreams.of(List.of(delta("b"), done("b")), null));
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(first), Duration.ZERO, plan, time);

    assertThat(s.hasDelivered()).isFalse();
    assertThat(s.poll()).isEqualTo(delta("b"));
    assertThat(plan.failures).containsExactly(first);
    assertThat(plan.started).isEqualTo(1);
    assertThat(s.hasDelivered()).isTrue();
    assertThat(s.poll()).isEqualTo(done("b"));
    assertThat(s.isFinished()).isFalse();
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
    assertThat(s.poll()).isNull();
  }

  @Test
  void aNegativeDelay_countsAsNow() {
    Plan plan = new Plan().then(Duration.ofMillis(-5), () -> ChatStreams.of(List.of(delta("now")), null));
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThat(s.poll()).isEqualTo(delta("now"));
  }

  @Test
  void aPositiveDelay_waitsOnTheScheduler_andStartsNothingEarly() {
    PushChatStream next = new PushChatStream();
    Plan plan = new Plan().then(Duration.ofMillis(100), () -> next);
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);

    assertThat(s.poll()).isNull();
    assertThat(s.poll()).as("nothing to poll while waiting").isNull();
    assertThat(s.isFinished()).isFalse();
    assertThat(s.attempts()).isEmpty();
    time.advance(Duration.ofMillis(99));
    assertThat(plan.started).isZero();
    time.advance(Duration.ofMillis(1));
    assertThat(plan.started).isEqualTo(1);
    next.emit(delta("late"));
    assertThat(s.poll()).isEqualTo(delta("late"));
  }

  @Test
  void withoutAFirstStream_theFirstAttemptStartsAfterTheInitialDelay() {
    PushChatStream later = new PushChatStream();
    Plan plan = new Plan().then(Duration.ZERO, () -> later);
    SwitchingStream s = new SwitchingStream(null, Duration.ofSeconds(2), plan, time);
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isFalse();
    time.advance(Duration.ofMillis(1_999));
    assertThat(plan.started).isZero();
    time.advance(Duration.ofMillis(1));
    assertThat(plan.started).isEqualTo(1);
    later.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(plan.failures).isEmpty();
  }

  @Test
  void theStrategyGetsTheAttemptsOfTheFailedStream_whenItsErrorListsNone_elseTheErrorsOwn() {
    Attempt fromStream = attempt("stream");
    Attempt fromError = attempt("error");
    ServerException bare = overloaded("bare");
    Plan plan = new Plan();
    SwitchingStream s = new SwitchingStream(ScriptedStream.of(bare).recorded(fromStream), Duration.ZERO, plan, time);
    assertThatThrownBy(s::poll).isSameAs(bare);
    assertThat(plan.recorded).containsExactly(List.of(fromStream));

    ChatException listed = overloaded("listed").withAttempts(List.of(fromError));
    Plan other = new Plan();
    SwitchingStream t = new SwitchingStream(ScriptedStream.of(listed).recorded(fromStream), Duration.ZERO, other, time);
    assertThatThrownBy(t::poll).isSameAs(listed);
    assertThat(other.recorded).containsExactly(List.of(fromError));
  }

  @Test
  void givingUp_throwsTheStrategysError_once_andFinishes() {
    ServerException last = overloaded("last");
    ChatException shown = new ChatException("gave up", ErrorDetails.of("openai", "m"));
    Plan plan = new Plan();
    plan.giveUp = e -> shown;
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(last), Duration.ZERO, plan, time);
    assertThatThrownBy(s::poll).isSameAs(shown);
    assertThat(plan.failures).containsExactly(last);
    assertThat(s.isFinished()).isTrue();
    assertThat(s.poll()).isNull();
  }

  @Test
  void afterAnEventReachedTheConsumer_aFailurePassesThroughUnchanged_withoutAskingTheStrategy() {
    PushChatStream first = new PushChatStream();
    Plan plan = new Plan().then(Duration.ZERO, PushChatStream::new);
    SwitchingStream s = new SwitchingStream(first, Duration.ZERO, plan, time);
    first.emit(delta("a"));
    assertThat(s.poll()).isEqualTo(delta("a"));
    ServerException broke = overloaded("broke");
    first.fail(broke);
    assertThatThrownBy(s::poll).isSameAs(broke);
    assertThat(plan.failures).isEmpty();
    assertThat(plan.started).isZero();
    assertThat(s.isFinished()).isTrue();
    assertThat(s.poll()).isNull();
  }

  @Test
  void theFinalEvent_isShownAsTheStrategyMakesIt_otherEventsUnchanged() {
    ChatEvent.Completed shown = done("with earlier attempts");
    Plan plan = new Plan();
    plan.completed = c -> shown;
    SwitchingStream s = new SwitchingStream(ChatStreams.of(List.of(delta("x"), done("raw")), null), Duration.ZERO,
        plan, time);
    assertThat(s.poll()).isEqualTo(delta("x"));
    assertThat(s.poll()).isSameAs(shown);
  }

  @Test
  void attempts_areTheCurrentAttempts() {
    Attempt a = attempt("openai");
    SwitchingStream s = new SwitchingStream(ScriptedStream.of(delta("x")).recorded(a), Duration.ZERO, new Plan(), time);
    assertThat(s.attempts()).containsExactly(a);
  }

  @Test
  void close_whileTheNextAttemptWaits_cancelsItsTimer_wakesTheConsumer_andStartsNothing() {
    Plan plan = new Plan().then(Duration.ofSeconds(1), PushChatStream::new);
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThat(s.poll()).isNull();
    time.awaitTaskDue(Duration.ofSeconds(1));
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).hasValue(0);

    s.close();
    assertThat(woke).hasValue(1);
    assertThat(s.isFinished()).isTrue();
    assertThat(s.poll()).isNull();
    assertNoTimerPending(time);
    time.advance(Duration.ofMinutes(1));
    assertThat(plan.started).isZero();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).as("a closed stream is ready at once").hasValue(2);
  }

  @Test
  void aReadyActionRegisteredWhileWaiting_isHandedToTheNextAttempt() {
    PushChatStream next = new PushChatStream();
    Plan plan = new Plan().then(Duration.ofSeconds(1), () -> next);
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThat(s.poll()).isNull();
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    time.advance(Duration.ofSeconds(1));
    assertThat(woke).hasValue(0);
    next.emit(delta("a"));
    assertThat(woke).hasValue(1);
    assertThat(s.poll()).isEqualTo(delta("a"));
  }

  @Test
  void aReadyActionOnARunningAttempt_goesToIt() {
    PushChatStream first = new PushChatStream();
    SwitchingStream s = new SwitchingStream(first, Duration.ZERO, new Plan(), time);
    AtomicInteger woke = new AtomicInteger();
    s.onReady(woke::incrementAndGet);
    assertThat(woke).hasValue(0);
    first.emit(delta("a"));
    assertThat(woke).hasValue(1);
  }

  @Test
  void closedWhileItsAttemptFailed_endsQuietly_withoutAnotherAttempt() {
    SwitchingStream[] self = new SwitchingStream[1];
    ScriptedStream first = ScriptedStream.of((Runnable) () -> self[0].close(), overloaded("x")).ignoresClose();
    Plan plan = new Plan().then(Duration.ZERO, PushChatStream::new);
    self[0] = new SwitchingStream(first, Duration.ZERO, plan, time);
    assertThat(self[0].poll()).isNull();
    assertThat(plan.failures).isEmpty();
    assertThat(plan.started).isZero();
    assertThat(self[0].isFinished()).isTrue();
  }

  @Test
  void closedWhileTheStrategyDecided_startsNoNextAttempt() {
    SwitchingStream[] self = new SwitchingStream[1];
    Plan plan = new Plan().then(Duration.ZERO, PushChatStream::new);
    plan.whileDeciding = () -> self[0].close();
    self[0] = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThat(self[0].poll()).isNull();
    assertThat(plan.failures).hasSize(1);
    assertThat(plan.started).isZero();
    assertThat(self[0].isFinished()).isTrue();
  }

  @Test
  void closedWhileTheNextAttemptStarted_closesThatAttempt() {
    SwitchingStream[] self = new SwitchingStream[1];
    PushChatStream next = new PushChatStream();
    Plan plan = new Plan().then(Duration.ZERO, () -> {
      self[0].close();
      return next;
    });
    self[0] = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThat(self[0].poll()).isNull();
    assertThat(plan.started).isEqualTo(1);
    assertThat(next.isClosed()).isTrue();
  }

  @Test
  void closed_endsTheStream_evenIfTheAttemptStillHasEvents_andClosesItOnce() {
    ScriptedStream first = ScriptedStream.of(delta("a"), delta("b"), delta("c")).ignoresClose();
    SwitchingStream s = new SwitchingStream(first, Duration.ZERO, new Plan(), time);
    assertThat(s.poll()).isEqualTo(delta("a"));
    assertThat(s.isFinished()).isFalse();
    s.close();
    s.close();
    assertThat(first.closes).isEqualTo(1);
    assertThat(s.poll()).isNull();
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void aNextAttemptThatCannotStart_failsLikeAnAttempt_andTheStrategyDecidesAgain() {
    ChatException noRoute = new ChatException("no route", ErrorDetails.of("openai", "m"));
    Plan plan = new Plan().then(Duration.ZERO, () -> {
      throw noRoute;
    });
    SwitchingStream s = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, plan, time);
    assertThatThrownBy(s::poll).isSameAs(noRoute);
    assertThat(plan.failures).hasSize(2).last().isSameAs(noRoute);

    IllegalStateException bug = new IllegalStateException("boom");
    Plan buggy = new Plan().then(Duration.ZERO, () -> {
      throw bug;
    });
    SwitchingStream t = new SwitchingStream(ChatStreams.failed(overloaded("x")), Duration.ZERO, buggy, time);
    assertThatThrownBy(t::poll).isExactlyInstanceOf(ChatException.class)
        .hasMessage("starting the next attempt failed: java.lang.IllegalStateException: boom")
        .hasCause(bug);
  }
}
