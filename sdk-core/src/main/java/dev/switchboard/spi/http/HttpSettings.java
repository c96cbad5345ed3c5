package dev.switchboard.spi.http;

import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP settings every HTTP provider builder shares: their validation, with messages naming the
 * field as {@code Owner.field}, and the client a provider builds (and later shuts down) when none
 * is given. Stateless and thread-safe.
 */
public final class HttpSettings {
  /** The connect timeout of a client the provider builds when none is configured. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private HttpSettings() {}

  /**
   * Checks {@code timeout}, {@code connectTimeout} (optional; only for a built client) and {@code
   * maxResponseBytes}; {@code owner} prefixes the field names, e.g. {@code "OpenAiProvider"}.
   */
  public static void validate(String owner, Duration timeout, Duration connectTimeout, HttpClient httpClient,
      int maxResponseBytes) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(owner + ".timeout must be positive, got: " + timeout);
    }
    if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.isZero())) {
      throw new IllegalArgumentException(owner + ".connectTimeout must be positive, got: " + connectTimeout);
    }
    if (connectTimeout != null && httpClient != null) {
      throw new IllegalStateException(owner + ".connectTimeout applies only to the client the provider builds; "
          + "set it on the HttpClient passed to httpClient(...) instead");
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException(owner + ".maxResponseBytes must be > 0, got: " + maxResponseBytes);
    }
  }

  /** A cached pool of daemon threads named {@code switchboard-<name>-http-<clientId>-<n>}. */
  public static ExecutorService newExecutor(String name, int clientId) {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "switchboard-" + name + "-http-" + clientId + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A client on {@code executor}; {@code connectTimeout} null means {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public static HttpClient newClient(Duration connectTimeout, ExecutorService executor) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT)
        .executor(executor)
        .build();
  }

  /** Shuts down a client built with {@link #newClient} and its executor. */
  public static void shutdown(HttpClient client, ExecutorService executor) {
    // JDK 21+ can shut the client down (closing its connections); JDK 17 cannot, so this is reflective.
    try {
      Method shutdown = HttpClient.class.getMethod("shutdown");
      shutdown.invoke(client);
    } catch (ReflectiveOperationException | RuntimeException notOnThisJdk) {
      // JDK 17: the selector thread and idle connections end when the client is collected
    }
    executor.shutdown();
  }
}
