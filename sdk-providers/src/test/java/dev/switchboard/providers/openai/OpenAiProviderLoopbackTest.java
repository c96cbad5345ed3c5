package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.DecodingException;
import dev.switchboard.RateLimitException;
import dev.switchboard.Secret;
import dev.switchboard.TransportException;
import dev.switchboard.Usage;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End-to-end over a real loopback HTTP/1.1 server: the adapter plus the shared HTTP plumbing. The
 * server is a few lines over {@link ServerSocket} (one request per connection, close-delimited
 * answers), so tests control every byte and see when the client hangs up.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiProviderLoopbackTest {
  private static final String KEY = "sk-loopback-0123456789abcdef";

  private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Handler handler;
  private Loopback server;
  private OpenAiProvider provider;

  @FunctionalInterface
  interface Handler {
    void handle(Exchange exchange) throws IOException, InterruptedException;
  }

  record Recorded(String method, String pathAndQuery, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** The response side of one exchange. */
  static final class Exchange {
    private final OutputStream out;

    Exchange(OutputStream out) {
      this.out = out;
    }

    /** Writes the status line and headers; the body then runs until the connection closes. */
    OutputStream start(int status, String... headers) throws IOException {
      StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\nConnection: close\r\n");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      out.write(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return out;
    }
  }

  /** Accepts connections on 127.0.0.1, one thread each, until closed. */
  final class Loopback implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final ExecutorService threads = Executors.newCachedThreadPool();

    Loopback() throws IOException {
      threads.execute(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            threads.execute(() -> serve(s));
          } catch (IOException closed) {
            return;
          }
        }
      });
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        String[] requestLine = readLine(in).split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
          int colon = line.indexOf(':');
          headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        requests.add(new Recorded(requestLine[0], requestLine[1], headers, body));
        handler.handle(new Exchange(s.getOutputStream()));
      } catch (IOException ignored) {
        // the client went away
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed in the request head");
        }
        if (c != '\r') {
          line.write(c);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = new Loopback();
    provider = providerBuilder().build();
  }

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    provider.close();
    server.close();
  }

  private OpenAiProvider.Builder providerBuilder() {
    return OpenAiProvider.builder()
        .name("loop")
        .baseUrl("http://127.0.0.1:" + server.port() + "/v1/")
        .apiKey(Secret.of(KEY))
        .header("X-Title", "switchboard-tests")
        .queryParam("api-version", "2024-10-21")
        .timeout(Duration.ofSeconds(10));
  }

  @Test
  void chat_sendsKeyHeadersQueryAndBody_andReadsTheAnswer() throws Exception {
    handler = ex -> respond(ex, 200, "application/json", """
        {"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant",
         "content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2}}
        """, "x-request-id", "req_loop");

    ChatResponse response = provider.chat(ChatRequest.builder().model("gpt-4o-mini").user("Hi").maxOutputTokens(10)
        .build()).get(10, TimeUnit.SECONDS);

    assertThat(response.text()).isEqualTo("Hello!");
    assertThat(response.usage()).isEqualTo(Usage.of(5, 2));
    assertThat(response.requestId()).hasValue("req_loop");
    Recorded r = requests.take();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.pathAndQuery()).isEqualTo("/v1/chat/completions?api-version=2024-10-21");
    assertThat(r.header("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(r.header("X-Title")).isEqualTo("switchboard-tests");
    assertThat(r.header("Accept")).isEqualTo("application/json");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = WireJson.parse(r.body(), "body");
    assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(body.get("max_tokens").asInt()).as("compatible servers get max_tokens").isEqualTo(10);
  }

  @Test
  void chat_errorStatus_failsTheFutureWithTheMappedException() {
    handler = ex -> respond(ex, 429, "application/json",
        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
        "retry-after", "7");

    assertThatThrownBy(() -> Futures.await(provider.chat(ChatRequest.of("gpt-4o", "Hi"))))
        .isExactlyInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((ChatException) e).retryAfter()).hasValue(Duration.ofSeconds(7)))
        .hasMessageContaining("loop rate-limited")
        .hasMessageNotContaining(KEY);
  }

  @Test
  void chat_bodyOverTheLimit_isADecodingException_namingTheLimit() {
    provider.close();
    provider = providerBuilder().maxResponseBytes(1024).build();
    handler = ex -> respond(ex, 200, "application/json", "{\"pad\":\"" + "x".repeat(8192) + "\"}");

    assertThatThrownBy(() -> Futures.await(provider.chat(ChatRequest.of("gpt-4o", "Hi"))))
        .isExactlyInstanceOf(DecodingException.class)
        .hasMessageContaining("1024 bytes")
        .hasMessageContaining("maxResponseBytes");
  }

  @Test
  void chat_slowServer_isAChatTimeoutException() {
    handler = ex -> release.await();

    assertThatThrownBy(() -> Futures.await(provider.chat(ChatRequest.builder().model("gpt-4o").user("Hi")
        .timeout(Duration.ofMillis(200)).build())))
        .isExactlyInstanceOf(ChatTimeoutException.class)
        .satisfies(e -> assertThat(((ChatException) e).isRetryable()).isTrue());
  }

  @Test
  void chat_cancellingTheFuture_cancelsTheCall() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    handler = ex -> {
      arrived.countDown();
      release.await();
    };

    CompletableFuture<ChatResponse> future = provider.chat(ChatRequest.of("gpt-4o", "Hi"));
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    future.cancel(true);

    assertThat(future).isCancelled();
    assertThatThrownBy(() -> future.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
  }

  @Test
  void chat_refusedConnection_isARetryableTransportException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (OpenAiProvider refused = OpenAiProvider.builder().baseUrl("http://127.0.0.1:" + port + "/v1").build()) {
      assertThatThrownBy(() -> Futures.await(refused.chat(ChatRequest.of("m", "Hi"))))
          .isExactlyInstanceOf(TransportException.class)
          .hasMessageContaining("http://127.0.0.1:" + port + "/v1/chat/completions")
          .satisfies(e -> assertThat(((ChatException) e).isRetryable()).isTrue());
    }
  }

  @Test
  void chat_configuredButEmptyKey_failsBeforeSending() {
    try (OpenAiProvider noKey = providerBuilder().apiKey(Secret.fromEnv("SWITCHBOARD_TEST_UNSET_KEY")).build()) {
      assertThatThrownBy(() -> Futures.await(noKey.chat(ChatRequest.of("gpt-4o", "Hi"))))
          .isExactlyInstanceOf(AuthenticationException.class)
          .hasMessageContaining("env:SWITCHBOARD_TEST_UNSET_KEY");
    }
    assertThat(requests).isEmpty();
  }

  @Test
  void stream_decodesServerSentEvents_intoEventsAndTheWholeAnswer() throws Exception {
    handler = ex -> sse(ex,
        "data: {\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\n",
        "data: [DONE]\n\n");

    ChatResponse response;
    try (ChatStream stream = provider.stream(ChatRequest.of("gpt-4o-mini", "Hi"))) {
      response = stream.collect();
    }

    assertThat(response.text()).isEqualTo("Hello");
    assertThat(response.usage()).isEqualTo(Usage.of(4, 2));
    Recorded r = requests.take();
    assertThat(r.header("Accept")).isEqualTo("text/event-stream");
    JsonNode body = WireJson.parse(r.body(), "body");
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
  }

  @Test
  void stream_errorStatus_failsTheStreamWithTheMappedException() {
    handler = ex -> respond(ex, 401, "application/json",
        "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\",\"code\":\"invalid_api_key\"}}");

    try (ChatStream stream = provider.stream(ChatRequest.of("gpt-4o", "Hi"))) {
      assertThatThrownBy(stream::collect)
          .isExactlyInstanceOf(AuthenticationException.class)
          .hasMessageContaining("Check the API key given to OpenAiProvider.builder().apiKey(...)")
          .hasMessageNotContaining(KEY);
    }
  }

  @Test
  void unauthorized_withTheKeyInAHeader_adviceNamesTheHeader_notAMissingKey() {
    handler = ex -> respond(ex, 401, "application/json",
        "{\"error\":{\"message\":\"Access denied due to invalid subscription key.\",\"code\":\"401\"}}");
    try (OpenAiProvider azureStyle = OpenAiProvider.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
        .header("api-key", "azure-key-value").build()) {
      assertThatThrownBy(() -> azureStyle.chat(ChatRequest.of("gpt-4o", "Hi")).join())
          .cause().isExactlyInstanceOf(AuthenticationException.class)
          .hasMessageContaining("Check the credentials in the 'api-key' header")
          .hasMessageNotContaining("No API key is configured").hasMessageNotContaining("azure-key-value");
    }
  }

  @Test
  void stream_closeBeforeHeaders_endsTheStreamAtOnce() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    handler = ex -> {
      arrived.countDown();
      release.await();
    };

    ChatStream stream = provider.stream(ChatRequest.of("gpt-4o", "Hi"));
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    stream.close();

    assertThat(stream.isFinished()).isTrue();
    assertThat(stream.poll()).isNull();
    assertThat(stream.iterator().hasNext()).isFalse();
  }

  @Test
  void stream_closeMidStream_abortsTheConnection() throws Exception {
    CountDownLatch disconnected = new CountDownLatch(1);
    handler = ex -> {
      OutputStream out = ex.start(200, "Content-Type", "text/event-stream");
      byte[] chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick \"}}]}\n\n"
          .getBytes(StandardCharsets.UTF_8);
      try {
        for (int i = 0; i < 2_000_000; i++) { // an endless answer, bounded for safety
          out.write(chunk);
          out.flush();
        }
      } catch (IOException expected) {
        disconnected.countDown();
      }
    };

    ChatStream stream = provider.stream(ChatRequest.of("gpt-4o", "Hi"));
    Iterator<ChatEvent> events = stream.iterator();
    for (int i = 0; i < 3; i++) {
      assertThat(events.next()).isEqualTo(new ChatEvent.TextDelta("tick "));
    }
    stream.close();

    assertThat(disconnected.await(20, TimeUnit.SECONDS)).as("the server saw the connection close").isTrue();
  }

  private static void respond(Exchange ex, int status, String contentType, String body, String... headers)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String[] all = new String[headers.length + 4];
    all[0] = "Content-Type";
    all[1] = contentType;
    all[2] = "Content-Length";
    all[3] = Integer.toString(bytes.length);
    System.arraycopy(headers, 0, all, 4, headers.length);
    OutputStream out = ex.start(status, all);
    out.write(bytes);
    out.flush();
  }

  private static void sse(Exchange ex, String... events) throws IOException {
    OutputStream out = ex.start(200, "Content-Type", "text/event-stream");
    for (String event : events) {
      out.write(event.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
