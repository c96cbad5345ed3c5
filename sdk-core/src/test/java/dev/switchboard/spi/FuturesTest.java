package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.RateLimitException;
import dev.switchboard.Usage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FuturesTest {

  @Test
  void cancelling_theDerivedFuture_cancelsTheSource() {
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> derived = new CompletableFuture<>();
    assertThat(Futures.cancelling(derived, source)).isSameAs(derived);
    derived.cancel(true);
    assertThat(source).isCancelled();
  }

  @Test
  void cancelling_leavesTheSourceAlone_whenTheDerivedFutureCompletesOtherwise() {
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> derived = Futures.cancelling(new CompletableFuture<>(), source);
    derived.complete("done");
    CompletableFuture<String> failedSource = new CompletableFuture<>();
    Futures.cancelling(new CompletableFuture<String>(), failedSource).completeExceptionally(new IOException("x"));
    assertThat(source).isNotDone();
    assertThat(failedSource).isNotDone();
  }

  @Test
  void unwrap_peelsCompletionAndExecutionExceptions() {
    IOException root = new IOException("root");
    assertThat(Futures.unwrap(new CompletionException(new ExecutionException(root)))).isSameAs(root);
    assertThat(Futures.unwrap(new ExecutionException(new CompletionException(root)))).isSameAs(root);
    assertThat(Futures.unwrap(root)).isSameAs(root);
    CompletionException bare = new CompletionException("no cause", null);
    assertThat(Futures.unwrap(bare)).isSameAs(bare);
    ExecutionException bareExecution = new ExecutionException("no cause", null);
    assertThat(Futures.unwrap(bareExecution)).isSameAs(bareExecution);
    RuntimeException other = new RuntimeException(root);
    assertThat(Futures.unwrap(other)).isSameAs(other);
  }

  @Test
  void failed_isAFailedFuture() {
    IOException e = new IOException("x");
    CompletableFuture<String> f = Futures.failed(e);
    assertThat(f).isCompletedExceptionally();
    assertThat(f.handle((r, t) -> t).join()).isSameAs(e);
  }

  @Test
  void await_returnsTheValue() {
    assertThat(Futures.await(CompletableFuture.completedFuture("v"))).isEqualTo("v");
  }

  @Test
  void await_throwsACopyOfTheChatException_withTheCallersStack_leavingTheSharedOneAlone() {
    Attempt attempt = new Attempt("openai", "m", 429, Duration.ofMillis(5), Usage.ZERO, Optional.of("RateLimitException"));
    RateLimitException shared = new RateLimitException("slow down",
        ErrorDetails.builder().provider("openai").model("m").statusCode(429).build()).withAttempts(List.of(attempt));
    CompletableFuture<String> f = CompletableFuture.failedFuture(shared);

    RateLimitException first = catchThrowableOfType(RateLimitException.class, () -> Futures.await(f));
    RateLimitException second = catchThrowableOfType(RateLimitException.class, () -> Futures.await(f));
    assertThat(first).isNotSameAs(shared).isNotSameAs(second).hasMessage("slow down");
    assertThat(first.attempts()).containsExactly(attempt);
    assertThat(first.statusCode()).hasValue(429);
    assertThat(first.getSuppressed()).singleElement()
        .satisfies(s -> assertThat(s).hasMessage("the caller waited here"));
    assertThat(second.getSuppressed()).hasSize(1);
    assertThat(shared.getSuppressed()).isEmpty();
  }

  @Test
  void await_rethrowsOtherUncheckedFailuresAsTheyAre() {
    IllegalStateException bug = new IllegalStateException("bug");
    assertThat(catchThrowable(() -> Futures.await(CompletableFuture.failedFuture(bug)))).isSameAs(bug);
    AssertionError error = new AssertionError("error");
    assertThat(catchThrowable(() -> Futures.await(CompletableFuture.failedFuture(error)))).isSameAs(error);
  }

  @Test
  void await_wrapsACheckedFailure() {
    IOException io = new IOException("disk");
    ChatException e = catchThrowableOfType(ChatException.class,
        () -> Futures.await(CompletableFuture.failedFuture(io)));
    assertThat(e).isExactlyInstanceOf(ChatException.class)
        .hasMessage("the call failed: java.io.IOException: disk").hasCause(io);
  }

  @Test
  void await_ofACancelledFuture_throwsChatException() {
    CompletableFuture<String> f = new CompletableFuture<>();
    f.cancel(true);
    ChatException e = catchThrowableOfType(ChatException.class, () -> Futures.await(f));
    assertThat(e).hasMessage("the call was cancelled").hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  void await_interrupted_cancelsTheFuture_andKeepsTheInterrupt() {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    ChatException e;
    try {
      e = catchThrowableOfType(ChatException.class, () -> Futures.await(f));
    } finally {
      assertThat(Thread.interrupted()).isTrue(); // also clears it for the next test
    }
    assertThat(e).hasMessage("interrupted while waiting for the answer; the call was cancelled")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(f).isCancelled();
  }
}
