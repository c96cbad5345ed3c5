package dev.switchboard.bench.sidebyside;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback OpenAI chat-completions stub for the side-by-side benchmark, run in its own process so
 * a client's process CPU time is the client's alone. Keep-alive HTTP/1.1, one thread per connection
 * (no pool to run dry, a backlog of 1024, so nothing is refused at concurrency 64), every response
 * precomputed:
 *
 * <ul>
 *   <li>{@code POST .../chat/completions} without {@code "stream": true}: a ~600-byte chat
 *       completion as JSON, with {@code Content-Length};
 *   <li>with {@code "stream": true}: an SSE stream in chunked transfer encoding, one HTTP chunk per
 *       event: a role chunk, {@code N} content chunks, a finish chunk, a usage chunk and {@code
 *       data: [DONE]}. The head and the first content chunk are flushed first, the rest after.
 * </ul>
 *
 * <p>Arguments: {@code [content chunks per stream, default 200] [fixed latency before each answer,
 * ms, default 0]}. Prints {@code PORT <n>}; on a {@code stats} line on standard input prints {@code
 * STATS <connections accepted> <requests> <connections ended by an error>}; stops when standard
 * input closes. Requests the client pipelines or sends with {@code Expect: 100-continue} or an
 * {@code h2c} upgrade offer are answered as plain HTTP/1.1.
 */
public final class BenchStub {
  static final String ANSWER =
      "Routing by cost sends easy queries to cheap models and saves the premium model for hard ones.";
  static final byte[] BODY = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1732400000,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
      + "\"content\":\"" + ANSWER + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":18,\"total_tokens\":42,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
      + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
      + "\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\"}")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] JSON_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      + "x-request-id: req_bench\r\nContent-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      + "x-request-id: req_bench\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOT_FOUND = ("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
      + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** The text of content chunk {@code i} (never empty). */
  static String token(int i) {
    return i == 0 ? "Routing" : " t" + i;
  }

  private static final AtomicLong CONNECTIONS = new AtomicLong();
  private static final AtomicLong REQUESTS = new AtomicLong();
  private static final AtomicLong ERRORS = new AtomicLong();

  public static void main(String[] args) throws IOException {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
    byte[][] stream = streamBytes(chunks);
    ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          socket.setTcpNoDelay(true);
          CONNECTIONS.incrementAndGet();
          Thread t = new Thread(() -> serve(socket, stream, latencyMs), "stub-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "stub-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println("PORT " + server.getLocalPort());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.trim().equals("stats")) {
        System.out.println("STATS " + CONNECTIONS.get() + " " + REQUESTS.get() + " " + ERRORS.get());
        System.out.flush();
      }
    }
    server.close();
  }

  /** The stream as two writes: head + role chunk + first content chunk, then everything else. */
  static byte[][] streamBytes(int chunks) {
    String prefix = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1732400000,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\","
        + "\"choices\":[{\"index\":0,\"delta\":";
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    first.writeBytes(SSE_HEAD);
    event(first, prefix + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
        + "\"finish_reason\":null}],\"usage\":null}");
    for (int i = 0; i < chunks; i++) {
      event(i == 0 ? first : rest, prefix + "{\"content\":\"" + token(i) + "\"},\"logprobs\":null,"
          + "\"finish_reason\":null}],\"usage\":null}");
    }
    event(rest, prefix + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}");
    event(rest, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1732400000,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":" + chunks + ",\"total_tokens\":"
        + (24 + chunks) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}");
    chunk(rest, "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    rest.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return new byte[][] {first.toByteArray(), rest.toByteArray()};
  }

  private static void event(ByteArrayOutputStream out, String json) {
    chunk(out, ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void chunk(ByteArrayOutputStream out, byte[] data) {
    out.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(data);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static void serve(Socket socket, byte[][] stream, long latencyMs) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      Head head = new Head();
      while (true) {
        if (!head.read(in)) {
          return;
        }
        if (head.expectContinue) {
          out.write(CONTINUE);
          out.flush();
        }
        byte[] body = head.chunked ? readChunked(in) : in.readNBytes(head.contentLength);
        REQUESTS.incrementAndGet();
        if (latencyMs > 0) {
          Thread.sleep(latencyMs);
        }
        if (!head.path.endsWith("/chat/completions")) {
          out.write(NOT_FOUND);
          out.flush();
        } else if (wantsStream(body)) {
          out.write(stream[0]);
          out.flush();
          out.write(stream[1]);
          out.flush();
        } else {
          out.write(JSON_HEAD);
          out.write(BODY);
          out.flush();
        }
        if (head.close) {
          return;
        }
      }
    } catch (IOException e) {
      ERRORS.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True if the JSON body has {@code "stream"} set to {@code true} (whitespace allowed). */
  static boolean wantsStream(byte[] body) {
    byte[] key = "\"stream\"".getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + key.length <= body.length; i++) {
      for (int k = 0; k < key.length; k++) {
        if (body[i + k] != key[k]) {
          continue outer;
        }
      }
      int j = i + key.length;
      while (j < body.length && (body[j] == ' ' || body[j] == ':' || body[j] == '\n' || body[j] == '\t' || body[j] == '\r')) {
        j++;
      }
      return j + 4 <= body.length && body[j] == 't' && body[j + 1] == 'r' && body[j + 2] == 'u' && body[j + 3] == 'e';
    }
    return false;
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    StringBuilder line = new StringBuilder();
    while (true) {
      String size = readLine(in, line);
      if (size == null) {
        throw new IOException("eof in chunked body");
      }
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      if (n == 0) {
        while (true) { // trailers up to the empty line
          String t = readLine(in, line);
          if (t == null || t.isEmpty()) {
            return body.toByteArray();
          }
        }
      }
      body.writeBytes(in.readNBytes(n));
      readLine(in, line);
    }
  }

  private static String readLine(InputStream in, StringBuilder line) throws IOException {
    line.setLength(0);
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        int len = line.length();
        return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
      }
      line.append((char) b);
    }
  }

  /** One request head; reused across the requests of a connection. */
  private static final class Head {
    final StringBuilder line = new StringBuilder(128);
    String path;
    int contentLength;
    boolean chunked;
    boolean expectContinue;
    boolean close;

    /** Reads the next request head; false at a clean end of stream. */
    boolean read(InputStream in) throws IOException {
      contentLength = 0;
      chunked = false;
      expectContinue = false;
      close = false;
      String requestLine;
      do { // tolerate stray CRLF between requests
        requestLine = readLine(in, line);
        if (requestLine == null) {
          return false;
        }
      } while (requestLine.isEmpty());
      int sp1 = requestLine.indexOf(' ');
      int sp2 = requestLine.indexOf(' ', sp1 + 1);
      path = sp1 > 0 && sp2 > sp1 ? requestLine.substring(sp1 + 1, sp2) : "";
      int q = path.indexOf('?');
      if (q >= 0) {
        path = path.substring(0, q);
      }
      while (true) {
        String h = readLine(in, line);
        if (h == null) {
          throw new IOException("eof in head");
        }
        if (h.isEmpty()) {
          return true;
        }
        int colon = h.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("content-length")) {
          contentLength = Integer.parseInt(value);
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
          chunked = value.toLowerCase().contains("chunked");
        } else if (name.equalsIgnoreCase("expect")) {
          expectContinue = value.equalsIgnoreCase("100-continue");
        } else if (name.equalsIgnoreCase("connection")) {
          close = value.equalsIgnoreCase("close");
        }
      }
    }
  }
}
