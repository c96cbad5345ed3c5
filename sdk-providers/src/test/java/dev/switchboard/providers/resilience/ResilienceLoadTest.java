package dev.switchboard.providers.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatStreamHandler;
import dev.switchboard.resilience.CircuitBreakers;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.testkit.RecordingListener;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.io.File;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 calls at 64 in flight against two OpenAI emulators that answer 20% of requests with a
 * fault (rate limits, overload, 5xx, HTML 502, connection resets; in streams also errors mid-stream
 * and truncated bodies). Every call must end in exactly one response or one typed exception; the
 * attempts the listeners saw must equal the requests the emulators received; threads and open
 * sockets must come back to their level before the load. Back-offs are milliseconds on the system
 * scheduler (no test thread sleeps); the run is bounded by the timeout.
 */
class ResilienceLoadTest {
  private static final int CALLS = 10_000;
  private static final int CONCURRENCY = 64;

  @Test
  @Timeout(300)
  void tenThousandCalls_at64InFlight_with20PercentFaults_endExactlyOnce() throws Exception {
    List<Reply> faults = List.of(
        Reply.error(ErrorKind.RATE_LIMIT, Duration.ofMillis(2)),
        Reply.error(ErrorKind.OVERLOADED),
        Reply.error(ErrorKind.SERVER_ERROR),
        Reply.error(ErrorKind.SERVICE_UNAVAILABLE),
        Reply.error(ErrorKind.BAD_GATEWAY_HTML),
        Reply.fault(Fault.CONNECTION_RESET),
        Reply.fault(Fault.MID_STREAM_ERROR),
        Reply.fault(Fault.TRUNCATED_STREAM));
    try (OpenAiEmulator primary = OpenAiEmulator.start(); OpenAiEmulator secondary = OpenAiEmulator.start()) {
      primary.injectFaults(0.2, 42, faults);
      secondary.injectFaults(0.2, 43, faults);

      // One shared client, so that its few threads and pooled connections count as the baseline.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "load-test-http");
            t.setDaemon(true);
            return t;
          })).build();
      HttpTransport transport = HttpTransport.builder().httpClient(http).build();
      RecordingListener events = new RecordingListener();
      CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(40, 50).coolDown(Duration.ofMillis(50))
          .build();
      Switchboard switchboard = Switchboard.builder()
          .provider(OpenAiProvider.builder().name("primary").baseUrl(primary.baseUrl()).apiKey(Secret.of("k"))
              .transport(transport).build())
          .provider(OpenAiProvider.builder().name("secondary").baseUrl(secondary.baseUrl()).apiKey(Secret.of("k"))
              .transport(transport).build())
          .interceptor(Fallback.builder().chain("main", "primary/gpt-4o-mini", "secondary/gpt-4o")
              .circuitBreakers(breakers).build())
          .interceptor(Resilience.builder().maxAttempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(4))
              .circuitBreakers(breakers).build())
          .listener(events)
          .build();

      run(switchboard, 500); // warm-up: fills the connection pool and starts the client's threads
      int threadsBefore = threadsOtherThanSenders();
      long sendersBefore = senders();
      long socketsBefore = openSockets();
      int requestsBefore = primary.requestCount() + secondary.requestCount();
      int attemptsBefore = events.attempts().size();

      Outcomes outcomes = run(switchboard, CALLS);

      assertThat(outcomes.responses.get() + outcomes.failures.get()).as("every call ended").isEqualTo(CALLS);
      assertThat(outcomes.doubleEnds.get()).as("no call ended twice").isZero();
      assertThat(outcomes.untyped.get()).as("failures that were not ChatExceptions").isZero();
      events.assertEveryCallEndedOnce();
      assertThat(events.terminalEventsPerCall()).hasSize(CALLS + 500);
      assertThat(outcomes.responses.get()).as("most calls still succeed").isGreaterThan(CALLS * 9 / 10);
      assertThat(primary.injectedFaults() + secondary.injectedFaults()).as("faults were injected")
          .isGreaterThan(CALLS / 10);
      int requests = primary.requestCount() + secondary.requestCount() - requestsBefore;
      assertThat(events.attempts().size() - attemptsBefore).as("attempts seen by listeners = requests the emulators got")
          .isEqualTo(requests);

      assertThat(threadsOtherThanSenders()).as("threads back to their level before the load")
          .isLessThanOrEqualTo(threadsBefore + 4);
      assertThat(senders()).as("threads that wait for headers are pooled and bounded (other transports' included)")
          .isLessThanOrEqualTo(sendersBefore + 64);
      if (socketsBefore >= 0) {
        assertThat(openSockets()).as("open sockets back to their level before the load")
            .isLessThanOrEqualTo(socketsBefore + 2 * CONCURRENCY);
      }
      switchboard.close();
    }
  }

  static final class Outcomes {
    final AtomicInteger responses = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger untyped = new AtomicInteger();
    final AtomicInteger doubleEnds = new AtomicInteger();
  }

  /** Runs {@code calls} calls, a fifth of them streamed, at most 64 in flight; waits for all to end. */
  private static Outcomes run(Switchboard switchboard, int calls) throws Exception {
    Outcomes outcomes = new Outcomes();
    Semaphore inFlight = new Semaphore(CONCURRENCY);
    CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
    for (int i = 0; i < calls; i++) {
      inFlight.acquire();
      ChatRequest request = ChatRequest.of("main", "query " + i + ": rank these results");
      CompletableFuture<ChatResponse> f = i % 5 == 0 ? streamed(switchboard, request) : switchboard.chatAsync(request);
      AtomicInteger ends = new AtomicInteger();
      all[i] = f.whenComplete((r, e) -> {
        if (ends.incrementAndGet() > 1) {
          outcomes.doubleEnds.incrementAndGet();
        }
        if (e == null) {
          outcomes.responses.incrementAndGet();
        } else if (unwrap(e) instanceof ChatException) {
          outcomes.failures.incrementAndGet();
        } else {
          outcomes.untyped.incrementAndGet();
        }
        inFlight.release();
      });
    }
    CompletableFuture.allOf(all).handle((r, e) -> null).get(240, TimeUnit.SECONDS);
    return outcomes;
  }

  private static CompletableFuture<ChatResponse> streamed(Switchboard switchboard, ChatRequest request) {
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    ChatStream stream = switchboard.stream(request);
    stream.subscribe(new ChatStreamHandler() {
      @Override
      public void onEvent(ChatEvent event) {}

      @Override
      public void onComplete(ChatResponse response) {
        result.complete(response);
      }

      @Override
      public void onError(ChatException error) {
        result.completeExceptionally(error);
      }
    });
    return result;
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** Sockets this process has open (Linux), or -1 where /proc is not there. */
  private static long openSockets() throws Exception {
    File fds = new File("/proc/self/fd");
    File[] entries = fds.listFiles();
    if (entries == null) {
      return -1;
    }
    long n = 0;
    for (File f : entries) {
      try {
        if (java.nio.file.Files.readSymbolicLink(f.toPath()).toString().startsWith("socket:")) {
          n++;
        }
      } catch (java.io.IOException e) {
        // closed while listing
      }
    }
    return n;
  }

  /** Threads of the transport's bounded pool that wait for response headers (JDK 17 on two CPUs). */
  private static long senders() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("-send-")).count();
  }

  private static int threadsOtherThanSenders() {
    return (int) (Thread.getAllStackTraces().keySet().size() - senders());
  }
}
