package dev.switchboard.examples.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback OpenAI-compatible stub for benchmarks: a minimal keep-alive HTTP/1.1 server (one
 * thread per connection) that answers every request with the same small chat completion. Runs in
 * its own process so the client's CPU time is measured alone. Prints {@code PORT <n>} and stops when
 * its standard input closes.
 */
public final class StubServer {
  static final byte[] BODY = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1732400000,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
      + "\"content\":\"Routing by cost sends easy queries to cheap models and saves the premium model for hard ones.\","
      + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,"
      + "\"completion_tokens\":18,\"total_tokens\":42,\"prompt_tokens_details\":{\"cached_tokens\":0},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},\"system_fingerprint\":\"fp_bench\"}")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      + "x-request-id: req_bench\r\nContent-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          socket.setTcpNoDelay(true);
          Thread t = new Thread(() -> serve(socket), "stub-connection");
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
    while (System.in.read() >= 0) {
      // wait for the parent to close our standard input
    }
    server.close();
  }

  private static void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      while (true) {
        int contentLength = readHead(in);
        if (contentLength < 0) {
          return;
        }
        in.skipNBytes(contentLength);
        out.write(HEAD);
        out.write(BODY);
        out.flush();
      }
    } catch (IOException e) {
      // client went away
    }
  }

  /** Reads one request head; returns its Content-Length, or -1 at end of stream. */
  private static int readHead(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int contentLength = 0;
    boolean any = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return any ? contentLength : -1;
      }
      any = true;
      if (b == '\n') {
        String l = line.toString().trim();
        if (l.isEmpty()) {
          return contentLength;
        }
        if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
          contentLength = Integer.parseInt(l.substring(15).trim());
        }
        line.setLength(0);
      } else {
        line.append((char) b);
      }
    }
  }
}
