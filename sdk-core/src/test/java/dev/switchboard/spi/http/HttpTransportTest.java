package dev.switchboard.spi.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.DecodingException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.TransportException;
import dev.switchboard.stream.PushChatStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport against a real loopback HTTP server (the JDK's own), in both ways of sending: on
 * waiting threads (JDK 17 with two CPUs or fewer) and with {@code sendAsync}. Time limits run on a
 * manual clock; the server's stalls are released by the test, never slept through.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpTransportTest {
  private static final HttpTransport.Limits LIMITS = new HttpTransport.Limits(64, 16, "raise it");

  private final ManualTime clock = new ManualTime();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch stallArrived = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicInteger okRequests = new java.util.concurrent.atomic.AtomicInteger();
  private HttpServer server;
  private ExecutorService serverThreads;
  private URI base;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/ok", ex -> {
      okRequests.incrementAndGet();
      respond(ex, 200, "hello");
    });
    server.createContext("/big", ex -> respond(ex, 200, "x".repeat(100)));
    server.createContext("/error", ex -> respond(ex, 503, "overloaded, try later; and a long tail of text"));
    server.createContext("/stall", ex -> {
      stallArrived.countDown();
      await(release);
      respond(ex, 200, "late");
    });
    server.createContext("/stream", ex -> {
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        out.write("first".getBytes(StandardCharsets.UTF_8));
        out.flush();
        await(release);
      }
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @ParameterizedTest(name = "sendOnWaitingThreads={0}")
  @ValueSource(booleans = {true, false})
  void exchange_readsTheWholeAnswer(boolean sendMode) throws Exception {
    try (HttpTransport transport = transport(sendMode)) {
      String body = transport.exchange(get("/ok"), Duration.ofSeconds(5), LIMITS, (status, headers, bytes) ->
          status + " " + new String(bytes, StandardCharsets.UTF_8), errors()).get(5, TimeUnit.SECONDS);
      assertThat(body).isEqualTo("200 hello");
      assertThat(transport.exchangesInFlight()).isZero();
    }
  }

  @ParameterizedTest(name = "sendOnWaitingThreads={0}")
  @ValueSource(booleans = {true, false})
  void exchange_errorStatus_goesToTheMapper_withTheBodyCutAtTheErrorLimit(boolean sendMode) {
    try (HttpTransport transport = transport(sendMode)) {
      CompletableFuture<String> f = transport.exchange(get("/error"), Duration.ofSeconds(5), LIMITS,
          (status, headers, bytes) -> "unexpected", errors());
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(ServerException.class)
          .hasMessage("HTTP 503: overloaded, try ");
    }
  }

  @Test
  void exchange_answerLargerThanTheLimit_failsNamingTheLimitAndHowToRaiseIt() {
    try (HttpTransport transport = transport(true)) {
      CompletableFuture<String> f = transport.exchange(get("/big"), Duration.ofSeconds(5), LIMITS,
          (status, headers, bytes) -> "unexpected", errors());
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DecodingException.class)
          .hasMessageContaining("64 bytes").hasMessageContaining("raise it");
    }
  }

  @ParameterizedTest(name = "sendOnWaitingThreads={0}")
  @ValueSource(booleans = {true, false})
  void exchange_pastItsLimit_failsWithTheMappersTimeout_onTheManualClock(boolean sendMode) {
    try (HttpTransport transport = transport(sendMode)) {
      CompletableFuture<String> f = transport.exchange(get("/stall"), Duration.ofSeconds(30), LIMITS,
          (status, headers, bytes) -> "unexpected", errors());
      clock.advance(Duration.ofSeconds(29));
      assertThat(f).isNotDone();
      clock.advance(Duration.ofSeconds(1));
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(ChatTimeoutException.class)
          .hasMessage("no answer within 30s");
      assertThat(transport.exchangesInFlight()).isZero();
    }
  }

  @ParameterizedTest(name = "sendOnWaitingThreads={0}")
  @ValueSource(booleans = {true, false})
  void exchange_cancelled_endsCancelled_andTheTransportStaysUsable(boolean sendMode) throws Exception {
    try (HttpTransport transport = transport(sendMode)) {
      CompletableFuture<String> f = transport.exchange(get("/stall"), Duration.ofSeconds(30), LIMITS,
          (status, headers, bytes) -> "unexpected", errors());
      f.cancel(true);
      assertThat(f).isCancelled();
      assertThat(transport.exchangesInFlight()).isZero();
      assertThat(transport.exchange(get("/ok"), Duration.ofSeconds(5), LIMITS,
          (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors()).get(5, TimeUnit.SECONDS))
          .isEqualTo("hello");
    }
  }

  @Test
  void callerWaits_sendsOnTheCallersThread_andACancelLeavesNoInterruptBehind() throws Exception {
    try (HttpTransport transport = transport(true)) {
      AtomicReference<CompletableFuture<String>> exchange = new AtomicReference<>();
      Thread canceller = new Thread(() -> {
        await(stallArrived);
        exchange.get().cancel(true);
      });
      canceller.start();

      CompletableFuture<String> f = HttpTransport.callerWaits(() -> {
        CompletableFuture<String> e = transport.exchange(get("/stall"), Duration.ofSeconds(30), LIMITS,
            (status, headers, bytes) -> "unexpected", errors());
        exchange.set(e);
        return e;
      });

      // Only a send on this very thread, ended by the cancel, makes the call done by now.
      assertThat(f).isCancelled();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt that aborted the send is cleared").isFalse();
      canceller.join();
      assertThat(sendingThreads(transport)).as("no other thread sent it").isZero();
    }
  }

  @Test
  void callerWaits_whoseStartBlocksOnItsOwnExchange_isSentByAnotherThreadAfterTheGrace() {
    try (HttpTransport transport = transport(true)) {
      CompletableFuture<String> f = HttpTransport.callerWaits(() -> {
        CompletableFuture<String> e = transport.exchange(get("/ok"), Duration.ofSeconds(30), LIMITS,
            (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors());
        Thread clockMover = new Thread(() -> clock.advance(Sender.GRACE));
        clockMover.start();
        e.join(); // what start must not do; the grace keeps it from hanging
        return e;
      });
      assertThat(f.join()).isEqualTo("hello");
    }
  }

  @Test
  void sendMode_allSendingThreadsBusy_aStreamQueuesForTheNextFreeOne() throws Exception {
    try (HttpTransport transport = oneSendingThread()) {
      CompletableFuture<String> stalled = streamed(transport, "/stall", new PushChatStream());
      CompletableFuture<String> next = streamed(transport, "/ok", new PushChatStream());
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(transport.exchangesQueued()).isEqualTo(1);

      release.countDown(); // the clock stands still: only the freed sending thread can send the queued one
      assertThat(stalled.get(5, TimeUnit.SECONDS)).isEqualTo("late");
      assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(sendingThreads(transport)).isEqualTo(1);
    }
  }

  @Test
  void sendMode_noSendingThreadFreesForTheStallLimit_queuedStreamsUseSendAsync() throws Exception {
    try (HttpTransport transport = oneSendingThread()) {
      CompletableFuture<String> stalled = streamed(transport, "/stall", new PushChatStream());
      CompletableFuture<String> next = streamed(transport, "/ok", new PushChatStream());
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();

      clock.advance(Sender.STALL.minusMillis(1));
      assertThat(transport.exchangesQueued()).isEqualTo(1);
      clock.advance(Duration.ofMillis(1));
      assertThat(transport.exchangesQueued()).isZero();
      assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(stalled).isNotDone();
      release.countDown();
      assertThat(stalled.get(5, TimeUnit.SECONDS)).isEqualTo("late");
    }
  }

  @Test
  void sendMode_queuedStreamClosed_isNeverSent() throws Exception {
    try (HttpTransport transport = oneSendingThread()) {
      streamed(transport, "/stall", new PushChatStream());
      PushChatStream queued = new PushChatStream();
      streamed(transport, "/ok", queued);
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(transport.exchangesQueued()).isEqualTo(1);
      queued.close();
      clock.advance(Sender.STALL);
      assertThat(transport.exchangesQueued()).isZero();
      release.countDown();
      assertThat(transport.exchange(get("/ok"), Duration.ofSeconds(5), LIMITS,
          (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors()).get(5, TimeUnit.SECONDS))
          .isEqualTo("hello");
      assertThat(okRequests.get()).as("only the exchange after it reached the server").isEqualTo(1);
    }
  }

  @Test
  void sendMode_allSendingThreadsBusy_aWholeAnswerQueues_andUsesSendAsyncWhenNoneFreesForTheGrace() throws Exception {
    try (HttpTransport transport = oneSendingThread()) {
      CompletableFuture<String> stalled = streamed(transport, "/stall", new PushChatStream());
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> answer = transport.exchange(get("/ok"), Duration.ofSeconds(30), LIMITS,
          (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors());
      clock.advance(Sender.GRACE.minusMillis(1));
      assertThat(transport.exchangesQueued()).isEqualTo(1);
      clock.advance(Duration.ofMillis(1));
      assertThat(transport.exchangesQueued()).isZero();
      assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(stalled).isNotDone();
    }
  }

  @Test
  void sendMode_allSendingThreadsBusy_aWholeAnswerQueuedBehindAFreeingThread_isSentByIt() throws Exception {
    try (HttpTransport transport = oneSendingThread()) {
      CompletableFuture<String> stalled = transport.exchange(get("/stall"), Duration.ofSeconds(30), LIMITS,
          (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors());
      CompletableFuture<String> answer = transport.exchange(get("/ok"), Duration.ofSeconds(30), LIMITS,
          (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors());
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(transport.exchangesQueued()).isEqualTo(1);
      release.countDown();
      assertThat(stalled.get(5, TimeUnit.SECONDS)).isEqualTo("late");
      assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(sendingThreads(transport)).isEqualTo(1);
    }
  }

  private HttpTransport oneSendingThread() {
    return HttpTransport.builder().scheduler(clock).ticker(clock).sendOnWaitingThreads(true).sendingThreads(1).build();
  }

  /** Streams {@code path}; completes with the body's text, or fails with the stream's error. */
  private CompletableFuture<String> streamed(HttpTransport transport, String path, PushChatStream stream) {
    CompletableFuture<String> body = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    transport.stream(get(path), stream, info -> new ByteStreamConsumer() {
      @Override
      public void onBytes(ByteBuffer chunk) {
        text.append(StandardCharsets.UTF_8.decode(chunk));
      }

      @Override
      public void onComplete() {
        body.complete(text.toString());
      }

      @Override
      public void onError(Throwable error) {
        body.completeExceptionally(error);
      }
    }, errors(), 16);
    return body;
  }

  @Test
  void stream_silentLongerThanTheIdleTimeout_failsWithAnHttpTimeout_onTheManualClock() throws Exception {
    try (HttpTransport transport = HttpTransport.builder().scheduler(clock).ticker(clock)
        .idleTimeout(Duration.ofSeconds(10)).build()) {
      PushChatStream stream = new PushChatStream();
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      CountDownLatch firstBytes = new CountDownLatch(1);
      transport.stream(get("/stream"), stream, info -> new ByteStreamConsumer() {
        @Override
        public void onBytes(ByteBuffer chunk) {
          stream.emit(new ChatEvent.TextDelta(StandardCharsets.UTF_8.decode(chunk).toString()));
          firstBytes.countDown();
        }

        @Override
        public void onComplete() {
          ended.complete(null);
        }

        @Override
        public void onError(Throwable error) {
          ended.complete(error);
        }
      }, errors(), 16);
      assertThat(firstBytes.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(stream.poll()).isEqualTo(new ChatEvent.TextDelta("first"));

      clock.advance(Duration.ofSeconds(9));
      assertThat(ended).isNotDone();
      clock.advance(Duration.ofSeconds(1));
      assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(HttpTimeoutException.class)
          .hasMessageContaining("no data for 10000 ms");
    }
  }

  @Test
  void stream_whoseHeadersNeverCome_failsAtTheRequestTimeout_onTheManualClock() throws Exception {
    try (HttpTransport transport = transport(false)) {
      PushChatStream stream = new PushChatStream();
      HttpRequest request = HttpRequest.newBuilder(base.resolve("/stall")).timeout(Duration.ofSeconds(30))
          .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
      transport.stream(request, stream, info -> {
        throw new AssertionError("no body should be read");
      }, errors(), 16);
      assertThat(stallArrived.await(5, TimeUnit.SECONDS)).isTrue();
      clock.advance(Duration.ofSeconds(29));
      assertThat(stream.poll()).isNull();
      assertThat(stream.isFinished()).isFalse();
      clock.advance(Duration.ofSeconds(1));
      assertThatThrownBy(stream::poll).isInstanceOf(ChatTimeoutException.class).hasMessage("no answer within 30s");
    }
  }

  @Test
  void stream_closedBeforeTheHeaders_neverReachesTheConsumer() throws Exception {
    try (HttpTransport transport = transport(true)) {
      PushChatStream stream = new PushChatStream();
      stream.close();
      transport.stream(get("/stall"), stream, info -> {
        throw new AssertionError("no body should be read");
      }, errors(), 16);
      assertThat(stream.isFinished()).isTrue();
    }
  }

  @Test
  void builder_rejectsNonPositiveTimeouts_namingTheField() {
    assertThatThrownBy(() -> HttpTransport.builder().idleTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("HttpTransport.idleTimeout must be positive, got: PT0S");
    assertThatThrownBy(() -> HttpTransport.builder().connectTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HttpTransport.connectTimeout");
    assertThatThrownBy(() -> HttpTransport.builder().threads(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HttpTransport.threads");
    assertThatThrownBy(() -> HttpTransport.builder().sendingThreads(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("HttpTransport.sendingThreads must be > 0, got: 0");
  }

  @Test
  void shared_isOnePerConnectTimeout_andCloseLeavesItWorking() throws Exception {
    HttpTransport shared = HttpTransport.shared();
    assertThat(HttpTransport.shared(HttpTransport.DEFAULT_CONNECT_TIMEOUT)).isSameAs(shared);
    assertThat(HttpTransport.shared(Duration.ofSeconds(3))).isNotSameAs(shared);
    shared.close();
    assertThat(shared.exchange(get("/ok"), Duration.ofSeconds(5), LIMITS,
        (status, headers, bytes) -> new String(bytes, StandardCharsets.UTF_8), errors()).get(5, TimeUnit.SECONDS))
        .isEqualTo("hello");
  }

  private static long sendingThreads(HttpTransport transport) {
    String prefix = "switchboard-http-" + transport.id() + "-send-";
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  private HttpTransport transport(boolean sendMode) {
    return HttpTransport.builder().scheduler(clock).ticker(clock).sendOnWaitingThreads(sendMode).build();
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).version(java.net.http.HttpClient.Version.HTTP_1_1).build();
  }

  private static HttpTransport.Errors errors() {
    return new HttpTransport.Errors() {
      @Override
      public ChatException status(int status, HttpHeaders headers, byte[] body) {
        return new ServerException("HTTP " + status + ": " + new String(body, StandardCharsets.UTF_8),
            details(status, headers));
      }

      @Override
      public ChatException failure(Throwable failure) {
        if (failure instanceof ChatException ce) {
          return ce;
        }
        if (failure instanceof CancellationException) {
          return new ChatException("cancelled", ErrorDetails.of("p", "m"), failure);
        }
        return new TransportException("transport: " + failure, ErrorDetails.of("p", "m"), failure);
      }

      @Override
      public ChatException timeout(Duration limit) {
        return new ChatTimeoutException("no answer within " + ErrorMapping.human(limit), ErrorDetails.of("p", "m"));
      }

      @Override
      public ErrorDetails details(int status, HttpHeaders headers) {
        return ErrorDetails.builder().provider("p").model("m").statusCode(status).build();
      }
    };
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
