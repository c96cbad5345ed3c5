package dev.switchboard.providers.compat.internal;

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
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one place that decides what an OpenAI-compatible server's failure means, for every provider
 * that speaks the protocol (hosted vendors and self-hosted servers alike): HTTP status, error body
 * and headers, or a transport failure, become a typed {@link ChatException} with its retryability
 * and retry hint.
 *
 * <table>
 *   <caption>Status to exception</caption>
 *   <tr><th>status</th><th>exception</th><th>retryable</th></tr>
 *   <tr><td>503, 529, or any status with error type {@code overloaded} (TGI), {@code overloaded_error}
 *       or {@code unavailable_error} (llama.cpp)</td><td>{@link OverloadedException}</td><td>yes</td></tr>
 *   <tr><td>424, or error type {@code generation} / {@code incomplete_generation} (TGI)</td><td>{@link
 *       ServerException}</td><td>yes</td></tr>
 *   <tr><td>400, 413, 422</td><td>{@link ContextLengthExceededException} when the code, type or
 *       message says {@code context_length_exceeded} (llama.cpp: type {@code
 *       exceed_context_size_error}); {@link ContentFilteredException} for {@code
 *       content_filter} / {@code content_policy_violation}; else {@link InvalidRequestException}</td>
 *       <td>no</td></tr>
 *   <tr><td>401, 403</td><td>{@link AuthenticationException}</td><td>no</td></tr>
 *   <tr><td>402</td><td>{@link QuotaExceededException} (out of credit, e.g. OpenRouter)</td><td>no</td></tr>
 *   <tr><td>404</td><td>{@link ModelNotFoundException}</td><td>no</td></tr>
 *   <tr><td>408</td><td>{@link ChatTimeoutException}</td><td>yes</td></tr>
 *   <tr><td>409</td><td>{@link ServerException}</td><td>yes</td></tr>
 *   <tr><td>429</td><td>{@link QuotaExceededException} for {@code insufficient_quota} / {@code
 *       billing_hard_limit_reached}; {@link RateLimitException}, not retryable, for "Request too
 *       large" (one request over the tokens-per-minute limit); else {@link
 *       RateLimitException}</td><td>no; no; yes</td></tr>
 *   <tr><td>other 5xx</td><td>{@link ServerException}</td><td>yes</td></tr>
 *   <tr><td>other</td><td>{@link ChatException}</td><td>no</td></tr>
 * </table>
 *
 * <p>Retry hints, first found wins: {@code retry-after-ms}, {@code retry-after} (seconds or HTTP
 * date, against the injected clock), and for 429 the {@code x-ratelimit-reset-requests} / {@code
 * -tokens} durations ({@code 1s}, {@code 6m0s}, {@code 20ms}) of the exhausted limit.
 *
 * <p>Error bodies: {@code {"error":{"message","type","code","param"}}}, {@code {"error":"..."}},
 * {@code {"message":...}}, {@code {"detail":...}} and non-JSON (an HTML page from a proxy) are all
 * understood; the message quotes at most a short single-line excerpt. Every message names the
 * provider and model, says what to do, and is redacted: the configured API key and anything that
 * looks like a key or bearer token are replaced by {@code ****}.
 *
 * <p>Vendor codes: {@code data_inspection_failed} (DashScope) is a content filter like {@code
 * content_filter}; with {@code businessCodes} on (quirk BUSINESS_ERROR_CODES, GLM/Zhipu), a numeric
 * business code in {@code error.code} decides over the HTTP status: {@code 1000}-{@code 1004}
 * authentication, {@code 1110}-{@code 1112} and {@code 1121} account locked or inactive, {@code 1113}
 * account in arrears (quota), {@code 1210} and {@code 1212}-{@code 1215} invalid request, {@code 1211}
 * no such model, {@code 1220} no permission, {@code 1261} prompt too long, {@code 1301} content
 * filter, {@code 1302} too much concurrency (rate limit).
 *
 * <p>Immutable and thread-safe. Not API.
 */
