package dev.switchboard.providers.openai;

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
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
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

class OpenAiErrorMapperTest {
  private static final String KEY = "sk-test-0123456789abcdefghijklmnop";
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String HTML = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
      + "<center><h1>502 Bad Gateway</h1></center>\n" + "<p>filler</p>\n".repeat(400) + "</body>\n</html>\n";

  private final ChatCompletionsErrorMapper mapper =
      new ChatCompletionsErrorMapper(Secret.of(KEY), "https://api.example.com/v1/chat/completions", CLOCK,
          false, "OpenAiProvider", "OPENAI_API_KEY");

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

  private static String openAiError(String message, String type, String code) {
    return "{\"error\":{\"message\":" + WireJson.write(message) + ",\"type\":" + WireJson.write(type) + ",\"param\":null,"
        + "\"code\":" + WireJson.write(code) + "}}";
  }

  static Stream<Case> statusTable() {
    return Stream.of(
        row("400 context_length_exceeded code", 400,
            openAiError("This model's maximum context length is 128000 tokens. However, your messages resulted in "
                + "130000 tokens.", "invalid_request_error", "context_length_exceeded"),
            ContextLengthExceededException.class, false, null, "context_length_exceeded",
            "context window", "larger window", "maximum context length is 128000"),
        row("400 context length in a vLLM message with a numeric code", 400,
            "{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens. However, you "
                + "requested 5000 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
            ContextLengthExceededException.class, false, null, "BadRequestError", "4096"),
        row("400 Azure content_filter", 400,
            openAiError("The response was filtered due to the prompt triggering Azure OpenAI's content management "
                + "policy.", null, "content_filter"),
            ContentFilteredException.class, false, null, "content_filter", "content filter", "Change the prompt"),
        row("400 content_policy_violation type", 400,
            openAiError("Your request was rejected by the safety system.", "content_policy_violation", null),
            ContentFilteredException.class, false, null, "content_policy_violation"),
        row("400 invalid parameter", 400,
            "{\"error\":{\"message\":\"Invalid value for 'temperature': must be <= 2.\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}",
            InvalidRequestException.class, false, null, "invalid_value", "as invalid", "field 'temperature'",
            "will not help"),
        row("400 empty body", 400, "", InvalidRequestException.class, false, null, null, "empty body"),
        row("413 payload too large", 413, "{\"error\":\"request entity too large\"}", InvalidRequestException.class,
            false, null, null, "request entity too large"),
        row("422 FastAPI detail list", 422,
            "{\"detail\":[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\",\"type\":\"missing\"}]}",
            InvalidRequestException.class, false, null, null, "field required"),
        row("401 invalid key names the secret source, not the value", 401,
            openAiError("Incorrect API key provided: " + KEY + ". You can find your API key at "
                + "https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
            AuthenticationException.class, false, null, "invalid_api_key", "Check the API key given to OpenAiProvider.builder().apiKey(...)", "credentials"),
        row("403 permission", 403,
            openAiError("You are not allowed to sample from this model", "invalid_request_error", null),
            AuthenticationException.class, false, null, "invalid_request_error", "denied access"),
        row("402 out of credit", 402, "{\"error\":{\"message\":\"Insufficient credits\",\"code\":402}}",
            QuotaExceededException.class, false, null, null, "lack of credit", "Insufficient credits"),
        row("404 model_not_found", 404,
            openAiError("The model `gpt-5-turbo` does not exist or you do not have access to it.",
                "invalid_request_error", "model_not_found"),
            ModelNotFoundException.class, false, null, "model_not_found", "Check the model name",
            "https://api.example.com/v1/chat/completions"),
        row("404 FastAPI detail string", 404, "{\"detail\":\"Not Found\"}", ModelNotFoundException.class, false, null,
            null, "Not Found"),
        row("408 request timeout", 408, "{\"error\":{\"message\":\"Request timed out\"}}",
            ChatTimeoutException.class, true, null, null, "timed out"),
        row("409 conflict", 409, "{\"message\":\"conflict, try again\"}", ServerException.class, true, null, null,
            "conflict"),
        row("429 insufficient_quota", 429,
            openAiError("You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", "insufficient_quota"),
            QuotaExceededException.class, false, null, "insufficient_quota", "quota", "retrying will not help"),
        row("429 billing_hard_limit_reached type", 429,
            openAiError("Billing hard limit has been reached", "billing_hard_limit_reached", null),
            QuotaExceededException.class, false, null, "billing_hard_limit_reached"),
        row("429 retry-after seconds", 429, Map.of("retry-after", "20"),
            openAiError("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofSeconds(20), "rate_limit_exceeded", "Retry after 20s"),
        row("429 retry-after HTTP date against the fixed clock", 429,
            Map.of("retry-after", "Thu, 02 Jan 2025 03:04:35 GMT"),
            openAiError("Rate limit reached", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofSeconds(30), "rate_limit_exceeded"),
        row("429 retry-after HTTP date in the past is zero", 429,
            Map.of("retry-after", "Thu, 02 Jan 2025 03:00:00 GMT"),
            openAiError("Rate limit reached", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ZERO, "rate_limit_exceeded"),
        row("429 retry-after-ms wins over retry-after", 429, Map.of("retry-after-ms", "1500", "retry-after", "20"),
            openAiError("Rate limit reached", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofMillis(1500), "rate_limit_exceeded", "after 1s"),
        row("429 retry-after wins over x-ratelimit-reset", 429,
            Map.of("retry-after", "3", "x-ratelimit-reset-tokens", "6m0s"),
            openAiError("Rate limit reached", "tokens", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofSeconds(3), "rate_limit_exceeded"),
        row("429 x-ratelimit-reset-tokens of the exhausted token limit", 429,
            Map.of("x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s",
                "x-ratelimit-remaining-requests", "59", "x-ratelimit-remaining-tokens", "0"),
            openAiError("Rate limit reached for tokens per min", "tokens", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofMinutes(6), "rate_limit_exceeded", "after 6m"),
        row("429 x-ratelimit-reset-requests of the exhausted request limit", 429,
            Map.of("x-ratelimit-reset-requests", "20ms", "x-ratelimit-reset-tokens", "1m30s",
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-remaining-tokens", "1000"),
            openAiError("Rate limit reached for requests per min", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofMillis(20), "rate_limit_exceeded", "after 20ms"),
        row("429 x-ratelimit-reset: the later of both when unknown which is exhausted", 429,
            Map.of("x-ratelimit-reset-requests", "1.5s", "x-ratelimit-reset-tokens", "250ms"),
            openAiError("Rate limit reached", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, Duration.ofMillis(1500), "rate_limit_exceeded"),
        row("429 without any hint", 429, openAiError("Too many requests", "requests", "rate_limit_exceeded"),
            RateLimitException.class, true, null, "rate_limit_exceeded", "Retry later"),
        row("500 error as a plain string", 500, "{\"error\":\"internal failure in the inference engine\"}",
            ServerException.class, true, null, null, "internal failure in the inference engine", "transient"),
        row("502 HTML page from a proxy", 502, HTML, ServerException.class, true, null, null,
            "HTTP 502", "<html> <head><title>502 Bad Gateway</title>"),
        row("503 with retry-after", 503, Map.of("retry-after", "5"), "{\"message\":\"Service Unavailable\"}",
            OverloadedException.class, true, Duration.ofSeconds(5), null, "is overloaded", "after 5s"),
        row("529 overloaded", 529, "{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}",
            OverloadedException.class, true, null, "overloaded_error", "Overloaded"),
        row("429 Request too large: one request over the tokens-per-minute limit, not retryable", 429,
            Map.of("x-ratelimit-reset-tokens", "1s"),
            openAiError("Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, "
                + "Requested 52000. The input or output tokens must be reduced in order to run successfully.",
                "tokens", "rate_limit_exceeded"),
            RateLimitException.class, false, null, "rate_limit_exceeded", "Retrying will not help", "Limit 30000"),
        row("TGI 422 validation", 422,
            "{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 "
                + "`inputs` tokens and 200 `max_new_tokens`\",\"error_type\":\"validation\"}",
            InvalidRequestException.class, false, null, "validation", "Input validation error"),
        row("TGI 424 generation failed", 424,
            "{\"error\":\"Request failed during generation: Server error: CUDA out of memory\","
                + "\"error_type\":\"generation\"}",
            ServerException.class, true, null, "generation", "failed while generating", "CUDA out of memory"),
        row("TGI 429 overloaded is overload, not a rate limit", 429,
            "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}",
            OverloadedException.class, true, null, "overloaded", "is overloaded"),
        row("TGI 500 incomplete_generation", 500,
            "{\"error\":\"Incomplete generation\",\"error_type\":\"incomplete_generation\"}",
            ServerException.class, true, null, "incomplete_generation", "Incomplete generation"),
        row("llama.cpp 400 exceed_context_size_error", 400,
            "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size, try "
                + "increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":5000,"
                + "\"n_ctx\":4096}}",
            ContextLengthExceededException.class, false, null, "exceed_context_size_error", "context window"),
        row("llama.cpp 503 loading model", 503,
            "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}",
            OverloadedException.class, true, null, "unavailable_error", "Loading model"),
        row("418 anything else", 418, "I'm a teapot", ChatException.class, false, null, null, "unexpected HTTP 418",
            "I'm a teapot"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusTable")
  void mapsStatusBodyAndHeaders_toTypedException(Case c) {
    Map<String, String> headers = new LinkedHashMap<>(c.headers());
    headers.put("x-request-id", "req_123");
    ChatException e = mapper.map(c.status(), headers(headers), c.body().getBytes(StandardCharsets.UTF_8), "openai",
        "gpt-4o");

    assertThat(e).isExactlyInstanceOf(c.type());
    assertThat(e.isRetryable()).as("retryable").isEqualTo(c.retryable());
    assertThat(e.retryAfter()).as("retryAfter").isEqualTo(Optional.ofNullable(c.retryAfter()));
    assertThat(e.details().providerCode()).as("providerCode").isEqualTo(Optional.ofNullable(c.providerCode()));
    assertThat(e.statusCode()).hasValue(c.status());
    assertThat(e.requestId()).hasValue("req_123");
    assertThat(e.provider()).isEqualTo("openai");
    assertThat(e.model()).isEqualTo("gpt-4o");
    assertThat(e.getMessage()).contains("openai", "model 'gpt-4o'").doesNotContain(KEY).doesNotContain("\n");
    for (String s : c.messageContains()) {
      assertThat(e.getMessage()).contains(s);
    }
  }

  @Test
  void azureDeploymentEndpoint_isQuotedWithTheRequestsModel_notAPlaceholder() {
    ChatCompletionsErrorMapper azure = new ChatCompletionsErrorMapper(Secret.of(KEY),
        "https://res.openai.azure.com/openai/deployments/{model}/chat/completions", CLOCK, false, "OpenAiProvider",
        "AZURE_OPENAI_API_KEY");
    ChatException e = azure.map(404, headers(Map.of()), openAiError("The API deployment for this resource does not "
        + "exist.", null, "DeploymentNotFound").getBytes(StandardCharsets.UTF_8), "azure", "gpt-4o-prod");

    assertThat(e).isExactlyInstanceOf(ModelNotFoundException.class);
    assertThat(e.getMessage()).contains("https://res.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions")
        .doesNotContain("{model}");
  }

  @Test
  void unauthorized_withTheKeyInAHeader_namesTheHeader_andALiteralKeyIsNotCalledValue() {
    ChatCompletionsErrorMapper headerKey = new ChatCompletionsErrorMapper(null, "https://api.example.com/v1",
        CLOCK, false, "OpenAiProvider", "OPENAI_API_KEY", "the 'api-key' header");
    ChatException e = headerKey.map(401, headers(Map.of()), "{}".getBytes(StandardCharsets.UTF_8), "azure", "m");
    assertThat(e.getMessage()).contains("Check the credentials in the 'api-key' header")
        .doesNotContain("No API key is configured");

    ChatException literal = mapper.map(403, headers(Map.of()), "{}".getBytes(StandardCharsets.UTF_8), "openai", "m");
    assertThat(literal.getMessage()).contains("the API key given to OpenAiProvider.builder().apiKey(...)")
        .doesNotContain("(value)");
  }

  @Test
  void htmlBody_isQuotedAsShortSingleLineExcerpt() {
    ChatException e = mapper.map(502, headers(Map.of()), HTML.getBytes(StandardCharsets.UTF_8), "openai", "gpt-4o");

    String message = e.getMessage();
    int start = message.indexOf("<html>");
    int end = message.indexOf('…', start);
    assertThat(start).isPositive();
    assertThat(end).isPositive();
    assertThat(end - start + 1).isLessThanOrEqualTo(200);
    assertThat(message).doesNotContain("\n").doesNotContain("</html>");
  }

  @Test
  void unauthorized_withoutConfiguredKey_saysHowToSetOne() {
    ChatCompletionsErrorMapper noKey = new ChatCompletionsErrorMapper(null, "http://localhost:8000/v1/chat/completions",
        CLOCK, false, "OpenAiProvider", "OPENAI_API_KEY");

    ChatException e = noKey.map(401, headers(Map.of()), "{\"error\":{\"message\":\"Unauthorized\"}}".getBytes(
        StandardCharsets.UTF_8), "local", "llama");

    assertThat(e).isExactlyInstanceOf(AuthenticationException.class);
    assertThat(e.getMessage()).contains("No API key is configured", "apiKey(Secret.fromEnv(\"OPENAI_API_KEY\"))");
  }

  @Test
  void unauthorized_namesTheSecretSource_neverItsValue() {
    ChatCompletionsErrorMapper envKey = new ChatCompletionsErrorMapper(Secret.fromEnv("SWITCHBOARD_TEST_UNSET_KEY"),
        "https://api.openai.com/v1/chat/completions", CLOCK, false, "OpenAiProvider", "OPENAI_API_KEY");

    ChatException e = envKey.map(401, headers(Map.of()), new byte[0], "openai", "gpt-4o");

    assertThat(e.getMessage()).contains("Check the API key in the environment variable SWITCHBOARD_TEST_UNSET_KEY");
  }

  @Test
  void messages_redactKeyLikeTokens_evenWhenNotTheConfiguredKey() {
    String body = "{\"error\":{\"message\":\"bad header Authorization: Bearer abcdefghijklmnop1234 for key "
        + "sk-proj-ABCDEFGHIJKLMNOPQRSTUV\"}}";

    ChatException e = mapper.map(400, headers(Map.of()), body.getBytes(StandardCharsets.UTF_8), "openai", "gpt-4o");

    assertThat(e.getMessage()).doesNotContain("abcdefghijklmnop1234").doesNotContain("ABCDEFGHIJKLMNOPQRSTUV")
        .contains("Bearer ****", "sk-****");
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
    ChatException e = mapper.mapFailure(failure, "openai", "gpt-4o");

    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.statusCode()).isEmpty();
    assertThat(e.getMessage()).contains("openai", "gpt-4o", contains);
  }

  static Stream<Arguments> bodyErrors() {
    return Stream.of(
        Arguments.of("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}",
            RateLimitException.class, true),
        Arguments.of("{\"error\":{\"message\":\"quota\",\"code\":\"insufficient_quota\"}}",
            QuotaExceededException.class, false),
        Arguments.of("{\"object\":\"error\",\"message\":\"bad\",\"type\":\"BadRequestError\",\"code\":400}",
            InvalidRequestException.class, false),
        Arguments.of("{\"error\":{\"message\":\"The server had an error while processing your request.\","
            + "\"type\":\"server_error\"}}", ServerException.class, true),
        Arguments.of("{\"error\":{\"message\":\"something odd\"}}", ServerException.class, true));
  }

  @ParameterizedTest
  @MethodSource("bodyErrors")
  void errorObjectInA200Body_mapsByItsCodeOrType_keepingTheRealStatus(String body,
      Class<? extends ChatException> type, boolean retryable) {
    ChatException e = mapper.mapBodyError(200, headers(Map.of()), WireJson.parse(body, "body"), "openai", "gpt-4o",
        "an error object in an HTTP 200 body");

    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.statusCode()).hasValue(200);
    assertThat(e.getMessage()).contains("an error object in an HTTP 200 body");
  }

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("1s", Duration.ofSeconds(1)),
        Arguments.of("6m0s", Duration.ofMinutes(6)),
        Arguments.of("20ms", Duration.ofMillis(20)),
        Arguments.of("1h2m3.5s", Duration.ofHours(1).plusMinutes(2).plusMillis(3500)),
        Arguments.of("0.5s", Duration.ofMillis(500)),
        Arguments.of("2", Duration.ofSeconds(2)),
        Arguments.of("soon", null),
        Arguments.of("5x", null),
        Arguments.of("", null));
  }

  @ParameterizedTest
  @MethodSource("durations")
  void parsesOpenAiResetDurations(String text, Duration expected) {
    assertThat(ChatCompletionsErrorMapper.parseOpenAiDuration(text)).isEqualTo(Optional.ofNullable(expected));
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }
}
