package dev.switchboard.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.ContentFilteredException;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.ModelNotFoundException;
import dev.switchboard.OverloadedException;
import dev.switchboard.QuotaExceededException;
import dev.switchboard.RateLimitException;
import dev.switchboard.Secret;
import dev.switchboard.ServerException;
import dev.switchboard.TransportException;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.anthropic.internal.AnthropicErrorMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Status, body and headers to exception type, retryability and retry hint, for Anthropic's Messages API. */
class AnthropicErrorMapperTest {
  private static final String KEY = "sk-ant-api03-0123456789abcdefghijklmnopqrstuv";
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String HTML = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
      + "<center><h1>502 Bad Gateway</h1></center>\n" + "<p>cloudflare</p>\n".repeat(400) + "</body>\n</html>\n";

  private final AnthropicErrorMapper mapper =
      new AnthropicErrorMapper(Secret.of(KEY), "https://api.anthropic.com/v1/messages", CLOCK);

  /** One row of the status table. */
  record Case(String name, int status, Map<String, String> headers, String body, Class<? extends ChatException> type,
      boolean retryable, Duration retryAfter, String providerCode, List<String> messageContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case row(String name, int status, String body, Class<? extends ChatException> type, boolean retryable,
      Duration retryAfter, String providerCode, String... contains) {
    return row(name, status, Map.of(), body, type, retryable, retryAfter, providerCode, contains);
  }

  private static Case row(String name, int status, Map<String, String> headers, String body,
      Class<? extends ChatException> type, boolean retryable, Duration retryAfter, String providerCode,
      String... contains) {
    return new Case(name, status, headers, body, type, retryable, retryAfter, providerCode, Arrays.asList(contains));
  }

  /** Anthropic's error body. */
  private static String error(String type, String message) {
    return "{\"type\":\"error\",\"error\":{\"type\":" + WireJson.write(type) + ",\"message\":" + WireJson.write(message)
        + "},\"request_id\":\"req_body\"}";
  }

  private static final String RATE_LIMITED = error("rate_limit_error",
      "This request would exceed the rate limit for your organization of 50 requests per minute.");

  static Stream<Case> statusTable() {
    return Stream.of(
        row("400 prompt is too long", 400,
            error("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
            ContextLengthExceededException.class, false, null, "invalid_request_error",
            "context window", "larger window", "208310 tokens"),
        row("400 input plus max_tokens exceed the context limit", 400,
            error("invalid_request_error", "input length and `max_tokens` exceed context limit: 195000 + 8192 > "
                + "200000, decrease input length or `max_tokens` and try again"),
            ContextLengthExceededException.class, false, null, "invalid_request_error", "lower maxOutputTokens"),
        row("400 output blocked by the content filter", 400,
            error("invalid_request_error", "Output blocked by content filtering policy"),
            ContentFilteredException.class, false, null, "invalid_request_error", "content filter", "Change the prompt"),
        row("400 credit balance too low", 400,
            error("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to "
                + "Plans & Billing to upgrade or purchase credits."),
            QuotaExceededException.class, false, null, "invalid_request_error", "billing", "Add credit",
            "retrying will not help"),
        row("400 workspace usage limit reached", 400,
            error("invalid_request_error", "You have reached your specified API usage limits. You will regain access "
                + "on 2025-02-01 at 00:00 UTC."),
            QuotaExceededException.class, false, null, "invalid_request_error"),
        row("400 invalid parameter", 400,
            error("invalid_request_error", "temperature: Input should be less than or equal to 1"),
            InvalidRequestException.class, false, null, "invalid_request_error", "as invalid", "will not help"),
        row("400 empty body", 400, "", InvalidRequestException.class, false, null, null, "empty body"),
        row("401 invalid key echoed back is redacted", 401,
            error("authentication_error", "invalid x-api-key " + KEY),
            AuthenticationException.class, false, null, "authentication_error", "Check the API key given to AnthropicProvider.builder().apiKey(...)",
            "credentials"),
        row("402 billing_error", 402, error("billing_error", "Your account has a billing issue."),
            QuotaExceededException.class, false, null, "billing_error", "billing"),
        row("403 permission_error", 403,
            error("permission_error", "Your API key does not have permission to use the specified resource."),
            AuthenticationException.class, false, null, "permission_error", "denied access"),
        row("404 not_found_error", 404, error("not_found_error", "model: claude-5-imaginary"),
            ModelNotFoundException.class, false, null, "not_found_error", "Check the model name",
            "https://api.anthropic.com/v1/messages"),
        row("413 request_too_large from Cloudflare as plain text", 413, "413 Request Entity Too Large",
            InvalidRequestException.class, false, null, null, "too large", "32 MB"),
        row("413 request_too_large as JSON", 413,
            error("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            InvalidRequestException.class, false, null, "request_too_large"),
        row("408 request timeout", 408, "{\"message\":\"Request Timeout\"}",
            ChatTimeoutException.class, true, null, null, "timed out"),
        row("504 timeout_error", 504, error("timeout_error", "Request timeout"),
            ChatTimeoutException.class, true, null, "timeout_error", "stream long answers"),
        row("409 conflict_error", 409, error("conflict_error", "conflict"),
            ServerException.class, true, null, "conflict_error", "transient"),
        row("429 retry-after seconds", 429, Map.of("retry-after", "20"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofSeconds(20), "rate_limit_error", "Retry after 20s"),
        row("429 retry-after HTTP date against the fixed clock", 429,
            Map.of("retry-after", "Thu, 02 Jan 2025 03:04:35 GMT"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofSeconds(30), "rate_limit_error"),
        row("429 retry-after wins over the rate-limit reset", 429,
            Map.of("retry-after", "3", "anthropic-ratelimit-tokens-reset", "2025-01-02T03:10:05Z",
                "anthropic-ratelimit-tokens-remaining", "0"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofSeconds(3), "rate_limit_error"),
        row("429 reset of the exhausted token limit, RFC 3339 against the clock", 429,
            Map.of("anthropic-ratelimit-requests-reset", "2025-01-02T03:04:06Z",
                "anthropic-ratelimit-requests-remaining", "41",
                "anthropic-ratelimit-tokens-reset", "2025-01-02T03:05:05Z",
                "anthropic-ratelimit-tokens-remaining", "0"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofMinutes(1), "rate_limit_error", "after 60s"),
        row("429 reset of the exhausted input-token limit, with an offset", 429,
            Map.of("anthropic-ratelimit-input-tokens-reset", "2025-01-02T04:04:15+01:00",
                "anthropic-ratelimit-input-tokens-remaining", "0",
                "anthropic-ratelimit-output-tokens-reset", "2025-01-02T03:06:05Z"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofSeconds(10), "rate_limit_error"),
        row("429 the latest reset when none says it is exhausted", 429,
            Map.of("anthropic-ratelimit-requests-reset", "2025-01-02T03:04:07Z",
                "anthropic-ratelimit-tokens-reset", "2025-01-02T03:04:09.500Z"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ofMillis(4500), "rate_limit_error"),
        row("429 reset in the past is zero", 429,
            Map.of("anthropic-ratelimit-requests-reset", "2025-01-02T03:00:00Z",
                "anthropic-ratelimit-requests-remaining", "0"), RATE_LIMITED,
            RateLimitException.class, true, Duration.ZERO, "rate_limit_error"),
        row("429 unparseable reset is ignored", 429, Map.of("anthropic-ratelimit-requests-reset", "soon"),
            RATE_LIMITED, RateLimitException.class, true, null, "rate_limit_error", "Retry later"),
        row("429 spend limit is quota, not a rate limit", 429,
            error("rate_limit_error", "You have reached your specified workspace spend limit."),
            QuotaExceededException.class, false, null, "rate_limit_error", "retrying will not help"),
        row("500 api_error", 500, error("api_error", "Internal server error"),
            ServerException.class, true, null, "api_error", "failed on its side", "transient"),
        row("502 HTML page from Cloudflare", 502, HTML, ServerException.class, true, null, null,
            "HTTP 502", "<html> <head><title>502 Bad Gateway</title>"),
        row("503 plain text", 503, "upstream connect error", OverloadedException.class, true, null, null,
            "overloaded", "upstream connect error"),
        row("529 overloaded_error with retry-after", 529, Map.of("retry-after", "5"), error("overloaded_error",
            "Overloaded"), OverloadedException.class, true, Duration.ofSeconds(5), "overloaded_error", "overloaded",
            "after 5s", "fall back"),
        row("418 another 4xx is an invalid request, as Anthropic documents", 418, "I'm a teapot",
            InvalidRequestException.class, false, null, null, "HTTP 418", "I'm a teapot"),
        row("302 anything else", 302, "Found", ChatException.class, false, null, null, "unexpected HTTP 302",
            "Found"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusTable")
  void mapsStatusBodyAndHeaders_toTypedException(Case c) {
    Map<String, String> headers = new LinkedHashMap<>(c.headers());
    headers.put("request-id", "req_123");
    ChatException e = mapper.map(c.status(), headers(headers), c.body().getBytes(StandardCharsets.UTF_8), "anthropic",
        "claude-sonnet-4-5");

    assertThat(e).isExactlyInstanceOf(c.type());
    assertThat(e.isRetryable()).as("retryable").isEqualTo(c.retryable());
    assertThat(e.retryAfter()).as("retryAfter").isEqualTo(Optional.ofNullable(c.retryAfter()));
    assertThat(e.details().providerCode()).as("providerCode").isEqualTo(Optional.ofNullable(c.providerCode()));
    assertThat(e.statusCode()).hasValue(c.status());
    assertThat(e.requestId()).hasValue("req_123");
    assertThat(e.provider()).isEqualTo("anthropic");
    assertThat(e.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(e.getMessage()).contains("anthropic", "model 'claude-sonnet-4-5'").doesNotContain(KEY)
        .doesNotContain("0123456789abcdefghij").doesNotContain("\n");
    for (String s : c.messageContains()) {
      assertThat(e.getMessage()).contains(s);
    }
  }

  @Test
  void requestId_fromTheBody_whenTheHeaderIsMissing() {
    ChatException e = mapper.map(529, headers(Map.of()), error("overloaded_error", "Overloaded").getBytes(
        StandardCharsets.UTF_8), "anthropic", "claude-haiku-4-5");

    assertThat(e.requestId()).hasValue("req_body");
  }

  @Test
  void htmlBody_isQuotedAsShortSingleLineExcerpt() {
    ChatException e = mapper.map(502, headers(Map.of()), HTML.getBytes(StandardCharsets.UTF_8), "anthropic",
        "claude-sonnet-4-5");

    String message = e.getMessage();
    int start = message.indexOf("<html>");
    int end = message.indexOf('…', start);
    assertThat(start).isPositive();
    assertThat(end - start + 1).isBetween(1, 200);
    assertThat(message).doesNotContain("\n").doesNotContain("</html>");
  }

  @Test
  void unauthorized_withoutConfiguredKey_saysHowToSetOne() {
    AnthropicErrorMapper noKey = new AnthropicErrorMapper(null, "http://localhost:8080/v1/messages", CLOCK);

    ChatException e = noKey.map(401, headers(Map.of()),
        error("authentication_error", "x-api-key header is required").getBytes(StandardCharsets.UTF_8), "anthropic",
        "claude-sonnet-4-5");

    assertThat(e).isExactlyInstanceOf(AuthenticationException.class);
    assertThat(e.getMessage()).contains("No API key is configured", "Secret.fromEnv(\"ANTHROPIC_API_KEY\")");
  }

  @Test
  void messages_redactKeyLikeTokens_evenWhenNotTheConfiguredKey() {
    String body = error("invalid_request_error", "bad header Authorization: Bearer abcdefghijklmnop1234 for key "
        + "sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUV");

    ChatException e = mapper.map(400, headers(Map.of()), body.getBytes(StandardCharsets.UTF_8), "anthropic", "claude");

    assertThat(e.getMessage()).doesNotContain("abcdefghijklmnop1234").doesNotContain("ABCDEFGHIJKLMNOPQRSTUV")
        .contains("Bearer ****", "sk-****");
  }

  static Stream<Arguments> streamErrors() {
    return Stream.of(
        Arguments.of(error("overloaded_error", "Overloaded"), OverloadedException.class, true),
        Arguments.of(error("api_error", "Internal server error"), ServerException.class, true),
        Arguments.of(error("rate_limit_error", "Rate limited"), RateLimitException.class, true),
        Arguments.of(error("invalid_request_error", "Output blocked by content filtering policy"),
            ContentFilteredException.class, false),
        Arguments.of(error("invalid_request_error", "messages: roles must alternate"), InvalidRequestException.class,
            false),
        Arguments.of(error("billing_error", "Billing problem"), QuotaExceededException.class, false),
        Arguments.of(error("timeout_error", "Request timeout"), ChatTimeoutException.class, true),
        Arguments.of(error("some_new_error", "Something new"), ServerException.class, true),
        Arguments.of("{\"message\":\"no type at all\"}", ServerException.class, true));
  }

  @ParameterizedTest
  @MethodSource("streamErrors")
  void errorEventInA200Stream_mapsByItsType_keepingTheRealStatus(String data, Class<? extends ChatException> type,
      boolean retryable) {
    ChatException e = mapper.mapBodyError(200, headers(Map.of("request-id", "req_s")), WireJson.parse(data, "event"),
        "anthropic", "claude-sonnet-4-5", "an error event in the stream");

    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.statusCode()).hasValue(200);
    assertThat(e.requestId()).hasValue("req_s");
    assertThat(e.getMessage()).contains("an error event in the stream", "claude-sonnet-4-5");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(new ConnectException("Connection refused"), TransportException.class, true, "could not be reached"),
        Arguments.of(new CompletionException(new ConnectException("Connection refused")), TransportException.class, true,
            "Connection refused"),
        Arguments.of(new HttpConnectTimeoutException("HTTP connect timed out"), ChatTimeoutException.class, true,
            "connect timeout"),
        Arguments.of(new HttpTimeoutException("request timed out"), ChatTimeoutException.class, true, "in time"),
        Arguments.of(new IOException("Connection reset"), TransportException.class, true, "Connection reset"),
        Arguments.of(new IllegalStateException("boom"), ChatException.class, false, "unexpectedly"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void mapsTransportFailures(Throwable failure, Class<? extends ChatException> type, boolean retryable,
      String contains) {
    ChatException e = mapper.mapFailure(failure, "anthropic", "claude-sonnet-4-5");

    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.statusCode()).isEmpty();
    assertThat(e.getMessage()).contains("anthropic", "claude-sonnet-4-5", contains);
  }

  @Test
  void wholeCallTimeout_isRetryable_andSaysWhatToRaise() {
    ChatTimeoutException e = mapper.timeout(Duration.ofSeconds(30), "anthropic", "claude-opus-4-1");

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("claude-opus-4-1", "30s", "AnthropicProvider.builder().timeout(...)");
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }
}