public final class ChatCompletionsErrorMapper implements HttpErrorMapper {
  /** Excerpts of bodies are at most this long, ellipsis included. */
  static final int EXCERPT_CHARS = 200;

  private static final int MESSAGE_CHARS = 500;
  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|h|m|s)");

  private final Secret apiKey;
  private final String endpoint;
  private final String credentialsIn; // null: only apiKey, if any
  private final Clock clock;
  private final boolean businessCodes;
  private final String owner;
  private final String apiKeyEnv;

  /**
   * @param apiKey the configured key, for redaction and for saying where it came from; {@code
   *     null} when none is configured
   * @param endpoint the URL requests go to, without query, for messages; a {@code {model}} in it
   *     (Azure deployments) is filled with each request's model
   * @param clock for {@code retry-after} HTTP dates
   * @param businessCodes whether numeric vendor codes in {@code error.code} decide (GLM/Zhipu)
   * @param owner the provider class whose builder the advice names, e.g. {@code "OpenAiProvider"}
   * @param apiKeyEnv the environment variable the advice suggests for a missing key, or {@code null}
   */
  public ChatCompletionsErrorMapper(Secret apiKey, String endpoint, Clock clock, boolean businessCodes, String owner,
      String apiKeyEnv) {
    this(apiKey, endpoint, clock, businessCodes, owner, apiKeyEnv, null);
  }

  /**
   * As above; {@code credentialsIn} says where the credentials go when not as {@code apiKey} (e.g.
   * {@code "the 'api-key' header"}), for the advice of 401 and 403 messages; null when nowhere else.
   */
  public ChatCompletionsErrorMapper(Secret apiKey, String endpoint, Clock clock, boolean businessCodes, String owner,
      String apiKeyEnv, String credentialsIn) {
    this.credentialsIn = credentialsIn;
    this.apiKey = apiKey;
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.businessCodes = businessCodes;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.apiKeyEnv = apiKeyEnv;
  }

  private String endpoint(String model) {
    return endpoint.replace("{model}", model);
  }

  /** The provider class whose builder messages name, e.g. {@code "OpenAiProvider"}. */
  public String owner() {
    return owner;
  }

  /** How messages tell a user to raise the size limit: {@code Owner.builder().maxResponseBytes(...)}. */
  public String raiseHint() {
    return owner + ".builder().maxResponseBytes(...)";
  }

  /** What a non-2xx response means. Never throws. */
  @Override
  public String requestId(HttpHeaders headers) {
    return ChatCompletionsWire.requestId(headers);
  }

  @Override
  public ChatException map(int status, HttpHeaders headers, byte[] body, String provider, String model) {
    return classify(status, status, headers, parse(body), provider, model, "HTTP " + status);
  }

  /**
   * What an error object inside a successful response means: {@code {"error":...}} in a 200 body,
   * or an error event in a stream ({@code origin} says which, e.g. {@code "an error event in the
   * stream"}). The status the error stands for is taken from a numeric {@code code}/{@code status}
   * in it, else guessed from its {@code type}/{@code code} words, else 500 (a server failing
   * mid-answer). {@link ErrorDetails#statusCode()} stays the real HTTP status.
   */
  public ChatException mapBodyError(int httpStatus, HttpHeaders headers, JsonNode root, String provider, String model,
      String origin) {
    ErrorBody e = fromJson(root, null);
    return classify(inferStatus(e), httpStatus, headers, e, provider, model, origin);
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
      return new ChatTimeoutException(redact(provider + " could not be reached at " + endpoint(model) + " for model '" + model
          + "' within the connect timeout (" + cause + "). Check the network and the base URL, or raise "
          + "connectTimeout(...); retrying may help."), d.retryable(true).build(), t);
    }
    if (t instanceof HttpTimeoutException) {
      return new ChatTimeoutException(redact(provider + " did not answer model '" + model
          + "' in time (" + cause + "). Raise " + owner + ".builder().timeout(...) or ChatRequest.timeout(...); "
          + "retrying may help."), d.retryable(true).build(), t);
    }
    if (t instanceof CancellationException) {
      return new ChatException(provider + " call for model '" + model + "' was cancelled", d.build(), t);
    }
    if (t instanceof SSLHandshakeException) {
      return new TransportException(redact("the TLS handshake with " + provider + " at " + endpoint(model) + " failed for model '"
          + model + "' (" + cause + "). Check the base URL and the server's certificate; retrying will not help."),
          d.retryable(false).build(), t);
    }
    if (t instanceof ConnectException) {
      return new TransportException(redact(provider + " could not be reached at " + endpoint(model) + " for model '" + model
          + "' (" + cause + "). Check that the server is running and the base URL is right; retrying may help."),
          d.retryable(true).build(), t);
    }
    if (t instanceof IOException) {
      return new TransportException(redact("the connection to " + provider + " at " + endpoint(model) + " failed for model '"
          + model + "' (" + cause + "). Retrying may help."), d.retryable(true).build(), t);
    }
    return new ChatException(redact("the call to " + provider + " for model '" + model + "' failed unexpectedly ("
        + cause + ")"), d.build(), t);
  }

  /** The exception for a whole call that took longer than {@code timeout}. */
  @Override
  public ChatTimeoutException timeout(Duration timeout, String provider, String model) {
    return new ChatTimeoutException(provider + " did not answer model '" + model + "' within " + ErrorMapping.human(timeout)
        + ". Raise " + owner + ".builder().timeout(...) or ChatRequest.timeout(...); retrying may help.",
        ErrorDetails.builder().provider(provider).model(model).retryable(true).build());
  }

  /** Removes the API key and anything that looks like a key or bearer token. */
  public String redact(String text) {
    return ErrorMapping.redact(text, apiKey);
  }

  /**
   * Parses an OpenAI duration as in {@code x-ratelimit-reset-*}: Go style ({@code 1s}, {@code
   * 6m0s}, {@code 1h2m3.5s}, {@code 20ms}) or a bare number of seconds.
   */
  public static Optional<Duration> parseOpenAiDuration(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > 40) {
      return Optional.empty();
    }
    if (v.matches("\\d+(\\.\\d+)?")) {
      return RetryAfter.secondsOrDate(v, Clock.systemUTC());
    }
    Matcher m = GO_DURATION_PART.matcher(v);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < v.length()) {
      if (!m.find(at) || m.start() != at) {
        return Optional.empty();
      }
      BigDecimal n = new BigDecimal(m.group(1));
      long unit = switch (m.group(2)) {
        case "h" -> 3_600_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "s" -> 1_000_000_000L;
        case "ms" -> 1_000_000L;
        case "us", "µs" -> 1_000L;
        default -> 1L;
      };
      nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (nanos.compareTo(BigDecimal.valueOf(Duration.ofDays(1).toNanos())) > 0) {
      return Optional.of(Duration.ofDays(1));
    }
    return Optional.of(Duration.ofNanos(nanos.longValue()));
  }

  // ---- classification ----

  private ChatException classify(int status, int httpStatus, HttpHeaders headers, ErrorBody e, String provider,
      String model, String origin) {
    String providerCode = e.code != null ? e.code : e.type;
    ErrorDetails.Builder d = ErrorDetails.builder()
        .provider(provider)
        .model(model)
        .statusCode(httpStatus)
        .statusInBody(status != httpStatus ? status : 0)
        .requestId(ChatCompletionsWire.requestId(headers))
        .providerCode(providerCode);
    String what = redact(describe(origin, e));
    if (businessCodes) {
      Business business = Business.of(e.code);
      if (business != null) {
        status = business.status;
        e = new ErrorBody(e.message, e.type, business.word, e.param, e.numericStatus);
      }
    }
    String p = provider;
    String m = "model '" + model + "'";
    Optional<Duration> retryAfter = RetryAfter.fromHeaders(headers, clock);
    if (status == 503 || status == 529 || isOverloaded(e)) {
      return new OverloadedException(p + " is overloaded and did not take the request to " + m + " (" + what
          + "). Retry" + after(retryAfter) + ", lower the concurrency, or fall back to another provider.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 424 || is(e, "generation") || is(e, "incomplete_generation")) {
      return new ServerException(p + " failed while generating the answer of " + m + " (" + what
          + "). This is usually transient; retry" + after(retryAfter) + " or fall back to another provider.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 400 || status == 413 || status == 422) {
      if (isContextLength(e)) {
        return new ContextLengthExceededException(p + " rejected the request to " + m
            + ": the prompt and the requested output do not fit the model's context window (" + what
            + "). Shorten the conversation, lower maxOutputTokens, or fall back to a model with a larger window.",
            d.build());
      }
      if (isContentFilter(e)) {
        return new ContentFilteredException(p + "'s content filter rejected the request to " + m + " (" + what
            + "). Change the prompt; retrying it unchanged will not help.", d.build());
      }
      return new InvalidRequestException(p + " rejected the request to " + m + " as invalid (" + what
          + "). Fix the request" + (e.param != null ? " (field '" + e.param + "')" : "")
          + "; retrying it unchanged will not help.", d.build());
    }
    if (status == 401) {
      return new AuthenticationException(p + " rejected the credentials for " + m + " (" + what + "). " + keyAdvice(),
          d.build());
    }
    if (status == 403) {
      return new AuthenticationException(p + " denied access to " + m + " (" + what + "). Check that "
          + credentials() + " may use this model (project, organization, region); retrying will not help.",
          d.build());
    }
    if (status == 402) {
      return new QuotaExceededException(p + " refused the request to " + m + " for lack of credit (" + what
          + "). Add credit or switch provider; retrying will not help.", d.build());
    }
    if (status == 404) {
      return new ModelNotFoundException(p + " does not serve " + m + " at " + endpoint(model) + " (" + what
          + "). Check the model name and the base URL.", d.build());
    }
    if (status == 408) {
      return new ChatTimeoutException(p + " timed out waiting for the request to " + m + " (" + what
          + "). Retry" + after(retryAfter) + ".", d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 409) {
      return new ServerException(p + " reported a conflict for " + m + " (" + what
          + "). This is usually transient; retry" + after(retryAfter) + ".",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status == 429) {
      if (isQuota(e)) {
        return new QuotaExceededException(p + " says the account has exhausted its quota for " + m + " (" + what
            + "). Add credit or raise the quota, or switch provider; retrying will not help.", d.build());
      }
      if (isTooLargeForTheLimit(e)) {
        return new RateLimitException(p + " refused the request to " + m + ": on its own it needs more tokens than "
            + "the per-minute limit allows (" + what + "). Retrying will not help: shorten the prompt, lower "
            + "maxOutputTokens, or use a model or tier with a higher limit.", d.retryable(false).build());
      }
      if (retryAfter.isEmpty()) {
        retryAfter = rateLimitReset(headers);
      }
      return new RateLimitException(p + " rate-limited the request to " + m + " (" + what + "). Retry"
          + after(retryAfter) + ", or lower the request rate.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    if (status >= 500 && status <= 599) {
      return new ServerException(p + " failed on its side for " + m + " (" + what + "). This is usually transient; "
          + "retry" + after(retryAfter) + " or fall back to another provider.",
          d.retryable(true).retryAfter(retryAfter.orElse(null)).build());
    }
    return new ChatException(p + " answered the request to " + m + " with an unexpected " + what
        + ". Check the base URL " + endpoint(model) + " and the server's documentation.", d.build());
  }

  private String keyAdvice() {
    if (apiKey == null && credentialsIn == null) {
      return "No API key is configured: set one with " + owner + ".builder().apiKey("
          + (apiKeyEnv == null ? "..." : "Secret.fromEnv(\"" + apiKeyEnv + "\")") + ").";
    }
    return "Check " + credentials() + "; retrying will not help.";
  }

  /** Where the credentials come from, never their value. */
  private String credentials() {
    if (apiKey != null) {
      return ErrorMapping.describeKey(apiKey, owner);
    }
    return credentialsIn != null ? "the credentials in " + credentialsIn : "the API key";
  }

  /** The reset of the exhausted limit: the one whose remaining count is 0, else the later of both. */
  private static Optional<Duration> rateLimitReset(HttpHeaders headers) {
    Optional<Duration> requests = headers.firstValue("x-ratelimit-reset-requests")
        .flatMap(ChatCompletionsErrorMapper::parseOpenAiDuration);
    Optional<Duration> tokens = headers.firstValue("x-ratelimit-reset-tokens")
        .flatMap(ChatCompletionsErrorMapper::parseOpenAiDuration);
    boolean requestsOut = headers.firstValue("x-ratelimit-remaining-requests").map(v -> v.trim().equals("0"))
        .orElse(false);
    boolean tokensOut = headers.firstValue("x-ratelimit-remaining-tokens").map(v -> v.trim().equals("0"))
        .orElse(false);
    if (requestsOut && !tokensOut && requests.isPresent()) {
      return requests;
    }
    if (tokensOut && !requestsOut && tokens.isPresent()) {
      return tokens;
    }
    if (requests.isPresent() && tokens.isPresent()) {
      return Optional.of(requests.get().compareTo(tokens.get()) >= 0 ? requests.get() : tokens.get());
    }
    return requests.isPresent() ? requests : tokens;
  }

  /** TGI {@code overloaded} (a 429), llama.cpp {@code unavailable_error} (a 503 while loading). */
  private static boolean isOverloaded(ErrorBody e) {
    return is(e, "overloaded") || is(e, "overloaded_error") || is(e, "unavailable_error");
  }

  /** OpenAI's 429 "Request too large for ... on tokens per min": one request over the whole limit. */
  private static boolean isTooLargeForTheLimit(ErrorBody e) {
    return e.message != null && e.message.regionMatches(true, 0, "Request too large", 0, 17);
  }

  private static boolean isContextLength(ErrorBody e) {
    return is(e, "context_length_exceeded") || is(e, "exceed_context_size_error")
        || containsAny(e.message, "context_length_exceeded", "maximum context length", "context length",
        "context window");
  }

  private static boolean isContentFilter(ErrorBody e) {
    return is(e, "content_filter") || is(e, "content_policy_violation") || is(e, "data_inspection_failed")
        || containsAny(e.message, "content management policy", "content_policy_violation");
  }

  private static boolean isQuota(ErrorBody e) {
    return is(e, "insufficient_quota") || is(e, "billing_hard_limit_reached");
  }

  private static boolean is(ErrorBody e, String word) {
    return word.equalsIgnoreCase(e.code) || word.equalsIgnoreCase(e.type);
  }

  private static int inferStatus(ErrorBody e) {
    if (e.numericStatus >= 400 && e.numericStatus <= 599) {
      return e.numericStatus;
    }
    String words = ((e.code == null ? "" : e.code) + " " + (e.type == null ? "" : e.type)).toLowerCase(Locale.ROOT);
    if (words.contains("insufficient_quota") || words.contains("billing") || words.contains("rate_limit")) {
      return 429;
    }
    if (words.contains("context_length") || words.contains("content_filter") || words.contains("content_policy")
        || words.contains("invalid_request") || words.contains("bad_request") || words.contains("badrequest")
        || words.contains("validation")) {
      return 400;
    }
    if (words.contains("invalid_api_key") || words.contains("authentication") || words.contains("unauthorized")) {
      return 401;
    }
    if (words.contains("permission")) {
      return 403;
    }
    if (words.contains("not_found") || words.contains("notfound")) {
      return 404;
    }
    if (words.contains("timeout")) {
      return 408;
    }
    if (words.contains("overloaded")) {
      return 529;
    }
    return 500;
  }

  /** A GLM/Zhipu business code, as the status and code word it stands for. */
  private record Business(int status, String word) {
    static Business of(String code) {
      if (code == null || !code.matches("\\d{4}")) {
        return null;
      }
      int c = Integer.parseInt(code);
      if (c >= 1000 && c <= 1004) {
        return new Business(401, "invalid_api_key");
      }
      if (c == 1110 || c == 1111 || c == 1112 || c == 1121 || c == 1220) {
        return new Business(403, "permission_denied");
      }
      if (c == 1113) {
        return new Business(429, "insufficient_quota");
      }
      if (c == 1211) {
        return new Business(404, "model_not_found");
      }
      if (c == 1210 || c >= 1212 && c <= 1215) {
        return new Business(400, "invalid_request");
      }
      if (c == 1261) {
        return new Business(400, "context_length_exceeded");
      }
      if (c == 1301) {
        return new Business(400, "content_filter");
      }
      if (c == 1302) {
        return new Business(429, "rate_limit_exceeded");
      }
      return null;
    }
  }

  // ---- error bodies ----

  /** What an error body says; any field may be null. */
  private record ErrorBody(String message, String type, String code, String param, int numericStatus) {}

  private static ErrorBody parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new ErrorBody("empty body", null, null, null, 0);
    }
    JsonNode root = null;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException notJson) {
      // an HTML page from a proxy, plain text, or a truncated body
    }
    if (root == null || !root.isObject()) {
      return new ErrorBody(ChatCompletionsWire.excerpt(body, EXCERPT_CHARS - 1), null, null, null, 0);
    }
    return fromJson(root, body);
  }

  private static ErrorBody fromJson(JsonNode root, byte[] raw) {
    if (root == null || !root.isObject()) {
      return new ErrorBody(root == null ? "no error details" : WireJson.excerpt(WireJson.write(root), EXCERPT_CHARS - 1),
          null, null, null, 0);
    }
    JsonNode error = root.get("error");
    JsonNode source = error != null && error.isObject() ? error : root;
    String message = ChatCompletionsWire.text(source.get("message"));
    if (message == null && error != null && error.isTextual()) {
      message = error.textValue();
    }
    if (message == null && root.has("detail")) {
      JsonNode detail = root.get("detail");
      message = detail.isTextual() ? detail.textValue() : WireJson.write(detail);
    }
    if (message == null) {
      message = raw != null ? ChatCompletionsWire.excerpt(raw, EXCERPT_CHARS - 1) : WireJson.write(root);
    }
    JsonNode codeNode = source.get("code");
    String code = codeNode != null && codeNode.isTextual() && !codeNode.textValue().isBlank() ? codeNode.textValue()
        : null;
    int numeric = codeNode != null && codeNode.canConvertToInt() && codeNode.isIntegralNumber() ? codeNode.intValue()
        : 0;
    JsonNode statusNode = source.get("status");
    if (numeric == 0 && statusNode != null && statusNode.isIntegralNumber() && statusNode.canConvertToInt()) {
      numeric = statusNode.intValue();
    }
    String type = ChatCompletionsWire.string(source, "type");
    if (type == null || type.isBlank()) {
      type = ChatCompletionsWire.string(root, "error_type"); // TGI: {"error": "...", "error_type": "overloaded"}
    }
    if (type != null && type.isBlank()) {
      type = null;
    }
    String param = ChatCompletionsWire.string(source, "param");
    return new ErrorBody(WireJson.excerpt(message, MESSAGE_CHARS - 1), type, code, param, numeric);
  }

  private static String describe(String origin, ErrorBody e) {
    StringBuilder sb = new StringBuilder(origin);
    String label = e.code != null ? e.code : e.type;
    if (label != null) {
      sb.append(", ").append(WireJson.excerpt(label, 80));
    }
    return sb.append(": ").append(e.message).toString();
  }
}
