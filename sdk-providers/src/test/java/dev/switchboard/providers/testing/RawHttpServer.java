package dev.switchboard.providers.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A socket-level HTTP/1.1 server on 127.0.0.1 for tests that must see what the client does to the
 * connection itself (closing it, or leaving it open), or that need a server that is really silent
 * (no keep-alive bytes) for as long as the test likes. Each accepted connection reads one request,
 * reports it, and runs the script; the script can then wait for the client to hang up. Shared by the
 * providers' test packages.
 */
public final class RawHttpServer implements AutoCloseable {
  /** What the server does with one accepted connection, after reading its request. */
  public interface Script {
    void run(Connection connection) throws IOException;
  }

  /** One accepted connection. */
  public static final class Connection {
    public final Socket socket;
    public final String requestHead;
    public final CompletableFuture<Void> clientClosed = new CompletableFuture<>();
    /** Completed by scripts once they have sent what the test waits for. */
    public final CompletableFuture<Void> sent = new CompletableFuture<>();

    Connection(Socket socket, String requestHead) {
      this.socket = socket;
      this.requestHead = requestHead;
    }

    /** The request line, e.g. {@code POST /v1/chat/completions HTTP/1.1}. */
    public String requestLine() {
      int end = requestHead.indexOf("\r\n");
      return end < 0 ? requestHead : requestHead.substring(0, end);
    }

    public void write(String s) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Starts a 200 answer with a chunked body of {@code contentType}; send the body with {@link #chunk}. */
    public void startChunked(String contentType) throws IOException {
      write("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    /** Sends a whole answer and closes the connection (so the client never reuses it). */
    public void respondAndClose(int status, String contentType, String body) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      write("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nContent-Length: " + b.length
          + "\r\nConnection: close\r\n\r\n" + body);
      socket.close();
    }

    /** Writes one chunk of a chunked body. */
    public void chunk(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      write(Integer.toHexString(b.length) + "\r\n" + s + "\r\n");
    }

    /** Blocks this server thread until the client closes the connection (read returns -1 or fails). */
    public void awaitClientClose() {
      try {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // discard
        }
      } catch (IOException e) {
        // reset or timeout both end the wait; a timeout leaves clientClosed incomplete
        if (e instanceof java.net.SocketTimeoutException) {
          return;
        }
      }
      clientClosed.complete(null);
    }
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-http-server");
    t.setDaemon(true);
    return t;
  });
  public final List<Connection> connections = new CopyOnWriteArrayList<>();
  /** One future per expected connection, completed as they are accepted, in order. */
  public final List<CompletableFuture<Connection>> accepted = new CopyOnWriteArrayList<>();

  public RawHttpServer(int expectedConnections, Script script) throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    for (int i = 0; i < expectedConnections; i++) {
      accepted.add(new CompletableFuture<>());
    }
    threads.execute(() -> {
      int n = 0;
      while (!server.isClosed()) {
        Socket socket;
        try {
          socket = server.accept();
        } catch (IOException e) {
          return;
        }
        int index = n++;
        threads.execute(() -> serve(socket, index, script));
      }
    });
  }

  /** The OpenAI-style API root, {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return root() + "/v1";
  }

  /** The server root, {@code http://127.0.0.1:PORT}. */
  public String root() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void serve(Socket socket, int index, Script script) {
    Connection c = null;
    try {
      String head = readRequest(socket.getInputStream());
      c = new Connection(socket, head);
      connections.add(c);
      if (index < accepted.size()) {
        accepted.get(index).complete(c);
      }
      script.run(c);
    } catch (IOException e) {
      // A write or read failed: the client went away.
      if (c != null) {
        c.clientClosed.complete(null);
      }
    }
  }

  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("client closed before sending a request");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return text;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Connection c : connections) {
      c.socket.close();
    }
    threads.shutdownNow();
  }
}
