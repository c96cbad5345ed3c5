package dev.switchboard.stream;

import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ready-made streams: one that fails at once, one whose events are known up front, and the replay
 * of a whole answer as the events a streamed answer would have produced (cache hits, servers that
 * answer a stream request with one JSON body). Stateless and thread-safe.
 */
public final class ChatStreams {
  private ChatStreams() {}

  /** A stream that fails with {@code error} at its first poll. */
  public static ChatStream failed(ChatException error) {
    return new KnownStream(List.of(), Objects.requireNonNull(error, "error"));
  }

  /**
   * A stream that hands out {@code events} in order, then ends: normally when the last one is
   * {@link ChatEvent.Completed}, else with {@code failureAfter} (when not null). Always ready.
   */
  public static ChatStream of(List<ChatEvent> events, ChatException failureAfter) {
    return new KnownStream(events, failureAfter);
  }

  /** A stream that replays {@code response}: see {@link #eventsOf(ChatResponse)}. */
  public static ChatStream replay(ChatResponse response) {
    return new KnownStream(eventsOf(response), null);
  }

  /**
   * {@link #replay(ChatResponse)} with the text in deltas of at most {@code textChunkChars}
   * characters (never splitting a surrogate pair), as a provider would stream it.
   */
  public static ChatStream replay(ChatResponse response, int textChunkChars) {
    if (textChunkChars < 1) {
      throw new IllegalArgumentException("textChunkChars must be >= 1, got " + textChunkChars);
    }
    List<ChatEvent> events = new ArrayList<>();
    for (ChatEvent e : eventsOf(response)) {
      if (e instanceof ChatEvent.TextDelta d && d.text().length() > textChunkChars) {
        String text = d.text();
        for (int start = 0; start < text.length(); ) {
          int end = Math.min(text.length(), start + textChunkChars);
          if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
          }
          events.add(new ChatEvent.TextDelta(text.substring(start, end)));
          start = end;
        }
      } else {
        events.add(e);
      }
    }
    return new KnownStream(events, null);
  }

  /**
   * The events a streamed answer equal to {@code response} would have produced: reasoning, text,
   * refusal and each tool call as one delta, usage (when not zero), then {@link ChatEvent.Completed}.
   */
  public static List<ChatEvent> eventsOf(ChatResponse response) {
    List<ChatEvent> events = new ArrayList<>();
    response.reasoning().ifPresent(r -> events.add(new ChatEvent.ReasoningDelta(r)));
    if (!response.text().isEmpty()) {
      events.add(new ChatEvent.TextDelta(response.text()));
    }
    response.refusal().ifPresent(r -> events.add(new ChatEvent.RefusalDelta(r)));
    List<ToolCall> calls = response.toolCalls();
    for (int i = 0; i < calls.size(); i++) {
      ToolCall c = calls.get(i);
      events.add(new ChatEvent.ToolCallDelta(i, c.id(), c.name(), c.argumentsJson()));
    }
    if (!response.usage().equals(Usage.ZERO)) {
      events.add(new ChatEvent.UsageReport(response.usage()));
    }
    events.add(new ChatEvent.Completed(response));
    return events;
  }

  /** Emits {@link #eventsOf(ChatResponse) the replay} of {@code response} into {@code out} and completes it. */
  public static void replayInto(PushChatStream out, ChatResponse response) {
    for (ChatEvent event : eventsOf(response)) {
      out.emit(event);
    }
    out.complete();
  }

  /** The exception for a stream its own consumer closed before it completed. */
  public static ChatException closedByCaller() {
    return new ChatException("the stream was closed before it completed", ErrorDetails.of("", ""));
  }

  /** Events known up front; always ready. One consumer; {@code close()} from any thread. */
  private static final class KnownStream implements ChatStream {
    private final List<ChatEvent> events;
    private final ChatException failure;
    private int next;
    private boolean finished;

    KnownStream(List<ChatEvent> events, ChatException failure) {
      this.events = List.copyOf(events);
      this.failure = failure;
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
    public List<Attempt> attempts() {
      return List.of();
    }

    @Override
    public synchronized void close() {
      finished = true;
    }
  }
}
