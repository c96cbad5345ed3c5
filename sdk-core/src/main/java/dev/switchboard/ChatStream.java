package dev.switchboard;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A streamed answer. Pull events with a for-each loop (natural back-pressure: nothing more is read
 * from the network than the consumer takes), or push them with {@link #subscribe} or {@link
 * #publisher()}. Always close it, ideally with try-with-resources: {@link #close()} cancels the HTTP
 * exchange, also before the first token.
 *
 * <pre>{@code
 * try (ChatStream stream = client.stream(request)) {
 *   for (ChatEvent event : stream) {
 *     if (event instanceof ChatEvent.TextDelta d) System.out.print(d.text());
 *   }
 * }
 * }</pre>
 *
 * <p>The primitive is the non-blocking pair {@link #poll()} and {@link #onReady(Runnable)};
 * everything else is derived from it once, in core, so wrappers (retries, timeouts, caching tees)
 * compose without holding a thread. A stream is consumed once, by one consumer. {@link #close()}
 * may be called from any thread, any number of times.
 */
public interface ChatStream extends Iterable<ChatEvent>, AutoCloseable {

  /**
   * The next event if one is ready, else {@code null}: either nothing has arrived yet or the
   * stream is finished ({@link #isFinished()}). If the stream failed, throws its {@link
   * ChatException} once, in order after the events that came before the failure. Never blocks.
   */
  ChatEvent poll();

  /** True once the final event or the failure has been taken by {@link #poll()}, or after close. */
  boolean isFinished();

  /**
   * Runs {@code action} once, on some thread, as soon as {@link #poll()} can make progress (an
   * event, the end or a failure is ready); at once on the calling thread if it already can. At
   * most one action is pending: a second registration replaces the first.
   */
  void onReady(Runnable action);

  /**
   * The exchanges with providers this stream has made so far, each recorded when it ended
   * (retries, fallbacks and hedges add more); empty for a stream that made none, such as a replay.
   * Wrappers pass on their delegate's. Safe from any thread.
   */
  List<Attempt> attempts();

  /** Cancels the exchange and frees its resources. Idempotent; safe from any thread. */
  @Override
  void close();

  /** A blocking iterator over the events; its methods throw the stream's {@link ChatException}. */
  @Override
  default Iterator<ChatEvent> iterator() {
    return PullStreams.blockingIterator(this);
  }

  /** Pushes the events to {@code handler} as they arrive; holds no thread while waiting. */
  default void subscribe(ChatStreamHandler handler) {
    PullStreams.subscribe(this, handler);
  }

  /** A single-subscriber {@link Flow.Publisher} honouring the subscriber's demand. */
  default Flow.Publisher<ChatEvent> publisher() {
    return PullStreams.publisher(this);
  }

  /** Consumes the stream and returns the whole answer; blocks. Closes the stream. */
  default ChatResponse collect() {
    return PullStreams.collect(this);
  }
}
