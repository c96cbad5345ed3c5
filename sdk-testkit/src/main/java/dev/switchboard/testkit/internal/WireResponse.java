package dev.switchboard.testkit.internal;

import dev.switchboard.testkit.Fault;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the emulator sends back, independent of the HTTP server that sends it: a status, headers
 * and body, or a connection-level fault ({@link Fault#CONNECTION_RESET} or {@link
 * Fault#EMPTY_RESPONSE}). Immutable.
 */
public record WireResponse(int status, Map<String, String> headers, byte[] body, Fault fault) {
  public WireResponse {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
    Objects.requireNonNull(body, "body");
    if (fault != null && fault != Fault.CONNECTION_RESET && fault != Fault.EMPTY_RESPONSE) {
      throw new IllegalArgumentException(fault + " is rendered as a body, not as a connection fault");
    }
  }

  public static WireResponse of(int status, Map<String, String> headers, String body) {
    return new WireResponse(status, headers, body.getBytes(StandardCharsets.UTF_8), null);
  }

  public static WireResponse fault(Fault fault) {
    return new WireResponse(0, Map.of(), new byte[0], Objects.requireNonNull(fault, "fault"));
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
