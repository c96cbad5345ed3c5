package dev.switchboard.providers.compat.internal;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Secret;
import dev.switchboard.spi.Futures;
import dev.switchboard.spi.http.HttpErrorMapper;
import dev.switchboard.spi.http.HttpTransport;
import dev.switchboard.stream.PushChatStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One OpenAI-compatible endpoint as a provider calls it: {@code POST .../chat/completions} (whole
 * or streamed) and {@code POST .../embeddings} through an {@link HttpTransport}, with the request
 * written in a {@link ChatCompletionsDialect} and every failure decided by one {@link
 * ChatCompletionsErrorMapper}. What differs between the providers that use it (the OpenAI provider
 * with its vendors, each replica of the self-hosted provider) is configuration: where requests go,
 * how the key is sent, extra headers, the limits.
 *
 * <p>Time limits: {@link Builder#timeout} (or {@link ChatRequest#timeout()}) bounds a whole {@code
 * chat()} or {@code embed()} exchange on the transport's scheduler and ticker, and for a stream the
 * wait for the response headers (as the request's own timeout); the silences inside a stream are
 * bounded by the transport's idle timeout.
 *
 * <p>Thread-safe. It does not own the transport: {@link #close()} only makes later calls fail.
 * Not API.
 */
public final class ChatCompletionsClient {
  private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final String USER_AGENT = "switchboard-java/0.1";

  /** Where the requests for one model go; may throw a {@link ChatException} for a model it cannot address. */
  public interface Endpoints {
    URI chat(String model);

    URI embeddings(String model);
  }

  private final String provider;
  private final String owner;
  private final Endpoints endpoints;
  private final Secret apiKey;
  private final boolean apiKeyHeader;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final HttpTransport transport;
  private final HttpTransport.Limits limits;
  private final HttpClient.Version version;
  private final ChatCompletionsDialect dialect;
  private final boolean thinkTags;
  private final ChatCompletionsErrorMapper errors;
  private final ChatCompletionsErrorMapper embeddingErrors;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ChatCompletionsClient(Builder b) {
    this.provider = Objects.requireNonNull(b.provider, "provider");
    this.endpoints = Objects.requireNonNull(b.endpoints, "endpoints");
    this.apiKey = b.apiKey;
    this.apiKeyHeader = b.apiKeyHeader;
    this.headers = Map.copyOf(b.headers);
    this.timeout = Objects.requireNonNull(b.timeout, "timeout");
    this.maxResponseBytes = b.maxResponseBytes;
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.version = b.version;
    this.dialect = Objects.requireNonNull(b.dialect, "dialect");
    this.thinkTags = b.thinkTags;
    this.errors = Objects.requireNonNull(b.errors, "errors");
    this.embeddingErrors = Objects.requireNonNull(b.embeddingErrors, "embeddingErrors");
    this.owner = errors.owner();
    this.limits = new HttpTransport.Limits(maxResponseBytes, MAX_ERROR_BODY_BYTES, errors.raiseHint());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The default limit of a call, when the request sets none. */
  public Duration timeout() {
    return timeout;
  }

  /** The dialect requests are written in. */
  public ChatCompletionsDialect dialect() {
    return dialect;
  }

  public CompletableFuture<ChatResponse> chat(ChatRequest request) {
    String model = request.model();
    HttpRequest http;
    try {
      http = request(endpoints.chat(model), "application/json", null, model, chatBody(request, false));
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return transport.exchange(http, timeoutOf(request), limits,
        (status, responseHeaders, body) ->
            splitThinking(ChatCompletionsResponseReader.read(status, responseHeaders, body, provider, model, errors)),
        HttpErrorMapper.bind(errors, provider, model));
  }

  /** With think tags on: reasoning written as {@code <think>…</think>} in the content moves to {@code reasoning}. */
  private ChatResponse splitThinking(ChatResponse response) {
    if (!thinkTags || response.reasoning().isPresent()) {
      return response;
    }
    String[] parts = dev.switchboard.stream.ThinkTagSplitter.split(response.text());
    if (parts[0].isEmpty()) {
      return response;
    }
    return response.toBuilder().text(parts[1]).reasoning(parts[0])
        .thinking(List.of(new dev.switchboard.Message.Thinking(parts[0], null, null))).build();
  }

  public ChatStream stream(ChatRequest request) {
    String model = request.model();
    PushChatStream stream = new PushChatStream();
    HttpRequest http;
    try {
      // The request timeout bounds the wait for the headers; the transport's idle timeout the silences after.
      http = request(endpoints.chat(model), "text/event-stream", timeoutOf(request), model, chatBody(request, true));
    } catch (ChatException e) {
      stream.fail(e);
      return stream;
    }
    transport.stream(http, stream,
        info -> new ChatCompletionsStreamDecoder(stream, provider, model, info.statusCode(), info.headers(), errors,
            maxResponseBytes, thinkTags),
        HttpErrorMapper.bind(errors, provider, model), MAX_ERROR_BODY_BYTES);
    return stream;
  }

  public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
    String model = request.model();
    HttpRequest http;
    try {
      byte[] body;
      try {
        body = EmbeddingsWire.write(request);
      } catch (RuntimeException e) {
        throw new ChatException("could not write the embeddings request for " + provider + " model '" + model
            + "': " + e.getMessage(), ErrorDetails.of(provider, model), e);
      }
      http = request(endpoints.embeddings(model), "application/json", null, model, body);
    } catch (ChatException e) {
      return Futures.failed(e);
    }
    return transport.exchange(http, timeout, limits, (status, responseHeaders, body) ->
        EmbeddingsWire.read(status, responseHeaders, body, provider, request, embeddingErrors),
        HttpErrorMapper.bind(embeddingErrors, provider, model));
  }

  /** Makes later calls fail; calls in flight go on. Idempotent. */
  public void close() {
    closed.set(true);
  }

  private Duration timeoutOf(ChatRequest request) {
    return request.timeout().filter(t -> !t.isNegative() && !t.isZero()).orElse(timeout);
  }

  private byte[] chatBody(ChatRequest request, boolean stream) {
    String model = request.model();
    try {
      return ChatCompletionsRequestWriter.write(request, stream, dialect);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("could not write the request for " + provider + " model '" + model + "': "
          + e.getMessage(), ErrorDetails.of(provider, model), e);
    } catch (RuntimeException e) {
      throw new ChatException("could not write the request for " + provider + " model '" + model + "': "
          + e.getMessage(), ErrorDetails.of(provider, model), e);
    }
  }

  private HttpRequest request(URI uri, String accept, Duration headerTimeout, String model, byte[] body) {
    if (closed.get()) {
      throw new ChatException(owner + " '" + provider + "' is closed; build a new one to call model '" + model + "'",
          ErrorDetails.of(provider, model));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .header("Accept", accept)
        .header("User-Agent", USER_AGENT);
    if (headerTimeout != null) {
      b.timeout(headerTimeout);
    }
    if (version != null) {
      b.version(version);
    }
    if (apiKey != null) {
      String key = apiKey.reveal();
      if (key == null || key.isBlank()) {
        throw new AuthenticationException("the API key for " + provider + " (model '" + model + "') is empty: "
            + apiKey.description() + " has no value. Set it, or build the provider without apiKey(...) for a "
            + "server that needs none.", ErrorDetails.of(provider, model));
      }
      if (apiKeyHeader) {
        b.header("api-key", key.trim());
      } else {
        b.header("Authorization", "Bearer " + key.trim());
      }
    }
    headers.forEach(b::setHeader);
    return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** Not thread-safe. The provider builders validate the values; this one only requires them. */
  public static final class Builder {
    private String provider;
    private Endpoints endpoints;
    private Secret apiKey;
    private boolean apiKeyHeader;
    private Map<String, String> headers = Map.of();
    private Duration timeout;
    private int maxResponseBytes = 32 * 1024 * 1024;
    private HttpTransport transport;
    private HttpClient.Version version;
    private ChatCompletionsDialect dialect;
    private boolean thinkTags;
    private ChatCompletionsErrorMapper errors;
    private ChatCompletionsErrorMapper embeddingErrors;

    private Builder() {}

    /** The provider name, as in model strings and {@link ErrorDetails#provider()}. */
    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    public Builder endpoints(Endpoints endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    /** The key, read at each request; {@code null} sends none. */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Send the key as {@code api-key: <key>} (Azure) instead of {@code Authorization: Bearer <key>}. */
    public Builder apiKeyHeader(boolean apiKeyHeader) {
      this.apiKeyHeader = apiKeyHeader;
      return this;
    }

    /** Extra headers on every request. */
    public Builder headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder maxResponseBytes(int maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    public Builder transport(HttpTransport transport) {
      this.transport = transport;
      return this;
    }

    /** The HTTP version to ask for, or {@code null} for the client's choice. */
    public Builder version(HttpClient.Version version) {
      this.version = version;
      return this;
    }

    /** Reasoning written as {@code <think>…</think>} at the start of the content is split off. */
    public Builder thinkTags(boolean thinkTags) {
      this.thinkTags = thinkTags;
      return this;
    }

    public Builder dialect(ChatCompletionsDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** The mapper for chat calls; its owner names the builder in messages. */
    public Builder errors(ChatCompletionsErrorMapper errors) {
      this.errors = errors;
      return this;
    }

    /** The mapper for embedding calls (it names the embeddings endpoint). */
    public Builder embeddingErrors(ChatCompletionsErrorMapper embeddingErrors) {
      this.embeddingErrors = embeddingErrors;
      return this;
    }

    public ChatCompletionsClient build() {
      return new ChatCompletionsClient(this);
    }
  }
}
