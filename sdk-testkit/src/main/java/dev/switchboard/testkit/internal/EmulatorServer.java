package dev.switchboard.testkit.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.switchboard.Usage;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP side of every emulator: a WireMock server on 127.0.0.1 with one catch-all stub whose
 * response-definition transformer takes the next reply, records the request and asks the {@link
 * WireRenderer} for the response. Taking the reply and recording the request happen under one
 * lock, so the n-th recorded request is the one that got the n-th reply, also under concurrency.
 * Thread-safe.
 */
public final class EmulatorServer {
  private static final String TRANSFORMER = "switchboard-emulator";

  private final String name;
  private final WireRenderer renderer;
  private final WireMockServer server;
  private final Object lock = new Object();
  private final ArrayDeque<Reply> replies = new ArrayDeque<>();
  private final LinkedBlockingQueue<RecordedRequest> recorded = new LinkedBlockingQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int received;
  private long sequence;

  /** Creates and starts the server on a free port. */
  public EmulatorServer(String name, WireRenderer renderer) {
    this.name = Objects.requireNonNull(name, "name");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.server = new WireMockServer(options()
        .bindAddress("127.0.0.1")
        .dynamicPort()
        .disableRequestJournal()
        .templatingEnabled(false)
        .gzipDisabled(true)
        .stubCorsEnabled(false)
        .containerThreads(24)
        .jettyStopTimeout(0L)
        .notifier(new Slf4jNotifier(false))
        .extensions(new Transformer()));
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port() + renderer.basePath();
  }

  public int port() {
    return server.port();
  }

  public void enqueue(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    synchronized (lock) {
      replies.add(reply);
    }
  }

  public RecordedRequest takeRequest(Duration timeout) {
    RecordedRequest request;
    try {
      request = recorded.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a request to the " + name, e);
    }
    if (request == null) {
      int count = requestCount();
      throw new AssertionError("no request reached the " + name + " within " + timeout.toMillis() + " ms ("
          + count + (count == 1 ? " request" : " requests") + " received since the last reset, all taken)");
    }
    return request;
  }

  public int requestCount() {
    synchronized (lock) {
      return received;
    }
  }

  public int pendingReplies() {
    synchronized (lock) {
      return replies.size();
    }
  }

  public void reset() {
    synchronized (lock) {
      replies.clear();
      recorded.clear();
      received = 0;
      sequence = 0;
    }
  }

  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop();
    }
  }

  public boolean isRunning() {
    return !closed.get() && server.isRunning();
  }

  @Override
  public String toString() {
    return name + "[" + (closed.get() ? "closed" : baseUrl()) + ", " + pendingReplies() + " replies queued, "
        + requestCount() + " requests received]";
  }

  private Outcome respond(LoggedRequest raw) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpHeader h : raw.getHeaders().all()) {
      headers.computeIfAbsent(h.key(), k -> new ArrayList<>()).addAll(h.values());
    }
    byte[] body = raw.getBody() == null ? new byte[0] : raw.getBody();
    RecordedRequest request = renderer.read(raw.getMethod().getName(), raw.getUrl(), headers, body);
    boolean chat = renderer.isChat(request);
    Reply queued = null;
    long seq;
    synchronized (lock) {
      seq = ++sequence;
      if (chat) {
        queued = replies.poll();
      }
      received++;
      recorded.add(request);
    }
    String model = SimulatedModel.modelFor(request);
    if (!chat) {
      return new Outcome(renderer.renderOther(new RenderContext(request, seq, model, Usage.ZERO)), Duration.ZERO);
    }
    Reply reply = queued != null ? queued : SimulatedModel.answer(request);
    Usage usage = reply.usage().orElseGet(() -> SimulatedModel.estimateUsage(request, reply));
    RenderContext context = new RenderContext(request, seq, reply.model().orElse(model), usage);
    return new Outcome(renderer.render(reply, context), reply.delay());
  }

  /** A response and how long to wait before sending it; the renderer never sees delays. */
  private record Outcome(WireResponse response, Duration delay) {}

  private final class Transformer implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return TRANSFORMER;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Outcome outcome;
      try {
        outcome = respond(event.getRequest());
      } catch (RuntimeException e) {
        outcome = new Outcome(WireResponse.of(500, Map.of("content-type", "text/plain; charset=utf-8"),
            "the " + name + " failed to render a reply (a testkit bug): " + e), Duration.ZERO);
      }
      return toDefinition(outcome.response(), outcome.delay());
    }
  }

  private static ResponseDefinition toDefinition(WireResponse response, Duration delay) {
    ResponseDefinitionBuilder b = aResponse();
    if (!delay.isZero()) {
      b.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delay.toMillis()));
    }
    if (response.fault() != null) {
      b.withFault(response.fault() == Fault.CONNECTION_RESET
          ? com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER
          : com.github.tomakehurst.wiremock.http.Fault.EMPTY_RESPONSE);
      return b.build();
    }
    b.withStatus(response.status());
    response.headers().forEach(b::withHeader);
    b.withBody(response.body());
    return b.build();
  }
}
