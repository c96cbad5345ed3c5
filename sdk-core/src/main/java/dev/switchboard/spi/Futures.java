package dev.switchboard.spi;

import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small CompletableFuture helpers. */
public final class Futures {
  private Futures() {}

  /** Cancelling {@code derived} cancels {@code source}. Returns {@code derived}. */
  public static <T> CompletableFuture<T> cancelling(CompletableFuture<T> derived, CompletableFuture<?> source) {
    derived.whenComplete((r, e) -> {
      if (derived.isCancelled()) {
        source.cancel(true);
      }
    });
    return derived;
  }

  /** The cause behind CompletableFuture's wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  public static <T> CompletableFuture<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  /** Waits for the future and returns its value, or throws its ChatException (stack of this thread added). */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ChatException("interrupted while waiting for the answer; the call was cancelled",
          ErrorDetails.of("", ""), e);
    } catch (CancellationException e) {
      throw new ChatException("the call was cancelled", ErrorDetails.of("", ""), e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof ChatException ce) {
        // A copy, so that an exception shared by several waiters is never changed.
        ChatException own = ce.withAttempts(ce.attempts());
        own.addSuppressed(new CallerStack());
        throw own;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new ChatException("the call failed: " + cause, ErrorDetails.of("", ""), cause);
    }
  }

  /** Records where a caller waited, since the exception itself was made on another thread. */
  static final class CallerStack extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CallerStack() {
      super("the caller waited here");
    }
  }
}
