package dev.switchboard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Redis server for tests: the one {@code REDIS_URL} names, else a private {@code
 * redis-server} (Debian's package, or any on the {@code PATH}) started on a free loopback port
 * with persistence off, and stopped by {@link #close()}. No mock: budgets and caches are tested
 * against the server they will run on.
 *
 * <p>{@link #startOrSkip()} suits JUnit tests: where there is neither, the test is skipped with a
 * message that says how to get one — unless {@code SWITCHBOARD_REQUIRE_REDIS=1} is set (CI sets
 * it), in which case the test fails. Thread-safe.
 */
public final class RedisServer implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 20;
  private static final List<Path> KNOWN_BINARIES = List.of(Path.of("/usr/bin/redis-server"),
      Path.of("/usr/sbin/redis-server"), Path.of("/usr/local/bin/redis-server"));

  private final URI uri;
  private final Process process;

  private RedisServer(URI uri, Process process) {
    this.uri = uri;
    this.process = process;
  }

  /** {@code redis://host:port} (with REDIS_URL's credentials, if any), for {@code RedisClient.create(server.uri())}. */
  public String uri() {
    return uri.toString();
  }

  public String host() {
    return uri.getHost();
  }

  public int port() {
    return uri.getPort();
  }

  /** True when this server was started here (not taken from {@code REDIS_URL}). */
  public boolean owned() {
    return process != null;
  }

  /**
   * The server {@code REDIS_URL} names, else a new {@code redis-server}; throws {@link
   * IllegalStateException} saying how to get one when there is neither.
   */
  public static RedisServer start() {
    String url = System.getenv("REDIS_URL");
    if (url != null && !url.isBlank()) {
      return new RedisServer(URI.create(url.trim()), null);
    }
    Path binary = binary().orElseThrow(() -> new IllegalStateException("no Redis for this test: set REDIS_URL "
        + "(redis://host:port) or install redis-server (Debian: apt-get install -y redis-server)"));
    return launch(binary);
  }

  /**
   * {@link #start()}, or skips the calling JUnit test when no Redis can be had here — except when
   * {@code SWITCHBOARD_REQUIRE_REDIS=1}, where it fails instead.
   */
  public static RedisServer startOrSkip() {
    try {
      return start();
    } catch (IllegalStateException e) {
      if ("1".equals(System.getenv("SWITCHBOARD_REQUIRE_REDIS"))) {
        throw e;
      }
      org.junit.jupiter.api.Assumptions.abort(e.getMessage());
      throw e; // not reached
    }
  }

  /** A {@code redis-server} on the {@code PATH} or in a usual place. */
  public static Optional<Path> binary() {
    String path = System.getenv("PATH");
    List<Path> candidates = new ArrayList<>();
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "redis-server"));
        }
      }
    }
    candidates.addAll(KNOWN_BINARIES);
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  private static RedisServer launch(Path binary) {
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "", "--loglevel", "notice")
        .redirectErrorStream(true);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> drain(process.getInputStream(), ready, log), "redis-server-" + port + "-log");
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      process.destroyForcibly();
      synchronized (log) {
        throw new IllegalStateException(binary + " did not become ready on 127.0.0.1:" + port + " within "
            + START_TIMEOUT_SECONDS + " s; its output:\n" + log, e);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
    return new RedisServer(URI.create("redis://127.0.0.1:" + port), process);
  }

  /** Reads the server's log; ready once it accepts connections, failed if it exits before. */
  private static void drain(InputStream in, CompletableFuture<Void> ready, StringBuilder log) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (log) {
          if (log.length() < 16_384) {
            log.append(line).append('\n');
          }
        }
        if (line.contains("Ready to accept connections")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    ready.completeExceptionally(new IllegalStateException("redis-server exited"));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Deletes every key (FLUSHALL), so that tests sharing a server start from nothing. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /** Sends one inline command and returns the first line of the reply. */
  String command(String inline) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port()), 5_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String credentials = uri.getUserInfo();
      if (credentials != null && !credentials.isEmpty()) {
        int colon = credentials.indexOf(':');
        String auth = colon < 0 ? credentials
            : colon == 0 ? credentials.substring(1) : credentials.substring(0, colon) + " " + credentials.substring(colon + 1);
        out.write(("AUTH " + auth + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String reply = in.readLine();
        if (reply == null || !reply.startsWith("+OK")) {
          throw new IllegalStateException("Redis at " + this + " refused the credentials in REDIS_URL");
        }
      }
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException("Redis at " + this + " did not answer " + inline, e);
    }
  }

  /** Stops a server started here (one from {@code REDIS_URL} is left running). */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    // host and port only: a REDIS_URL may carry a password
    return "RedisServer[" + host() + ":" + port() + (owned() ? ", started here" : ", from REDIS_URL") + "]";
  }
}
