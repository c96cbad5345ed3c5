package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FinishReason;
import dev.switchboard.Message;
import dev.switchboard.ServerException;
import dev.switchboard.RateLimitException;
import dev.switchboard.Switchboard;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ScriptedProviderTest {
  private final ScriptedProvider fake = ScriptedProvider.named("fake");
  private final Switchboard llm = Switchboard.builder().provider(fake).build();

  @AfterEach
  void close() {
    llm.close();
  }

  private static ChatResponse answer(String text) {
    return ChatResponse.builder().id("r1").model("m").text(text).usage(Usage.of(5, 3)).build();
  }

  private static List<ChatEvent> collect(ChatStream stream) {
    List<ChatEvent> events = new ArrayList<>();
    try (stream) {
      for (ChatEvent e : stream) {
        events.add(e);
      }
    }
    return events;
  }

  private static String text(List<ChatEvent> events) {
    StringBuilder sb = new StringBuilder();
    events.stream().filter(e -> e instanceof ChatEvent.TextDelta).forEach(e -> sb.append(((ChatEvent.TextDelta) e).text()));
    return sb.toString();
  }

  private static RateLimitException rateLimited() {
    return new RateLimitException("fake/m is rate limited",
        ErrorDetails.builder().provider("fake").model("m").statusCode(429).retryable(true).build());
  }

  @Test
  void chat_servesQueuedResponses_inOrder() {
    fake.enqueue(answer("one")).enqueue(answer("two"));

    assertThat(llm.chat("fake/m", "a")).isEqualTo("one");
    assertThat(llm.chat("fake/m", "b")).isEqualTo("two");
    assertThat(fake.requestCount()).isEqualTo(2);
    assertThat(fake.pendingReplies()).isZero();
  }

  @Test
  void stream_servesQueuedResponse_asDeltasUsageAndOneCompletedLast() {
    ChatResponse response = ChatResponse.builder().model("m").text("Hello there, world").reasoning("think")
        .addToolCall(ToolCall.of("c1", "f", "{}")).usage(Usage.of(5, 3)).finishReason(FinishReason.TOOL_CALLS).build();
    fake.enqueue(response);

    List<ChatEvent> events = collect(llm.stream(ChatRequest.of("fake/m", "hi")));

    assertThat(text(events)).isEqualTo("Hello there, world");
    assertThat(events).filteredOn(e -> e instanceof ChatEvent.TextDelta).hasSize(3);
    assertThat(events).contains(new ChatEvent.ReasoningDelta("think"), new ChatEvent.ToolCallDelta(0, "c1", "f", "{}"),
        new ChatEvent.UsageReport(Usage.of(5, 3)));
    assertThat(events.get(events.size() - 1)).isInstanceOf(ChatEvent.Completed.class);
    ChatResponse completed = ((ChatEvent.Completed) events.get(events.size() - 1)).response();
    assertThat(completed.text()).isEqualTo("Hello there, world");
    assertThat(completed.toolCalls()).containsExactly(ToolCall.of("c1", "f", "{}"));
    assertThat(events).filteredOn(e -> e instanceof ChatEvent.Completed).hasSize(1);
  }

  @Test
  void chat_failsWithQueuedException() {
    RateLimitException error = rateLimited();
    fake.enqueue(error);

    assertThatThrownBy(() -> llm.chat("fake/m", "x")).isExactlyInstanceOf(RateLimitException.class)
        .hasMessage(error.getMessage());
  }

  @Test
  void stream_failsWithQueuedException_beforeAnyEvent() {
    fake.enqueue(rateLimited());
    List<ChatEvent> seen = new ArrayList<>();

    RateLimitException error = catchThrowableOfType(RateLimitException.class, () -> {
      try (ChatStream stream = llm.stream(ChatRequest.of("fake/m", "x"))) {
        stream.forEach(seen::add);
      }
    });

    assertThat(error).isNotNull();
    assertThat(seen).isEmpty();
  }

  @Test
  void streamScript_withoutCompleted_getsOneBuiltFromTheDeltas() {
    fake.enqueueStream(
        new ChatEvent.TextDelta("Hel"),
        new ChatEvent.TextDelta("lo"),
        new ChatEvent.ToolCallDelta(0, "call_1", "get_weather", "{\"ci"),
        new ChatEvent.ToolCallDelta(0, null, null, "ty\":\"Paris\"}"),
        new ChatEvent.UsageReport(Usage.of(10, 4)));

    List<ChatEvent> events = collect(llm.stream(ChatRequest.of("fake/m1", "x")));

    assertThat(events).hasSize(6);
    ChatResponse completed = ((ChatEvent.Completed) events.get(5)).response();
    assertThat(completed.text()).isEqualTo("Hello");
    assertThat(completed.toolCalls()).containsExactly(ToolCall.of("call_1", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(completed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(completed.usage()).isEqualTo(Usage.of(10, 4));
    assertThat(completed.model()).isEqualTo("m1");
    assertThat(completed.provider()).isEqualTo("fake");
  }

  @Test
  void streamScript_withCompleted_endsWithExactlyThatResponse() {
    ChatResponse given = answer("given");
    fake.enqueueStream(new ChatEvent.TextDelta("given"), new ChatEvent.Completed(given));

    List<ChatEvent> events = collect(llm.stream(ChatRequest.of("fake/m", "x")));

    assertThat(events).hasSize(2);
    assertThat(((ChatEvent.Completed) events.get(1)).response().text()).isEqualTo("given");
  }

  @Test
  void streamScript_servedByChat_returnsItsFinalResponse() {
    fake.enqueueStream(new ChatEvent.TextDelta("a"), new ChatEvent.TextDelta("b"));

    assertThat(llm.chat("fake/m", "x")).isEqualTo("ab");
  }

  @Test
  void streamFailure_sendsTheEventsBefore_thenThrows() {
    ChatStreamException broken = new ChatStreamException("fake/m broke", ErrorDetails.of("fake", "m"),
        answer("par"), null);
    fake.enqueueStreamFailure(List.of(new ChatEvent.TextDelta("pa"), new ChatEvent.TextDelta("r")), broken);
    List<ChatEvent> seen = new ArrayList<>();

    ChatStreamException error = catchThrowableOfType(ChatStreamException.class, () -> {
      try (ChatStream stream = llm.stream(ChatRequest.of("fake/m", "x"))) {
        stream.forEach(seen::add);
      }
    });

    assertThat(error).hasMessage(broken.getMessage());
    assertThat(error.attempts()).as("a copy that lists the attempt").hasSize(1);
    assertThat(text(seen)).isEqualTo("par");
  }

  @Test
  void streamFailure_ofAPlainErrorAfterEvents_isAChatStreamException_withThePartialAnswer_likeARealAdapter() {
    ServerException cut = new ServerException("the server went away", ErrorDetails.of("fake", "m"));
    fake.enqueueStreamFailure(List.of(new ChatEvent.TextDelta("par"), new ChatEvent.TextDelta("tial")), cut);

    ChatStreamException error = catchThrowableOfType(ChatStreamException.class, () -> {
      try (ChatStream stream = llm.stream(ChatRequest.of("fake/m", "x"))) {
        stream.forEach(e -> { });
      }
    });

    assertThat(error.partialResponse().text()).isEqualTo("partial");
    assertThat(error.getCause()).isSameAs(cut);
    assertThat(error.getMessage()).contains("after 2 events", "the server went away");
  }

  @Test
  void streamFailure_ofAPlainErrorBeforeAnyEvent_isThatError() {
    fake.enqueueStreamFailure(List.of(), new ServerException("down", ErrorDetails.of("fake", "m")));
    assertThatThrownBy(() -> collect(llm.stream(ChatRequest.of("fake/m", "x")))).isExactlyInstanceOf(
        ServerException.class).hasMessage("down");
  }

  @Test
  void streamFailure_servedByChat_failsWithItsException() {
    ChatStreamException broken = new ChatStreamException("broke", ErrorDetails.of("fake", "m"), answer(""), null);
    fake.enqueueStreamFailure(List.of(), broken);

    assertThatThrownBy(() -> llm.chat("fake/m", "x")).isExactlyInstanceOf(ChatStreamException.class)
        .hasMessage(broken.getMessage());
  }

  @Test
  void emptyScript_echoesTheLastUserMessage_inBothModes() {
    ChatRequest request = ChatRequest.builder().model("fake/m").user("first").addMessage(Message.assistant("ok"))
        .user("Say hello").build();

    ChatResponse chat = llm.chat(request);
    List<ChatEvent> events = collect(llm.stream(request));

    assertThat(chat.text()).isEqualTo("Say hello");
    assertThat(chat.model()).isEqualTo("m");
    assertThat(chat.usage().inputTokens()).isPositive();
    assertThat(text(events)).isEqualTo("Say hello");
    assertThat(events.get(events.size() - 1)).isInstanceOf(ChatEvent.Completed.class);
  }

  @Test
  void takeRequest_returnsRequestsInOrder_withTheProvidersModelName() {
    llm.chat("fake/model-a", "one");
    llm.stream(ChatRequest.of("fake/model-b", "two")).close();

    ChatRequest first = fake.takeRequest();
    ChatRequest second = fake.takeRequest();

    assertThat(first.model()).isEqualTo("model-a");
    assertThat(first.messages()).containsExactly(Message.user("one"));
    assertThat(second.model()).isEqualTo("model-b");
    assertThat(fake.requestCount()).isEqualTo(2);
  }

  @Test
  void takeRequest_whenNoneLeft_failsWithAClearMessage() {
    llm.chat("fake/m", "one");
    fake.takeRequest();

    assertThatThrownBy(fake::takeRequest).isInstanceOf(AssertionError.class)
        .hasMessageContaining("'fake'").hasMessageContaining("received 1 request").hasMessageContaining("all were taken");
  }

  @Test
  void enqueueStream_rejectsACompletedThatIsNotLast() {
    assertThatThrownBy(() -> fake.enqueueStream(new ChatEvent.Completed(answer("x")), new ChatEvent.TextDelta("y")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be the last event");
    assertThatThrownBy(() -> fake.enqueueStreamFailure(List.of(new ChatEvent.Completed(answer("x"))), rateLimited()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot precede a failure");
  }

  @Test
  void subscribe_deliversEventsAndCompletion_withoutWaiting() {
    fake.enqueue(answer("push me"));
    List<ChatEvent> events = new ArrayList<>();
    AtomicReference<ChatResponse> done = new AtomicReference<>();

    llm.stream(ChatRequest.of("fake/m", "x")).subscribe(new ChatStreamHandler() {
      @Override
      public void onEvent(ChatEvent event) {
        events.add(event);
      }

      @Override
      public void onComplete(ChatResponse response) {
        done.set(response);
      }

      @Override
      public void onError(ChatException error) {
        throw new AssertionError(error);
      }
    });

    assertThat(done.get().text()).isEqualTo("push me");
    assertThat(text(events)).isEqualTo("push me");
  }

  @Test
  void concurrentCalls_takeScriptEntriesInTheOrderTheRequestsAreRecorded() throws Exception {
    int calls = 400;
    for (int i = 0; i < calls; i++) {
      fake.enqueue(answer("r" + i));
    }
    Map<String, String> answers = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      String question = "q" + i;
      boolean streamed = i % 2 == 0;
      futures.add(pool.submit(() -> {
        start.await();
        ChatRequest request = ChatRequest.of("fake/m", question);
        String text = streamed ? llm.stream(request).collect().text() : llm.chat(request).text();
        answers.put(question, text);
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(fake.requestCount()).isEqualTo(calls);
    for (int k = 0; k < calls; k++) {
      String question = fake.takeRequest().messages().get(0).text();
      assertThat(answers.get(question)).as("answer to the %s-th recorded request", k).isEqualTo("r" + k);
    }
  }

  @Test
  void reset_forgetsScriptRequestsAndCount() {
    fake.enqueue(answer("x"));
    llm.chat("fake/m", "one");
    fake.enqueue(answer("y"));

    fake.reset();

    assertThat(fake.requestCount()).isZero();
    assertThat(fake.pendingReplies()).isZero();
    assertThatThrownBy(fake::takeRequest).isInstanceOf(AssertionError.class);
    assertThat(llm.chat("fake/m", "echo")).isEqualTo("echo");
  }

  @Test
  void named_rejectsNamesModelStringsCannotUse() {
    assertThatThrownBy(() -> ScriptedProvider.named("a/b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/b");
  }
}
