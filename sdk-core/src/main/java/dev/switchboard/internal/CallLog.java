package dev.switchboard.internal;

import dev.switchboard.Attempt;
import dev.switchboard.ChatException;
import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Ticker;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per call at DEBUG on logger {@code dev.switchboard.calls}, in {@code
 * key=value} form: route, outcome, where it went, attempts, tokens, cost, duration, request id,
 * and for a failure its type and (already redacted) message. No headers, no keys; the prompt and
 * the answer only when the Switchboard was built with {@code logContent(true)}. Costs nothing but
 * a level check when DEBUG is off. Thread-safe. Not API.
 */
public final class CallLog implements ChatListener {
  private static final int CONTENT_LIMIT = 500;

  private final Ticker ticker;
  private final boolean content;
  private final Logger log;

  public CallLog(Ticker ticker, boolean content) {
    this(ticker, content, LoggerFactory.getLogger("dev.switchboard.calls"));
  }

  CallLog(Ticker ticker, boolean content, Logger log) {
    this.ticker = ticker;
    this.content = content;
    this.log = log;
  }

  @Override
  public void callEnd(CallInfo call, ChatResponse response) {
    if (!log.isDebugEnabled()) {
      return;
    }
    StringBuilder line = start(call, "success");
    field(line, "provider", response.provider());
    field(line, "model", response.model());
    attempts(line, response.attempts());
    usage(line, response.usage());
    cost(line, response.cost());
    field(line, "finish", response.finishReason().name());
    response.routing().ifPresent(r -> {
      r.tier().ifPresent(t -> field(line, "tier", t));
      quoted(line, "routing", r.reason());
    });
    response.cacheHit().ifPresent(h -> field(line, "cache_hit", h.cache()));
    response.requestId().ifPresent(id -> field(line, "request_id", id));
    if (content) {
      quoted(line, "prompt", call.request().messages().isEmpty() ? ""
          : call.request().messages().get(call.request().messages().size() - 1).text());
      quoted(line, "answer", response.text());
    }
    log.debug(line.toString());
  }

  @Override
  public void embeddingEnd(CallInfo call, EmbeddingResponse response) {
    if (log.isDebugEnabled()) {
      StringBuilder line = start(call, "success");
      usage(line, response.usage());
      log.debug(line.toString());
    }
  }

  @Override
  public void callFailed(CallInfo call, ChatException error) {
    if (!log.isDebugEnabled()) {
      return;
    }
    StringBuilder line = start(call, "failure");
    field(line, "error_type", error.getClass().getSimpleName());
    if (!error.provider().isEmpty()) {
      field(line, "provider", error.provider());
    }
    if (!error.model().isEmpty()) {
      field(line, "model", error.model());
    }
    error.statusCode().ifPresent(s -> field(line, "status", Integer.toString(s)));
    attempts(line, error.attempts());
    Cost cost = Cost.ZERO;
    for (Attempt a : error.attempts()) {
      cost = a.cost().map(cost::plus).orElse(cost);
    }
    cost(line, cost);
    error.requestId().ifPresent(id -> field(line, "request_id", id));
    quoted(line, "message", error.getMessage());
    log.debug(line.toString());
  }

  @Override
  public void callCancelled(CallInfo call) {
    if (log.isDebugEnabled()) {
      log.debug(start(call, "cancelled").toString());
    }
  }

  private StringBuilder start(CallInfo call, String outcome) {
    StringBuilder line = new StringBuilder(256).append("call=").append(call.id());
    field(line, "kind", call.kind().name().toLowerCase(java.util.Locale.ROOT));
    field(line, "route", call.model());
    field(line, "outcome", outcome);
    field(line, "duration_ms", Long.toString((ticker.read() - call.startNanos()) / 1_000_000));
    return line;
  }

  private static void attempts(StringBuilder line, List<Attempt> attempts) {
    field(line, "attempts", Integer.toString(attempts.size()));
    if (attempts.size() > 1) {
      StringBuilder path = new StringBuilder();
      for (Attempt a : attempts) {
        path.append(path.length() == 0 ? "" : ",").append(a.target()).append(':')
            .append(a.succeeded() ? "ok" : a.failure().get());
      }
      field(line, "path", path.toString());
    }
  }

  private static void usage(StringBuilder line, Usage u) {
    field(line, "input_tokens", Long.toString(u.inputTokens()));
    field(line, "cached_input_tokens", Long.toString(u.cachedInputTokens()));
    field(line, "output_tokens", Long.toString(u.outputTokens()));
    field(line, "reasoning_tokens", Long.toString(u.reasoningTokens()));
    if (u.estimated()) {
      field(line, "usage_estimated", "true");
    }
  }

  private static void cost(StringBuilder line, Cost cost) {
    field(line, "cost_usd", cost.isZero() ? "0" : cost.total().stripTrailingZeros().toPlainString());
  }

  private static void field(StringBuilder line, String key, String value) {
    line.append(' ').append(key).append('=');
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > ' ' && c != '"' && c != '=' && c != '\\';
    }
    if (plain) {
      line.append(value);
    } else {
      appendQuoted(line, value);
    }
  }

  private static void quoted(StringBuilder line, String key, String value) {
    line.append(' ').append(key).append('=');
    appendQuoted(line, value.length() > CONTENT_LIMIT ? value.substring(0, CONTENT_LIMIT) + "…" : value);
  }

  private static void appendQuoted(StringBuilder line, String value) {
    line.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> line.append("\\\"");
        case '\\' -> line.append("\\\\");
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        case '\t' -> line.append("\\t");
        default -> line.append(c < ' ' ? ' ' : c);
      }
    }
    line.append('"');
  }
}
