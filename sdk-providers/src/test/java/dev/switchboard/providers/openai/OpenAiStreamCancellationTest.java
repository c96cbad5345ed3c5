package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.providers.testing.RawHttpServer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** close() must reach the wire: the server sees the connection closed. */
@Timeout(30)
class OpenAiStreamCancellationTest {
  private static final String SSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n";
  private static final ChatRequest REQUEST = ChatRequest.of("gpt-4o-mini", "Tell me a long story");

  private RawHttpServer server;
  private OpenAiProvider provider;

  @AfterEach
  void tearDown() throws Exception {
    if (provider != null) {
      provider.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private OpenAiProvider provider() {
    provider = OpenAiProvider.builder().baseUrl(server.baseUrl()).build();
    return provider;
  }

  @Test
  void closeBeforeResponseHeaders_closesTheConnection() throws Exception {
    server = new RawHttpServer(1, RawHttpServer.Connection::awaitClientClose);
    ChatStream stream = provider().stream(REQUEST);
    RawHttpServer.Connection connection = server.accepted.get(0).get(10, TimeUnit.SECONDS);
    assertThat(connection.requestHead).startsWith("POST /v1/chat/completions");
    assertThat(stream.poll()).isNull();

    stream.close();

    connection.clientClosed.get(10, TimeUnit.SECONDS);
    assertThat(stream.isFinished()).isTrue();
  }

  @Test
  void closeAfterHeadersBeforeFirstToken_closesTheConnection() throws Exception {
    server = new RawHttpServer(1, c -> {
      c.write(SSE_HEAD);
      c.chunk(": keep-alive\n\n");
      c.sent.complete(null);
      c.awaitClientClose();
    });
    ChatStream stream = provider().stream(REQUEST);
    RawHttpServer.Connection connection = server.accepted.get(0).get(10, TimeUnit.SECONDS);
    connection.sent.get(10, TimeUnit.SECONDS);

    stream.close();

    connection.clientClosed.get(10, TimeUnit.SECONDS);
    assertThat(stream.iterator().hasNext()).isFalse();
  }

  @Test
  void closeMidStream_closesTheConnection() throws Exception {
    server = new RawHttpServer(1, c -> {
      c.write(SSE_HEAD);
      c.chunk("data: {\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"role\":\"assistant\",\"content\":\"Once\"},\"finish_reason\":null}]}\n\n");
      c.awaitClientClose();
    });
    ChatStream stream = provider().stream(REQUEST);
    Iterator<ChatEvent> events = stream.iterator();
    assertThat(events.next()).isEqualTo(new ChatEvent.TextDelta("Once"));
    RawHttpServer.Connection connection = server.accepted.get(0).get(10, TimeUnit.SECONDS);

    stream.close();

    connection.clientClosed.get(10, TimeUnit.SECONDS);
  }

  @Test
  void unclosedStreams_holdNoThreadEach() throws Exception {
    int streams = 40;
    server = new RawHttpServer(streams + 1, c -> {
      c.write(SSE_HEAD);
      c.chunk("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n");
      c.awaitClientClose();
    });
    OpenAiProvider p = provider();
    p.stream(REQUEST).close(); // start the client's own threads before counting
    int before = clientThreads();

    List<ChatStream> open = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      ChatStream s = p.stream(REQUEST);
      open.add(s);
      assertThat(s.iterator().next()).isEqualTo(new ChatEvent.TextDelta("hi"));
    }
    int during = clientThreads();

    // 40 streams waiting on the network: the transport's few shared threads, not one per stream.
    assertThat(during - before).isLessThan(10);

    // When the server hangs up, every unclosed stream ends with a typed failure instead of hanging.
    server.close();
    for (ChatStream s : open) {
      Iterator<ChatEvent> it = s.iterator();
      assertThatThrownBy(() -> {
        while (it.hasNext()) {
          it.next();
        }
      }).isInstanceOf(ChatException.class);
    }
  }

  /** Live threads in this JVM, leaving out the test server's own (one per connection). */
  private static int clientThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.getName().startsWith("raw-http-server"))
        .count();
  }
}
