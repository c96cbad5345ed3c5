package dev.switchboard.providers.testing;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An {@link HttpClient} that sends nothing: {@link #sendAsync} records each request and returns a
 * future the test completes, e.g. with the {@code HttpTimeoutException} or {@code
 * HttpConnectTimeoutException} the JDK's client raises when its own timers (the request's timeout,
 * the connect timeout) fire. For the limits a manual clock cannot drive, since the JDK enforces them.
 * Use it under {@code HttpTransport.builder().httpClient(client).sendOnWaitingThreads(false)}, so
 * that the transport calls {@code sendAsync}. Thread-safe.
 */
public final class ScriptedHttpClient extends HttpClient {
  /** One request the client was asked to send, and the answer the test gives it. */
  public record Exchange(HttpRequest request, CompletableFuture<HttpResponse<?>> answer) {
    /** Fails the exchange as the JDK's client would. */
    public void fail(Throwable failure) {
      answer.completeExceptionally(failure);
    }
  }

  private final LinkedBlockingQueue<Exchange> sent = new LinkedBlockingQueue<>();

  /** The next request sent, waiting up to 10 s for it. */
  public Exchange next() throws InterruptedException {
    Exchange e = sent.poll(10, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("nothing was sent within 10 s");
    }
    return e;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> handler) {
    CompletableFuture<HttpResponse<?>> answer = new CompletableFuture<>();
    sent.add(new Exchange(request, answer));
    @SuppressWarnings("unchecked")
    CompletableFuture<HttpResponse<T>> typed = (CompletableFuture<HttpResponse<T>>) (CompletableFuture<?>) answer;
    return typed;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return sendAsync(request, handler);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
    throw new UnsupportedOperationException("use sendOnWaitingThreads(false): this client only answers sendAsync");
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return Optional.empty();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return Optional.empty();
  }

  @Override
  public Redirect followRedirects() {
    return Redirect.NEVER;
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return Optional.empty();
  }

  @Override
  public SSLContext sslContext() {
    return null;
  }

  @Override
  public SSLParameters sslParameters() {
    return new SSLParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return Optional.empty();
  }

  @Override
  public Version version() {
    return Version.HTTP_1_1;
  }

  @Override
  public Optional<Executor> executor() {
    return Optional.empty();
  }
}
