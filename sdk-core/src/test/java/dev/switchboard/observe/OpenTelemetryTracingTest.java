package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FakeAdapter;
import dev.switchboard.ManualTime;
import dev.switchboard.OverloadedException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OpenTelemetryTracingTest {
  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  private static final long START_NANOS = TimeUnit.SECONDS.toNanos(START.getEpochSecond());

  private final ManualTime time = new ManualTime();
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final FakeAdapter premium = new FakeAdapter("premium");
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
  // $1 / $2 per million input / output tokens
  private final PriceCatalog prices = PriceCatalog.empty().toBuilder().price("cheap/m", ModelPrice.of(1, 2)).build();

  @AfterEach
  void shutDown() {
    tracerProvider.close();
  }

  private Switchboard.Builder switchboard(OpenTelemetryTracing tracing) {
    return Switchboard.builder().provider(cheap).provider(premium).ticker(time).scheduler(time)
        .clock(Clock.fixed(START, ZoneOffset.UTC)).prices(prices).listenerFactory(tracing);
  }

  private OpenTelemetryTracing tracing() {
    return OpenTelemetryTracing.builder(otel).ticker(time).build();
  }

  private static OverloadedException overloaded(String provider) {
    return new OverloadedException("busy", ErrorDetails.builder().provider(provider).model("m").statusCode(529)
        .retryable(true).build());
  }

  private static ChatResponse answer(String text) {
    return ChatResponse.builder().id("resp-1").model("m-2026").text(text).usage(Usage.of(250_000, 125_000)).build();
  }

  private SpanData span(String name) {
    List<SpanData> named = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as("spans named '%s'", name).hasSize(1);
    return named.get(0);
  }

  /** The one span that stands for a whole call (attempt spans carry no call id). */
  private SpanData callSpan() {
    List<SpanData> calls = exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getAttributes().get(OpenTelemetryTracing.CALL_ID) != null).toList();
    assertThat(calls).hasSize(1);
    return calls.get(0);
  }

  private static long millisAfterStart(long epochNanos) {
    return TimeUnit.NANOSECONDS.toMillis(epochNanos - START_NANOS);
  }

  @Test
  void aCallWithOneRetry_isOneCallSpan_withAChildSpanPerAttempt() {
    Switchboard sb = switchboard(tracing())
        .interceptor(Resilience.builder().maxAttempts(2).backoff(Duration.ofMillis(125), Duration.ofMillis(125))
            .jitter(0).build())
        .build();
    ChatRequest request = ChatRequest.builder().model("cheap/m").user("the secret question").maxOutputTokens(100)
        .temperature(0.5).build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(request);
    time.advance(Duration.ofMillis(100));
    cheap.calls.get(0).completeExceptionally(overloaded("cheap"));
    time.advance(Duration.ofMillis(125)); // the back-off; the retry starts
    time.advance(Duration.ofMillis(200));
    cheap.calls.get(1).complete(answer("the secret answer"));
    f.join();

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(3);
    SpanData call = callSpan();
    assertThat(call.getName()).isEqualTo("chat cheap/m");
    assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(call.getParentSpanContext().isValid()).isFalse();
    assertThat(call.getAttributes().get(OpenTelemetryTracing.OPERATION)).isEqualTo("chat");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.REQUEST_MODEL)).isEqualTo("cheap/m");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.CALL_ID)).isPositive();
    assertThat(call.getAttributes().get(OpenTelemetryTracing.MAX_TOKENS)).isEqualTo(100L);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.TEMPERATURE)).isEqualTo(0.5);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.PROVIDER)).isEqualTo("cheap");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.RESPONSE_MODEL)).isEqualTo("m-2026");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.RESPONSE_ID)).isEqualTo("resp-1");
    // the failed attempt used no tokens; the answer 250k in at $1 + 125k out at $2, per million
    assertThat(call.getAttributes().get(OpenTelemetryTracing.INPUT_TOKENS)).isEqualTo(250_000L);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.OUTPUT_TOKENS)).isEqualTo(125_000L);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.COST)).isEqualTo(0.5);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.CACHE_HIT)).isFalse();
    assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(millisAfterStart(call.getStartEpochNanos())).isZero();
    assertThat(millisAfterStart(call.getEndEpochNanos())).isEqualTo(425);
    assertThat(call.getEvents()).extracting(EventData::getName).containsExactly("switchboard.retry");
    EventData retry = call.getEvents().get(0);
    assertThat(retry.getAttributes().asMap()).containsValues("OverloadedException", 125L);
    assertThat(millisAfterStart(retry.getEpochNanos())).isEqualTo(100);

    List<SpanData> attempts = spans.stream().filter(s -> s != call).toList();
    assertThat(attempts).extracting(SpanData::getName).containsOnly("chat cheap/m");
    assertThat(attempts).allSatisfy(a -> {
      assertThat(a.getParentSpanId()).isEqualTo(call.getSpanId());
      assertThat(a.getTraceId()).isEqualTo(call.getTraceId());
      assertThat(a.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(a.getAttributes().get(OpenTelemetryTracing.PROVIDER)).isEqualTo("cheap");
      assertThat(a.getAttributes().get(OpenTelemetryTracing.REQUEST_MODEL)).isEqualTo("m");
    });
    SpanData failed = attempts.stream().filter(a -> a.getAttributes().get(OpenTelemetryTracing.ATTEMPT_ID) == 1)
        .findFirst().orElseThrow();
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(OpenTelemetryTracing.ERROR_TYPE)).isEqualTo("OverloadedException");
    assertThat(failed.getAttributes().get(OpenTelemetryTracing.STATUS_CODE)).isEqualTo(529L);
    assertThat(millisAfterStart(failed.getEndEpochNanos())).isEqualTo(100);
    SpanData answered = attempts.stream().filter(a -> a.getAttributes().get(OpenTelemetryTracing.ATTEMPT_ID) == 2)
        .findFirst().orElseThrow();
    assertThat(answered.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(answered.getAttributes().get(OpenTelemetryTracing.ERROR_TYPE)).isNull();
    assertThat(answered.getAttributes().get(OpenTelemetryTracing.RESPONSE_MODEL)).isEqualTo("m-2026");
    assertThat(answered.getAttributes().get(OpenTelemetryTracing.INPUT_TOKENS)).isEqualTo(250_000L);
    assertThat(answered.getAttributes().get(OpenTelemetryTracing.STATUS_CODE)).isEqualTo(200L);
    assertThat(millisAfterStart(answered.getStartEpochNanos())).isEqualTo(225);
    assertThat(millisAfterStart(answered.getEndEpochNanos())).isEqualTo(425);

    assertThat(spans).as("no content unless enabled").allSatisfy(s -> {
      assertThat(s.getAttributes().get(OpenTelemetryTracing.INPUT_MESSAGES)).isNull();
      assertThat(s.getAttributes().get(OpenTelemetryTracing.OUTPUT_MESSAGES)).isNull();
      assertThat(s.getAttributes().asMap().values()).noneMatch(v -> v.toString().contains("secret"));
    });
  }

  @Test
  void content_isRecordedOnTheCallSpan_whenEnabled() {
    Switchboard sb = switchboard(OpenTelemetryTracing.builder(otel).ticker(time).captureContent(true).build()).build();
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.builder().model("cheap/m").system("be brief")
        .user("the secret question").build());
    cheap.calls.get(0).complete(answer("the secret answer"));
    f.join();

    SpanData call = callSpan();
    assertThat(call.getAttributes().get(OpenTelemetryTracing.INPUT_MESSAGES)).isEqualTo(
        "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"be brief\"}]},"
            + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"the secret question\"}]}]");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.OUTPUT_MESSAGES)).isEqualTo(
        "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"the secret answer\"}],"
            + "\"finish_reason\":\"stop\"}]");
  }

  @Test
  void aStreamedCall_endsItsSpan_whenTheStreamCompletes() {
    Switchboard sb = switchboard(tracing()).build();
    try (ChatStream stream = sb.stream(ChatRequest.of("cheap/m", "hi"))) {
      time.advance(Duration.ofMillis(300));
      cheap.streams.get(0).emit(new ChatEvent.TextDelta("he"));
      assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("he"));
      time.advance(Duration.ofMillis(200));
      assertThat(exporter.getFinishedSpanItems()).as("nothing ends before the stream does").isEmpty();

      cheap.streams.get(0).emit(new ChatEvent.Completed(answer("hello")));
      cheap.streams.get(0).complete();
      assertThat(stream.poll()).isInstanceOf(ChatEvent.Completed.class);
    }

    assertThat(exporter.getFinishedSpanItems()).hasSize(2);
    SpanData call = callSpan();
    assertThat(call.getName()).isEqualTo("chat cheap/m");
    assertThat(millisAfterStart(call.getEndEpochNanos())).isEqualTo(500);
    assertThat(call.getEvents()).singleElement().satisfies(e -> {
      assertThat(e.getName()).isEqualTo("switchboard.first_event");
      assertThat(millisAfterStart(e.getEpochNanos())).isEqualTo(300);
    });
    assertThat(call.getAttributes().get(OpenTelemetryTracing.OUTPUT_TOKENS)).isEqualTo(125_000L);
  }

  @Test
  void aHedgedCall_hasTwoOverlappingAttemptSpans_theLoserMarkedCancelled() {
    Switchboard sb = switchboard(tracing())
        .interceptor(Fallback.builder().chain("ranker", "cheap/m", "premium/m").hedgeAfter(Duration.ofMillis(800))
            .build())
        .build();

    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    time.advance(Duration.ofMillis(800)); // premium starts alongside cheap
    time.advance(Duration.ofMillis(100));
    premium.calls.get(0).complete(answer("fast"));
    f.join();

    SpanData call = callSpan();
    assertThat(call.getName()).isEqualTo("chat ranker");
    SpanData loser = span("chat cheap/m");
    SpanData winner = span("chat premium/m");
    assertThat(List.of(loser, winner)).allSatisfy(a -> assertThat(a.getParentSpanId()).isEqualTo(call.getSpanId()));
    assertThat(millisAfterStart(loser.getStartEpochNanos())).isZero();
    assertThat(millisAfterStart(winner.getStartEpochNanos())).isEqualTo(800);
    assertThat(millisAfterStart(loser.getEndEpochNanos())).isEqualTo(900);
    assertThat(millisAfterStart(winner.getEndEpochNanos())).isEqualTo(900);
    assertThat(loser.getAttributes().get(OpenTelemetryTracing.CANCELLED)).isTrue();
    assertThat(loser.getStatus().getStatusCode()).as("a hedge's loser is no error").isEqualTo(StatusCode.UNSET);
    assertThat(winner.getAttributes().get(OpenTelemetryTracing.CANCELLED)).isNull();
    assertThat(call.getEvents()).extracting(EventData::getName).containsExactly("switchboard.hedge");
    assertThat(call.getAttributes().get(OpenTelemetryTracing.PROVIDER)).isEqualTo("premium");
  }

  @Test
  void aFailedCall_isAnErrorSpan_namingTheErrorType_underTheCallersSpan() {
    Switchboard sb = switchboard(tracing()).build();
    Span parent = otel.getTracer("test").spanBuilder("handle request").startSpan();
    CompletableFuture<ChatResponse> f;
    Scope scope = parent.makeCurrent();
    try {
      f = sb.chatAsync(ChatRequest.of("cheap/m", "hi"));
    } finally {
      scope.close();
    }
    cheap.calls.get(0).completeExceptionally(new AuthenticationException("bad key",
        ErrorDetails.builder().provider("cheap").model("m").statusCode(401).build()));
    assertThatThrownBy(f::join).hasCauseInstanceOf(AuthenticationException.class);
    parent.end();

    SpanData call = callSpan();
    assertThat(call.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(call.getAttributes().get(OpenTelemetryTracing.ERROR_TYPE)).isEqualTo("AuthenticationException");
    assertThat(exporter.getFinishedSpanItems()).filteredOn(s -> s.getParentSpanId().equals(call.getSpanId()))
        .singleElement().satisfies(a -> assertThat(a.getAttributes().get(OpenTelemetryTracing.STATUS_CODE))
            .isEqualTo(401L));
  }
}
