package dev.switchboard.spi.http;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP settings every HTTP provider builder shares: their validation, with messages naming the
 * field as {@code Owner.field}, and the client a provider builds (and later shuts down) when none
 * is given. Stateless and thread-safe.
 */
public final class HttpSettings {
  private HttpSettings() {}

  /**
   * Checks {@code timeout}, {@code connectTimeout} (optional; only for a built client) and {@code
   * maxResponseBytes}; {@code owner} prefixes the field names, e.g. {@code "OpenAiProvider"}.
   */
  public static void validate(String owner, Duration timeout, Duration connectTimeout, HttpClient httpClient,
      HttpTransport transport, int maxResponseBytes) {
    if (transport != null && (httpClient != null || connectTimeout != null)) {
      throw new IllegalStateException(owner + ".transport replaces httpClient(...) and connectTimeout(...); "
          + "configure the client on the transport instead");
    }
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

  /**
   * The transport a provider uses: {@code transport} when given (the caller keeps ownership);
   * else, when {@code httpClient} is set, a new one around it that the provider closes (which leaves
   * the client open); else the JVM's {@link HttpTransport#shared(Duration) shared} one for {@code
   * connectTimeout}, on which {@code close()} does nothing. So a provider
   * can always close what this returns when it did not get it from the caller.
   */
  public static HttpTransport transport(HttpTransport transport, HttpClient httpClient, Duration connectTimeout) {
    if (transport != null) {
      return transport;
    }
    if (httpClient != null) {
      return HttpTransport.builder().httpClient(httpClient).build();
    }
    return HttpTransport.shared(connectTimeout != null ? connectTimeout : HttpTransport.DEFAULT_CONNECT_TIMEOUT);
  }
}
