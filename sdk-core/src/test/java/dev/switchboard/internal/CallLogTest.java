package dev.switchboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Attempt;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Cost;
import dev.switchboard.ErrorDetails;
import dev.switchboard.FinishReason;
import dev.switchboard.ManualTime;
import dev.switchboard.RateLimitException;
import dev.switchboard.Usage;
import dev.switchboard.observe.CallInfo;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

class CallLogTest {
  private final ManualTime time = new ManualTime();
  private final Captured captured = new Captured(true);
  private final CallInfo call = new CallInfo(7, ChatRequest.of("ranker", "what \"is\"\nthis?"), false, Instant.EPOCH,
      time.read(), null);

  @Test
  void aSuccessfulCall_isOneKeyValueLine_withoutContentByDefault() {
    CallLog log = new CallLog(time, false, captured);
    time.advance(Duration.ofMillis(234));
    Attempt failed = new Attempt("deepseek", "v4-flash", 503, Duration.ofMillis(30), Usage.ZERO,
        Optional.of("OverloadedException"));
    Attempt ok = new Attempt("openai", "gpt-4o", 200, Duration.ofMillis(200), Usage.of(1_000, 200), Optional.empty())
        .withCost(new Cost(new BigDecimal("0.0025"), BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("0.002"),
            BigDecimal.ZERO, false));
    log.callEnd(call, ChatResponse.builder().provider("openai").model("gpt-4o").text("the answer")
        .finishReason(FinishReason.STOP).usage(Usage.of(1_000, 200)).requestId("req-1").attempts(List.of(failed, ok))
        .build());

    assertThat(captured.lines).containsExactly("call=7 kind=chat route=ranker outcome=success duration_ms=234 "
        + "provider=openai model=gpt-4o attempts=2 path=deepseek/v4-flash:OverloadedException,openai/gpt-4o:ok "
        + "input_tokens=1000 cached_input_tokens=0 output_tokens=200 reasoning_tokens=0 cost_usd=0.0045 "
        + "finish=STOP request_id=req-1");
  }

  @Test
  void contentOnlyWhenEnabled_quotedAndEscaped() {
    new CallLog(time, true, captured).callEnd(call, ChatResponse.builder().provider("p").model("m").text("a\tb")
        .build());
    assertThat(captured.lines).singleElement().asString()
        .endsWith(" prompt=\"what \\\"is\\\"\\nthis?\" answer=\"a\\tb\"");
  }

  @Test
  void aFailure_namesItsTypeStatusAndMessage() {
    new CallLog(time, false, captured).callFailed(call, new RateLimitException("slow down",
        ErrorDetails.builder().provider("openai").model("gpt-4o").statusCode(429).build()));
    assertThat(captured.lines).containsExactly("call=7 kind=chat route=ranker outcome=failure duration_ms=0 "
        + "error_type=RateLimitException provider=openai model=gpt-4o status=429 attempts=0 cost_usd=0 "
        + "message=\"slow down\"");
  }

  @Test
  void nothingIsBuiltWhenDebugIsOff() {
    Captured off = new Captured(false);
    new CallLog(time, true, off).callEnd(call, ChatResponse.builder().text("x").build());
    assertThat(off.lines).isEmpty();
  }

  private static final class Captured extends LegacyAbstractLogger {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final boolean debug;

    Captured(boolean debug) {
      this.debug = debug;
      this.name = "captured";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args,
        Throwable t) {
      lines.add(message);
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return debug;
    }

    @Override
    public boolean isInfoEnabled() {
      return debug;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }
}
