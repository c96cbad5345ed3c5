package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Attempt;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.stream.PushChatStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams through Fallback: they move on only before their first event, by the same rules as calls. */
@Timeout(10)
class FallbackStreamsTest {
  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void callStart(CallInfo call) {
      events.add("start");
    }

    @Override
    public void fallback(CallInfo call, String from, String to, ChatException cause) {
      events.add("fallback " + from + " -> " + to + " on " + cause.getClass().getSimpleName());
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      events.add("end " + response.text());
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      events.add("failed " + error.getClass().getSimpleName());
    }
  };

  private Switchboard switchboard(Fallback fallback) {
    return Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .interceptor(fallback).listener(recorder).build();
  }

  private static ErrorDetails.Builder details(String provider, int status) {
    return ErrorDetails.builder().provider(provider).model("m").statusCode(status);
  }

  private static ServerException overloaded(String provider) {
    return new ServerException("overloaded " + provider, details(provider, 529).retryable(true).build());
  }

  private static void answer(PushChatStream s, String text) {
    s.emit(new ChatEvent.TextDelta(text));
    s.emit(new ChatEvent.Completed(FakeAdapter.answer(text)));
    s.complete();
  }

  @Test
  void fallsBackBeforeTheFirstEvent_reportingIt_andTheAnswerListsBothAttemptsInOrder() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(overloaded("cheap"));
    assertThat(stream.poll()).isNull();
    assertThat(premium.streams).hasSize(1);
    answer(premium.streams.get(0), "p");
    ChatResponse r = stream.collect();
    assertThat(r.text()).isEqualTo("p");
    assertThat(r.attempts()).extracting(a -> a.provider() + " " + a.failure().orElse("ok"))
        .containsExactly("cheap ServerException", "premium ok");
    assertThat(events).containsExactly("start", "fallback cheap/m -> premium/m on ServerException", "end p");
  }

  @Test
  void doesNotFallBackAfterTheFirstEvent() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).emit(new ChatEvent.TextDelta("par"));
    assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("par"));
    ServerException broke = overloaded("cheap");
    cheap.streams.get(0).fail(broke);
    assertThatThrownBy(stream::poll).isInstanceOf(ServerException.class).hasMessage("overloaded cheap");
    assertThat(premium.streams).isEmpty();
    assertThat(events).containsExactly("start", "failed ServerException");
  }

  @Test
  void aFailureThatIsNotWorthAFallback_endsTheStream() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(new AuthenticationException("bad key", details("cheap", 401).build()));
    assertThatThrownBy(stream::poll).isInstanceOfSatisfying(AuthenticationException.class,
        e -> assertThat(e.attempts()).extracting(Attempt::provider).containsExactly("cheap"));
    assertThat(premium.streams).isEmpty();
  }

  @Test
  void contentFilterRefusals_fallBackOnlyWhenAskedTo() {
    Switchboard off = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream refused = off.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(new ContentFilteredException("filtered", details("cheap", 400).build()));
    assertThatThrownBy(refused::poll).isInstanceOf(ContentFilteredException.class);
    assertThat(premium.streams).isEmpty();

    Switchboard on = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .fallBackOnContentFilter(true).build());
    ChatStream moved = on.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(1).fail(new ContentFilteredException("filtered", details("cheap", 400).build()));
    assertThat(moved.poll()).isNull();
    answer(premium.streams.get(0), "allowed");
    assertThat(moved.collect().text()).isEqualTo("allowed");
  }

  @Test
  void allFail_theStreamFailsWithThePrimarysError_listingEveryAttempt_theOthersSuppressed() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m", "cheap/n").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(overloaded("cheap"));
    assertThat(stream.poll()).isNull();
    premium.streams.get(0).fail(overloaded("premium"));
    assertThat(stream.poll()).isNull();
    cheap.streams.get(1).fail(new ServerException("down", details("cheap", 503).retryable(true).build()));
    assertThatThrownBy(stream::poll).isInstanceOfSatisfying(ServerException.class, e -> {
      assertThat(e).hasMessage("overloaded cheap");
      assertThat(e.attempts()).extracting(a -> a.provider() + "/" + a.model())
          .containsExactly("cheap/m", "premium/m", "cheap/n");
      assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("overloaded premium", "down");
    });
    assertThat(events).containsExactly("start", "fallback cheap/m -> premium/m on ServerException",
        "fallback premium/m -> cheap/n on ServerException", "failed ServerException");
  }

  @Test
  void contextLengthExceeded_skipsCandidatesWithoutALargerWindow() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    cheap.capabilities.put("same", Capabilities.builder().maxContextTokens(8_000).build());
    premium.capabilities.put("large", Capabilities.builder().maxContextTokens(128_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/small", "cheap/same", "premium/large")
        .build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "a very long prompt"));
    cheap.streams.get(0).fail(new ContextLengthExceededException("too long", details("cheap", 400).build()));
    assertThat(stream.poll()).isNull();
    assertThat(cheap.streams).hasSize(1);
    answer(premium.streams.get(0), "fits");
    assertThat(stream.collect().text()).isEqualTo("fits");
    assertThat(events).contains("fallback cheap/small -> premium/large on ContextLengthExceededException");
  }

  @Test
  void contextLengthExceeded_withNoLargerWindowLeft_endsTheStream() {
    cheap.capabilities.put("small", Capabilities.builder().maxContextTokens(8_000).build());
    premium.capabilities.put("same", Capabilities.builder().maxContextTokens(8_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/small", "premium/same").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "a very long prompt"));
    cheap.streams.get(0).fail(new ContextLengthExceededException("too long", details("cheap", 400).build()));
    assertThatThrownBy(stream::poll).isInstanceOf(ContextLengthExceededException.class);
    assertThat(premium.streams).isEmpty();
  }

  @Test
  void contextLengthExceeded_onAModelOfUnknownWindow_triesTheNext() {
    premium.capabilities.put("small", Capabilities.builder().maxContextTokens(1_000).build());
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/small").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "a very long prompt"));
    cheap.streams.get(0).fail(new ContextLengthExceededException("too long", details("cheap", 400).build()));
    assertThat(stream.poll()).isNull();
    assertThat(premium.streams).hasSize(1);
  }

  @Test
  void rewrites_applyPerCandidate() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m")
        .rewrite("premium/m", r -> r.toBuilder().maxOutputTokens(64).build()).build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(overloaded("cheap"));
    assertThat(stream.poll()).isNull();
    assertThat(cheap.requests.get(0).maxOutputTokens()).isEmpty();
    assertThat(premium.requests.get(0).maxOutputTokens()).contains(64);
  }

  @Test
  void aBrokenAnswerBeforeTheConsumerSawIt_doesNotMoveOnEither() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("ranker", "hi"));
    cheap.streams.get(0).fail(new ChatStreamException("broke", details("cheap", 200).retryable(true).build(),
        FakeAdapter.answer("par"), null));
    assertThatThrownBy(stream::poll).isInstanceOf(ChatStreamException.class);
    assertThat(premium.streams).isEmpty();
  }

  @Test
  void aModelWithoutAChain_streamsStraightThrough() {
    Switchboard sb = switchboard(Fallback.builder().chain("ranker", "cheap/m", "premium/m").build());
    ChatStream stream = sb.stream(ChatRequest.of("premium/x", "hi"));
    assertThat(premium.streams).hasSize(1);
    answer(premium.streams.get(0), "direct");
    assertThat(stream.collect().text()).isEqualTo("direct");
    assertThat(events).containsExactly("start", "end direct");
  }
}
