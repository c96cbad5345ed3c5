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
  private double faultRate;
  private java.util.Random faultRandom = new java.util.Random(0);
  private List<Reply> faultMix = List.of();
  private int injected;
  private volatile java.util.function.Function<RecordedRequest, Reply> responder;
  private volatile boolean keepRecords = true;

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
    boolean record = chat || renderer.isRecorded(request);
    Reply queued = null;
    long seq;
    synchronized (lock) {
      seq = ++sequence;
      if (chat) {
        queued = replies.poll();
      }
      if (record) {
        received++;
        if (keepRecords) {
          recorded.add(request);
        }
      }
    }
    String model = SimulatedModel.modelFor(request);
    if (!chat) {
      return new Outcome(renderer.renderOther(new RenderContext(request, seq, model, Usage.ZERO)), Duration.ZERO);
    }
    Reply injected = queued == null ? injectedFault() : null;
    java.util.function.Function<RecordedRequest, Reply> answer = responder;
    Reply reply = queued != null ? queued : injected != null ? injected
        : answer != null ? answer.apply(request) : SimulatedModel.answer(request);
    Usage usage = reply.usage().orElseGet(() -> SimulatedModel.estimateUsage(request, reply));
    RenderContext context = new RenderContext(request, seq, reply.model().orElse(model), usage);
    return new Outcome(renderer.render(reply, context), reply.delay(), reply.stallAfterFirstEvent(),
        reply.fragmentBytes());
  }

  /** What the next unscripted chat request gets instead of the simulated answer, if anything. */
  private Reply injectedFault() {
    synchronized (lock) {
      if (faultRate <= 0 || faultRandom.nextDouble() >= faultRate) {
        return null;
      }
      injected++;
      return faultMix.get(faultRandom.nextInt(faultMix.size()));
    }
  }

  /**
   * From now on, a share {@code rate} of chat requests that find no scripted reply get one of
   * {@code mix}, picked at random from a generator seeded with {@code seed}; the rest get the
   * simulated answer. {@code rate} 0 turns injection off.
   */
  public void injectFaults(double rate, long seed, List<Reply> mix) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("fault rate must be within [0, 1], got " + rate);
    }
    if (rate > 0 && mix.isEmpty()) {
      throw new IllegalArgumentException("fault injection needs at least one Reply in the mix");
    }
    synchronized (lock) {
      faultRate = rate;
      faultRandom = new java.util.Random(seed);
      faultMix = List.copyOf(mix);
      injected = 0;
    }
  }

  /**
   * From now on, chat requests that find no scripted reply (and no injected fault) get what
   * {@code responder} makes of them, instead of the simulated answer; {@code null} restores that.
   * {@code responder} runs on the server's threads and must be thread-safe.
   */
  public void respondWith(java.util.function.Function<RecordedRequest, Reply> responder) {
    this.responder = responder;
  }

  /** Whether requests are kept for {@link #takeRequest} (off for long simulations; counts go on). */
  public void keepRequests(boolean keep) {
    this.keepRecords = keep;
  }

  /** How many injected faults were served since {@link #injectFaults}. */
  public int injectedFaults() {
    synchronized (lock) {
      return injected;
    }
  }

  /** A response, how long to wait before sending it, and how long to stall after its first event. */
  private record Outcome(WireResponse response, Duration delay, Duration stall, int fragmentBytes) {
    Outcome(WireResponse response, Duration delay, Duration stall) {
      this(response, delay, stall, 0);
    }

    Outcome(WireResponse response, Duration delay) {
      this(response, delay, Duration.ZERO);
    }
  }

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
      return toDefinition(outcome.response(), outcome.delay(), outcome.stall(), outcome.fragmentBytes());
    }
  }

  private static boolean isStream(WireResponse response) {
    for (Map.Entry<String, String> h : response.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase("content-type")
          && (h.getValue().contains("event-stream") || h.getValue().contains("ndjson"))) {
        return true;
      }
    }
    return false;
  }

  /** How often a stalled stream sends a keep-alive while it holds its events back. */
  private static final Duration STALL_TICK = Duration.ofMillis(100);

  /**
   * Lays out a stalled stream for WireMock's chunked dribble, which sends {@code n} equal chunks
   * with an equal pause before each: chunk 1 is the first event, the last chunk the rest, and the
   * chunks between are keep-alives (SSE comments or blank NDJSON lines, which readers skip). So the
   * first event arrives after one tick, then nothing but keep-alives until the stall is over.
   * Returns the body and the number of chunks.
   */
  static Stalled stalledAfterFirstEvent(byte[] body, WireResponse response, Duration stall) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    boolean sse = response.headers().entrySet().stream()
        .anyMatch(h -> h.getKey().equalsIgnoreCase("content-type") && h.getValue().contains("event-stream"));
    String separator = sse ? "\n\n" : "\n";
    // The first event that carries answer text (a role-only opening chunk is not an event for the caller).
    java.util.regex.Matcher firstText = java.util.regex.Pattern.compile("\"(content|text)\":\"[^\"]").matcher(text);
    int from = firstText.find() ? firstText.start() : 0;
    int cut = text.indexOf(separator, from);
    if (cut < 0) {
      return new Stalled(body, 1);
    }
    String first = text.substring(0, cut + separator.length());
    String rest = text.substring(cut + separator.length());
    int size = Math.max(utf8Length(first), utf8Length(rest)) + 8;
    int chunks = (int) Math.max(3, stall.toMillis() / STALL_TICK.toMillis() + 1);
    StringBuilder out = new StringBuilder();
    out.append(padded(first, size, sse));
    for (int i = 0; i < chunks - 2; i++) {
      out.append(padded("", size, sse));
    }
    out.append(padded(rest, size, sse));
    return new Stalled(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), chunks);
  }

  record Stalled(byte[] body, int chunks) {}

  private static String padded(String segment, int size, boolean sse) {
    int missing = size - utf8Length(segment);
    if (!sse) {
      return segment + "\n".repeat(missing);
    }
    // ":" + dashes + "\n\n" is a comment; 3 bytes at least
    return segment + ":" + "-".repeat(missing - 3) + "\n\n";
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static ResponseDefinition toDefinition(WireResponse response, Duration delay, Duration stall,
      int fragmentBytes) {
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
    byte[] body = response.body();
    if (!stall.isZero() && isStream(response)) {
      Stalled stalled = stalledAfterFirstEvent(body, response, stall);
      body = stalled.body();
      b.withChunkedDribbleDelay(stalled.chunks(), (int) (stalled.chunks() * STALL_TICK.toMillis()));
    } else if (fragmentBytes > 0 && body.length > fragmentBytes) {
      // small writes a millisecond apart, so the client reads pieces that cut events and UTF-8 characters
      int pieces = Math.min(2000, (body.length + fragmentBytes - 1) / fragmentBytes);
      b.withChunkedDribbleDelay(pieces, pieces);
    }
    b.withBody(body);
    return b.build();
  }
}
