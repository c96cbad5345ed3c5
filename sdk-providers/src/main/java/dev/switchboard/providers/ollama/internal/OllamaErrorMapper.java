package dev.switchboard.providers.ollama.internal;

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
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one place that decides what an Ollama server's failure means: an HTTP status with Ollama's
 * error body {@code {"error":"..."}}, an error line inside a 200 stream, or a transport failure
 * become a typed {@link ChatException} with its retryability and retry hint.
 *
 * <table>
 *   <caption>Status to exception</caption>
 *   <tr><th>status</th><th>exception</th><th>retryable</th></tr>
 *   <tr><td>400, 413, 422</td><td>{@link ContextLengthExceededException} when the message speaks of
 *       the context length or window; {@link ContentFilteredException} when it speaks of a content
 *       filter or policy (a gateway in front of Ollama); else {@link InvalidRequestException} (e.g.
 *       "does not support tools")</td><td>no</td></tr>
 *   <tr><td>401, 403</td><td>{@link AuthenticationException} (Ollama needs no key; a proxy or
 *       ollama.com does)</td><td>no</td></tr>
 *   <tr><td>402</td><td>{@link QuotaExceededException}</td><td>no</td></tr>
 *   <tr><td>404</td><td>{@link ModelNotFoundException} when the message says the model was not
 *       found (the message says to {@code ollama pull} it); else a {@link ChatException} saying the
 *       base URL is wrong</td><td>no</td></tr>
 *   <tr><td>408</td><td>{@link ChatTimeoutException}</td><td>yes</td></tr>
 *   <tr><td>409</td><td>{@link ServerException}</td><td>yes</td></tr>
 *   <tr><td>429</td><td>{@link QuotaExceededException} when the message speaks of a quota, billing,
 *       credit or plan (ollama.com); else {@link RateLimitException}</td><td>no; yes</td></tr>
 *   <tr><td>500-599</td><td>{@link OverloadedException} for 503 "server busy" (Ollama's queue is full), else {@link ServerException} (
 *       500 "llama runner process has terminated": the runner crashed, often out of
 *       memory)</td><td>yes</td></tr>
 *   <tr><td>other</td><td>{@link ChatException}</td><td>no</td></tr>
 * </table>
 *
 * <p>An error line inside a 200 stream (or body) has no status of its own; the status it stands
 * for is guessed from its message (not found → 404, context length or "does not support" → 400,
 * rate limit → 429, busy → 503, else 500: the runner failed mid-answer), while {@link
 * ErrorDetails#statusCode()} stays the real 200. A refused connection becomes a retryable {@link
 * TransportException} saying that Ollama does not seem to be running at the base URL.
 *
 * <p>Retry hints come from {@code Retry-After} (seconds or an HTTP date against the injected clock).
 * Bodies may also be {@code {"error":{"message":...}}}, {@code {"message":...}}, {@code
 * {"detail":...}} (proxies) or not JSON at all (Gin's plain {@code 404 page not found}, a proxy's
 * HTML page); messages quote at most a short single-line excerpt. Every message names the provider
 * and model, says what to do, and is redacted: the configured API key and anything that looks
 * like a bearer token are replaced by {@code ****}.
 *
 * <p>Immutable and thread-safe. Not API.
 */
public final class OllamaErrorMapper implements HttpErrorMapper {
  /** Excerpts of bodies are at most this long, ellipsis included. */
  public static final int EXCERPT_CHARS = 200;

  private static final int MESSAGE_CHARS = 500;

  private final Secret apiKey;
  private final String baseUrl;
  private final Clock clock;

