package dev.switchboard.providers.openai;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Secret;
import dev.switchboard.spi.http.HttpSettings;
import dev.switchboard.spi.http.ErrorMapping;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.providers.compat.internal.ChatCompletionsClient;
import dev.switchboard.providers.compat.internal.ChatCompletionsDialect;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.openai.internal.ModelCatalog;
import dev.switchboard.providers.openai.internal.QuirkDialects;
import dev.switchboard.spi.Capabilities;
import dev.switchboard.spi.ProviderAdapter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider speaking the OpenAI chat-completions protocol ({@code POST {baseUrl}/chat/completions})
 * and its embeddings endpoint ({@code POST {baseUrl}/embeddings}): OpenAI itself, Azure OpenAI, and
 * the many "OpenAI-compatible" servers and aggregators (DeepSeek, Qwen on DashScope, GLM, OpenRouter,
 * Groq, Together, vLLM, SGLang, llama.cpp, LM Studio, Ollama's {@code /v1}, TEI for embeddings, ...).
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
 * <p>Vendors: the {@link Vendor} ({@link Builder#vendor}, or {@link #fromEnv(Vendor)}) decides which
 * {@link Quirk}s are switched on, the default name, base URL and environment variables; without
 * one it is recognized from the base URL ({@link Vendor#detect}). Provider-specific request fields
 * travel as an {@link OpenAiOptions} tag on the request. {@link #capabilities(String)} knows the
 * common model families.
 *
 * <p>Everything is non-blocking: {@link #chat} and {@link #embed} send through an {@link dev.switchboard.spi.http.HttpTransport}
 * and cancelling their future cancels the exchange; {@link #stream} returns at once and closing
 * the stream cancels the exchange, also before the headers arrive. Failures are typed {@link
 * ChatException}s decided by one error mapper; see the error mapping table in the project docs.
 *
 * <p>Timeouts: {@link Builder#timeout} (or {@link ChatRequest#timeout()}) bounds a whole {@code
 * chat()} or {@code embed()} call and, for a stream, the wait for the response headers; a stream that
 * stalls between chunks ends at the transport's idle timeout (120 s by default). {@link Builder#maxResponseBytes} bounds a
 * {@code chat()} or {@code embed()} body and each event of a stream.
 *
 * <p>Threads and connections come from an {@link HttpTransport}: {@link HttpTransport#shared()}
 * unless {@link Builder#transport} names one; the transport also bounds the silence inside a
 * stream ({@link HttpTransport#idleTimeout()}, 120 s by default), so a stalled stream always ends.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls. Whoever builds it closes it:
 * {@link #close()} closes the transport if the provider made its own, and leaves a shared or
 * given one (and a client passed to {@link Builder#httpClient}) alone. {@link #toString()} never shows the API key, header
 * values or query values.
 */
public final class OpenAiProvider implements ProviderAdapter {
  /** OpenAI's own API. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
  /** The {@code api-version} sent to Azure OpenAI unless a {@code queryParam("api-version", ...)} says otherwise. */
  public static final String AZURE_API_VERSION = "2024-10-21";

  private static final Logger log = LoggerFactory.getLogger(OpenAiProvider.class);
  private static final String OWNER = "OpenAiProvider";
  private static final String API_KEY_ENV = "OPENAI_API_KEY";

  private final String name;
  private final Vendor vendor;
  private final Set<Quirk> quirks;
  private final ChatCompletionsDialect dialect;
  private final String baseUrl;
  private final URI chatEndpoint;
  private final URI embeddingsEndpoint;
  private final String query;
  private final Secret apiKey;
  private final Map<String, String> headers;
  private final Map<String, String> queryParams;
  private final Duration timeout;
  private final HttpTransport transport;
  private final HttpTransport builderTransport;
  private final ChatCompletionsClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpenAiProvider(Builder b, Vendor vendor, String name, String baseUrl, String query) {
    this.name = name;
    this.vendor = vendor;
    this.quirks = vendor.quirks();
    this.dialect = QuirkDialects.of(quirks, b.maxCompletionTokens, vendor.name());
    this.baseUrl = baseUrl;
    this.query = query;
    boolean deploymentInPath = quirks.contains(Quirk.DEPLOYMENT_IN_PATH);
    this.chatEndpoint = deploymentInPath ? null : URI.create(baseUrl + "/chat/completions" + query);
    this.embeddingsEndpoint = deploymentInPath ? null : URI.create(baseUrl + "/embeddings" + query);
    this.apiKey = b.apiKey;
    this.headers = Map.copyOf(b.headers);
    this.queryParams = Map.copyOf(b.queryParams);
    this.timeout = b.timeout;
    this.builderTransport = b.transport;
    this.transport = HttpSettings.transport(b.transport, b.httpClient, b.connectTimeout);
    String shownEndpoint = deploymentInPath ? baseUrl + "/openai/deployments/{model}" : baseUrl;
    boolean businessCodes = quirks.contains(Quirk.BUSINESS_ERROR_CODES);
    this.client = ChatCompletionsClient.builder()
        .provider(name)
        .endpoints(new ChatCompletionsClient.Endpoints() {
          @Override
          public URI chat(String model) {
            return chatEndpoint(model);
          }

          @Override
          public URI embeddings(String model) {
            return embeddingsEndpoint(model);
          }
        })
        .apiKey(apiKey)
        .apiKeyHeader(quirks.contains(Quirk.API_KEY_HEADER))
        .headers(headers)
        .timeout(timeout)
        .maxResponseBytes(b.maxResponseBytes)
        .transport(transport)
        // Plain http: ask for HTTP/1.1 directly; the h2c upgrade dance confuses some local servers.
        .version(baseUrl.regionMatches(true, 0, "http:", 0, 5) ? HttpClient.Version.HTTP_1_1 : null)
        .dialect(dialect)
        .thinkTags(quirks.contains(Quirk.THINK_TAGS))
        .errors(new ChatCompletionsErrorMapper(apiKey, shownEndpoint + "/chat/completions", b.clock, businessCodes,
            OWNER, API_KEY_ENV, ErrorMapping.credentialsIn(b.headers, b.queryParams)))
        .embeddingErrors(new ChatCompletionsErrorMapper(apiKey, shownEndpoint + "/embeddings", b.clock,
            businessCodes, OWNER, API_KEY_ENV, ErrorMapping.credentialsIn(b.headers, b.queryParams)))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }


  /**
   * A provider named {@code "openai"} configured from the environment: {@code OPENAI_BASE_URL}
   * (default {@value #DEFAULT_BASE_URL}) and {@code OPENAI_API_KEY}. The vendor is recognized from
   * the base URL. A server of your own named in {@code OPENAI_BASE_URL} may need no key; the
   * default hosted API does.
   *
   * @throws IllegalStateException if neither {@code OPENAI_API_KEY} nor {@code OPENAI_BASE_URL} is
   *     set, naming both
   */
  public static OpenAiProvider fromEnv() {
    return fromEnv(null, System::getenv, Secret::fromEnv);
  }

  /**
   * A provider for {@code vendor}, named {@link Vendor#defaultName()}, configured from the
   * environment: the base URL from {@link Vendor#baseUrlEnv()} (else {@link
   * Vendor#defaultBaseUrl()}; required for Azure and generic servers) and the key from {@link
   * Vendor#apiKeyEnv()}: required for the vendor's hosted API, optional for a base URL from the
   * environment (a server of your own). Azure also reads {@code OPENAI_API_VERSION}.
   *
   * @throws IllegalStateException if a required variable is missing, naming it
   */
  public static OpenAiProvider fromEnv(Vendor vendor) {
    return fromEnv(Objects.requireNonNull(vendor, "vendor"), System::getenv, Secret::fromEnv);
  }

  /**
   * {@link #fromEnv(Vendor)} with an injectable environment and secret source (variable name to
   * secret), for tests; a null vendor is {@link #fromEnv()}.
   */
  static OpenAiProvider fromEnv(Vendor vendor, Function<String, String> env, Function<String, Secret> secrets) {
    Builder b = builder();
    String baseEnv = vendor == null ? "OPENAI_BASE_URL" : vendor.baseUrlEnv();
    String keyEnv = vendor == null ? "OPENAI_API_KEY" : vendor.apiKeyEnv();
    if (vendor != null) {
      b.vendor(vendor);
    }
    String baseUrl = env.apply(baseEnv);
    if (baseUrl != null && !baseUrl.isBlank()) {
      b.baseUrl(baseUrl.trim());
    } else if (vendor != null && vendor.defaultBaseUrl().isEmpty()) {
      throw new IllegalStateException("OpenAiProvider.fromEnv(Vendor." + vendor + ") needs the base URL in the "
          + "environment variable " + baseEnv + (vendor == Vendor.AZURE_OPENAI
          ? ", e.g. https://my-resource.openai.azure.com" : ", e.g. http://localhost:8000/v1"));
    }
    Secret key = secrets.apply(keyEnv);
    boolean ownServer = baseUrl != null && !baseUrl.isBlank();
    if (key.isPresent()) {
      b.apiKey(key);
    } else if (!ownServer) {
      String call = vendor == null ? "fromEnv()" : "fromEnv(Vendor." + vendor + ")";
      String hosted = vendor == null ? DEFAULT_BASE_URL : vendor.defaultBaseUrl().orElse("its API");
      throw new IllegalStateException("OpenAiProvider." + call + " found no API key for " + hosted + ": the "
          + "environment variable " + keyEnv + " is not set (nor " + baseEnv + ", which would point it at a server "
          + "of your own). Set " + keyEnv + ", or set " + baseEnv + " to a local server that needs no key.");
    }
    if (vendor == Vendor.AZURE_OPENAI) {
      String apiVersion = env.apply("OPENAI_API_VERSION");
      if (apiVersion != null && !apiVersion.isBlank()) {
        b.queryParam("api-version", apiVersion.trim());
      }
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

  /** The vendor whose quirks this provider follows. */
  public Vendor vendor() {
    return vendor;
  }

  @Override
  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    return client.chat(request);
  }

  @Override
  public ChatStream stream(ChatRequest request) {
    return client.stream(request);
  }

  /**
   * Embeds the inputs with {@code POST {baseUrl}/embeddings}: {@code {"model", "input": [...],
   * "dimensions"?, "encoding_format": "float"}}. Answers with base64 embeddings are decoded too;
   * vectors come back in input order whatever order the server sent them in. Failures go through
   * the same error mapper as chat.
   */
  @Override
  public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
    return client.embed(request);
  }

  /**
   * What {@code model} can do, from a table of known families (GPT-4o, GPT-4.1, o-series,
   * GPT-3.5, DeepSeek, Qwen, GLM; a path prefix such as OpenRouter's {@code "openai/"} is ignored).
   * Unknown models and unknown features are empty ("try"). Usage at the end of a stream is left
   * unknown for vendors that are neither asked for it nor known to send it unasked (Together).
   */
  @Override
  public Capabilities capabilities(String model) {
    Capabilities known = ModelCatalog.lookup(model);
    boolean streamUsageKnown = dialect.streamUsageOption() || vendor == Vendor.GLM || vendor == Vendor.OPENROUTER;
    if (streamUsageKnown || known.streamingUsage().isEmpty()) {
      return known;
    }
    Capabilities.Builder b = Capabilities.builder();
    known.tools().ifPresent(b::tools);
    known.jsonSchema().ifPresent(b::jsonSchema);
    known.vision().ifPresent(b::vision);
    known.maxContextTokens().ifPresent(b::maxContextTokens);
    known.maxOutputTokens().ifPresent(b::maxOutputTokens);
    return b.build();
  }

  /** Closes the transport if this provider made its own (see {@link Builder#transport}). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.close();
      if (transport != builderTransport) {
        transport.close();
      }
    }
  }

  @Override
  public String toString() {
    return "OpenAiProvider[name=" + name + ", vendor=" + vendor + ", baseUrl=" + baseUrl
        + (apiKey == null ? ", no apiKey" : ", apiKey=" + apiKey.description())
        + (headers.isEmpty() ? "" : ", headers=" + new ArrayList<>(headers.keySet()))
        + (queryParams.isEmpty() ? "" : ", queryParams=" + new ArrayList<>(queryParams.keySet()))
        + ", timeout=" + timeout + "]";
  }

  // ---- endpoints ----

  private URI chatEndpoint(String model) {
    return chatEndpoint != null ? chatEndpoint : deploymentEndpoint(model, "/chat/completions");
  }

  private URI embeddingsEndpoint(String model) {
    return embeddingsEndpoint != null ? embeddingsEndpoint : deploymentEndpoint(model, "/embeddings");
  }

  private URI deploymentEndpoint(String model, String path) {
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(name + " (Azure OpenAI) needs a deployment name as the model, as in \""
          + name + "/my-gpt-4o-deployment\"", ErrorDetails.of(name, String.valueOf(model)));
    }
    return URI.create(baseUrl + "/openai/deployments/" + pathSegment(model) + path + query);
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  static String pathSegment(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~') {
        out.write(c);
      } else {
        out.write('%');
        out.write(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.write(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  /** Not thread-safe. {@link #build()} validates and names the field at fault. */
  public static final class Builder {
    private Vendor vendor;
    private String name;
    private boolean nameSet;
    private String baseUrl;
    private boolean baseUrlSet;
    private Secret apiKey;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> queryParams = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(60);
    private Duration connectTimeout;
    private int maxResponseBytes = 32 * 1024 * 1024;
    private HttpClient httpClient;
    private HttpTransport transport;
    private Boolean maxCompletionTokens;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Whose quirks to follow; also the defaults for {@link #name} ({@link Vendor#defaultName()})
     * and {@link #baseUrl} ({@link Vendor#defaultBaseUrl()}). Default: recognized from the base URL
     * ({@link Vendor#detect}), with the name {@code "openai"}.
     */
    public Builder vendor(Vendor vendor) {
      this.vendor = Objects.requireNonNull(vendor, "vendor");
      return this;
    }

    /** The prefix of model strings for this provider, e.g. {@code "openai"} in {@code "openai/gpt-4o"}. */
    public Builder name(String name) {
      this.name = name;
      this.nameSet = true;
      return this;
    }

    /**
     * The API root, e.g. {@code https://api.openai.com/v1} or {@code http://localhost:8000/v1}; for
     * {@link Vendor#AZURE_OPENAI} the resource endpoint, e.g. {@code https://my-resource.openai.azure.com}.
     */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      this.baseUrlSet = true;
      return this;
    }

    /**
     * Read at each request and sent as {@code Authorization: Bearer <key>} (as {@code api-key:
     * <key>} for Azure). Leave unset for servers that need none.
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
     * The app attribution headers OpenRouter reads for its rankings: {@code HTTP-Referer} (your
     * app's URL) and, if {@code title} is not null, {@code X-Title}.
     */
    public Builder appAttribution(String referer, String title) {
      header("HTTP-Referer", Objects.requireNonNull(referer, "referer"));
      if (title != null) {
        header("X-Title", title);
      }
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
     * The transport to send through (its client, threads, idle timeout and timers); the caller
     * keeps ownership. Default: the JVM's {@link HttpTransport#shared(java.time.Duration) shared} transport for
     * {@link #connectTimeout}, or one of this provider's own around a client given to {@link #httpClient}.
     */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Whether to send the output limit as {@code max_completion_tokens} (OpenAI's current name,
     * required by its reasoning models) instead of {@code max_tokens} (what most compatible servers
     * understand). Default: the vendor's {@link Quirk#MAX_COMPLETION_TOKENS}, which OpenAI and Azure
     * OpenAI have.
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
      String url = baseUrlSet ? baseUrl : vendor == null ? DEFAULT_BASE_URL : vendor.defaultBaseUrl().orElse(null);
      if (!baseUrlSet && url == null) {
        throw new IllegalArgumentException("OpenAiProvider.baseUrl is required for Vendor." + vendor + ": "
            + (vendor == Vendor.AZURE_OPENAI ? "the resource endpoint, e.g. https://my-resource.openai.azure.com"
            : "the API root of the server, e.g. http://localhost:8000/v1"));
      }
      Vendor v = vendor != null ? vendor : Vendor.detect(url == null ? "" : url);
      String n = nameSet ? name : vendor != null ? vendor.defaultName() : "openai";
      if (n == null || !n.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("OpenAiProvider.name must be letters, digits, '_', '.' or '-' "
            + "(it is the prefix of model strings such as \"openai/gpt-4o\"), got: " + quote(n));
      }
      String base = normalizeBaseUrl(url, v);
      HttpSettings.validate("OpenAiProvider", timeout, connectTimeout, httpClient, transport, maxResponseBytes);
      if (v.quirks().contains(Quirk.DEPLOYMENT_IN_PATH) && !queryParams.containsKey("api-version")) {
        queryParams.put("api-version", AZURE_API_VERSION);
      }
      String query = query();
      URI probeUri = URI.create(base + "/chat/completions" + query);
      HttpRequest.Builder probe = HttpRequest.newBuilder(probeUri);
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
      return new OpenAiProvider(this, v, n, base, query);
    }

    private static String normalizeBaseUrl(String url, Vendor vendor) {
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
      if (u.endsWith("/chat/completions") || u.endsWith("/embeddings")) {
        throw new IllegalArgumentException("OpenAiProvider.baseUrl must be the API root without /chat/completions "
            + "or /embeddings (they are appended), got: " + quote(url));
      }
      if (vendor.quirks().contains(Quirk.DEPLOYMENT_IN_PATH)) {
        if (u.contains("/deployments")) {
          throw new IllegalArgumentException("OpenAiProvider.baseUrl for Vendor." + vendor + " is the resource "
              + "endpoint such as https://my-resource.openai.azure.com; the model of each request names the "
              + "deployment, got: " + quote(url));
        }
        if (u.endsWith("/openai")) {
          u = u.substring(0, u.length() - "/openai".length());
        }
      }
      return u;
    }

    private String query() {
      StringBuilder sb = new StringBuilder();
      String sep = "?";
      for (Map.Entry<String, String> q : queryParams.entrySet()) {
        if (q.getKey().isBlank()) {
          throw new IllegalArgumentException("OpenAiProvider.queryParam name must not be blank");
        }
        sb.append(sep).append(URLEncoder.encode(q.getKey(), StandardCharsets.UTF_8))
            .append('=').append(URLEncoder.encode(q.getValue(), StandardCharsets.UTF_8));
        sep = "&";
      }
      return sb.toString();
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
