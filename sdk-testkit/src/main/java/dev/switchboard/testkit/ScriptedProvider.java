package dev.switchboard.testkit;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Message;
import dev.switchboard.Role;
import dev.switchboard.Usage;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.testkit.internal.EventScript;
import dev.switchboard.stream.ChatStreams;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory {@link ProviderAdapter} that serves a script, in the style of OkHttp's
 * MockWebServer: queue answers, failures and streams, make calls, then check what was sent with
 * {@link #takeRequest()}.
 *
 * <pre>{@code
 * ScriptedProvider fake = ScriptedProvider.named("fake")
 *     .enqueue(ChatResponse.builder().text("Paris").build())
 *     .enqueue(new RateLimitException("slow down", ErrorDetails.of("fake", "any-model"))); // retryable
 * try (Switchboard llm = Switchboard.builder().provider(fake).build()) {
 *   assertThat(llm.chat("fake/any-model", "Capital of France?")).isEqualTo("Paris");
 *   assertThat(fake.takeRequest().messages()).hasSize(1);
 * }
 * }</pre>
 *
 * <p>Each call, through {@link #chat} or {@link #stream}, takes the next entry of the script, so
 * any entry serves both modes: a queued {@link ChatResponse} streams as text deltas word by word,
 * reasoning, refusal and tool-call deltas, a {@link ChatEvent.UsageReport} and the {@link
 * ChatEvent.Completed} carrying that response; a queued stream answers {@code chat()} with its
 * final response; a queued {@link ChatException} fails the future or the stream (before any
 * event); a queued stream failure fails {@code chat()} with its exception.
 *
 * <p>When the script is empty the provider still answers, deterministically: the text is an echo of
 * the last user message, the model is the one requested, usage is counted at about four
 * characters per token. So it also works as a simple fake with nothing queued.
 *
 * <p>Thread-safe: concurrent calls take entries in script order and are recorded in that same
 * order. The model a call sees is the provider's own model name (the part after {@code
 * "fake/"}). {@link #close()} does nothing.
 */
public final class ScriptedProvider implements ProviderAdapter {

  private sealed interface Entry permits Answer, Failure, Events, StreamFailure {}

  private record Answer(ChatResponse response) implements Entry {}

  private record Failure(ChatException error) implements Entry {}

  /** Deltas, and the final Completed if the script gave one (else built when served). */
  private record Events(List<ChatEvent> deltas, ChatEvent.Completed completed) implements Entry {}

  private record StreamFailure(List<ChatEvent> before, ChatException error) implements Entry {}

  private final String name;
  private final Object lock = new Object();
  private final ArrayDeque<Entry> script = new ArrayDeque<>();
  private final ArrayDeque<ChatRequest> recorded = new ArrayDeque<>();
  private int requestCount;
  private long sequence;

  private ScriptedProvider(String name) {
    this.name = name;
  }

  /** A provider registered under {@code name}, so model strings read {@code "<name>/<model>"}. */
  public static ScriptedProvider named(String name) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("ScriptedProvider name must be letters, digits, '_', '.' or '-', got: "
          + name);
    }
    return new ScriptedProvider(name);
  }

  /** Queues an answer; streamed, it arrives as deltas and a Completed carrying it. */
  public ScriptedProvider enqueue(ChatResponse response) {
    return add(new Answer(Objects.requireNonNull(response, "response")));
  }

  /** Queues a failure: {@code chat()} completes exceptionally, a stream fails before any event. */
  public ScriptedProvider enqueue(ChatException error) {
    return add(new Failure(Objects.requireNonNull(error, "error")));
  }

  /**
   * Queues a stream of exactly these events. If they contain no {@link ChatEvent.Completed}, one is
   * added at the end, built from the deltas (text, reasoning, refusal, tool calls by index, the
   * last usage report) for the requested model. A Completed must be the last event.
   */
  public ScriptedProvider enqueueStream(ChatEvent... events) {
    List<ChatEvent> list = Arrays.asList(events);
    requireDeltas(list, "enqueueStream", true);
    ChatEvent last = list.isEmpty() ? null : list.get(list.size() - 1);
    if (last instanceof ChatEvent.Completed c) {
      return add(new Events(List.copyOf(list.subList(0, list.size() - 1)), c));
    }
    return add(new Events(List.copyOf(list), null));
  }

  /**
   * Queues a stream that sends {@code before} (deltas only), then fails: with {@code error} when
   * {@code before} is empty, else, as the real adapters do, with a {@link
   * dev.switchboard.ChatStreamException} carrying the partial response, {@code error} as its cause.
   * {@code chat()} fails with {@code error}.
   */
  public ScriptedProvider enqueueStreamFailure(List<ChatEvent> before, ChatException error) {
    Objects.requireNonNull(error, "error");
    requireDeltas(before, "enqueueStreamFailure", false);
    return add(new StreamFailure(List.copyOf(before), error));
  }

  /**
   * The oldest recorded request not yet taken, as this provider received it.
   *
   * @throws AssertionError if every recorded request was taken
   */
  public ChatRequest takeRequest() {
    synchronized (lock) {
      ChatRequest request = recorded.poll();
      if (request == null) {
        throw new AssertionError("ScriptedProvider '" + name + "' has no request to take: it received "
            + requestCount + (requestCount == 1 ? " request" : " requests")
            + " and all were taken; did the call reach this provider?");
      }
      return request;
    }
  }

  /** How many calls (chat and stream) reached this provider since creation or {@link #reset()}. */
  public int requestCount() {
    synchronized (lock) {
      return requestCount;
    }
  }

  /** How many script entries have not been served yet. */
  public int pendingReplies() {
    synchronized (lock) {
      return script.size();
    }
  }

  /** Forgets the script and the recorded requests and restarts the count. */
  public void reset() {
    synchronized (lock) {
      script.clear();
      recorded.clear();
      requestCount = 0;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    Served served = next(request);
    Entry entry = served.entry();
    if (entry instanceof Answer a) {
      return CompletableFuture.completedFuture(a.response());
    }
    if (entry instanceof Failure f) {
      return CompletableFuture.failedFuture(f.error());
    }
    if (entry instanceof Events e) {
      return CompletableFuture.completedFuture(completed(e, request).response());
    }
    if (entry instanceof StreamFailure s) {
      return CompletableFuture.failedFuture(s.error());
    }
    return CompletableFuture.completedFuture(echo(request, served.sequence()));
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    Served served = next(request);
    Entry entry = served.entry();
    if (entry instanceof Answer a) {
      return ChatStreams.of(EventScript.eventsOf(a.response()), null);
    }
    if (entry instanceof Failure f) {
      return ChatStreams.failed(f.error());
    }
    if (entry instanceof Events e) {
      List<ChatEvent> events = new ArrayList<>(e.deltas());
      events.add(completed(e, request));
      return ChatStreams.of(events, null);
    }
    if (entry instanceof StreamFailure s) {
      return ChatStreams.of(s.before(), afterEvents(s, request.model()));
    }
    return ChatStreams.of(EventScript.eventsOf(echo(request, served.sequence())), null);
  }

  /**
   * As a real adapter reports it: the error as queued before any event; after events, a {@link
   * dev.switchboard.ChatStreamException} carrying what arrived, with the queued error as its cause.
   */
  private ChatException afterEvents(StreamFailure s, String model) {
    if (s.error() instanceof dev.switchboard.ChatStreamException) {
      return s.error();
    }
    dev.switchboard.stream.ResponseAccumulator acc = new dev.switchboard.stream.ResponseAccumulator();
    s.before().forEach(acc::add);
    return dev.switchboard.spi.http.StreamFailures.midStreamError(s.error(), name, model, acc.eventCount(),
        () -> acc.partial(name, model));
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ScriptedProvider[" + name + ", " + script.size() + " queued, " + requestCount + " received]";
    }
  }

  private ScriptedProvider add(Entry entry) {
    synchronized (lock) {
      script.add(entry);
    }
    return this;
  }

  /** The next entry (null when the script is empty) and the call's number, taken as the request is recorded. */
  private record Served(Entry entry, long sequence) {}

  private Served next(ChatRequest request) {
    synchronized (lock) {
      requestCount++;
      recorded.add(request);
      return new Served(script.poll(), ++sequence);
    }
  }

  private ChatEvent.Completed completed(Events events, ChatRequest request) {
    return events.completed() != null ? events.completed()
        : new ChatEvent.Completed(EventScript.responseOf(events.deltas(), name, request.model()));
  }

  private ChatResponse echo(ChatRequest request, long sequence) {
    String text = "";
    long inputChars = 0;
    for (Message m : request.messages()) {
      inputChars += m.text().length();
      if (m.role() == Role.USER) {
        text = m.text();
      }
    }
    return ChatResponse.builder()
        .id("scripted-" + sequence)
        .provider(name)
        .model(request.model())
        .text(text)
        .usage(Usage.of(Math.max(1, (inputChars + 3) / 4), Math.max(1, (text.length() + 3) / 4)))
        .build();
  }

  private static void requireDeltas(List<ChatEvent> events, String method, boolean completedLastAllowed) {
    Objects.requireNonNull(events, "events");
    for (int i = 0; i < events.size(); i++) {
      ChatEvent event = events.get(i);
      if (event == null) {
        throw new IllegalArgumentException(method + ": event " + i + " is null");
      }
      boolean last = i == events.size() - 1;
      if (event instanceof ChatEvent.Completed && !(completedLastAllowed && last)) {
        throw new IllegalArgumentException(method + ": a Completed event " + (completedLastAllowed
            ? "must be the last event, found at " + i + " of " + events.size()
            : "cannot precede a failure; a stream ends with exactly one Completed or one exception"));
      }
    }
  }
}