  /**
   * @param apiKey the configured key, for redaction and for saying where it came from; {@code null}
   *     when none is configured (the usual case for a local Ollama)
   * @param baseUrl the server root requests go to, for messages
   * @param clock for {@code Retry-After} HTTP dates
   */
  public OllamaErrorMapper(Secret apiKey, String baseUrl, Clock clock) {
    this.apiKey = apiKey;
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What a non-2xx response means. {@code model} is "" for calls about no model (discovery). Never throws. */
  @Override
  public String requestId(HttpHeaders headers) {
    return null;
  }

  @Override
  public ChatException map(int status, HttpHeaders headers, byte[] body, String provider, String model) {
    return classify(status, status, headers, parse(body), provider, model, "HTTP " + status);
  }

  /**
   * What an error object inside a 200 body means: {@code {"error":...}} as a line of a stream or as
   * the whole body ({@code origin} says which, e.g. {@code "an error line in the stream"}).
   */
  public ChatException mapBodyError(int httpStatus, HttpHeaders headers, JsonNode root, String provider, String model,
      String origin) {
    ErrorBody e = fromJson(root, null);
    return classify(inferStatus(e), httpStatus, headers, e, provider, model, origin);
  }

  /** What an exception from the transport means: connection refused, timeouts, TLS, cancellation. */
  @Override
  public ChatException mapFailure(Throwable failure, String provider, String model) {
    Throwable t = Futures.unwrap(failure);
    if (t instanceof ChatException ce) {
      return ce;
    }
    ErrorDetails.Builder d = ErrorDetails.builder().provider(provider).model(model);
    String cause = ErrorMapping.describe(t, EXCERPT_CHARS - 1);
    String forModel = forModel(model);
    if (t instanceof HttpConnectTimeoutException) {
      return new ChatTimeoutException(redact(provider + " at " + baseUrl + " did not accept the connection" + forModel
          + " within the connect timeout (" + cause + "). Check that the host is reachable, or raise "
          + "connectTimeout(...); retrying may help."), d.retryable(true).build(), t);
    }
    if (t instanceof HttpTimeoutException) {
      return new ChatTimeoutException(redact(provider + " at " + baseUrl + " did not answer" + forModel + " in time ("
          + cause + "). Loading a large model can take a while: raise OllamaProvider.builder().timeout(...) or "
          + "ChatRequest.timeout(...), or keep the model loaded with keepAlive(...); retrying may help."),
          d.retryable(true).build(), t);
    }
    if (t instanceof CancellationException) {
      return new ChatException(provider + " call" + forModel + " was cancelled", d.build(), t);
    }
    if (t instanceof SSLHandshakeException) {
      return new TransportException(redact("the TLS handshake with " + provider + " at " + baseUrl + " failed"
          + forModel + " (" + cause + "). Check the base URL (a local Ollama speaks plain http) and the server's "
          + "certificate; retrying will not help."), d.retryable(false).build(), t);
    }
    if (isRefused(t)) {
      return new TransportException(redact("Ollama does not seem to be running at " + baseUrl + ": the connection"
          + forModel + " was refused (" + cause + "). Start it with `ollama serve` (or the Ollama app), or point "
          + "OllamaProvider.builder().baseUrl(...) or OLLAMA_HOST at the right host and port; retrying may help."),
          d.retryable(true).build(), t);
    }
    if (t instanceof IOException) {
      return new TransportException(redact("the connection to " + provider + " at " + baseUrl + " failed" + forModel
          + " (" + cause + "). Retrying may help."), d.retryable(true).build(), t);
    }
    return new ChatException(redact("the call to " + provider + forModel + " failed unexpectedly (" + cause + ")"),
        d.build(), t);
  }

  /** The exception for a whole call that took longer than {@code timeout}. */
  @Override
  public ChatTimeoutException timeout(Duration timeout, String provider, String model) {
    return new ChatTimeoutException(provider + " at " + baseUrl + " did not answer" + forModel(model) + " within "
        + ErrorMapping.human(timeout) + ". Loading a large model can take a while: raise OllamaProvider.builder().timeout(...) or "
        + "ChatRequest.timeout(...); retrying may help.",
        ErrorDetails.builder().provider(provider).model(model).retryable(true).build());
  }

  /** Removes the API key and anything that looks like a bearer token. */
  public String redact(String text) {
    return ErrorMapping.redactKeyAndBearer(text, apiKey);
  }

  // ---- classification ----

  private ChatException classify(int status, int httpStatus, HttpHeaders headers, ErrorBody e, String provider,
      String model, String origin) {
    ErrorDetails.Builder d = ErrorDetails.builder()
        .provider(provider)
        .model(model)
        .statusCode(httpStatus)
        .statusInBody(status != httpStatus ? status : 0)
        .providerCode(e.code);
    String what = redact(describe(origin, e));
    String p = provider;
    String m = model.isEmpty() ? "the request" : "model '" + model + "'";
    String on = " at " + baseUrl;
    if (status == 400 || status == 413 || status == 422) {
      if (isContextLength(e)) {
        return new ContextLengthExceededException(p + on + " rejected the request to " + m
            + ": the prompt does not fit the model's context window (" + what + "). Shorten the conversation, "
            + "raise OllamaOptions.numCtx(...) if the model allows it, or fall back to a model with a larger "
            + "window.", d.build());
      }
      if (isContentFilter(e)) {
        return new ContentFilteredException(p + on + " (or a gateway in front of it) filtered the request to " + m
            + " (" + what + "). Change the prompt; retrying it unchanged will not help.", d.build());
      }
      return new InvalidRequestException(p + on + " rejected the request to " + m + " as invalid (" + what + "). "
          + (containsAny(e.message, "does not support") ? "Use a model that supports this feature (see `ollama show "
          + (model.isEmpty() ? "<model>" : model) + "`), or leave the feature out"
          : "Fix the request") + "; retrying it unchanged will not help.", d.build());
    }
    if (status == 401 || status == 403) {
      String advice = apiKey == null
          ? "Ollama itself needs no key, but a proxy in front of it or ollama.com does: set one with "
          + "OllamaProvider.builder().apiKey(Secret.fromEnv(\"OLLAMA_API_KEY\"))."
          : "Check " + ErrorMapping.describeKey(apiKey, "OllamaProvider") + " and what it may use; retrying will not help.";
      return new AuthenticationException(p + on + (status == 401 ? " rejected the credentials for " : " denied access to ")
          + m + " (" + what + "). " + advice, d.build());
    }
    if (status == 402) {
      return new QuotaExceededException(p + on + " refused the request to " + m + " for lack of credit (" + what
          + "). Add credit or switch provider; retrying will not help.", d.build());
    }
    if (status == 404) {
      if (isModelNotFound(e) || (!model.isEmpty() && containsAny(e.message, model.toLowerCase(Locale.ROOT)))) {
        String name = model.isEmpty() ? "<model>" : model;
        return new ModelNotFoundException(p + on + " does not have " + m + " (" + what + "). Pull it with `ollama pull "
            + name + "`, or check the name with `ollama list`.", d.build());
      }
      return new ChatException(p + on + " has no such endpoint for " + m + " (" + what + "). Check the base URL: it is "
          + "the server root such as http://127.0.0.1:11434, without /api or /v1; an old Ollama may also lack the "
          + "endpoint, so upgrading may help.", d.build());
    }
    Optional<Duration> retryAfter = RetryAfter.fromHeaders(headers, clock);
    if (status == 408) {
      return new ChatTimeoutException(p + on + " timed out waiting for the request to " + m + " (" + what + "). Retry"
          + after(retryAfter) + ".", d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 409) {
      return new ServerException(p + on + " reported a conflict for " + m + " (" + what + "). This is usually "
          + "transient; retry" + after(retryAfter) + ".", d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 429) {
      if (isQuota(e)) {
        return new QuotaExceededException(p + on + " says the account has exhausted its quota for " + m + " (" + what
            + "). Upgrade the plan or wait for the quota to renew, or switch provider; retrying now will not help.",
            d.build());
      }
      return new RateLimitException(p + on + " rate-limited the request to " + m + " (" + what + "). Retry"
          + after(retryAfter) + ", or lower the request rate.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status >= 500 && status <= 599) {
      String hint;
      if (containsAny(e.message, "runner process has terminated", "runner process no longer running", "out of memory",
          "cudamalloc")) {
        hint = "The model runner crashed, often for lack of memory: a smaller OllamaOptions.numCtx(...) or a smaller "
            + "model may help; retrying may help too";
      } else if (status == 503 || status == 529 || containsAny(e.message, "server busy", "maximum pending requests")) {
        return new OverloadedException(p + on + " is busy and did not take the request to " + m + " (" + what
            + "). Its request queue (OLLAMA_MAX_QUEUE) may be full; retry" + after(retryAfter)
            + ", lower the concurrency, or fall back to another provider.",
            d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
      } else {
        hint = "This is usually transient; retry" + after(retryAfter) + " or fall back to another provider";
      }
      return new ServerException(p + on + " failed on its side for " + m + " (" + what + "). " + hint + ".",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    return new ChatException(p + on + " answered the request to " + m + " with an unexpected " + what
        + ". Check the base URL and that it points at an Ollama server.", d.build());
  }

  private static boolean isContextLength(ErrorBody e) {
    return containsAny(e.message, "context length", "context window", "context_length", "maximum context",
        "exceeds the context", "prompt is too long");
  }

  private static boolean isContentFilter(ErrorBody e) {
    return containsAny(e.message, "content filter", "content_filter", "content policy", "content_policy");
  }

  private static boolean isModelNotFound(ErrorBody e) {
    String msg = e.message == null ? "" : e.message.toLowerCase(Locale.ROOT);
    return (msg.contains("model") && msg.contains("not found")) || msg.contains("try pulling")
        || "model_not_found".equals(e.code);
  }

  private static boolean isQuota(ErrorBody e) {
    return containsAny(e.message, "quota", "billing", "credit", "upgrade your plan", "subscription")
        || "insufficient_quota".equals(e.code);
  }

  private static int inferStatus(ErrorBody e) {
    if (isModelNotFound(e)) {
      return 404;
    }
    if (isContextLength(e) || isContentFilter(e) || containsAny(e.message, "does not support", "invalid", "cannot unmarshal")) {
      return 400;
    }
    if (isQuota(e) || containsAny(e.message, "rate limit", "too many requests")) {
      return 429;
    }
    if (containsAny(e.message, "unauthorized")) {
      return 401;
    }
    if (containsAny(e.message, "server busy", "unavailable", "overloaded")) {
      return 503;
    }
    return 500;
  }

  private static boolean isRefused(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnresolvedAddressException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  private static String forModel(String model) {
    return model.isEmpty() ? "" : " for model '" + model + "'";
  }

  // ---- error bodies ----

  /** What an error body says: a message (never null) and a code where a proxy sent one. */
  private record ErrorBody(String message, String code) {}

  private static ErrorBody parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new ErrorBody("empty body", null);
    }
    JsonNode root = null;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException notJson) {
      // Gin's plain "404 page not found", a proxy's HTML page, or a truncated body
    }
    if (root == null || !root.isObject()) {
      return new ErrorBody(OllamaWire.excerpt(body, EXCERPT_CHARS - 1), null);
    }
    return fromJson(root, body);
  }

  private static ErrorBody fromJson(JsonNode root, byte[] raw) {
    if (root == null || !root.isObject()) {
      return new ErrorBody(root == null ? "no error details" : WireJson.excerpt(WireJson.write(root), EXCERPT_CHARS - 1), null);
    }
    JsonNode error = root.get("error");
    String message = error != null && error.isTextual() ? error.textValue() : null;
    JsonNode source = error != null && error.isObject() ? error : root;
    if (message == null) {
      message = OllamaWire.string(source, "message");
    }
    if (message == null && root.has("detail")) {
      JsonNode detail = root.get("detail");
      message = detail.isTextual() ? detail.textValue() : WireJson.write(detail);
    }
    if (message == null) {
      message = raw != null ? OllamaWire.excerpt(raw, EXCERPT_CHARS - 1) : WireJson.excerpt(WireJson.write(root),
          EXCERPT_CHARS - 1);
    }
    String code = OllamaWire.nonEmpty(source, "code");
    if (code == null && source != root) {
      code = OllamaWire.nonEmpty(source, "type");
    }
    return new ErrorBody(WireJson.excerpt(message.isBlank() ? "empty error message" : message, MESSAGE_CHARS - 1), code);
  }

  private static String describe(String origin, ErrorBody e) {
    return origin + (e.code == null ? "" : ", " + WireJson.excerpt(e.code, 80)) + ": " + e.message;
  }
}
