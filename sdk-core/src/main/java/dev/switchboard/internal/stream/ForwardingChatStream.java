package dev.switchboard.internal.stream;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;

/**
 * A stream that passes another through, with hooks to transform events and failures as they are
 * pulled. The hooks run on the consumer's thread. Not API.
 */
public class ForwardingChatStream implements ChatStream {
  protected final ChatStream delegate;

  public ForwardingChatStream(ChatStream delegate) {
    this.delegate = delegate;
  }

  /** Called for every event the consumer takes; returns what the consumer sees. */
  protected ChatEvent onEvent(ChatEvent event) {
    return event;
  }

  /** Called once with the delegate's failure; returns what the consumer sees. */
  protected ChatException onFailure(ChatException failure) {
    return failure;
  }

  /** Called once when the delegate finished without failure (after its last event). */
  protected void onFinished() {}

  @Override
  public ChatEvent poll() {
    boolean wasFinished = delegate.isFinished();
    ChatEvent event;
    try {
      event = delegate.poll();
    } catch (ChatException e) {
      throw onFailure(e);
    }
    if (event != null) {
      return onEvent(event);
    }
    if (!wasFinished && delegate.isFinished()) {
      onFinished();
    }
    return null;
  }

  @Override
  public boolean isFinished() {
    return delegate.isFinished();
  }

  @Override
  public void onReady(Runnable action) {
    delegate.onReady(action);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
