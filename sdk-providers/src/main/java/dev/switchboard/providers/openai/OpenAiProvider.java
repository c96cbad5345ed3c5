package dev.switchboard.providers.openai;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Secret;
import dev.switchboard.internal.Futures;
import dev.switchboard.internal.http.BoundedBodySubscriber;
import dev.switchboard.internal.http.StreamingExchange;
import dev.switchboard.internal.stream.PushChatStream;
import dev.switchboard.providers.openai.internal.OpenAiErrorMapper;
import dev.switchboard.providers.openai.internal.OpenAiRequestWriter;
import dev.switchboard.providers.openai.internal.OpenAiResponseReader;
import dev.switchboard.providers.openai.internal.OpenAiStreamDecoder;
import dev.switchboard.providers.openai.internal.OpenAiWire;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider speaking the OpenAI chat-completions protocol ({@code POST {baseUrl}/chat/completions}):
 * OpenAI itself, Azure OpenAI, and the many "OpenAI-compatible" servers and aggregators (vLLM,
 * SGLang, llama.cpp, LM Studio, Ollama's {@code /v1}, DeepSeek, Groq, Together, OpenRouter, ...).
 *
 * <pre>{@code
 * try (OpenAiProvider openai = OpenAiProvider.builder()
 *     .apiKey(Secret.fromEnv("OPENAI_API_KEY"))
 *     .build()) {
 *   Switchboard sb = Switchboard.builder().provider(openai).build();
 *   System.out.println(sb.chat("openai/gpt-4o-mini", "Say hi"));
 * }
 * }</pre>
 *
 * <p>Everything is non-blocking: {@link #chat} uses {@code HttpClient.sendAsync} and cancelling its
 * future cancels the exchange; {@link #stream} returns at once and closing the stream cancels the
 * exchange, also before the headers arrive. Provider-specific request fields travel as an {@link
 * OpenAiOptions} tag on the request. Failures are typed {@link ChatException}s; see the error
 * mapping table in the project docs.
 *
 * <p>Timeouts: {@link Builder#timeout} (or {@link ChatRequest#timeout()}) bounds a whole {@code
 * chat()} call and, for a stream, the wait for the response headers; stalls inside a stream are the
 * resilience layer's business. {@link Builder#maxResponseBytes} bounds a {@code chat()} body and
 * each event of a stream.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls. Whoever builds it closes it:
 * {@link #close()} stops the HTTP client's threads if this provider built that client (as far as
 * JDK 17 allows; the JDK closes idle connections when the client is collected), and leaves a client
 * passed to {@link Builder#httpClient} alone. {@link #toString()} never shows the API key, header
 * values or query values.
 */
public final class OpenAiProvider implements ProviderAdapter {
  /** OpenAI's own API. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  private static final Logger log = LoggerFactory.getLogger(OpenAiProvider.class);
  private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final String USER_AGENT = "switchboard-java/0.1";
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  private final String name;
  private final String baseUrl;
  private final URI endpoint;
  private final Secret apiKey;
  private final Map<String, String> headers;
  private final Map<String, String> queryParams;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final boolean maxCompletionTokens;
  private final HttpClient client;
  private final ExecutorService ownedExecutor;
  private final HttpClient.Version version;
  private final OpenAiErrorMapper errors;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpenAiProvider(Builder b, String baseUrl, URI endpoint) {
    this.name = b.name;
    this.baseUrl = baseUrl;
    this.endpoint = endpoint;
    this.apiKey = b.apiKey;
    this.headers = Map.copyOf(b.headers);
    this.queryParams = Map.copyOf(b.queryParams);
    this.timeout = b.timeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxCompletionTokens = b.maxCompletionTokens != null ? b.maxCompletionTokens
        : "api.openai.com".equalsIgnoreCase(endpoint.getHost());
    // Plain http: ask for HTTP/1.1 directly; the h2c upgrade dance confuses some local servers.
    this.version = "http".equalsIgnoreCase(endpoint.getScheme()) ? HttpClient.Version.HTTP_1_1 : null;
    if (b.httpClient != null) {
      this.client = b.httpClient;
      this.ownedExecutor = null;
    } else {
      int id = CLIENT_IDS.incrementAndGet();
      AtomicInteger threads = new AtomicInteger();
      this.ownedExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "switchboard-" + name + "-http-" + id + "-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      this.client = HttpClient.newBuilder()
          .connectTimeout(b.connectTimeout != null ? b.connectTimeout : Duration.ofSeconds(10))
          .executor(ownedExecutor)
          .build();
    }
    this.errors = new OpenAiErrorMapper(apiKey, baseUrl + "/chat/completions", b.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A provider named {@code "openai"} configured from the environment: {@code OPENAI_BASE_URL}
   * (default {@value #DEFAULT_BASE_URL}) and {@code OPENAI_API_KEY} (sent only if set, so local
   * servers need none).
   */
  public static OpenAiProvider fromEnv() {
    return fromEnv(System::getenv, Secret.fromEnv("OPENAI_API_KEY"));
  }

  /** {@link #fromEnv()} with an injectable environment, for tests. */
  static OpenAiProvider fromEnv(Function<String, String> env, Secret apiKey) {
    Builder b = builder();
    String baseUrl = env.apply("OPENAI_BASE_URL");
    if (baseUrl != null && !baseUrl.isBlank()) {
      b.baseUrl(baseUrl.trim());
    }
    if (apiKey.isPresent()) {
      b.apiKey(apiKey);
    }
    return b.build();
  }

  @Override
  public String name() {
    return name;
  }

  /** The base URL requests go to, without the {@code /chat/completions} path. */
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    String model = request.model();
    HttpRequest http;
    try {
      http = newRequest(request, false);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    HttpResponse.BodyHandler<byte[]> handler = info -> {
      int status = info.statusCode();
      if (status >= 200 && status < 300) {
        ErrorDetails details = ErrorDetails.builder().provider(name).model(model).statusCode(status)
            .requestId(OpenAiWire.requestId(info.headers())).build();
        return BoundedBodySubscriber.failing(maxResponseBytes, details, "OpenAiProvider.builder().maxResponseBytes(...)");
      }
      return BoundedBodySubscriber.truncating(MAX_ERROR_BODY_BYTES);
    };
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = client.sendAsync(http, handler);
    } catch (RuntimeException e) {
      return Futures.failed(errors.mapFailure(e, name, model));
    }
    CompletableFuture<ChatResponse> result = new CompletableFuture<>();
    exchange.whenComplete((response, error) -> {
      try {
        if (error != null) {
          result.completeExceptionally(errors.mapFailure(error, name, model));
        } else if (response.statusCode() >= 200 && response.statusCode() < 300) {
          result.complete(OpenAiResponseReader.read(response.statusCode(), response.headers(), response.body(), name,
              model, errors));
        } else {
          log.debug("{} answered HTTP {} for model '{}'", name, response.statusCode(), model);
          result.completeExceptionally(
              errors.map(response.statusCode(), response.headers(), response.body(), name, model));
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(errors.mapFailure(e, name, model));
      }
    });
    // The request timeout covers the headers; this covers the body too. orTimeout's timer is
    // cancelled as soon as the call ends.
    Duration limit = timeoutOf(request);
    CompletableFuture<Void> timer = new CompletableFuture<Void>().orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS);
    timer.whenComplete((v, e) -> {
      if (e != null && result.completeExceptionally(errors.timeout(limit, name, model))) {
        exchange.cancel(true);
      }
    });
    result.whenComplete((r, e) -> timer.complete(null));
    return Futures.cancelling(result, exchange);
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    String model = request.model();
    PushChatStream stream = new PushChatStream();
    HttpRequest http;
    try {
      http = newRequest(request, true);
    } catch (ChatException e) {
      stream.fail(e);
      return stream;
    }
    StreamingExchange.start(
        client,
        http,
        stream,
        info -> new OpenAiStreamDecoder(stream, name, model, info.statusCode(), info.headers(), errors, maxResponseBytes),
        (status, responseHeaders, body) -> errors.map(status, responseHeaders, body, name, model),
        failure -> errors.mapFailure(failure, name, model),
        MAX_ERROR_BODY_BYTES);
    return stream;
  }

  /** {@link Capabilities#UNKNOWN}: an OpenAI-compatible endpoint may serve any model. */
  @Override
  public Capabilities capabilities(String model) {
    return Capabilities.UNKNOWN;
  }

  /** Stops the HTTP client's threads if this provider built it. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || ownedExecutor == null) {
      return;
    }
    // JDK 21+ can shut the client down (closing its connections); JDK 17 cannot, so this is reflective.
    try {
      Method shutdown = HttpClient.class.getMethod("shutdown");
      shutdown.invoke(client);
    } catch (ReflectiveOperationException | RuntimeException notOnThisJdk) {
      // JDK 17: the selector thread and idle connections end when the client is collected
    }
    ownedExecutor.shutdown();
  }

  @Override
  public String toString() {
    return "OpenAiProvider[name=" + name + ", baseUrl=" + baseUrl
        + (apiKey == null ? ", no apiKey" : ", apiKey=" + apiKey.description())
        + (headers.isEmpty() ? "" : ", headers=" + new ArrayList<>(headers.keySet()))
        + (queryParams.isEmpty() ? "" : ", queryParams=" + new ArrayList<>(queryParams.keySet()))
        + ", timeout=" + timeout + "]";
  }

  private Duration timeoutOf(ChatRequest request) {
    return request.timeout().filter(t -> !t.isNegative() && !t.isZero()).orElse(timeout);
  }

  private HttpRequest newRequest(ChatRequest request, boolean stream) {
    String model = request.model();
    if (closed.get()) {
      throw new ChatException("OpenAiProvider '" + name + "' is closed; build a new one to call model '" + model + "'",
          ErrorDetails.of(name, model));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
        .timeout(timeoutOf(request))
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "text/event-stream" : "application/json")
        .header("User-Agent", USER_AGENT);
    if (version != null) {
      b.version(version);
    }
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key == null || key.isBlank()) {
        throw new AuthenticationException("the API key for " + name + " (model '" + model + "') is empty: "
            + apiKey.description() + " has no value. Set it, or build the provider without apiKey(...) for a "
            + "server that needs none.", ErrorDetails.of(name, model));
      }
      b.header("Authorization", "Bearer " + key.trim());
    }
    headers.forEach(b::setHeader);
    byte[] body;
    try {
      body = OpenAiRequestWriter.write(request, stream, maxCompletionTokens);
    } catch (RuntimeException e) {
      throw new ChatException("could not write the request for " + name + " model '" + model + "': " + e.getMessage(),
          ErrorDetails.of(name, model), e);
    }
    return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String name = "openai";
    private String baseUrl = DEFAULT_BASE_URL;
    private Secret apiKey;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> queryParams = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(60);
    private Duration connectTimeout;
    private int maxResponseBytes = 32 * 1024 * 1024;
    private HttpClient httpClient;
    private Boolean maxCompletionTokens;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The prefix of model strings for this provider, e.g. {@code "openai"} in {@code "openai/gpt-4o"}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The API root, e.g. {@code https://api.openai.com/v1} or {@code http://localhost:8000/v1}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** Sent as {@code Authorization: Bearer <key>}, read at each request. Leave unset for servers that need none. */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** An extra header on every request (repeatable; a later value for the same name wins). */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      headers.put(name, value);
      return this;
    }

    /** An extra query parameter on every request, e.g. Azure's {@code api-version} (repeatable). */
    public Builder queryParam(String name, String value) {
      Objects.requireNonNull(name, "queryParam name");
      Objects.requireNonNull(value, "queryParam value");
      queryParams.put(name, value);
      return this;
    }

    /** The default time a call may take; {@link ChatRequest#timeout()} overrides it. Default 60 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The time to establish a connection, for the client this provider builds. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** The largest answer (and for streams, the largest event) read; more is a DecodingException. Default 32 MiB. */
    public Builder maxResponseBytes(int maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /** A client to share; the caller keeps ownership and configures its connect timeout, proxy and TLS. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Whether to send the output limit as {@code max_completion_tokens} (OpenAI's current name,
     * required by its reasoning models) instead of {@code max_tokens} (what most compatible servers
     * understand). Default: true exactly when the base URL is {@code api.openai.com}.
     */
    public Builder useMaxCompletionTokens(boolean useMaxCompletionTokens) {
      this.maxCompletionTokens = useMaxCompletionTokens;
      return this;
    }

    /** The clock for {@code Retry-After} dates; tests inject a fixed one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public OpenAiProvider build() {
      if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("OpenAiProvider.name must be letters, digits, '_', '.' or '-' "
            + "(it is the prefix of model strings such as \"openai/gpt-4o\"), got: " + quote(name));
      }
      String base = normalizeBaseUrl(baseUrl);
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("OpenAiProvider.timeout must be positive, got: " + timeout);
      }
      if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.isZero())) {
        throw new IllegalArgumentException("OpenAiProvider.connectTimeout must be positive, got: " + connectTimeout);
      }
      if (connectTimeout != null && httpClient != null) {
        throw new IllegalStateException("OpenAiProvider.connectTimeout applies only to the client the provider builds; "
            + "set it on the HttpClient passed to httpClient(...) instead");
      }
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException("OpenAiProvider.maxResponseBytes must be > 0, got: " + maxResponseBytes);
      }
      URI endpoint = endpoint(base);
      HttpRequest.Builder probe = HttpRequest.newBuilder(endpoint);
      for (Map.Entry<String, String> h : headers.entrySet()) {
        String lower = h.getKey().toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("accept")) {
          throw new IllegalArgumentException("OpenAiProvider.header '" + h.getKey()
              + "' is set by the provider itself and cannot be replaced");
        }
        try {
          probe.setHeader(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("OpenAiProvider.header '" + h.getKey() + "' is not allowed: "
              + e.getMessage(), e);
        }
      }
      return new OpenAiProvider(this, base, endpoint);
    }

    private static String normalizeBaseUrl(String url) {
      String hint = "OpenAiProvider.baseUrl must be an absolute http(s) URL such as " + DEFAULT_BASE_URL
          + " or http://localhost:8000/v1, got: ";
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException(hint + quote(url));
      }
      String u = url.trim();
      while (u.endsWith("/")) {
        u = u.substring(0, u.length() - 1);
      }
      URI uri;
      try {
        uri = new URI(u);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(hint + quote(url) + " (" + e.getMessage() + ")", e);
      }
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(hint + quote(url));
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("OpenAiProvider.baseUrl must not have a query or fragment; use "
            + "queryParam(name, value) for query parameters, got: " + quote(url));
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("OpenAiProvider.baseUrl must not contain credentials; use apiKey(...) "
            + "or header(...), got a URL with user info for host " + uri.getHost());
      }
      if (u.endsWith("/chat/completions")) {
        throw new IllegalArgumentException("OpenAiProvider.baseUrl must be the API root without /chat/completions "
            + "(it is appended), got: " + quote(url));
      }
      return u;
    }

    private URI endpoint(String base) {
      StringBuilder sb = new StringBuilder(base).append("/chat/completions");
      String sep = "?";
      for (Map.Entry<String, String> q : queryParams.entrySet()) {
        if (q.getKey().isBlank()) {
          throw new IllegalArgumentException("OpenAiProvider.queryParam name must not be blank");
        }
        sb.append(sep).append(URLEncoder.encode(q.getKey(), StandardCharsets.UTF_8))
            .append('=').append(URLEncoder.encode(q.getValue(), StandardCharsets.UTF_8));
        sep = "&";
      }
      return URI.create(sb.toString());
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
