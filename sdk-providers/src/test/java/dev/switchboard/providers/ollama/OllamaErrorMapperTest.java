package dev.switchboard.providers.ollama;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.ollama.internal.OllamaErrorMapper;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OllamaErrorMapperTest {
  private static final String KEY = "ollama-secret-0123456789abcdef";
  private static final String BASE = "http://127.0.0.1:11434";
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String HTML = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
      + "<center><h1>502 Bad Gateway</h1></center>\n" + "<p>filler</p>\n".repeat(400) + "</body>\n</html>\n";

  private final OllamaErrorMapper withKey = new OllamaErrorMapper(Secret.of(KEY), BASE, CLOCK);
  private final OllamaErrorMapper withoutKey = new OllamaErrorMapper(null, BASE, CLOCK);

  /** One row of the status table. */
  record Case(String name, int status, Map<String, String> headers, String body, Class<? extends ChatException> type,
      boolean retryable, Duration retryAfter, List<String> messageContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case row(String name, int status, String body, Class<? extends ChatException> type, boolean retryable,
      String... contains) {
    return new Case(name, status, Map.of(), body, type, retryable, null, Arrays.asList(contains));
  }

  private static Case row(String name, int status, Map<String, String> headers, String body,
      Class<? extends ChatException> type, boolean retryable, Duration retryAfter, String... contains) {
    return new Case(name, status, headers, body, type, retryable, retryAfter, Arrays.asList(contains));
  }

  private static String error(String message) {
    return "{\"error\":" + WireJson.write(message) + "}";
  }

  static Stream<Case> statusTable() {
    return Stream.of(
        row("400 input exceeds the context length", 400, error("the input length exceeds the context length"),
            ContextLengthExceededException.class, false, "context window", "numCtx", "larger window"),
        row("400 prompt too long", 400, error("prompt is too long (5000 tokens, max 4096)"),
            ContextLengthExceededException.class, false, "4096"),
        row("400 a gateway's content filter", 400, error("blocked by the content filter"),
            ContentFilteredException.class, false, "Change the prompt"),
        row("400 model without tool support", 400,
            error("registry.ollama.ai/library/gemma:2b does not support tools"), InvalidRequestException.class, false,
            "does not support tools", "ollama show llama3.2", "will not help"),
        row("400 wrong option type", 400, error("option \"temperature\" must be of type float32"),
            InvalidRequestException.class, false, "float32", "Fix the request"),
        row("400 empty body", 400, "", InvalidRequestException.class, false, "empty body"),
        row("413 body too large", 413, error("request entity too large"), InvalidRequestException.class, false,
            "too large"),
        row("401 from a proxy names the key source, not the value", 401, error("unauthorized: bad key " + KEY),
            AuthenticationException.class, false, "Check the API key given to OllamaProvider.builder().apiKey(...)", "credentials"),
        row("403 forbidden", 403, error("forbidden"), AuthenticationException.class, false, "denied access"),
        row("402 out of credit", 402, error("payment required"), QuotaExceededException.class, false,
            "lack of credit"),
        row("404 model not found, try pulling", 404, error("model \"llama3.2\" not found, try pulling it first"),
            ModelNotFoundException.class, false, "ollama pull llama3.2", "ollama list", BASE),
        row("404 newer wording", 404, error("model 'llama3.2' not found"), ModelNotFoundException.class, false,
            "ollama pull llama3.2"),
        row("404 Gin's plain page: wrong base URL", 404, "404 page not found", ChatException.class, false,
            "without /api or /v1", "404 page not found"),
        row("408 request timeout", 408, error("request timed out"), ChatTimeoutException.class, true, "timed out"),
        row("409 conflict", 409, error("conflict"), ServerException.class, true, "conflict"),
        row("429 retry-after seconds", 429, Map.of("retry-after", "20"), error("too many requests"),
            RateLimitException.class, true, Duration.ofSeconds(20), "Retry after 20s"),
        row("429 retry-after HTTP date against the fixed clock", 429,
            Map.of("retry-after", "Thu, 02 Jan 2025 03:04:35 GMT"), error("too many requests"),
            RateLimitException.class, true, Duration.ofSeconds(30)),
        row("429 ollama.com usage quota", 429, error("you have exhausted your usage quota, upgrade your plan"),
            QuotaExceededException.class, false, "quota", "retrying now will not help"),
        row("429 proxy error object with a type", 429,
            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_exceeded\"}}",
            RateLimitException.class, true, "rate_limit_exceeded", "Rate limit reached"),
        row("500 runner crashed", 500, error("llama runner process has terminated: exit status 2"),
            ServerException.class, true, "lack of memory", "numCtx"),
        row("500 plain", 500, error("something went wrong"), ServerException.class, true, "usually transient"),
        row("502 gateway HTML page, excerpt only", 502, HTML, ServerException.class, true, "502 Bad Gateway"),
        row("503 server busy", 503, error("server busy, please try again.  maximum pending requests exceeded"),
            OverloadedException.class, true, "OLLAMA_MAX_QUEUE"),
        row("529 overloaded", 529, error("overloaded"), OverloadedException.class, true),
        row("418 unexpected", 418, error("I'm a teapot"), ChatException.class, false, "unexpected"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusTable")
  void mapsStatusAndBody_toTypedException(Case c) {
    ChatException e = withKey.map(c.status, headers(c.headers), c.body.getBytes(StandardCharsets.UTF_8), "ollama",
        "llama3.2");

    assertThat(e).as(c.name).isExactlyInstanceOf(c.type);
    assertThat(e.isRetryable()).as("retryable").isEqualTo(c.retryable);
    assertThat(e.statusCode()).hasValue(c.status);
    assertThat(e.provider()).isEqualTo("ollama");
    assertThat(e.model()).isEqualTo("llama3.2");
    assertThat(e.getMessage()).contains("ollama", "llama3.2").doesNotContain(KEY).hasSizeLessThan(1500);
    for (String part : c.messageContains) {
      assertThat(e.getMessage()).contains(part);
    }
    if (c.retryAfter != null) {
      assertThat(e.retryAfter()).hasValue(c.retryAfter);
    }
  }

  @Test
  void unauthorizedWithoutAKey_explainsThatOllamaItselfNeedsNone() {
    ChatException e = withoutKey.map(401, headers(Map.of()), error("unauthorized").getBytes(StandardCharsets.UTF_8),
        "ollama", "m");

    assertThat(e).isInstanceOf(AuthenticationException.class);
    assertThat(e.getMessage()).contains("Ollama itself needs no key").contains("OLLAMA_API_KEY");
  }

  @Test
  void bearerTokensInBodies_areRedacted() {
    ChatException e = withoutKey.map(400, headers(Map.of()),
        error("bad header Authorization: Bearer abcdefghijklmnop").getBytes(StandardCharsets.UTF_8), "ollama", "m");

    assertThat(e.getMessage()).contains("Bearer ****").doesNotContain("abcdefghijklmnop");
  }

  @Test
  void discoveryFailures_nameNoModel() {
    ChatException e = withKey.map(500, headers(Map.of()), error("boom").getBytes(StandardCharsets.UTF_8), "ollama", "");

    assertThat(e).isInstanceOf(ServerException.class);
    assertThat(e.getMessage()).doesNotContain("model ''").contains("the request");
  }

  // ---- errors inside a 200 body or stream ----

  static Stream<Object[]> bodyErrors() {
    return Stream.of(
        new Object[] {"model \"x\" not found, try pulling it first", ModelNotFoundException.class, false},
        new Object[] {"the input length exceeds the context length", ContextLengthExceededException.class, false},
        new Object[] {"gemma does not support tools", InvalidRequestException.class, false},
        new Object[] {"too many requests", RateLimitException.class, true},
        new Object[] {"server busy, please try again", OverloadedException.class, true},
        new Object[] {"llama runner process has terminated: signal: killed", ServerException.class, true});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodyErrors")
  void errorLineInA200Stream_isClassifiedByItsMessage_keepingStatus200(String message,
      Class<? extends ChatException> type, boolean retryable) {
    ChatException e = withKey.mapBodyError(200, headers(Map.of()), WireJson.parse(error(message), "error line"), "ollama",
        "x", "an error line in the stream");

    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.statusCode()).hasValue(200);
    assertThat(e.getMessage()).contains("an error line in the stream").contains(message);
  }

  // ---- transport failures ----

  @Test
  void connectionRefused_saysOllamaDoesNotSeemToBeRunning_andIsRetryable() {
    for (Throwable failure : List.of(new ConnectException("Connection refused"),
        new CompletionException(new ConnectException(null)),
        new IOException("connect failed", new ConnectException("Connection refused")))) {
      ChatException e = withKey.mapFailure(failure, "ollama", "llama3.2");

      assertThat(e).as("%s", failure).isExactlyInstanceOf(TransportException.class);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("Ollama does not seem to be running at " + BASE)
          .contains("ollama serve").contains("OLLAMA_HOST").contains("llama3.2");
    }
  }

  @Test
  void timeouts_areRetryableChatTimeouts() {
    ChatException connect = withKey.mapFailure(new HttpConnectTimeoutException("connect timed out"), "ollama", "m");
    ChatException headers = withKey.mapFailure(new HttpTimeoutException("request timed out"), "ollama", "m");
    ChatException whole = withKey.timeout(Duration.ofSeconds(3), "ollama", "m");

    assertThat(connect).isExactlyInstanceOf(ChatTimeoutException.class);
    assertThat(headers).isExactlyInstanceOf(ChatTimeoutException.class);
    assertThat(headers.getMessage()).contains("keepAlive").contains("timeout(...)");
    assertThat(whole.getMessage()).contains("3s");
    assertThat(List.of(connect, headers, whole)).allMatch(ChatException::isRetryable);
  }

  @Test
  void otherTransportFailures_areTyped() {
    ChatException reset = withKey.mapFailure(new IOException("Connection reset"), "ollama", "m");
    ChatException tls = withKey.mapFailure(new SSLHandshakeException("PKIX path building failed"), "ollama", "m");
    ChatException cancelled = withKey.mapFailure(new CancellationException(), "ollama", "m");
    ChatException bug = withKey.mapFailure(new IllegalStateException("oops " + KEY), "ollama", "m");
    ChatException already = new ChatException("x", ErrorDetails.of("ollama", "m"));

    assertThat(reset).isExactlyInstanceOf(TransportException.class);
    assertThat(reset.isRetryable()).isTrue();
    assertThat(tls).isExactlyInstanceOf(TransportException.class);
    assertThat(tls.isRetryable()).isFalse();
    assertThat(tls.getMessage()).contains("plain http");
    assertThat(cancelled).isExactlyInstanceOf(ChatException.class).hasMessageContaining("cancelled");
    assertThat(bug).isExactlyInstanceOf(ChatException.class);
    assertThat(bug.getMessage()).doesNotContain(KEY);
    assertThat(withKey.mapFailure(new CompletionException(already), "ollama", "m")).isSameAs(already);
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }
}
