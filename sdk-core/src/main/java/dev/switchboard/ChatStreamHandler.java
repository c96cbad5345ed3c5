package dev.switchboard;

/**
 * Callbacks for {@link ChatStream#subscribe(ChatStreamHandler)}. Called on the transport's thread,
 * one call at a time, in order: {@link #onEvent} for each event (including the final {@link
 * ChatEvent.Completed}), then exactly one of {@link #onComplete} or {@link #onError}. Keep handlers
 * short; a handler that throws closes the stream and receives {@link #onError}.
 */
public interface ChatStreamHandler {
  void onEvent(ChatEvent event);

  default void onComplete(ChatResponse response) {}

  void onError(ChatException error);
}
