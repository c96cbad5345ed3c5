package dev.switchboard.providers.anthropic.internal;

import static dev.switchboard.spi.http.ErrorMapping.after;
import dev.switchboard.spi.http.HttpErrorMapper;
import static dev.switchboard.spi.http.ErrorMapping.containsAny;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.OverloadedException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.Secret;
import dev.switchboard.ServerException;
import dev.switchboard.TransportException;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.spi.http.ErrorMapping;
import dev.switchboard.spi.http.RetryAfter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one place that decides what a failure of Anthropic's Messages API means: HTTP status, error
 * body ({@code {"type":"error","error":{"type":...,"message":...},"request_id":...}}) and headers,
 * an {@code error} event inside a stream, or a transport failure, become a typed {@link
 * ChatException} with its retryability and retry hint.
 *
 * <table>
 *   <caption>Status and error type to exception</caption>
 *   <tr><th>status / type</th><th>exception</th><th>retryable</th></tr>
 *   <tr><td>400 {@code invalid_request_error} (and other 4xx not below)</td><td>{@link
 *       ContextLengthExceededException} when the message says the prompt is too long or exceeds the
 *       context window; {@link QuotaExceededException} for "credit balance is too low" and reached
 *       spend/usage limits; {@link ContentFilteredException} for "Output blocked by content
 *       filtering policy"; else {@link InvalidRequestException}</td><td>no</td></tr>
 *   <tr><td>401 {@code authentication_error}, 403 {@code permission_error}</td><td>{@link
 *       AuthenticationException}</td><td>no</td></tr>
 *   <tr><td>402 {@code billing_error}</td><td>{@link QuotaExceededException}</td><td>no</td></tr>
 *   <tr><td>404 {@code not_found_error}</td><td>{@link ModelNotFoundException}</td><td>no</td></tr>
 *   <tr><td>413 {@code request_too_large}</td><td>{@link InvalidRequestException}</td><td>no</td></tr>
 *   <tr><td>408, 504 {@code timeout_error}</td><td>{@link ChatTimeoutException}</td><td>yes</td></tr>
 *   <tr><td>409 {@code conflict_error}</td><td>{@link ServerException}</td><td>yes</td></tr>
 *   <tr><td>429 {@code rate_limit_error}</td><td>{@link RateLimitException} ({@link
 *       QuotaExceededException} when the message is about a spend limit or credit)</td><td>yes
 *       (no)</td></tr>
 *   <tr><td>529 {@code overloaded_error}, 503</td><td>{@link OverloadedException}</td><td>yes</td></tr>
 *   <tr><td>500 {@code api_error}, any other 5xx</td><td>{@link
 *       ServerException}</td><td>yes</td></tr>
 *   <tr><td>anything else</td><td>{@link ChatException}</td><td>no</td></tr>
 * </table>
 *
 * <p>Retry hints, first found wins: {@code retry-after} (seconds or an HTTP date against the
 * injected clock; {@code retry-after-ms} too, for gateways), then, for 429 only, the {@code
 * anthropic-ratelimit-*-reset} RFC 3339 timestamps (measured against the injected clock) of the
 * exhausted limit, or the latest of them when none says it is exhausted.
 *
 * <p>Bodies that are not Anthropic's error JSON (an HTML page from Cloudflare, plain text, a
 * gateway's own JSON) are typed by status and quoted as a short single-line excerpt. An error event
 * in a 200 stream is typed by its error type ({@code overloaded_error} as 529, ...), while {@link
 * ErrorDetails#statusCode()} stays the real HTTP status. Every message names the provider and
 * model, says what to do, and is redacted: the configured API key and anything that looks like a
 * key or bearer token are replaced by {@code ****}.
 *
 * <p>Immutable and thread-safe. Not API.
 */
public final class AnthropicErrorMapper implements HttpErrorMapper {
  /** Excerpts of bodies are at most this long, ellipsis included. */
  static final int EXCERPT_CHARS = 200;

  private static final int MESSAGE_CHARS = 500;
  private static final List<String> RATE_LIMIT_KINDS = List.of("requests", "tokens", "input-tokens", "output-tokens");
  private static final Duration MAX_HINT = Duration.ofDays(1);

  private final Secret apiKey;
  private final String endpoint;
  private final Clock clock;

  /**
   * @param apiKey the configured key, for redaction and for saying where it came from; {@code
   *     null} when none is configured
   * @param endpoint the URL requests go to, for messages
   * @param clock for {@code retry-after} HTTP dates and {@code anthropic-ratelimit-*-reset} times
   */
  public AnthropicErrorMapper(Secret apiKey, String endpoint, Clock clock) {
    this.apiKey = apiKey;
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What a non-2xx response means. Never throws. */
  @Override
  public String requestId(HttpHeaders headers) {
    return AnthropicWire.requestId(headers);
  }

  @Override
  public ChatException map(int status, HttpHeaders headers, byte[] body, String provider, String model) {
    ErrorBody e = parse(body);
    return classify(status, status, headers, e, provider, model, "HTTP " + status);
  }

  /**
   * What an error object inside a successful response means: an {@code event: error} in a stream or
   * an error body with status 200 ({@code origin} says which). The status it stands for comes from
   * its error type ({@code overloaded_error} 529, {@code api_error} 500, {@code rate_limit_error}
   * 429, ...; unknown types 500: a server failing mid-answer); {@link ErrorDetails#statusCode()}
   * stays {@code httpStatus}.
   */
  public ChatException mapBodyError(int httpStatus, HttpHeaders headers, JsonNode root, String provider, String model,
      String origin) {
    ErrorBody e = fromJson(root, null);
    return classify(statusOf(e.type), httpStatus, headers, e, provider, model, origin);
  }

  /** What an exception from the transport means: connect, TLS, timeouts, cancellation. */
  @Override
  public ChatException mapFailure(Throwable failure, String provider, String model) {
    Throwable t = Futures.unwrap(failure);
    if (t instanceof ChatException ce) {
      return ce;
    }
    ErrorDetails.Builder d = ErrorDetails.builder().provider(provider).model(model);
    String cause = ErrorMapping.describe(t, EXCERPT_CHARS - 1);
    if (t instanceof HttpConnectTimeoutException) {
      return new ChatTimeoutException(redact(provider + " could not be reached at " + endpoint + " for model '" + model
          + "' within the connect timeout (" + cause + "). Check the network and the base URL, or raise "
          + "AnthropicProvider.builder().connectTimeout(...); retrying may help."), d.retryable(true).build(), t);
    }
    if (t instanceof HttpTimeoutException) {
      return new ChatTimeoutException(redact(provider + " did not answer model '" + model + "' in time (" + cause
          + "). Raise AnthropicProvider.builder().timeout(...) or ChatRequest.timeout(...), or stream long answers; "
          + "retrying may help."), d.retryable(true).build(), t);
    }
    if (t instanceof CancellationException) {
      return new ChatException(provider + " call for model '" + model + "' was cancelled", d.build(), t);
    }
    if (t instanceof SSLHandshakeException) {
      return new TransportException(redact("the TLS handshake with " + provider + " at " + endpoint
          + " failed for model '" + model + "' (" + cause + "). Check the base URL and the server's certificate; "
          + "retrying will not help."), d.retryable(false).build(), t);
    }
    if (t instanceof ConnectException) {
      return new TransportException(redact(provider + " could not be reached at " + endpoint + " for model '" + model
          + "' (" + cause + "). Check the network and the base URL; retrying may help."),
          d.retryable(true).build(), t);
    }
    if (t instanceof IOException) {
      return new TransportException(redact("the connection to " + provider + " at " + endpoint
          + " failed for model '" + model + "' (" + cause + "). Retrying may help."), d.retryable(true).build(), t);
    }
    return new ChatException(redact("the call to " + provider + " for model '" + model + "' failed unexpectedly ("
        + cause + ")"), d.build(), t);
  }

  /** The exception for a whole call that took longer than {@code timeout}. */
  @Override
  public ChatTimeoutException timeout(Duration timeout, String provider, String model) {
    return new ChatTimeoutException(provider + " did not answer model '" + model + "' within " + ErrorMapping.human(timeout)
        + ". Raise AnthropicProvider.builder().timeout(...) or ChatRequest.timeout(...), or stream long answers; "
        + "retrying may help.", ErrorDetails.builder().provider(provider).model(model).retryable(true).build());
  }

  /** Removes the API key and anything that looks like a key or bearer token. */
  public String redact(String text) {
    return ErrorMapping.redact(text, apiKey);
  }

  // ---- classification ----

  private ChatException classify(int status, int httpStatus, HttpHeaders headers, ErrorBody e, String provider,
      String model, String origin) {
    String requestId = AnthropicWire.requestId(headers);
    ErrorDetails.Builder d = ErrorDetails.builder()
        .provider(provider)
        .model(model)
        .statusCode(httpStatus)
        .statusInBody(status != httpStatus ? status : 0)
        .requestId(requestId != null ? requestId : e.requestId)
        .providerCode(e.type);
    String what = redact(describe(origin, e));
    String p = provider;
    String m = "model '" + model + "'";
    if (status == 401) {
      return new AuthenticationException(p + " rejected the credentials for " + m + " (" + what + "). " + keyAdvice(),
          d.build());
    }
    if (status == 403) {
      return new AuthenticationException(p + " denied access to " + m + " (" + what + "). Check that "
          + (apiKey == null ? "the API key" : ErrorMapping.describeKey(apiKey, "AnthropicProvider"))
          + " and its workspace may use this model; retrying will not help.", d.build());
    }
    if (status == 402 || (status >= 400 && status <= 499 && isQuota(e))) {
      return new QuotaExceededException(p + " refused the request to " + m + " for billing reasons (" + what
          + "). Add credit or raise the spend limit in the Anthropic Console, or switch provider; retrying will not "
          + "help.", d.build());
    }
    if (status == 404) {
      return new ModelNotFoundException(p + " does not serve " + m + " at " + endpoint + " (" + what
          + "). Check the model name (e.g. claude-sonnet-4-5) and the base URL.", d.build());
    }
    if (status == 413) {
      return new InvalidRequestException(p + " rejected the request to " + m + " as too large (" + what
          + "). Send fewer or smaller images and documents (the Messages API takes at most 32 MB); retrying it "
          + "unchanged will not help.", d.build());
    }
    Optional<Duration> retryAfter = RetryAfter.fromHeaders(headers, clock);
    if (status == 408 || status == 504) {
      return new ChatTimeoutException(p + " timed out processing the request to " + m + " (" + what
          + "). Retry" + after(retryAfter) + ", or stream long answers.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 409) {
      return new ServerException(p + " reported a conflict for " + m + " (" + what
          + "). This is usually transient; retry" + after(retryAfter) + ".",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 429) {
      if (retryAfter.isEmpty()) {
        retryAfter = rateLimitReset(headers);
      }
      return new RateLimitException(p + " rate-limited the request to " + m + " (" + what + "). Retry"
          + after(retryAfter) + ", or lower the request rate.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 529 || status == 503) {
      return new OverloadedException(p + " is overloaded and did not take the request to " + m + " (" + what
          + "). Retry" + after(retryAfter) + " or fall back to another provider.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status >= 500 && status <= 599) {
      return new ServerException(p + " failed on its side for " + m + " (" + what + "). This is usually transient; "
          + "retry" + after(retryAfter) + " or fall back to another provider.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status >= 400 && status <= 499) {
      if (isContextLength(e)) {
        return new ContextLengthExceededException(p + " rejected the request to " + m
            + ": the prompt and the requested output do not fit the model's context window (" + what
            + "). Shorten the conversation, lower maxOutputTokens, or fall back to a model with a larger window.",
            d.build());
      }
      if (isContentFilter(e)) {
        return new ContentFilteredException(p + "'s content filter blocked the answer of " + m + " (" + what
            + "). Change the prompt; retrying it unchanged will not help.", d.build());
      }
      return new InvalidRequestException(p + " rejected the request to " + m + " as invalid (" + what
          + "). Fix the request; retrying it unchanged will not help.", d.build());
    }
    return new ChatException(p + " answered the request to " + m + " with an unexpected " + what
        + ". Check the base URL " + endpoint + " and the server's documentation.", d.build());
  }

  private String keyAdvice() {
    if (apiKey == null) {
      return "No API key is configured: set one with "
          + "AnthropicProvider.builder().apiKey(Secret.fromEnv(\"ANTHROPIC_API_KEY\")).";
    }
    return "Check " + ErrorMapping.describeKey(apiKey, "AnthropicProvider") + "; retrying will not help.";
  }

  /**
   * The wait until the exhausted rate limit resets, from {@code anthropic-ratelimit-<kind>-reset}
   * (RFC 3339): the latest reset among limits whose remaining count is 0, else the latest of all.
   */
  Optional<Duration> rateLimitReset(HttpHeaders headers) {
    Instant exhausted = null;
    Instant any = null;
    for (String kind : RATE_LIMIT_KINDS) {
      Optional<Instant> reset = headers.firstValue("anthropic-ratelimit-" + kind + "-reset")
          .flatMap(AnthropicErrorMapper::instant);
      if (reset.isEmpty()) {
        continue;
      }
      any = later(any, reset.get());
      boolean out = headers.firstValue("anthropic-ratelimit-" + kind + "-remaining")
          .map(v -> v.trim().equals("0")).orElse(false);
      if (out) {
        exhausted = later(exhausted, reset.get());
      }
    }
    Instant at = exhausted != null ? exhausted : any;
    if (at == null) {
      return Optional.empty();
    }
    Duration d = Duration.between(clock.instant(), at);
    return Optional.of(d.isNegative() ? Duration.ZERO : d.compareTo(MAX_HINT) > 0 ? MAX_HINT : d);
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  private static Optional<Instant> instant(String value) {
    try {
      return Optional.of(OffsetDateTime.parse(value.trim()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static boolean isContextLength(ErrorBody e) {
    return containsAny(e.message, "prompt is too long", "context window", "context length", "context limit",
        "maximum context", "too many tokens");
  }

  private static boolean isContentFilter(ErrorBody e) {
    return containsAny(e.message, "content filtering policy", "content policy", "blocked by content");
  }

  private static boolean isQuota(ErrorBody e) {
    return "billing_error".equals(e.type)
        || containsAny(e.message, "credit balance", "spend limit", "usage limits", "purchase credits",
        "plans & billing");
  }

  /** The status an error type stands for; unknown types as 500, a server failing mid-answer. */
  static int statusOf(String type) {
    if (type == null) {
      return 500;
    }
    switch (type) {
      case "invalid_request_error":
        return 400;
      case "authentication_error":
        return 401;
      case "billing_error":
        return 402;
      case "permission_error":
        return 403;
      case "not_found_error":
        return 404;
      case "conflict_error":
        return 409;
      case "request_too_large":
        return 413;
      case "rate_limit_error":
        return 429;
      case "timeout_error":
        return 504;
      case "overloaded_error":
        return 529;
      case "api_error":
      default:
        return 500;
    }
  }

  // ---- error bodies ----

  /** What an error body says; any field but the message may be null. */
  private record ErrorBody(String message, String type, String requestId) {}

  private static ErrorBody parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new ErrorBody("empty body", null, null);
    }
    JsonNode root = null;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException notJson) {
      // an HTML page from Cloudflare, plain text, or a truncated body
    }
    if (root == null || !root.isObject()) {
      return new ErrorBody(AnthropicWire.excerpt(body, EXCERPT_CHARS - 1), null, null);
    }
    return fromJson(root, body);
  }

  /** Anthropic's {@code {"type":"error","error":{...}}}, and the shapes gateways use instead. */
  private static ErrorBody fromJson(JsonNode root, byte[] raw) {
    if (root == null || !root.isObject()) {
      return new ErrorBody(root == null ? "no error details" : WireJson.excerpt(WireJson.write(root), EXCERPT_CHARS - 1),
          null, null);
    }
    JsonNode error = root.get("error");
    JsonNode source = error != null && error.isObject() ? error : root;
    String message = AnthropicWire.string(source, "message");
    if (message == null && error != null && error.isTextual()) {
      message = error.textValue();
    }
    if (message == null) {
      message = raw != null ? AnthropicWire.excerpt(raw, EXCERPT_CHARS - 1) : WireJson.excerpt(WireJson.write(root),
          EXCERPT_CHARS - 1);
    }
    String type = AnthropicWire.string(source, "type");
    if (type == null || type.isBlank() || (source == root && type.equals("error"))) {
      type = null;
    }
    return new ErrorBody(WireJson.excerpt(message, MESSAGE_CHARS - 1), type, AnthropicWire.string(root, "request_id"));
  }

  private static String describe(String origin, ErrorBody e) {
    StringBuilder sb = new StringBuilder(origin);
    if (e.type != null) {
      sb.append(", ").append(WireJson.excerpt(e.type, 80));
    }
    return sb.append(": ").append(e.message).toString();
  }
}
