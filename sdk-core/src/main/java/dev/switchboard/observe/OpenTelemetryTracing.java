package dev.switchboard.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.Message;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.route.ModelRef;
import dev.switchboard.spi.Ticker;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces calls with OpenTelemetry, after the GenAI semantic conventions: register it with {@code
 * Switchboard.builder().listenerFactory(tracing)}. Needs {@code io.opentelemetry:opentelemetry-api},
 * an optional dependency of Switchboard.
 *
 * <p>Each call is a span {@code "chat {model}"} ({@code "embeddings {model}"}), kind CLIENT, the
 * model being the string the caller used, its parent the span current on the caller's thread when
 * the call starts. Each exchange with a provider is a child span {@code "chat {provider/model}"}, so
 * a call that retried or fell back shows one child per attempt, and overlapping hedges overlap.
 * Retries, fallbacks, hedges, time limits, breaker transitions and the first streamed event are
 * events on the call span. A streamed call's span ends when its stream does.
 *
 * <p>Call span attributes: {@code gen_ai.operation.name}, {@code gen_ai.request.model}, {@code
 * switchboard.call.id}, {@code gen_ai.request.max_tokens}, {@code gen_ai.request.temperature} and
 * {@code gen_ai.request.top_p} when set; at the end {@code gen_ai.provider.name} and {@code
 * gen_ai.response.model} of the answer, {@code gen_ai.response.id}, {@code gen_ai.usage.input_tokens}
 * and {@code gen_ai.usage.output_tokens} summed over the attempts, {@code switchboard.cost.usd},
 * {@code switchboard.cache.hit}, and on failure {@code error.type} with status ERROR. Attempt span
 * attributes: {@code gen_ai.provider.name}, {@code gen_ai.request.model}, {@code
 * gen_ai.response.model}, {@code gen_ai.usage.*}, {@code http.response.status_code}, {@code
 * switchboard.attempt.id}, {@code switchboard.cost.usd}, and {@code error.type} with status ERROR
 * when it failed, or {@code switchboard.attempt.cancelled} when it was cancelled (a hedge's loser).
 *
 * <p>Prompts and answers are not recorded unless {@link Builder#captureContent(boolean)} says so;
 * then the call span carries {@code gen_ai.input.messages} and {@code gen_ai.output.messages} as
 * JSON.
 *
 * <p>Timestamps are the call's start ({@link CallInfo#startedAt()}) plus the time elapsed on the
 * {@link Ticker} given to the builder, which must be the {@code Switchboard}'s, so that spans agree
 * with the latencies Switchboard reports. Thread-safe; the listeners it makes never throw.
 */
@SuppressWarnings("exports") // takes a type of an optional module, which its users require themselves
public final class OpenTelemetryTracing implements ChatListener.Factory {
  private static final Logger log = LoggerFactory.getLogger(OpenTelemetryTracing.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
  static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
  static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> CALL_ID = AttributeKey.longKey("switchboard.call.id");
  static final AttributeKey<Long> ATTEMPT_ID = AttributeKey.longKey("switchboard.attempt.id");
  static final AttributeKey<Boolean> CANCELLED = AttributeKey.booleanKey("switchboard.attempt.cancelled");
  static final AttributeKey<Boolean> CALL_CANCELLED = AttributeKey.booleanKey("switchboard.call.cancelled");
  static final AttributeKey<Double> COST = AttributeKey.doubleKey("switchboard.cost.usd");
  static final AttributeKey<Boolean> CACHE_HIT = AttributeKey.booleanKey("switchboard.cache.hit");
  static final AttributeKey<String> CACHE_NAME = AttributeKey.stringKey("switchboard.cache.name");
  static final AttributeKey<Double> CACHE_SIMILARITY = AttributeKey.doubleKey("switchboard.cache.similarity");

  private static final AttributeKey<Long> NEXT_ATTEMPT = AttributeKey.longKey("switchboard.retry.attempt");
  private static final AttributeKey<Long> DELAY_MS = AttributeKey.longKey("switchboard.retry.delay_ms");
  private static final AttributeKey<String> FROM = AttributeKey.stringKey("switchboard.fallback.from");
  private static final AttributeKey<String> TO = AttributeKey.stringKey("switchboard.fallback.to");
  private static final AttributeKey<String> HEDGE_MODEL = AttributeKey.stringKey("switchboard.hedge.model");
  private static final AttributeKey<Long> HEDGE_AFTER_MS = AttributeKey.longKey("switchboard.hedge.after_ms");
  private static final AttributeKey<String> TIMEOUT_KIND = AttributeKey.stringKey("switchboard.timeout.kind");
  private static final AttributeKey<Long> TIMEOUT_MS = AttributeKey.longKey("switchboard.timeout.limit_ms");
  private static final AttributeKey<String> CIRCUIT_FROM = AttributeKey.stringKey("switchboard.circuit.from");
  private static final AttributeKey<String> CIRCUIT_TO = AttributeKey.stringKey("switchboard.circuit.to");
  private static final AttributeKey<Long> LATENCY_MS = AttributeKey.longKey("switchboard.latency_ms");

  private final Tracer tracer;
  private final Ticker ticker;
  private final boolean captureContent;
  private final AtomicBoolean warned = new AtomicBoolean();

  private OpenTelemetryTracing(Builder b) {
    this.tracer = b.openTelemetry.getTracer("dev.switchboard");
    this.ticker = b.ticker;
    this.captureContent = b.captureContent;
  }

  /** Tracing through {@code openTelemetry} with the defaults of {@link #builder}. */
  public static OpenTelemetryTracing of(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** Tracing through {@code openTelemetry}. */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  @Override
  public ChatListener create(CallInfo call) {
    try {
      return new CallTrace(call);
    } catch (RuntimeException e) {
      dropped("create", e);
      return null;
    }
  }

  private void dropped(String event, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      log.warn("OpenTelemetryTracing could not trace {}: {}; further failures are logged at DEBUG", event, e.toString());
    } else {
      log.debug("OpenTelemetryTracing could not trace {}", event, e);
    }
  }

  /** One call's span and its attempts' spans. */
  private final class CallTrace implements ChatListener {
    private final CallInfo call;
    private final long startEpochNanos;
    private final String operation;
    private final Span span;
    private final Context context;
    private final Map<Integer, Span> attempts = new ConcurrentHashMap<>();
    private Usage usage = Usage.ZERO; // guarded by this
    private Cost cost = Cost.ZERO; // guarded by this
    private volatile boolean cacheHit;

    CallTrace(CallInfo call) {
      this.call = call;
      Instant started = call.startedAt();
      this.startEpochNanos = TimeUnit.SECONDS.toNanos(started.getEpochSecond()) + started.getNano();
      this.operation = call.kind() == CallInfo.Kind.EMBEDDING ? "embeddings" : "chat";
      Context parent = Context.current();
      var builder = tracer.spanBuilder(operation + " " + call.model())
          .setParent(parent)
          .setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
          .setAttribute(OPERATION, operation)
          .setAttribute(REQUEST_MODEL, call.model())
          .setAttribute(CALL_ID, call.id());
      if (call.kind() != CallInfo.Kind.EMBEDDING) {
        ChatRequest request = call.request();
        request.maxOutputTokens().ifPresent(n -> builder.setAttribute(MAX_TOKENS, (long) n));
        request.temperature().ifPresent(t -> builder.setAttribute(TEMPERATURE, t));
        request.topP().ifPresent(p -> builder.setAttribute(TOP_P, p));
        if (captureContent) {
          builder.setAttribute(INPUT_MESSAGES, inputMessages(request));
        }
      }
      this.span = builder.startSpan();
      this.context = parent.with(span);
    }

    private long now() {
      return startEpochNanos + (ticker.read() - call.startNanos());
    }

    private void guarded(String event, Runnable action) {
      try {
        action.run();
      } catch (RuntimeException e) {
        dropped(event, e);
      }
    }

    @Override
    public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
      guarded("attemptStart", () -> attempts.put(attemptId, tracer.spanBuilder(operation + " " + target)
          .setParent(context)
          .setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(now(), TimeUnit.NANOSECONDS)
          .setAttribute(OPERATION, operation)
          .setAttribute(PROVIDER, target.provider())
          .setAttribute(REQUEST_MODEL, target.model())
          .setAttribute(ATTEMPT_ID, (long) attemptId)
          .startSpan()));
    }

    @Override
    public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
      guarded("attemptEnd", () -> {
        synchronized (this) {
          usage = usage.plus(attempt.usage());
          cost = attempt.cost().map(cost::plus).orElse(cost);
        }
        Span a = attempts.remove(attemptId);
        if (a == null) {
          return;
        }
        a.setAttribute(RESPONSE_MODEL, attempt.model());
        a.setAttribute(INPUT_TOKENS, attempt.usage().inputTokens());
        a.setAttribute(OUTPUT_TOKENS, attempt.usage().outputTokens());
        if (attempt.statusCode() > 0) {
          a.setAttribute(STATUS_CODE, (long) attempt.statusCode());
        }
        attempt.cost().ifPresent(c -> a.setAttribute(COST, c.total().doubleValue()));
        attempt.failure().ifPresent(failure -> {
          if (attempt.cancelled()) {
            a.setAttribute(CANCELLED, true);
          } else {
            a.setAttribute(ERROR_TYPE, failure);
            a.setStatus(StatusCode.ERROR);
          }
        });
        a.end(now(), TimeUnit.NANOSECONDS);
      });
    }

    @Override
    public void firstEvent(CallInfo call, Duration latency) {
      guarded("firstEvent", () -> event("switchboard.first_event", Attributes.of(LATENCY_MS, latency.toMillis())));
    }

    @Override
    public void retryScheduled(CallInfo call, ChatException failure, int nextAttempt, Duration delay) {
      guarded("retryScheduled", () -> event("switchboard.retry", Attributes.of(ERROR_TYPE,
          errorType(failure), NEXT_ATTEMPT, (long) nextAttempt, DELAY_MS, delay.toMillis())));
    }

    @Override
    public void fallback(CallInfo call, String fromModel, String toModel, ChatException cause) {
      guarded("fallback", () -> event("switchboard.fallback",
          Attributes.of(FROM, fromModel, TO, toModel, ERROR_TYPE, errorType(cause))));
    }

    @Override
    public void hedgeStarted(CallInfo call, String model, Duration after) {
      guarded("hedgeStarted", () -> event("switchboard.hedge",
          Attributes.of(HEDGE_MODEL, model, HEDGE_AFTER_MS, after.toMillis())));
    }

    @Override
    public void timeout(CallInfo call, TimeoutKind kind, Duration limit) {
      guarded("timeout", () -> event("switchboard.timeout",
          Attributes.of(TIMEOUT_KIND, kind.name(), TIMEOUT_MS, limit.toMillis())));
    }

    @Override
    public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
      guarded("circuitStateChanged", () -> event("switchboard.circuit_state_changed", Attributes.of(
          PROVIDER, provider, REQUEST_MODEL, model, CIRCUIT_FROM, from.name(), CIRCUIT_TO, to.name())));
    }

    @Override
    public void cacheHit(CallInfo call, String cache, double similarity) {
      guarded("cacheHit", () -> {
        cacheHit = true;
        span.setAttribute(CACHE_NAME, cache);
        span.setAttribute(CACHE_SIMILARITY, similarity);
      });
    }

    @Override
    public void callEnd(CallInfo call, ChatResponse response) {
      guarded("callEnd", () -> {
        answeredBy(response.provider(), response.model());
        if (!response.id().isEmpty()) {
          span.setAttribute(RESPONSE_ID, response.id());
        }
        if (captureContent) {
          span.setAttribute(OUTPUT_MESSAGES, outputMessages(response));
        }
        end();
      });
    }

    @Override
    public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
      guarded("embeddingEnd", () -> {
        answeredBy(response.provider(), response.model());
        end();
      });
    }

    @Override
    public void callFailed(CallInfo call, ChatException error) {
      guarded("callFailed", () -> {
        span.setAttribute(ERROR_TYPE, errorType(error));
        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        end();
      });
    }

    @Override
    public void callCancelled(CallInfo call) {
      guarded("callCancelled", () -> {
        span.setAttribute(CALL_CANCELLED, true);
        end();
      });
    }

    private void answeredBy(String provider, String model) {
      if (!provider.isEmpty()) {
        span.setAttribute(PROVIDER, provider);
      }
      if (!model.isEmpty()) {
        span.setAttribute(RESPONSE_MODEL, model);
      }
    }

    private void event(String name, Attributes attributes) {
      span.addEvent(name, attributes, now(), TimeUnit.NANOSECONDS);
    }

    private void end() {
      Usage u;
      Cost c;
      synchronized (this) {
        u = usage;
        c = cost;
      }
      span.setAttribute(INPUT_TOKENS, u.inputTokens());
      span.setAttribute(OUTPUT_TOKENS, u.outputTokens());
      span.setAttribute(COST, c.total().doubleValue());
      span.setAttribute(CACHE_HIT, cacheHit);
      span.end(now(), TimeUnit.NANOSECONDS);
    }
  }

  /** The exception's simple class name (what {@code error.type} holds). */
  private static String errorType(Throwable error) {
    String name = error.getClass().getSimpleName();
    return name.isEmpty() ? error.getClass().getName() : name;
  }

  /** The request's messages in the GenAI conventions' JSON shape: role and parts. */
  static String inputMessages(ChatRequest request) {
    ArrayNode messages = JSON.createArrayNode();
    for (Message m : request.messages()) {
      ObjectNode message = messages.addObject().put("role", m.role().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode parts = message.putArray("parts");
      if (!m.text().isEmpty()) {
        ObjectNode text = parts.addObject().put("type", m.toolCallId().isPresent() ? "tool_call_response" : "text");
        m.toolCallId().ifPresent(id -> text.put("id", id));
        text.put(m.toolCallId().isPresent() ? "response" : "content", m.text());
      }
      toolCalls(parts, m.toolCalls());
    }
    return messages.toString();
  }

  /** The answer in the GenAI conventions' JSON shape. */
  static String outputMessages(ChatResponse response) {
    ArrayNode messages = JSON.createArrayNode();
    ObjectNode message = messages.addObject().put("role", "assistant");
    ArrayNode parts = message.putArray("parts");
    if (!response.text().isEmpty()) {
      parts.addObject().put("type", "text").put("content", response.text());
    }
    toolCalls(parts, response.toolCalls());
    message.put("finish_reason", response.finishReason().name().toLowerCase(java.util.Locale.ROOT));
    return messages.toString();
  }

  private static void toolCalls(ArrayNode parts, java.util.List<ToolCall> calls) {
    for (ToolCall call : calls) {
      parts.addObject().put("type", "tool_call").put("id", call.id()).put("name", call.name())
          .put("arguments", call.argumentsJson());
    }
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private Ticker ticker = Ticker.system();
    private boolean captureContent;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * Whether call spans carry the prompt and the answer ({@code gen_ai.input.messages}, {@code
     * gen_ai.output.messages}). Default false: they may hold personal or secret data, and they are
     * large.
     */
    public Builder captureContent(boolean captureContent) {
      this.captureContent = captureContent;
      return this;
    }

    /**
     * The nanosecond source span times are measured on: the {@code Switchboard}'s own ({@code
     * Switchboard.builder().ticker}). Default {@link Ticker#system()}, the {@code Switchboard}'s default.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public OpenTelemetryTracing build() {
      return new OpenTelemetryTracing(this);
    }
  }
}
