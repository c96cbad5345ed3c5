package dev.switchboard;

import java.util.List;
import java.util.Objects;

/**
 * A stream broke after events had reached the caller: the connection dropped, the stream was
 * truncated (no final event), a chunk could not be decoded, the provider sent an error event, or
 * the stream stalled. {@link #partialResponse()} holds what arrived before the break. Retrying is
 * up to the caller, since part of the answer was already consumed.
 */
public class ChatStreamException extends ChatException {
  private static final long serialVersionUID = 1L;

  private final transient ChatResponse partialResponse;

  public ChatStreamException(String message, ErrorDetails details, ChatResponse partialResponse, Throwable cause) {
    super(message, details, cause);
    this.partialResponse = Objects.requireNonNull(partialResponse, "partialResponse");
  }

  /** A copy of {@code original} that lists {@code attempts}; see {@link ChatException#withAttempts}. */
  protected ChatStreamException(ChatStreamException original, List<Attempt> attempts) {
    super(original, attempts);
    this.partialResponse = original.partialResponse;
  }

  @Override
  public ChatStreamException withAttempts(List<Attempt> attempts) {
    return new ChatStreamException(this, attempts);
  }

  /** Everything received before the break; its finish reason is {@link FinishReason#OTHER}. */
  public ChatResponse partialResponse() {
    return partialResponse;
  }
}
