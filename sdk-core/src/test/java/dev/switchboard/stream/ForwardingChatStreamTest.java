package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ServerException;
import dev.switchboard.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pass-through, the hooks and {@link ForwardingChatStream#abort}, on a stream fed by the test. */
@Timeout(10)
class ForwardingChatStreamTest {
  private static final ChatEvent A = new ChatEvent.TextDelta("a");
  private static final ChatEvent DONE = new ChatEvent.Completed(ChatResponse.builder().text("a").build());

  private final PushChatStream delegate = new PushChatStream();
  private final List<String> hooks = new ArrayList<>();

  /** Records its hooks; upper-cases text and wraps failures so that the hooks' effect shows. */
  private final class Recording extends ForwardingChatStream {
    Recording(ChatStream delegate) {
      super(delegate);
    }

    @Override
    protected ChatEvent onEvent(ChatEvent event) {
      hooks.add("event");
      return event instanceof ChatEvent.TextDelta d ? new ChatEvent.TextDelta(d.text().toUpperCase()) : event;
    }

    @Override
    protected ChatException onFailure(ChatException failure) {
      hooks.add("failure " + failure.getMessage());
      return new ChatException("seen: " + failure.getMessage(), ErrorDetails.of("p", "m"), failure);
    }

    @Override
    protected void onFinished() {
      hooks.add("finished");
    }

    boolean aborted() {
      return isAborted();
    }
  }

  @Test
  void withoutHooks_passesEverythingThrough() {
    ForwardingChatStream plain = new ForwardingChatStream(delegate);
    ChatException boom = serverError("boom");
    delegate.emit(A);
    delegate.fail(boom);
    assertThat(plain.poll()).isSameAs(A);
    assertThatThrownBy(plain::poll).isSameAs(boom);
    assertThat(plain.isFinished()).isTrue();
    assertThat(plain.poll()).isNull();
  }

  @Test
  void events_goThroughOnEvent_andTheEndThroughOnFinished_once() {
    Recording stream = new Recording(delegate);
    delegate.emit(A);
    delegate.emit(DONE);
    delegate.complete();

    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("A"));
    assertThat(stream.poll()).isEqualTo(DONE);
    assertThat(hooks).containsExactly("event", "event");
    assertThat(stream.isFinished()).isFalse();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(hooks).containsExactly("event", "event", "finished");
  }

  @Test
  void nothingReadyYet_isNoEnd() {
    Recording stream = new Recording(delegate);
    assertThat(stream.poll()).isNull();
    assertThat(hooks).isEmpty();
    assertThat(stream.isFinished()).isFalse();
  }

  @Test
  void aFailureOfTheDelegate_goesThroughOnFailure_andIsNoFinish() {
    Recording stream = new Recording(delegate);
    delegate.fail(serverError("boom"));

    assertThatThrownBy(stream::poll).hasMessage("seen: boom");
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(hooks).containsExactly("failure boom");
  }

  @Test
  void abort_closesTheDelegate_andTheConsumerGetsTheFailureNext_once() {
    Recording stream = new Recording(delegate);
    AtomicInteger cancels = new AtomicInteger();
    delegate.onCancel(cancels::incrementAndGet);
    delegate.emit(A);
    assertThat(stream.isAbortable()).isTrue();
    assertThat(stream.aborted()).isFalse();

    assertThat(stream.abort(timeout())).isTrue();

    assertThat(cancels).hasValue(1);
    assertThat(delegate.isClosed()).isTrue();
    assertThat(stream.aborted()).isTrue();
    assertThat(stream.isAbortable()).isFalse();
    assertThat(stream.isFinished()).as("not until the consumer took the failure").isFalse();
    assertThatThrownBy(stream::poll).as("the buffered event is not delivered").hasMessage("seen: call timed out");
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(hooks).containsExactly("failure call timed out");
  }

  @Test
  void onlyTheFirstAbortCounts() {
    Recording stream = new Recording(delegate);
    assertThat(stream.abort(timeout())).isTrue();
    assertThat(stream.abort(serverError("second"))).isFalse();
    assertThatThrownBy(stream::poll).hasMessage("seen: call timed out");
  }

  @Test
  void abort_afterTheDelegateFinished_orTheFinalEvent_isTooLate() {
    Recording stream = new Recording(delegate);
    delegate.emit(DONE);
    delegate.complete();
    assertThat(stream.poll()).isEqualTo(DONE);
    assertThat(stream.isAbortable()).as("the final event was taken").isFalse();
    assertThat(stream.abort(timeout())).isFalse();
    assertThat(stream.poll()).isNull();
    assertThat(stream.isAbortable()).isFalse();
    assertThat(stream.abort(timeout())).isFalse();
    assertThat(hooks).containsExactly("event", "finished");
    assertThat(delegate.isClosed()).isFalse();

    PushChatStream failed = new PushChatStream();
    Recording afterFailure = new Recording(failed);
    failed.fail(serverError("boom"));
    assertThatThrownBy(afterFailure::poll).hasMessage("seen: boom");
    assertThat(afterFailure.isAbortable()).isFalse();
    assertThat(afterFailure.abort(timeout())).isFalse();
  }

  @Test
  void abortWithASupplier_makesTheFailureOnce_afterClosingTheDelegate() {
    Recording stream = new Recording(delegate);
    List<Boolean> closedWhenMade = new ArrayList<>();
    Supplier<ChatException> make = () -> {
      closedWhenMade.add(delegate.isClosed());
      return timeout();
    };

    assertThat(stream.abort(make)).isTrue();
    assertThatThrownBy(stream::poll).hasMessage("seen: call timed out");

    assertThat(closedWhenMade).containsExactly(true);
  }

  @Test
  void abort_needsAFailure() {
    ForwardingChatStream stream = new ForwardingChatStream(delegate);
    assertThatThrownBy(() -> stream.abort((ChatException) null)).isInstanceOf(NullPointerException.class)
        .hasMessage("failure");
    assertThatThrownBy(() -> stream.abort(() -> null)).isInstanceOf(NullPointerException.class)
        .hasMessage("abort failure");
  }

  @Test
  void aFinalEventRacingAnAbort_isDropped_forTheAbortsFailure() {
    // The delegate's poll is where the abort lands: another thread aborted while it was pulling the final event.
    List<ForwardingChatStream> self = new ArrayList<>();
    ChatStream racing = new FakeStream() {
      @Override
      public ChatEvent poll() {
        self.get(0).abort(timeout());
        return DONE;
      }
    };
    Recording stream = new Recording(racing);
    self.add(stream);

    assertThatThrownBy(stream::poll).hasMessage("seen: call timed out");
    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(hooks).containsExactly("failure call timed out");
  }

  @Test
  void onReady_passesThrough_untilAborted_thenRunsAtOnce() {
    Recording stream = new Recording(delegate);
    List<String> ready = new ArrayList<>();
    stream.onReady(() -> ready.add("delegate"));
    assertThat(ready).isEmpty();
    delegate.emit(A);
    assertThat(ready).containsExactly("delegate");
    stream.poll();

    ready.clear();
    Recording neverReady = new Recording(new FakeStream());
    neverReady.onReady(() -> ready.add("delegate"));
    assertThat(ready).isEmpty();
    neverReady.abort(timeout());
    neverReady.onReady(() -> ready.add("aborted"));
    assertThat(ready).as("the failure is ready, whatever the delegate does").containsExactly("aborted");
  }

  @Test
  void attemptsAndClose_passThrough() {
    Attempt attempt = new Attempt("p", "m", 200, Duration.ofMillis(5), Usage.ZERO, Optional.empty());
    AtomicInteger closes = new AtomicInteger();
    ChatStream withAttempts = new FakeStream() {
      @Override
      public List<Attempt> attempts() {
        return List.of(attempt);
      }

      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
    ForwardingChatStream stream = new ForwardingChatStream(withAttempts);
    assertThat(stream.attempts()).containsExactly(attempt);
    stream.close();
    assertThat(closes).hasValue(1);
  }

  /** A delegate that is never ready and never finishes; tests override what they need. */
  private static class FakeStream implements ChatStream {
    @Override
    public ChatEvent poll() {
      return null;
    }

    @Override
    public boolean isFinished() {
      return false;
    }

    @Override
    public void onReady(Runnable action) {}

    @Override
    public List<Attempt> attempts() {
      return List.of();
    }

    @Override
    public void close() {}
  }

  private static ChatException timeout() {
    return new ChatTimeoutException("call timed out", ErrorDetails.of("p", "m"));
  }

  private static ChatException serverError(String message) {
    return new ServerException(message, ErrorDetails.builder().provider("p").model("m").statusCode(500)
        .retryable(true).build());
  }
}
