package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What Resilience and its policies are made of, as their accessors and descriptions show it. */
@Timeout(10)
class ResilienceConfigTest {

  @Test
  void defaults() {
    Resilience r = Resilience.ofDefaults();
    assertThat(r.retryPolicy().maxAttempts()).isEqualTo(3);
    assertThat(r.retryPolicy().initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(r.retryPolicy().maxBackoff()).isEqualTo(Duration.ofSeconds(8));
    assertThat(r.retryPolicy().jitter()).isEqualTo(0.2);
    assertThat(r.retryPolicy().maxRetryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(r.circuitBreakers()).isEmpty();
    assertThat(r.streamTimeouts().isNone()).isTrue();
    assertThat(r.concurrencyLimit().limitFor("openai")).isZero();
    assertThat(r.rateLimit().limits("openai")).isFalse();
  }

  @Test
  void policiesGivenWhole_areUsedAsGiven() {
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).build();
    CircuitBreakers breakers = CircuitBreakers.builder().build();
    StreamTimeouts timeouts = StreamTimeouts.builder().idle(Duration.ofSeconds(3)).build();
    ConcurrencyLimit concurrency = ConcurrencyLimit.builder().maxConcurrency(2).build();
    RateLimit rate = RateLimit.builder().limit("openai", 10, 0).build();
    Resilience r = Resilience.builder().retry(retry).circuitBreakers(breakers).streamTimeouts(timeouts)
        .concurrencyLimit(concurrency).rateLimit(rate).build();
    assertThat(r.retryPolicy()).isSameAs(retry);
    assertThat(r.circuitBreakers()).containsSame(breakers);
    assertThat(r.streamTimeouts()).isSameAs(timeouts);
    assertThat(r.concurrencyLimit()).isSameAs(concurrency);
    assertThat(r.rateLimit()).isSameAs(rate);
  }

  @Test
  void policiesBuiltFromTheShorthand() {
    Resilience r = Resilience.builder().maxAttempts(4).backoff(Duration.ofMillis(10), Duration.ofSeconds(2))
        .jitter(0.1).maxRetryAfter(Duration.ofSeconds(5))
        .firstEventTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(2))
        .minStreamSpeed(7, Duration.ofSeconds(3))
        .maxConcurrency("openai", 2).maxConcurrency(3)
        .rateLimit("openai", 10, 10).build();
    assertThat(r.retryPolicy().maxAttempts()).isEqualTo(4);
    assertThat(r.retryPolicy().initialBackoff()).isEqualTo(Duration.ofMillis(10));
    assertThat(r.retryPolicy().maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.retryPolicy().jitter()).isEqualTo(0.1);
    assertThat(r.retryPolicy().maxRetryAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.streamTimeouts().firstEvent()).contains(Duration.ofSeconds(1));
    assertThat(r.streamTimeouts().idle()).contains(Duration.ofSeconds(2));
    assertThat(r.streamTimeouts().minTokensPerSecond()).hasValue(7);
    assertThat(r.streamTimeouts().probeWindow()).contains(Duration.ofSeconds(3));
    assertThat(r.concurrencyLimit().limitFor("openai")).isEqualTo(2);
    assertThat(r.concurrencyLimit().limitFor("other")).isEqualTo(3);
    assertThat(r.rateLimit().limits("openai")).isTrue();
    assertThat(r.rateLimit().limits("other")).isFalse();
  }

  @Test
  void descriptions() {
    assertThat(ConcurrencyLimit.builder().maxConcurrency("openai", 2).build())
        .hasToString("ConcurrencyLimit[{openai=2}]");
    assertThat(ConcurrencyLimit.builder().maxConcurrency("openai", 2).maxConcurrency(3).build())
        .hasToString("ConcurrencyLimit[default=3, {openai=2}]");
    assertThat(RateLimit.builder().limit("openai", 10, 2_000).build())
        .hasToString("RateLimit[openai: 10 rpm, 2000 tpm; ]");
    assertThat(StreamTimeouts.builder().firstEvent(Duration.ofSeconds(1)).build())
        .hasToString("StreamTimeouts[firstEvent=PT1S, idle=null]");
    assertThat(StreamTimeouts.builder().idle(Duration.ofSeconds(2)).minSpeed(5, Duration.ofSeconds(3)).build())
        .hasToString("StreamTimeouts[firstEvent=null, idle=PT2S, minTokensPerSecond=5.0 over PT3S]");
  }

  @Test
  void invalidValues_areRejected() {
    assertThatThrownBy(() -> StreamTimeouts.builder().minSpeed(Double.POSITIVE_INFINITY, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens per second > 0");
    assertThat(RateLimit.builder().limit("openai", 5, 5).build().limits("openai")).isTrue();
  }
}
