package dev.switchboard.bench.scale;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A slow-drip OpenAI-compatible stub for the scale test, in its own process: a keep-alive
 * HTTP/1.1 server that answers every {@code POST .../chat/completions} with {@code "stream":true}
 * as OpenAI SSE (chunked transfer encoding): the role chunk at once, then {@code chunks} content
 * chunks one every {@code intervalMs} (the first after a random offset within one interval, so
 * thousands of streams do not tick in lockstep), then a {@code finish_reason} chunk, a usage chunk
 * and {@code data: [DONE]}. The connection stays open for the next request.
 *
 * <p>One virtual thread per connection when the JDK has them (run it on JDK 21+, e.g. JDK 25, to
 * hold 10,000+ connections cheaply); on JDK 17 it falls back to a platform thread per connection,
 * which is fine for small runs. Arguments: {@code chunks intervalMs}. Prints {@code PORT <n>}; on
 * a {@code STATS} line on standard input prints {@code STATS key=value ...}; stops when standard
 * input closes.
 */
public final class DripServer {
  static final String ID = "chatcmpl-drip";
  private static final byte[] SSE_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
      + "Cache-Control: no-cache\r\nx-request-id: req_drip\r\nTransfer-Encoding: chunked\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BAD_REQUEST_BODY =
      "{\"error\":{\"message\":\"the drip server only streams\",\"type\":\"invalid_request_error\"}}"
          .getBytes(StandardCharsets.UTF_8);

  private static final AtomicLong accepted = new AtomicLong();
  private static final AtomicInteger connectionsOpen = new AtomicInteger();
  private static final AtomicInteger peakConnections = new AtomicInteger();
  private static final AtomicInteger streamsOpen = new AtomicInteger();
  private static final AtomicInteger peakStreams = new AtomicInteger();
  private static final AtomicLong streamsStarted = new AtomicLong();
  private static final AtomicLong streamsCompleted = new AtomicLong();
  private static final AtomicLong streamsBroken = new AtomicLong();
  private static final AtomicLong badRequests = new AtomicLong();
  private static final AtomicLong lateWrites = new AtomicLong(); // a chunk written > 1 interval late
  private static volatile String threading = "?";

  private DripServer() {}

  public static void main(String[] args) throws Exception {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    long intervalMs = args.length > 1 ? Long.parseLong(args[1]) : 750;
    ExecutorService perConnection = virtualThreadPerTaskExecutor();
    threading = perConnection != null ? "virtual" : "platform";

    // The kernel caps the backlog at net.core.somaxconn; the acceptor only accepts and hands off.
    ServerSocket server = new ServerSocket(0, 16_384, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        Socket socket;
        try {
          socket = server.accept();
        } catch (IOException e) {
          return;
        }
        accepted.incrementAndGet();
        Runnable task = () -> serve(socket, chunks, intervalMs);
        if (perConnection != null) {
          perConnection.execute(task);
        } else {
          Thread t = new Thread(null, task, "drip-connection", 256 * 1024);
          t.setDaemon(true);
          t.start();
        }
      }
    }, "drip-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println("PORT " + server.getLocalPort());
    System.out.flush();

    BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line; (line = commands.readLine()) != null; ) {
      if (line.trim().equals("STATS")) {
        System.out.println(stats());
        System.out.flush();
      }
    }
    server.close();
    System.exit(0);
  }

  static String stats() {
    return String.format(Locale.ROOT, "STATS threading=%s accepted=%d connectionsOpen=%d peakConnections=%d "
            + "streamsOpen=%d peakStreams=%d started=%d completed=%d broken=%d badRequests=%d lateWrites=%d "
            + "jdk=%s", threading, accepted.get(), connectionsOpen.get(), peakConnections.get(), streamsOpen.get(),
        peakStreams.get(), streamsStarted.get(), streamsCompleted.get(), streamsBroken.get(), badRequests.get(),
        lateWrites.get(), Runtime.version());
  }

  /** {@code Executors.newVirtualThreadPerTaskExecutor()} on JDK 21+, else {@code null}; this class compiles for 17. */
  private static ExecutorService virtualThreadPerTaskExecutor() {
    try {
      return (ExecutorService) java.util.concurrent.Executors.class
          .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException | RuntimeException notOnThisJdk) {
      System.err.println("drip server: no virtual threads on JDK " + Runtime.version()
          + "; one platform thread per connection");
      return null;
    }
  }

  private static void serve(Socket socket, int chunks, long intervalMs) {
    increment(connectionsOpen, peakConnections);
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      while (true) {
        String body = readRequest(in);
        if (body == null) {
          return; // the client closed the connection
        }
        if (!body.replace(" ", "").contains("\"stream\":true")) {
          badRequests.incrementAndGet();
          out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: "
              + BAD_REQUEST_BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(BAD_REQUEST_BODY);
          out.flush();
          continue;
        }
        drip(out, chunks, intervalMs);
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    } finally {
      connectionsOpen.decrementAndGet();
    }
  }

  private static void drip(OutputStream out, int chunks, long intervalMs) throws IOException, InterruptedException {
    streamsStarted.incrementAndGet();
    increment(streamsOpen, peakStreams);
    boolean finished = false;
    try {
      out.write(SSE_HEAD);
      writeChunk(out, event("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
      out.flush();
      long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
      long start = System.nanoTime() + ThreadLocalRandom.current().nextLong(Math.max(1, intervalNanos));
      for (int i = 0; i < chunks; i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        } else if (-wait > intervalNanos) {
          lateWrites.incrementAndGet();
        }
        writeChunk(out, event("{\"content\":\"tok" + i + " \"}", "null"));
        out.flush();
      }
      writeChunk(out, event("{}", "\"stop\"")
          + "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1732400000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
          + "\"completion_tokens\":" + chunks + ",\"total_tokens\":" + (12 + chunks) + "}}\n\n"
          + "data: [DONE]\n\n");
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      finished = true;
      streamsCompleted.incrementAndGet();
    } finally {
      streamsOpen.decrementAndGet();
      if (!finished) {
        streamsBroken.incrementAndGet();
      }
    }
  }

  private static String event(String delta, String finishReason) {
    return "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1732400000,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_drip\",\"choices\":[{\"index\":0,"
        + "\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]}\n\n";
  }

  private static void writeChunk(OutputStream out, String data) throws IOException {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write('\r');
    out.write('\n');
  }

  private static void increment(AtomicInteger current, AtomicInteger peak) {
    int now = current.incrementAndGet();
    peak.accumulateAndGet(now, Math::max);
  }

  /** Reads one request (head and body, by Content-Length or chunked); its body, or null at end of stream. */
  private static String readRequest(InputStream in) throws IOException {
    long contentLength = 0;
    boolean chunked = false;
    boolean first = true;
    while (true) {
      String line = readLine(in);
      if (line == null) {
        if (first) {
          return null;
        }
        throw new IOException("end of stream inside a request head");
      }
      if (line.isEmpty()) {
        if (first) {
          continue; // tolerate a stray CRLF between requests
        }
        break;
      }
      first = false;
      int colon = line.indexOf(':');
      if (colon > 0) {
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          contentLength = Long.parseLong(value);
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
    }
    if (!chunked) {
      return new String(in.readNBytes((int) contentLength), StandardCharsets.UTF_8);
    }
    StringBuilder body = new StringBuilder();
    while (true) {
      String size = readLine(in);
      if (size == null) {
        throw new IOException("end of stream inside a chunked body");
      }
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      if (n == 0) {
        while (true) { // trailers
          String trailer = readLine(in);
          if (trailer == null || trailer.isEmpty()) {
            return body.toString();
          }
        }
      }
      body.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.length() == 0 ? null : line.toString();
      }
      if (b == '\n') {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
          line.setLength(len - 1);
        }
        return line.toString();
      }
      line.append((char) b);
    }
  }
}
