package dev.switchboard.providers.ollama;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Secret;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpSettings;
import dev.switchboard.spi.http.HttpErrorMapper;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.stream.PushChatStream;
import dev.switchboard.providers.ollama.internal.OllamaErrorMapper;
import dev.switchboard.providers.ollama.internal.OllamaRequestWriter;
import dev.switchboard.providers.ollama.internal.OllamaResponseReader;
import dev.switchboard.providers.ollama.internal.OllamaStreamDecoder;
import dev.switchboard.providers.ollama.internal.OllamaWire;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider speaking Ollama's native API: {@code POST /api/chat} (JSON, or an NDJSON stream),
 * {@code POST /api/embed}, and the discovery endpoints {@code GET /api/tags} ({@link
 * #listModels()}) and {@code GET /api/ps} ({@link #loadedModels()}). For Ollama's
 * OpenAI-compatible {@code /v1} endpoint use the OpenAI provider instead; the native API adds
 * {@code options} such as {@code num_ctx}, {@code keep_alive}, {@code think}, inline images and
 * live discovery.
 *
 * <pre>{@code
 * try (OllamaProvider ollama = OllamaProvider.fromEnv()) {   // OLLAMA_HOST, default http://127.0.0.1:11434
 *   Switchboard sb = Switchboard.builder().provider(ollama).build();
 *   System.out.println(sb.chat("ollama/llama3.2", "Say hi"));
 * }
 * }</pre>
 *
 * <p>Everything is non-blocking: {@link #chat} sends through an {@link dev.switchboard.spi.http.HttpTransport} and cancelling its
 * future cancels the exchange; {@link #stream} returns at once and closing the stream cancels the
 * exchange, also before the headers arrive. Ollama-specific request fields travel as an {@link
 * OllamaOptions} tag on the request. Failures are typed {@link ChatException}s; a refused
 * connection says that Ollama does not seem to be running at the base URL, a missing model says to
 * {@code ollama pull} it.
 *
 * <p>What Ollama reports and how it maps: {@code message.thinking} is the response's reasoning;
 * tool calls get Ollama's {@code id} or, from versions that send none, a stable {@code
 * call_<index>}; usage is {@code prompt_eval_count} in and {@code eval_count} out (no cache or
 * reasoning breakdown exists); Ollama sends no response or request id. Its timings ({@code
 * total_duration}, {@code load_duration}, {@code prompt_eval_duration}, {@code eval_duration}) are
 * logged at DEBUG by the logger of this class, with the tokens per second, since no response field
 * carries them.
 *
 * <p>Timeouts: {@link Builder#timeout} (or {@link ChatRequest#timeout()}) bounds a whole {@code
 * chat()} call, an embedding or discovery call, and for a stream the wait for the response headers
 * (which includes loading the model); a stream that
 * stalls between chunks ends at the transport's idle timeout (120 s by default).
 * {@link Builder#maxResponseBytes} bounds a non-streamed body and each line of a stream.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls. Whoever builds it closes it:
 * {@link #close()} closes the transport if the provider made its own ({@link HttpTransport}), and
 * leaves a shared or given one (and a client passed to {@link Builder#httpClient}) alone. {@link
 * #toString()} never shows the API key or header values.
 */
public final class OllamaProvider implements ProviderAdapter {
  /** Where a local Ollama listens by default. */
  public static final String DEFAULT_BASE_URL = "http://127.0.0.1:11434";

  private static final Logger log = LoggerFactory.getLogger(OllamaProvider.class);
  private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final String USER_AGENT = "switchboard-java/0.1";
  private static final String RAISE_HINT = "OllamaProvider.builder().maxResponseBytes(...)";

  private final String name;
  private final String baseUrl;
  private final URI chatUri;
  private final URI embedUri;
  private final URI tagsUri;
  private final URI psUri;
  private final Secret apiKey;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final HttpTransport.Limits limits;
  private final String keepAlive;
  private final HttpTransport transport;
  private final HttpTransport builderTransport;
  private final HttpClient.Version version;
  private final OllamaErrorMapper errors;
  private final Map<String, Integer> contextLengths = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private OllamaProvider(Builder b, String baseUrl) {
    this.name = b.name;
    this.baseUrl = baseUrl;
    this.chatUri = URI.create(baseUrl + "/api/chat");
    this.embedUri = URI.create(baseUrl + "/api/embed");
    this.tagsUri = URI.create(baseUrl + "/api/tags");
    this.psUri = URI.create(baseUrl + "/api/ps");
    this.apiKey = b.apiKey;
    this.headers = Map.copyOf(b.headers);
    this.timeout = b.timeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.limits = new HttpTransport.Limits(maxResponseBytes, MAX_ERROR_BODY_BYTES, RAISE_HINT);
    this.keepAlive = b.keepAlive;
    // Plain http: ask for HTTP/1.1 directly; Ollama does not speak h2c.
    this.version = "http".equalsIgnoreCase(chatUri.getScheme()) ? HttpClient.Version.HTTP_1_1 : null;
    this.builderTransport = b.transport;
    this.transport = HttpSettings.transport(b.transport, b.httpClient, b.connectTimeout);
    this.errors = new OllamaErrorMapper(apiKey, baseUrl, b.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A provider named {@code "ollama"} configured from the environment as the {@code ollama} CLI
   * reads it: {@code OLLAMA_HOST} ({@code host}, {@code host:port}, {@code :port} or a URL; default
   * {@value #DEFAULT_BASE_URL}; a bind-all address such as {@code 0.0.0.0} means this machine) and
   * {@code OLLAMA_API_KEY} (sent as a bearer token only if set, for ollama.com or a proxy).
   *
   * @throws IllegalArgumentException naming {@code OLLAMA_HOST} if it cannot be understood
   */
  public static OllamaProvider fromEnv() {
    return fromEnv(System::getenv, Secret.fromEnv("OLLAMA_API_KEY"));
  }

  /** {@link #fromEnv()} with an injectable environment, for tests. */
  static OllamaProvider fromEnv(Function<String, String> env, Secret apiKey) {
    Builder b = builder();
    String host = env.apply("OLLAMA_HOST");
    if (host != null && !host.isBlank()) {
      b.baseUrl(baseUrlFromHost(host));
    }
    if (apiKey.isPresent()) {
      b.apiKey(apiKey);
    }
    return b.build();
  }

  /**
   * The base URL an {@code OLLAMA_HOST} value stands for, with the ollama CLI's defaults: scheme
   * {@code http}, host {@code 127.0.0.1}, port 11434 unless a scheme is given (then the scheme's
   * port). {@code 0.0.0.0} and {@code ::} (addresses to listen on, not to call) become {@code
   * 127.0.0.1}.
   */
  static String baseUrlFromHost(String value) {
    String s = value.trim();
    String scheme = "http";
    String rest = s;
    String defaultPort = "11434";
    int sep = s.indexOf("://");
    if (sep >= 0) {
      scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
      rest = s.substring(sep + 3);
      defaultPort = null;
    }
    String path = "";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.substring(slash);
      rest = rest.substring(0, slash);
    }
    String host;
    String port = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw badHost(value);
      }
      host = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (after.startsWith(":")) {
        port = after.substring(1);
      } else if (!after.isEmpty()) {
        throw badHost(value);
      }
    } else {
      int colon = rest.indexOf(':');
      if (colon >= 0 && colon == rest.lastIndexOf(':')) {
        host = rest.substring(0, colon);
        port = rest.substring(colon + 1);
      } else {
        host = rest; // no port, or a bare IPv6 address
      }
    }
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    if (port == null || port.isEmpty()) {
      port = defaultPort;
    }
    if (port != null && (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535)) {
      throw badHost(value);
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw badHost(value);
    }
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + (port == null ? "" : ":" + port) + path;
  }

  private static IllegalArgumentException badHost(String value) {
    return new IllegalArgumentException("OLLAMA_HOST must be host, host:port, :port or an http(s) URL such as "
        + "127.0.0.1:11434 or https://ollama.example.com, got: '" + value + "'");
  }

  @Override
  public String name() {
    return name;
  }

  /** The server root requests go to, e.g. {@value #DEFAULT_BASE_URL}. */
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    String model = request.model();
    Duration limit = timeoutOf(request);
    HttpRequest http;
    try {
      http = post(chatUri, chatBody(request, false), "application/json", limit, model);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return exchange(http, model, limit, (status, responseHeaders, body) ->
        OllamaResponseReader.chat(status, responseHeaders, body, name, model, errors));
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    String model = request.model();
    PushChatStream stream = new PushChatStream();
    HttpRequest http;
    try {
      http = post(chatUri, chatBody(request, true), "application/x-ndjson", timeoutOf(request), model);
    } catch (ChatException e) {
      stream.fail(e);
      return stream;
    }
    transport.stream(http, stream,
        info -> new OllamaStreamDecoder(stream, name, model, info.statusCode(), info.headers(), errors,
            maxResponseBytes),
        HttpErrorMapper.bind(errors, name, model), MAX_ERROR_BODY_BYTES);
    return stream;
  }

  /**
   * {@code POST /api/embed} with all inputs at once; {@code dimensions} and an {@link
   * OllamaOptions} tag ({@code options}, {@code keep_alive}) are passed on. Usage is {@code
   * prompt_eval_count}. A model that is not installed fails with a {@link
   * dev.switchboard.ModelNotFoundException}; one that cannot embed with an {@link
   * dev.switchboard.InvalidRequestException}.
   */
  @Override
  public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
    String model = request.model();
    HttpRequest http;
    try {
      byte[] body;
      try {
        body = OllamaRequestWriter.embed(request, keepAlive);
      } catch (RuntimeException e) {
        throw new ChatException("could not write the embedding request for " + name + " model '" + model + "': "
            + e.getMessage(), ErrorDetails.of(name, model), e);
      }
      http = post(embedUri, body, "application/json", timeout, model);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    int inputs = request.inputs().size();
    return exchange(http, model, timeout, (status, responseHeaders, body) ->
        OllamaResponseReader.embed(status, responseHeaders, body, name, model, inputs, errors));
  }

  /** The models installed on the server ({@code GET /api/tags}), in the server's order. */
  public CompletableFuture<List<OllamaModel>> listModels() {
    HttpRequest http;
    try {
      http = get(tagsUri);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return exchange(http, "", timeout, (status, responseHeaders, body) ->
        OllamaResponseReader.models(status, body, name, errors));
  }

  /**
   * The models the server holds in memory right now ({@code GET /api/ps}). Their context lengths
   * are remembered for {@link #capabilities(String)}.
   */
  public CompletableFuture<List<LoadedModel>> loadedModels() {
    HttpRequest http;
    try {
      http = get(psUri);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return exchange(http, "", timeout, (status, responseHeaders, body) -> {
      List<LoadedModel> loaded = OllamaResponseReader.loaded(status, body, name, errors);
      for (LoadedModel m : loaded) {
        m.contextLength().ifPresent(n -> contextLengths.put(OllamaWire.withTag(m.name()), n));
      }
      return loaded;
    });
  }

  /**
   * Tools and JSON schemas: yes (Ollama 0.5 and later; a model without tool support still fails
   * with an {@link dev.switchboard.InvalidRequestException}); usage at the end of a stream: yes;
   * vision: unknown (it depends on the model); context window: the one the model was last seen
   * loaded with by {@link #loadedModels()}, else unknown.
   */
  @Override
  public Capabilities capabilities(String model) {
    Capabilities.Builder b = Capabilities.builder().tools(true).jsonSchema(true).streamingUsage(true);
    Integer context = contextLengths.get(OllamaWire.withTag(model));
    if (context != null) {
      b.maxContextTokens(context);
    }
    return b.build();
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
    return "OllamaProvider[name=" + name + ", baseUrl=" + baseUrl
        + (apiKey == null ? ", no apiKey" : ", apiKey=" + apiKey.description())
        + (headers.isEmpty() ? "" : ", headers=" + new ArrayList<>(headers.keySet()))
        + (keepAlive == null ? "" : ", keepAlive=" + keepAlive)
        + ", timeout=" + timeout + "]";
  }

  // ---- exchanges ----

  /** Reads a 2xx body into the answer, or throws the ChatException it stands for. */
  @FunctionalInterface
  private interface BodyReader<T> {
    T read(int status, HttpHeaders headers, byte[] body);
  }

  private <T> CompletableFuture<T> exchange(HttpRequest http, String model, Duration limit, BodyReader<T> reader) {
    return transport.exchange(http, limit, limits, reader::read, HttpErrorMapper.bind(errors, name, model));
  }

  private Duration timeoutOf(ChatRequest request) {
    return request.timeout().filter(t -> !t.isNegative() && !t.isZero()).orElse(timeout);
  }

  private byte[] chatBody(ChatRequest request, boolean stream) {
    try {
      return OllamaRequestWriter.chat(request, stream, keepAlive, name);
    } catch (ChatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ChatException("could not write the request for " + name + " model '" + request.model() + "': "
          + e.getMessage(), ErrorDetails.of(name, request.model()), e);
    }
  }

  private HttpRequest post(URI uri, byte[] body, String accept, Duration limit, String model) {
    return newRequest(uri, accept, limit, model).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private HttpRequest get(URI uri) {
    return newRequest(uri, "application/json", timeout, "").GET().build();
  }

  private HttpRequest.Builder newRequest(URI uri, String accept, Duration limit, String model) {
    if (closed.get()) {
      throw new ChatException("OllamaProvider '" + name + "' is closed; build a new one to call "
          + (model.isEmpty() ? uri.getPath() : "model '" + model + "'"), ErrorDetails.of(name, model));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(limit)
        .header("Accept", accept)
        .header("User-Agent", USER_AGENT);
    if (version != null) {
      b.version(version);
    }
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key == null || key.isBlank()) {
        throw new AuthenticationException("the API key for " + name + (model.isEmpty() ? "" : " (model '" + model
            + "')") + " is empty: " + apiKey.description() + " has no value. Set it, or build the provider without "
            + "apiKey(...): a local Ollama needs none.", ErrorDetails.of(name, model));
      }
      b.header("Authorization", "Bearer " + key.trim());
    }
    headers.forEach(b::setHeader);
    return b;
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private String name = "ollama";
    private String baseUrl = DEFAULT_BASE_URL;
    private Secret apiKey;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(120);
    private Duration connectTimeout;
    private int maxResponseBytes = 32 * 1024 * 1024;
    private String keepAlive;
    private HttpClient httpClient;
    private HttpTransport transport;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The prefix of model strings for this provider, e.g. {@code "ollama"} in {@code "ollama/llama3.2"}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The server root, e.g. {@value #DEFAULT_BASE_URL} or {@code https://ollama.internal:8443/ollama}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Sent as {@code Authorization: Bearer <key>}, read at each request. A local Ollama needs none;
     * ollama.com and authenticating proxies do.
     */
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

    /**
     * The default time a call may take; {@link ChatRequest#timeout()} overrides it for chats.
     * Default 120 s, since the first call to a model includes loading it.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The time to establish a connection, for the client this provider builds. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** The largest answer (and for streams, the largest line) read; more is a DecodingException. Default 32 MiB. */
    public Builder maxResponseBytes(int maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * The default {@code keep_alive}: how long a model stays loaded after a call. Negative keeps it
     * loaded, zero unloads it at once. Unset, the server's default applies (5 minutes unless {@code
     * OLLAMA_KEEP_ALIVE} says otherwise). {@link OllamaOptions#keepAlive()} overrides it per call.
     */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive == null ? null : OllamaWire.keepAlive(keepAlive);
      return this;
    }

    /** The default {@code keep_alive} as Ollama writes it: seconds ({@code "-1"}, {@code "0"}, {@code "300"}) or {@code "30m"}. */
    public Builder keepAlive(String keepAlive) {
      this.keepAlive = keepAlive == null ? null : OllamaWire.checkKeepAlive(keepAlive, "OllamaProvider.keepAlive");
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

    /** The clock for {@code Retry-After} dates; tests inject a fixed one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public OllamaProvider build() {
      if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("OllamaProvider.name must be letters, digits, '_', '.' or '-' "
            + "(it is the prefix of model strings such as \"ollama/llama3.2\"), got: " + quote(name));
      }
      String base = normalizeBaseUrl(baseUrl);
      HttpSettings.validate("OllamaProvider", timeout, connectTimeout, httpClient, transport, maxResponseBytes);
      HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create(base + "/api/chat"));
      for (Map.Entry<String, String> h : headers.entrySet()) {
        String lower = h.getKey().toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("accept")) {
          throw new IllegalArgumentException("OllamaProvider.header '" + h.getKey()
              + "' is set by the provider itself and cannot be replaced");
        }
        try {
          probe.setHeader(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("OllamaProvider.header '" + h.getKey() + "' is not allowed: "
              + e.getMessage(), e);
        }
      }
      return new OllamaProvider(this, base);
    }

    private static String normalizeBaseUrl(String url) {
      String hint = "OllamaProvider.baseUrl must be an absolute http(s) URL of the server root such as "
          + DEFAULT_BASE_URL + ", got: ";
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
        throw new IllegalArgumentException("OllamaProvider.baseUrl must not have a query or fragment, got: "
            + quote(url));
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("OllamaProvider.baseUrl must not contain credentials; use apiKey(...) "
            + "or header(...), got a URL with user info for host " + uri.getHost());
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/v1")) {
        throw new IllegalArgumentException("OllamaProvider.baseUrl ends with /v1, Ollama's OpenAI-compatible API; "
            + "the native API lives at the server root (drop /v1), or use the OpenAI provider for /v1. Got: "
            + quote(url));
      }
      if (path.endsWith("/api") || path.contains("/api/")) {
        throw new IllegalArgumentException("OllamaProvider.baseUrl must be the server root without /api "
            + "(the provider appends /api/chat, /api/embed, ...), got: " + quote(url));
      }
      return u;
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
