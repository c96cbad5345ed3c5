package dev.switchboard.providers.anthropic;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Secret;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpSettings;
import dev.switchboard.spi.http.HttpErrorMapper;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.providers.anthropic.internal.AnthropicErrorMapper;
import dev.switchboard.providers.anthropic.internal.AnthropicRequestWriter;
import dev.switchboard.providers.anthropic.internal.AnthropicResponseReader;
import dev.switchboard.providers.anthropic.internal.AnthropicStreamDecoder;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider speaking Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}): Claude models
 * at {@code api.anthropic.com}, and gateways that expose the same protocol.
 *
 * <pre>{@code
 * try (AnthropicProvider anthropic = AnthropicProvider.builder()
 *     .apiKey(Secret.fromEnv("ANTHROPIC_API_KEY"))
 *     .build()) {
 *   Switchboard sb = Switchboard.builder().provider(anthropic).build();
 *   System.out.println(sb.chat("anthropic/claude-sonnet-4-5", "Say hi"));
 * }
 * }</pre>
 *
 * <p>Requests carry the key as {@code x-api-key} and the protocol version as {@code
 * anthropic-version} ({@value #DEFAULT_ANTHROPIC_VERSION} unless set). Anthropic requires an output
 * limit on every request: {@link ChatRequest#maxOutputTokens()} when set, else {@link
 * Builder#defaultMaxTokens(int)} (default {@value #DEFAULT_MAX_TOKENS}, which every current Claude
 * model accepts; raise it for long answers). Provider-specific request fields (extended thinking,
 * {@code top_k}, {@code metadata.user_id}, prompt-caching breakpoints) travel as an {@link
 * AnthropicOptions} tag on the request.
 *
 * <p>Named quirks, each with a test:
 *
 * <ul>
 *   <li><b>JSON answers through a forced tool.</b> Anthropic's Messages API has no response-format
 *       field. A JSON-schema (or JSON-object) {@link dev.switchboard.ResponseFormat} is sent as a
 *       tool named like the schema whose input schema is the schema, and the request forces the
 *       model to call it; the tool's input comes back as the answer's text (streamed as text
 *       deltas), with finish reason {@code STOP} and the raw word {@code tool_use}. The schema
 *       guides the model but the API does not enforce it, so validate the JSON where it matters.
 *       It cannot be combined with a required or named tool choice, nor with thinking: such
 *       requests fail with an {@link InvalidRequestException} before anything is sent.
 *   <li><b>Usage.</b> Anthropic reports prompt-cache reads and writes beside {@code input_tokens};
 *       the normalized {@link dev.switchboard.Usage#inputTokens()} adds them up, with {@code
 *       cachedInputTokens} the reads and {@code cacheWriteInputTokens} the writes. Thinking tokens
 *       are part of {@code outputTokens}; Anthropic does not report them apart, so {@code
 *       reasoningTokens} stays 0.
 *   <li><b>No refusal field, no content-filter stop.</b> A refusal arrives as text with the stop
 *       reason {@code refusal} ({@link dev.switchboard.FinishReason#REFUSAL}); output blocked by the
 *       content filter is an HTTP 400 error ({@link dev.switchboard.ContentFilteredException}).
 *   <li><b>Errors inside a 200 stream.</b> An {@code event: error} (e.g. {@code overloaded_error})
 *       fails the stream with the mapped, retryable exception if nothing was emitted yet, else with a
 *       {@link dev.switchboard.ChatStreamException} carrying the partial answer.
 *   <li><b>Thinking.</b> {@code thinking} blocks become {@link ChatResponse#reasoning()}; a {@code
 *       redacted_thinking} block shows as "[redacted thinking]". Thinking signatures are not kept,
 *       so a conversation that continues tool use with thinking on cannot send them back.
 * </ul>
 *
 * <p>Everything is non-blocking: {@link #chat} sends through an {@link dev.switchboard.spi.http.HttpTransport} and cancelling its
 * future cancels the exchange; {@link #stream} returns at once and closing the stream cancels the
 * exchange, also before the headers arrive. Failures are typed {@link ChatException}s decided by
 * one error mapper (529 {@code overloaded_error} and 429 are retryable, billing errors and 400s are
 * not). {@link Builder#timeout} (or {@link ChatRequest#timeout()}) bounds a whole {@code chat()} call
 * and, for a stream, the wait for the response headers. {@link Builder#maxResponseBytes} bounds a
 * {@code chat()} body and each event of a stream.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls. Whoever builds it closes it:
 * {@link #close()} closes the transport if the provider made its own ({@link HttpTransport}), and
 * leaves a shared or given one (and a client passed to {@link Builder#httpClient}) alone. {@link #toString()} never shows the API key or
 * header values.
 */
public final class AnthropicProvider implements ProviderAdapter {
  /** Anthropic's own API; the adapter appends {@code /v1/messages}. */
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

  /** The protocol version sent as {@code anthropic-version} unless another is set. */
  public static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

  /** The {@code max_tokens} sent when a request sets no output limit. */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private static final String MESSAGES_PATH = "/v1/messages";
  private static final Logger log = LoggerFactory.getLogger(AnthropicProvider.class);
  private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final String USER_AGENT = "switchboard-java/0.1";

  private final String name;
  private final String baseUrl;
  private final URI endpoint;
  private final Secret apiKey;
  private final String anthropicVersion;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final HttpTransport.Limits limits;
  private final int defaultMaxTokens;
  private final HttpTransport transport;
  private final HttpTransport builderTransport;
  private final HttpClient.Version version;
  private final AnthropicErrorMapper errors;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AnthropicProvider(Builder b, String baseUrl, URI endpoint) {
    this.name = b.name;
    this.baseUrl = baseUrl;
    this.endpoint = endpoint;
    this.apiKey = b.apiKey;
    this.anthropicVersion = b.anthropicVersion.trim();
    this.headers = Map.copyOf(b.headers);
    this.timeout = b.timeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.limits = new HttpTransport.Limits(maxResponseBytes, MAX_ERROR_BODY_BYTES,
        "AnthropicProvider.builder().maxResponseBytes(...)");
    this.defaultMaxTokens = b.defaultMaxTokens;
    // Plain http: ask for HTTP/1.1 directly; the h2c upgrade dance confuses some local servers.
    this.version = "http".equalsIgnoreCase(endpoint.getScheme()) ? HttpClient.Version.HTTP_1_1 : null;
    this.builderTransport = b.transport;
    this.transport = HttpSettings.transport(b.transport, b.httpClient, b.connectTimeout);
    this.errors = new AnthropicErrorMapper(apiKey, endpoint.toString(), b.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A provider named {@code "anthropic"} configured from the environment: {@code
   * ANTHROPIC_BASE_URL} (default {@value #DEFAULT_BASE_URL}) and {@code ANTHROPIC_API_KEY} (read at
   * each request; sent only if set, so a gateway that needs none works too).
   */
  public static AnthropicProvider fromEnv() {
    return fromEnv(System::getenv, Secret.fromEnv("ANTHROPIC_API_KEY"));
  }

  /** {@link #fromEnv()} with an injectable environment, for tests. */
  static AnthropicProvider fromEnv(Function<String, String> env, Secret apiKey) {
    Builder b = builder();
    String baseUrl = env.apply("ANTHROPIC_BASE_URL");
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

  /** The base URL requests go to, without the {@code /v1/messages} path. */
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
    String schemaTool = AnthropicRequestWriter.schemaTool(request);
    return transport.exchange(http, timeoutOf(request), limits, (status, headers, body) ->
        AnthropicResponseReader.read(status, headers, body, name, model, schemaTool, errors),
        HttpErrorMapper.bind(errors, name, model));
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
    String schemaTool = AnthropicRequestWriter.schemaTool(request);
    transport.stream(http, stream,
        info -> new AnthropicStreamDecoder(stream, name, model, info.statusCode(), info.headers(), schemaTool, errors,
            maxResponseBytes),
        HttpErrorMapper.bind(errors, name, model), MAX_ERROR_BODY_BYTES);
    return stream;
  }

  /**
   * What a Claude model can do: tools, vision, usage in streams and JSON-schema answers (through the
   * forced-tool quirk) for every model. Context window 200,000 tokens for the {@code claude-3*} and
   * Claude 4 families (without the 1M-context beta header); the output limit where the family's is
   * known (Claude 3: 4,096; 3.5: 8,192; 3.7 Sonnet, Sonnet 4.x, Haiku 4.5, Opus 4.5: 64,000; Opus 4
   * and 4.1: 32,000). For other names the window and output limit are unknown.
   */
  @Override
  public Capabilities capabilities(String model) {
    Capabilities.Builder b = Capabilities.builder().tools(true).vision(true).streamingUsage(true).jsonSchema(true);
    String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
    boolean claude3 = m.startsWith("claude-3");
    boolean claude4 = m.matches("claude-[a-z]+-4([-.@].*)?");
    if (claude3 || claude4) {
      b.maxContextTokens(200_000);
    }
    Integer maxOutput = maxOutputTokens(m);
    if (maxOutput != null) {
      b.maxOutputTokens(maxOutput);
    }
    return b.build();
  }

  private static Integer maxOutputTokens(String m) {
    if (m.startsWith("claude-3-7-sonnet") || m.startsWith("claude-sonnet-4") || m.startsWith("claude-haiku-4-5")
        || m.startsWith("claude-opus-4-5")) {
      return 64_000;
    }
    if (m.matches("claude-opus-4(-1)?(-\\d{8})?") || m.matches("claude-opus-4(-1)?@.*")) {
      return 32_000;
    }
    if (m.startsWith("claude-3-5-")) {
      return 8_192;
    }
    if (m.startsWith("claude-3-opus") || m.startsWith("claude-3-sonnet") || m.startsWith("claude-3-haiku")) {
      return 4_096;
    }
    return null;
  }

  /** Closes the transport if this provider made its own (see {@link Builder#transport}). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && transport != builderTransport) {
      transport.close();
    }
  }

  @Override
  public String toString() {
    return "AnthropicProvider[name=" + name + ", baseUrl=" + baseUrl
        + (apiKey == null ? ", no apiKey" : ", apiKey=" + apiKey.description())
        + ", anthropicVersion=" + anthropicVersion
        + (headers.isEmpty() ? "" : ", headers=" + new ArrayList<>(headers.keySet()))
        + ", defaultMaxTokens=" + defaultMaxTokens + ", timeout=" + timeout + "]";
  }

  private Duration timeoutOf(ChatRequest request) {
    return request.timeout().filter(t -> !t.isNegative() && !t.isZero()).orElse(timeout);
  }

  private HttpRequest newRequest(ChatRequest request, boolean stream) {
    String model = request.model();
    if (closed.get()) {
      throw new ChatException("AnthropicProvider '" + name + "' is closed; build a new one to call model '" + model
          + "'", ErrorDetails.of(name, model));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
        .timeout(timeoutOf(request))
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "text/event-stream" : "application/json")
        .header("User-Agent", USER_AGENT)
        .header("anthropic-version", anthropicVersion);
    if (version != null) {
      b.version(version);
    }
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key == null || key.isBlank()) {
        throw new AuthenticationException("the API key for " + name + " (model '" + model + "') is empty: "
            + apiKey.description() + " has no value. Set it, or build the provider without apiKey(...) for a "
            + "gateway that needs none.", ErrorDetails.of(name, model));
      }
      b.header("x-api-key", key.trim());
    }
    headers.forEach(b::setHeader);
    byte[] body;
    try {
      body = AnthropicRequestWriter.write(request, stream, defaultMaxTokens);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(errors.redact("the request for " + name + " model '" + model
          + "' cannot be sent to Anthropic: " + e.getMessage() + ". Nothing was sent."), ErrorDetails.of(name, model),
          e);
    } catch (RuntimeException e) {
      throw new ChatException("could not write the request for " + name + " model '" + model + "': " + e.getMessage(),
          ErrorDetails.of(name, model), e);
    }
    return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String name = "anthropic";
    private String baseUrl = DEFAULT_BASE_URL;
    private Secret apiKey;
    private String anthropicVersion = DEFAULT_ANTHROPIC_VERSION;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(120);
    private Duration connectTimeout;
    private int maxResponseBytes = 32 * 1024 * 1024;
    private int defaultMaxTokens = DEFAULT_MAX_TOKENS;
    private HttpClient httpClient;
    private HttpTransport transport;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The prefix of model strings for this provider, e.g. {@code "anthropic"} in {@code "anthropic/claude-sonnet-4-5"}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The API root without {@code /v1}, e.g. {@value #DEFAULT_BASE_URL}; {@code /v1/messages} is appended. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** Sent as {@code x-api-key}, read at each request. Leave unset for a gateway that needs none. */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The {@code anthropic-version} header. Default {@value #DEFAULT_ANTHROPIC_VERSION}. */
    public Builder anthropicVersion(String anthropicVersion) {
      this.anthropicVersion = anthropicVersion;
      return this;
    }

    /**
     * An extra header on every request, e.g. {@code anthropic-beta} (repeatable; a later value for
     * the same name wins).
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      headers.put(name, value);
      return this;
    }

    /** The default time a call may take; {@link ChatRequest#timeout()} overrides it. Default 120 s. */
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

    /**
     * The {@code max_tokens} sent when a request sets no {@link ChatRequest#maxOutputTokens()}:
     * Anthropic requires one on every request. Default {@value #DEFAULT_MAX_TOKENS}, which every
     * current Claude model accepts; with extended thinking the budget is added to it.
     */
    public Builder defaultMaxTokens(int defaultMaxTokens) {
      this.defaultMaxTokens = defaultMaxTokens;
      return this;
    }

    /** A client to share; the caller keeps ownership and configures its connect timeout, proxy and TLS. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * The transport to send through (its client, threads, idle timeout and timers); the caller
     * keeps ownership. Default: the JVM's {@link HttpTransport#shared(java.time.Duration) shared} transport for
     * {@link #connectTimeout}, or one of this provider's own around a client given to {@link #httpClient}.
     */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The clock for {@code retry-after} dates and rate-limit reset times; tests inject a fixed one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public AnthropicProvider build() {
      if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("AnthropicProvider.name must be letters, digits, '_', '.' or '-' "
            + "(it is the prefix of model strings such as \"anthropic/claude-sonnet-4-5\"), got: " + quote(name));
      }
      String base = normalizeBaseUrl(baseUrl);
      if (anthropicVersion == null || anthropicVersion.isBlank()) {
        throw new IllegalArgumentException("AnthropicProvider.anthropicVersion must not be blank, e.g. "
            + DEFAULT_ANTHROPIC_VERSION);
      }
      HttpSettings.validate("AnthropicProvider", timeout, connectTimeout, httpClient, transport, maxResponseBytes);
      if (defaultMaxTokens <= 0) {
        throw new IllegalArgumentException("AnthropicProvider.defaultMaxTokens must be > 0, got: " + defaultMaxTokens);
      }
      URI endpoint = URI.create(base + MESSAGES_PATH);
      HttpRequest.Builder probe = HttpRequest.newBuilder(endpoint);
      for (Map.Entry<String, String> h : headers.entrySet()) {
        String lower = h.getKey().toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("accept")) {
          throw new IllegalArgumentException("AnthropicProvider.header '" + h.getKey()
              + "' is set by the provider itself and cannot be replaced");
        }
        if (lower.equals("x-api-key") || lower.equals("anthropic-version")) {
          throw new IllegalArgumentException("AnthropicProvider.header '" + h.getKey() + "' has its own setting: use "
              + (lower.equals("x-api-key") ? "apiKey(Secret)" : "anthropicVersion(String)"));
        }
        try {
          probe.setHeader(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("AnthropicProvider.header '" + h.getKey() + "' is not allowed: "
              + e.getMessage(), e);
        }
      }
      return new AnthropicProvider(this, base, endpoint);
    }

    private static String normalizeBaseUrl(String url) {
      String hint = "AnthropicProvider.baseUrl must be an absolute http(s) URL such as " + DEFAULT_BASE_URL
          + " or http://localhost:8080, got: ";
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
        throw new IllegalArgumentException("AnthropicProvider.baseUrl must not have a query or fragment, got: "
            + quote(url));
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("AnthropicProvider.baseUrl must not contain credentials; use apiKey(...) "
            + "or header(...), got a URL with user info for host " + uri.getHost());
      }
      if (u.endsWith(MESSAGES_PATH) || u.endsWith("/v1")) {
        throw new IllegalArgumentException("AnthropicProvider.baseUrl must be the API root without /v1 or "
            + "/v1/messages (the adapter appends /v1/messages), e.g. " + DEFAULT_BASE_URL + ", got: " + quote(url));
      }
      return u;
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
