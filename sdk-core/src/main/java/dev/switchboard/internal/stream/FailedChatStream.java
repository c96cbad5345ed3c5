package dev.switchboard.internal.stream;

import dev.switchboard.ChatException;
import dev.switchboard.ChatStream;

/** A stream that fails at once with the given exception. Not API. */
public final class FailedChatStream {
  private FailedChatStream() {}

  public static ChatStream of(ChatException error) {
    PushChatStream stream = new PushChatStream();
    stream.fail(error);
    return stream;
  }
}
