package dev.switchboard.providers.selfhosted.internal;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;
import dev.switchboard.stream.ForwardingChatStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A stream from one replica that tells the pool when the call is over: {@code onEnd} runs exactly
 * once, at the {@link ChatEvent.Completed} event, at the failure, at the end, or at {@link #close()},
 * whichever comes first; {@code onFailure} sees the failure first. The hooks run on the consumer's
 * thread (or the closing thread). Thread-safe as {@link ChatStream} requires. Not API.
 */
public final class TrackedStream extends ForwardingChatStream {
  private final Runnable onEnd;
  private final Consumer<ChatException> onFailure;
  private final AtomicBoolean ended = new AtomicBoolean();

  public TrackedStream(ChatStream delegate, Runnable onEnd, Consumer<ChatException> onFailure) {
    super(delegate);
    this.onEnd = onEnd;
    this.onFailure = onFailure;
  }

  @Override
  protected ChatEvent onEvent(ChatEvent event) {
    if (event instanceof ChatEvent.Completed) {
      end();
    }
    return event;
  }

  @Override
  protected ChatException onFailure(ChatException failure) {
    try {
      onFailure.accept(failure);
    } finally {
      end();
    }
    return failure;
  }

  @Override
  protected void onFinished() {
    end();
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      end();
    }
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }
}
