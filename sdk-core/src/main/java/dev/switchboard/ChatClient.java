package dev.switchboard;

import java.util.concurrent.CompletableFuture;

/**
 * Talks to any model by its model string. The one implementation is {@link Switchboard}; depend
 * on this interface to keep code testable. Implementations are thread-safe.
 */
public interface ChatClient {

  /** Sends the request and waits for the whole answer. Throws a {@link ChatException} on failure. */
  ChatResponse chat(ChatRequest request);

  /**
   * Sends the request without blocking a thread while waiting. The future fails with a {@link
   * ChatException}; cancelling it cancels the HTTP exchange.
   */
  CompletableFuture<ChatResponse> chatAsync(ChatRequest request);

  /** Starts a streamed answer. The caller must close the stream. */
  ChatStream stream(ChatRequest request);

  /** One user message to {@code model}; returns the answer's text. */
  default String chat(String model, String userText) {
    return chat(ChatRequest.of(model, userText)).text();
  }
}
