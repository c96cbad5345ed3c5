package dev.switchboard.spi.http;

import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.spi.Scheduler;
import dev.switchboard.spi.SystemScheduler;
import dev.switchboard.spi.Ticker;
import dev.switchboard.stream.PushChatStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The HTTP machinery providers share: one {@code java.net.http} client whose work runs on a
 * bounded pool of daemon threads this transport owns, the time limits of its exchanges on an
 * injected {@link Scheduler} and {@link Ticker}, and the two kinds of exchange an LLM provider
 * makes: a whole answer ({@link #exchange}) and a streamed one ({@link #stream}).
 *
 * <p>Timeouts, each with one meaning and a safe default:
 *
 * <ul>
 *   <li><b>connect</b> ({@link Builder#connectTimeout}, default {@value #DEFAULT_CONNECT_SECONDS} s);
 *   <li><b>an exchange's limit</b>, given per call to {@link #exchange}: the whole answer must
 *       have arrived by then;
 *   <li><b>idle</b> ({@link Builder#idleTimeout}, default {@value #DEFAULT_IDLE_SECONDS} s): the
 *       longest silence between two chunks of a streamed body, so a stalled stream always ends.
 *       The wait for a stream's headers is bounded by the request's own {@link
 *       HttpRequest.Builder#timeout}.
 * </ul>
 *
 * <p>Threads: nothing waits on a thread per exchange where the JDK allows it. JDK 17 on machines
 * whose common pool has parallelism 1 (two CPUs or fewer) runs the completion of every {@code
 * sendAsync} on a new thread; there, a transport sends on a small pool of reusable threads that
 * wait for the response headers only, and falls back to {@code sendAsync} when they are all busy.
 *
 * <p>{@link #shared()} is what providers use unless given one: it lives as long as the JVM, its
 * threads end after a minute idle, and {@code close()} on it does nothing. A transport from {@link
 * #builder()} is closed by whoever built it: {@link #close()} stops its threads and, on JDK 21+,
 * its connections. Thread-safe.
 */
public final class HttpTransport implements AutoCloseable {
  static final int DEFAULT_CONNECT_SECONDS = 10;
  static final int DEFAULT_IDLE_SECONDS = 120;
  /** The connect timeout of a client the transport builds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(DEFAULT_CONNECT_SECONDS);
  /** The longest silence between chunks of a streamed body. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(DEFAULT_IDLE_SECONDS);
  /** At most this many threads wait for response headers in the JDK 17 send mode. */
  static final int DEFAULT_SENDING_THREADS = 32;

  private static final boolean ASYNC_COMPLETION_STARTS_THREADS =
      !(new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final java.util.concurrent.ConcurrentHashMap<Duration, HttpTransport> SHARED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final int id = IDS.incrementAndGet();
  private final HttpClient client;
  private final ExecutorService executor; // null when the client is the user's
  private final Sender sender;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Deadlines deadlines;
  private final Duration idleTimeout;
  private final boolean isShared;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpTransport(Builder b, boolean isShared) {
    this.isShared = isShared;
    this.scheduler = b.scheduler;
    this.ticker = b.ticker;
    this.deadlines = new Deadlines(scheduler, ticker);
    this.idleTimeout = b.idleTimeout;
    if (b.httpClient != null) {
      this.client = b.httpClient;
      this.executor = null;
    } else {
      int threads = b.threads > 0 ? b.threads : Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
      // A hand-off queue: the task goes to the thread that went idle last, which is usually still
      // spinning, so most hand-offs wake no parked thread (a FIFO queue wakes a different parked
      // thread for nearly every one of the client's several tasks per exchange). When all are busy,
      // the submitting thread runs the task, also after close(): nothing waits in a queue behind
      // blocked threads, and nothing the client hands over is dropped.
      ThreadPoolExecutor pool = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), daemonThreads("switchboard-http-" + id + "-"), (task, busy) -> task.run());
      this.executor = pool;
      this.client = HttpClient.newBuilder().connectTimeout(b.connectTimeout).executor(pool).build();
    }
    boolean sendMode = b.sendMode != null ? b.sendMode : ASYNC_COMPLETION_STARTS_THREADS;
    this.sender = new Sender(client, deadlines, ticker, sendMode ? new ThreadPoolExecutor(0, b.sendingThreads, 60,
        TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads("switchboard-http-" + id + "-send-")) : null);
  }

  /** The transport of this JVM that providers use unless given one. Never closed. */
  public static HttpTransport shared() {
    return shared(DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * The JVM's shared transport with this connect timeout, made on first use and never closed: so
   * providers that only differ in their connect timeout still share threads and connections, and
   * closing them leaves nothing behind (on JDK 17 a client cannot be closed).
   */
  public static HttpTransport shared(Duration connectTimeout) {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    return SHARED.computeIfAbsent(connectTimeout, t -> new HttpTransport(new Builder().connectTimeout(t), true));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts work whose result the calling thread is about to wait for, such as a blocking {@code
   * chat()}, and saves the hand-offs of that wait: the first whole-answer exchange that {@code start}
   * begins on this thread is not handed to another thread but sent here, right after {@code start}
   * returns (its future, timers and cancellation are all in place by then). Should {@code start}
   * itself block (it must not), another thread sends the exchange after a grace of 50 ms. Retries,
   * hedges, streams and any further exchange go their usual way.
   */
  public static <T> CompletableFuture<T> callerWaits(java.util.function.Supplier<CompletableFuture<T>> start) {
    return Sender.callerWaits(start);
  }

  int id() {
    return id;
  }

  /** The client exchanges go through; providers may use it for their own requests (health checks, discovery). */
  public HttpClient client() {
    return client;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public Ticker ticker() {
    return ticker;
  }

  /** The longest silence between chunks of a streamed body before the stream fails. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How many exchanges have a time limit armed right now: those in flight. A monitoring figure. */
  public int exchangesInFlight() {
    return deadlines.armedCount();
  }
  /** Exchanges waiting for a free sending thread (send mode). */
  int exchangesQueued() {
    return sender.queued();
  }


  /** How a provider reads a 2xx answer; may throw a {@link ChatException}. */
  @FunctionalInterface
  public interface BodyReader<T> {
    T read(int status, HttpHeaders headers, byte[] body);
  }

  /**
   * How a provider turns what went wrong with one request into its exceptions: its error mapper,
   * bound to the provider and model of the request. Methods must not throw.
   */
  public interface Errors {
    /** A non-2xx answer; {@code body} holds at most the exchange's error-body limit. */
    ChatException status(int status, HttpHeaders headers, byte[] body);

    /** A failure without an answer: connect, TLS, reset, a timeout, or what a reader threw. */
    ChatException failure(Throwable failure);

    /** The exchange did not finish within {@code limit}; it has been cancelled. */
    ChatException timeout(Duration limit);

    /** The details of a failure of a 2xx answer, e.g. one larger than the limit. */
    ErrorDetails details(int status, HttpHeaders headers);
  }

  /** Size limits of one exchange, and how a user raises them (quoted in messages). */
  public record Limits(int maxBodyBytes, int maxErrorBytes, String raiseHint) {
    public Limits {
      if (maxBodyBytes <= 0 || maxErrorBytes <= 0) {
        throw new IllegalArgumentException("limits must be > 0, got body " + maxBodyBytes + ", error " + maxErrorBytes);
      }
      Objects.requireNonNull(raiseHint, "raiseHint");
    }
  }

  /**
   * Sends {@code request} and reads the whole answer with {@code reader}, which must arrive within
   * {@code limit}. The future completes on one of the transport's threads, or fails with what
   * {@code errors} makes of the problem; cancelling it cancels the exchange.
   */
  public <T> CompletableFuture<T> exchange(HttpRequest request, Duration limit, Limits limits, BodyReader<T> reader,
      Errors errors) {
    CompletableFuture<T> result = new CompletableFuture<>();
    HttpResponse.BodyHandler<Void> handler = info -> {
      int status = info.statusCode();
      HttpHeaders headers = info.headers();
      boolean ok = status >= 200 && status < 300;
      BoundedBodySubscriber body = (ok
          ? BoundedBodySubscriber.failing(limits.maxBodyBytes(), () -> errors.details(status, headers),
              limits.raiseHint())
          : BoundedBodySubscriber.truncating(limits.maxErrorBytes()))
          .expect(headers.firstValueAsLong("content-length").orElse(0));
      body.getBody().whenComplete((bytes, error) -> {
        if (result.isDone()) {
          return;
        }
        try {
          if (error != null) {
            result.completeExceptionally(errors.failure(error));
          } else if (ok) {
            result.complete(reader.read(status, headers, bytes));
          } else {
            result.completeExceptionally(errors.status(status, headers, bytes));
          }
        } catch (RuntimeException e) {
          result.completeExceptionally(errors.failure(e));
        }
      });
      return HttpResponse.BodySubscribers.mapping(body, bytes -> null);
    };
    AtomicReference<Sender.Cancel> exchange = new AtomicReference<>();
    Deadlines.Deadline deadline = deadlines.start(limit, () -> {
      Runnable expire = () -> {
        if (result.completeExceptionally(errors.timeout(limit))) {
          Sender.cancel(exchange);
        }
      };
      // The deadline fires on the scheduler's thread; the caller's continuations run on ours.
      if (executor == null) {
        expire.run();
        return;
      }
      try {
        executor.execute(expire);
      } catch (RejectedExecutionException closed) {
        expire.run();
      }
    });
    result.whenComplete((r, e) -> {
      deadline.cancel();
      if (result.isCancelled()) {
        Sender.cancel(exchange);
      }
    });
    sender.send(request, handler, failure -> {
      // A body that failed reports through its own subscriber; the JDK also throws it from the
      // send, wrapped in an IOException, and that copy may arrive first: the original wins.
      ChatException fromBody = chatExceptionIn(failure);
      if (!result.isDone()) {
        result.completeExceptionally(fromBody != null ? fromBody : errors.failure(failure));
      }
    }, exchange, false);
    return result;
  }

  /**
   * Starts a streamed exchange into {@code stream}; returns at once.
   *
   * <ol>
   *   <li>{@code close()} on the stream before the headers arrive cancels the exchange; after,
   *       it cancels the body, which makes {@code java.net.http} close the connection.
   *   <li>A 2xx status streams the body into the {@link ByteStreamConsumer} made by {@code
   *       onSuccess} (which sees status and headers), with back-pressure from the stream's buffer.
   *       A silence longer than {@link #idleTimeout()} between chunks ends the body with an {@link
   *       HttpTimeoutException} passed to the consumer's {@code onError}.
   *   <li>Any other status collects at most {@code maxErrorBytes} of the body and fails the stream
   *       with {@link Errors#status}.
   *   <li>No headers within the request's {@link HttpRequest#timeout() timeout}, measured on this
   *       transport's scheduler, fails the stream with {@link Errors#timeout} and cancels the
   *       exchange.
   *   <li>A failure before that (connect, TLS) fails the stream with {@link Errors#failure}.
   * </ol>
   */
  public void stream(HttpRequest request, PushChatStream stream,
      Function<HttpResponse.ResponseInfo, ByteStreamConsumer> onSuccess, Errors errors, int maxErrorBytes) {
    AtomicReference<Sender.Cancel> exchange = new AtomicReference<>();
    // The request's timeout bounds the wait for the headers, on this transport's clock (the JDK's
    // own timer stays as a backstop); the first of headers and deadline wins.
    AtomicBoolean headersDecided = new AtomicBoolean();
    Deadlines.Deadline headersDeadline = request.timeout().map(limit -> deadlines.start(limit, () -> {
      if (headersDecided.compareAndSet(false, true)) {
        stream.fail(errors.timeout(limit));
        Sender.cancel(exchange);
      }
    })).orElse(null);
    HttpResponse.BodyHandler<Void> handler = info -> {
      if (!headersDecided.compareAndSet(false, true)) {
        return discarding(); // the deadline came first
      }
      if (headersDeadline != null) {
        headersDeadline.cancel();
      }
      if (stream.isClosed()) {
        return discarding();
      }
      int status = info.statusCode();
      if (status >= 200 && status < 300) {
        ByteStreamConsumer consumer;
        try {
          consumer = onSuccess.apply(info);
        } catch (RuntimeException e) {
          stream.fail(errors.failure(e));
          return discarding();
        }
        return new StreamingBodySubscriber(stream, consumer, idleTimeout, scheduler, ticker);
      }
      HttpHeaders headers = info.headers();
      BoundedBodySubscriber errorBody = BoundedBodySubscriber.truncating(maxErrorBytes);
      errorBody.getBody().whenComplete((bytes, readError) -> stream.fail(
          mapStatus(errors, status, headers, bytes == null ? new byte[0] : bytes)));
      return HttpResponse.BodySubscribers.mapping(errorBody, bytes -> null);
    };
    // Registered before sending, so that a close() racing with the start is never lost; the body
    // subscriber replaces it with the cancelling of the body once the headers are in.
    stream.onCancel(() -> {
      if (headersDeadline != null) {
        headersDeadline.cancel();
      }
      Sender.cancel(exchange);
    });
    sender.send(request, handler, failure -> {
      if (headersDeadline != null) {
        headersDeadline.cancel();
      }
      stream.fail(errors.failure(failure));
    }, exchange, true);
  }

  /** Stops this transport's threads and, on JDK 21+, its connections. Does nothing on {@link #shared()}. */
  @Override
  public void close() {
    if (isShared || !closed.compareAndSet(false, true)) {
      return;
    }
    sender.close();
    if (executor == null) {
      return; // the user's client stays open
    }
    try {
      // JDK 21+: HttpClient.shutdownNow() closes its connections and ends its selector thread.
      Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
      shutdownNow.invoke(client);
    } catch (ReflectiveOperationException | RuntimeException notOnThisJdk) {
      // JDK 17: the selector thread ends once the client is no longer reachable.
    }
    executor.shutdown();
  }

  @Override
  public String toString() {
    return "HttpTransport[#" + id + (isShared ? ", shared" : "") + (sender.isSendMode() ? ", send mode" : "")
        + ", idleTimeout=" + idleTimeout + "]";
  }

  // ---- helpers ----

  private static ChatException mapStatus(Errors errors, int status, HttpHeaders headers, byte[] body) {
    try {
      return errors.status(status, headers, body);
    } catch (RuntimeException e) {
      return errors.failure(e);
    }
  }

  private static ChatException chatExceptionIn(Throwable t) {
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof ChatException ce) {
        return ce;
      }
    }
    return null;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A subscriber that stops the body at once; for exchanges nobody wants any more. */
  private static HttpResponse.BodySubscriber<Void> discarding() {
    return new HttpResponse.BodySubscriber<>() {
      @Override
      public CompletionStage<Void> getBody() {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
      }

      @Override
      public void onNext(List<ByteBuffer> item) {}

      @Override
      public void onError(Throwable throwable) {}

      @Override
      public void onComplete() {}
    };
  }

  /** Not thread-safe. {@link #build()} checks the settings and names what is wrong. */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private HttpClient httpClient;
    private int threads;
    private Scheduler scheduler = SystemScheduler.instance();
    private Ticker ticker = Ticker.system();
    private Boolean sendMode;
    private int sendingThreads = DEFAULT_SENDING_THREADS;

    private Builder() {}

    /** The connect timeout of the client this transport builds. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /** The longest silence between chunks of a streamed body. Default 120 s. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * A client of your own (proxy, TLS, HTTP version); you keep ownership and its connect
     * timeout, and {@link HttpTransport#close()} leaves it open.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * The most threads that run the client's work; when all are busy, the thread that hands a
     * task over runs it. Default: four per CPU, at least 8.
     */
    public Builder threads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("HttpTransport.threads must be > 0, got: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Where time limits are scheduled; tests pass a manual one. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The clock time limits are measured on; tests pass a manual one. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Whether to send on waiting threads ({@code true}) or with {@code sendAsync} ({@code false}).
     * Default: waiting threads only where {@code sendAsync} would start a thread per call.
     */
    public Builder sendOnWaitingThreads(boolean sendMode) {
      this.sendMode = sendMode;
      return this;
    }

    /**
     * How many threads may wait for response headers at once in send mode. When all are busy, more
     * exchanges queue for a free one, and use {@code sendAsync} when none frees for 50 ms (whole
     * answers) or a second (streams). Default 32.
     */
    public Builder sendingThreads(int sendingThreads) {
      if (sendingThreads <= 0) {
        throw new IllegalArgumentException("HttpTransport.sendingThreads must be > 0, got: " + sendingThreads);
      }
      this.sendingThreads = sendingThreads;
      return this;
    }

    public HttpTransport build() {
      if (httpClient != null && connectTimeout != DEFAULT_CONNECT_TIMEOUT) {
        throw new IllegalStateException("HttpTransport.connectTimeout applies only to the client the transport "
            + "builds; set it on the HttpClient passed to httpClient(...) instead");
      }
      return new HttpTransport(this, false);
    }

    private static Duration positive(String field, Duration value) {
      Objects.requireNonNull(value, field);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("HttpTransport." + field + " must be positive, got: " + value);
      }
      return value;
    }
  }
}
