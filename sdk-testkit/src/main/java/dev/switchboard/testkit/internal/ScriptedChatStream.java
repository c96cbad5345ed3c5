package dev.switchboard.testkit.internal;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ChatStream} whose events are all known up front: it is always ready, hands out the
 * events in order, then finishes or throws its failure once. One consumer; {@link #close()} from
 * any thread.
 */
public final class ScriptedChatStream implements ChatStream {
  private final List<ChatEvent> events;
  private final ChatException failure;
  private int next;
  private boolean finished;

  public ScriptedChatStream(List<ChatEvent> events, ChatException failure) {
    this.events = List.copyOf(events);
    this.failure = failure;
  }

  public static ScriptedChatStream failed(ChatException failure) {
    return new ScriptedChatStream(List.of(), Objects.requireNonNull(failure, "failure"));
  }

  @Override
  public synchronized ChatEvent poll() {
    if (finished) {
      return null;
    }
    if (next < events.size()) {
      return events.get(next++);
    }
    finished = true;
    if (failure != null) {
      throw failure;
    }
    return null;
  }

  @Override
  public synchronized boolean isFinished() {
    return finished;
  }

  @Override
  public void onReady(Runnable action) {
    action.run();
  }

  @Override
  public synchronized void close() {
    finished = true;
  }
}
