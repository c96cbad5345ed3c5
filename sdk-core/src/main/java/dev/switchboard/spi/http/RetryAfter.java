package dev.switchboard.spi.http;

import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses the standard server hints of when to try again: {@code retry-after-ms} (milliseconds, as
 * sent by OpenAI and Azure) and {@code Retry-After} (RFC 9110: seconds or an HTTP date, which is
 * measured against the given clock). Unparseable or negative values count as absent; dates in the
 * past become zero. Stateless and thread-safe.
 */
public final class RetryAfter {
  /** Hints beyond this are treated as this; they are hints, not contracts. */
  private static final Duration MAX = Duration.ofDays(1);

  private RetryAfter() {}

  /** {@code retry-after-ms} if valid, else {@code Retry-After}, else empty. */
  public static Optional<Duration> fromHeaders(HttpHeaders headers, Clock clock) {
    Optional<Duration> ms = headers.firstValue("retry-after-ms").flatMap(RetryAfter::millis);
    if (ms.isPresent()) {
      return ms;
    }
    return headers.firstValue("retry-after").flatMap(v -> secondsOrDate(v, clock));
  }

  /** A number of milliseconds, possibly with a fraction. */
  public static Optional<Duration> millis(String value) {
    return decimal(value).map(d -> cap(d.multiply(BigDecimal.valueOf(1_000_000L))));
  }

  /** A number of seconds (possibly with a fraction, which some servers send) or an HTTP date. */
  public static Optional<Duration> secondsOrDate(String value, Clock clock) {
    if (value == null) {
      return Optional.empty();
    }
    Optional<BigDecimal> seconds = decimal(value);
    if (seconds.isPresent()) {
      return Optional.of(cap(seconds.get().multiply(BigDecimal.valueOf(1_000_000_000L))));
    }
    try {
      Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(clock.instant(), at);
      return Optional.of(d.isNegative() ? Duration.ZERO : (d.compareTo(MAX) > 0 ? MAX : d));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<BigDecimal> decimal(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > 30 || !v.matches("\\d+(\\.\\d+)?")) {
      return Optional.empty();
    }
    return Optional.of(new BigDecimal(v));
  }

  private static Duration cap(BigDecimal nanos) {
    if (nanos.compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
      return MAX;
    }
    return Duration.ofNanos(nanos.longValue());
  }
}
