package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ManualTime;
import dev.switchboard.ServerException;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.observe.CircuitState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The breaker state machine on its own, on a manual clock: closed, open, half-open and back. */
@Timeout(10)
class CircuitBreakersTest {
  private static final String MODEL = "cheap/m";
  private static final Duration COOL_DOWN = Duration.ofSeconds(30);

  private final ManualTime time = new ManualTime();
  private final List<String> events = new ArrayList<>();
  private final ChatListener recorder = new ChatListener() {
    @Override
    public void circuitStateChanged(String provider, String model, CircuitState from, CircuitState to) {
      events.add(provider + "|" + model + " " + from + " -> " + to);
    }
  };

  private CircuitBreakers breakers(int failures, int outOf, int probes) {
    return CircuitBreakers.builder().failureThreshold(failures, outOf).halfOpenProbes(probes).coolDown(COOL_DOWN)
        .ticker(time).build();
  }

  @Test
  void anUnknownModel_isClosed_neverFailed_andNotSkipped() {
    CircuitBreakers b = breakers(1, 1, 1);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(b.lastFailureNanos(MODEL)).isEqualTo(Long.MIN_VALUE);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();
    assertThat(events).isEmpty();
  }

  @Test
  void opens_whenFailuresOfTheLastAttemptsFailed_andAnnouncesIt() {
    CircuitBreakers b = breakers(2, 3, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    b.recordSuccess(MODEL, recorder);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();

    b.recordFailure(MODEL, serverError(), recorder);

    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
    assertThat(b.isOpen(MODEL, recorder)).isTrue();
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN");
  }

  @Test
  void opensOnTheFailureThreshold_evenBeforeOutOfAttemptsWereMade() {
    CircuitBreakers b = breakers(2, 4, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.state(MODEL)).as("2 of the last 4 failed, though only 2 were made").isEqualTo(CircuitState.OPEN);
  }

  @Test
  void onlyRetryableFailuresCount() {
    CircuitBreakers b = breakers(1, 1, 1);
    time.advance(Duration.ofSeconds(5));
    b.recordFailure(MODEL, new AuthenticationException("bad key", ErrorDetails.of("cheap", "m")), recorder);
    b.recordFailure(MODEL, new ChatException("not retryable", ErrorDetails.of("cheap", "m")), recorder);

    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(b.lastFailureNanos(MODEL)).as("a caller's own error is no failure of the model")
        .isEqualTo(Long.MIN_VALUE);
    assertThat(b).hasToString("CircuitBreakers[1 of 1 failures open, cool-down PT30S, 1 probes, tracking []]");
    assertThat(CircuitBreakers.counts(serverError())).isTrue();
    assertThat(events).isEmpty();
  }

  @Test
  void lastFailureNanos_isTheTickerReadingOfTheLastCountedFailure() {
    CircuitBreakers b = breakers(3, 3, 1);
    time.advance(Duration.ofNanos(1_000));
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.lastFailureNanos(MODEL)).isEqualTo(1_000);
    time.advance(Duration.ofNanos(500));
    b.recordSuccess(MODEL, recorder);
    assertThat(b.lastFailureNanos(MODEL)).as("a success leaves it").isEqualTo(1_000);
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.lastFailureNanos(MODEL)).isEqualTo(1_500);
    assertThat(b.lastFailureNanos("other/m")).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void staysOpenForTheCoolDown_thenReadsHalfOpen_withoutBeingAsked() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);

    time.advance(COOL_DOWN.minusNanos(1));
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
    assertThat(b.isOpen(MODEL, recorder)).isTrue();

    time.advance(Duration.ofNanos(1));
    assertThat(b.state(MODEL)).as("state() only reads: the cool-down is over").isEqualTo(CircuitState.HALF_OPEN);
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN");

    assertThat(b.isOpen(MODEL, recorder)).as("a probe may go").isFalse();
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> HALF_OPEN");

    assertThat(b.isOpen(MODEL, recorder)).isFalse();
    assertThat(events).as("no change, no event").hasSize(2);
  }

  @Test
  void halfOpen_closesAfterTheProbesSucceed() {
    CircuitBreakers b = breakers(1, 1, 2);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(COOL_DOWN);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();

    b.recordSuccess(MODEL, recorder);
    assertThat(b.state(MODEL)).as("one of two probes").isEqualTo(CircuitState.HALF_OPEN);
    b.recordSuccess(MODEL, recorder);

    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> HALF_OPEN",
        "cheap|m HALF_OPEN -> CLOSED");
  }

  @Test
  void halfOpen_reopensOnAFailedProbe_withAFreshCoolDown() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(COOL_DOWN);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();

    time.advance(Duration.ofSeconds(10));
    b.recordFailure(MODEL, serverError(), recorder);

    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
    assertThat(b.lastFailureNanos(MODEL)).isEqualTo(COOL_DOWN.plusSeconds(10).toNanos());
    time.advance(COOL_DOWN.minusNanos(1));
    assertThat(b.isOpen(MODEL, recorder)).as("the cool-down starts again at the failed probe").isTrue();
    time.advance(Duration.ofNanos(1));
    assertThat(b.isOpen(MODEL, recorder)).isFalse();
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> HALF_OPEN",
        "cheap|m HALF_OPEN -> OPEN", "cheap|m OPEN -> HALF_OPEN");
  }

  @Test
  void aFailureAfterTheCoolDown_isTheFailedProbe_evenIfNobodyAskedFirst() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(COOL_DOWN.plusSeconds(5));

    b.recordFailure(MODEL, serverError(), recorder);

    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> HALF_OPEN",
        "cheap|m HALF_OPEN -> OPEN");
    time.advance(COOL_DOWN.minusNanos(1));
    assertThat(b.state(MODEL)).as("a fresh cool-down from the second failure").isEqualTo(CircuitState.OPEN);
    time.advance(Duration.ofNanos(1));
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.HALF_OPEN);
  }

  @Test
  void aSuccessAfterTheCoolDown_isTheProbe_evenIfNobodyAskedFirst() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(COOL_DOWN);

    b.recordSuccess(MODEL, recorder);

    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> CLOSED");
  }

  @Test
  void failuresWhileOpen_doNotExtendTheCoolDown() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(Duration.ofSeconds(20));
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.lastFailureNanos(MODEL)).isEqualTo(Duration.ofSeconds(20).toNanos());

    time.advance(Duration.ofSeconds(10));

    assertThat(b.state(MODEL)).as("30 s after it opened").isEqualTo(CircuitState.HALF_OPEN);
    assertThat(b.isOpen(MODEL, recorder)).isFalse();
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN", "cheap|m OPEN -> HALF_OPEN");
  }

  @Test
  void aSuccessWhileOpen_beforeTheCoolDown_keepsItOpen() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), recorder);
    time.advance(COOL_DOWN.minusNanos(1));
    b.recordSuccess(MODEL, recorder);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
    assertThat(events).containsExactly("cheap|m CLOSED -> OPEN");
  }

  @Test
  void eachModelHasItsOwnBreaker_andAModelWithoutProviderIsAnnouncedWithAnEmptyModel() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure("solo", serverError(), recorder);
    b.recordFailure("vllm/meta-llama/Llama-3.1-8B", serverError(), recorder);
    b.recordSuccess("premium/m", recorder);

    assertThat(b.state("solo")).isEqualTo(CircuitState.OPEN);
    assertThat(b.state("premium/m")).isEqualTo(CircuitState.CLOSED);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    assertThat(events).containsExactly("solo| CLOSED -> OPEN", "vllm|meta-llama/Llama-3.1-8B CLOSED -> OPEN");
  }

  @Test
  void withoutAListener_transitionsStillHappen() {
    CircuitBreakers b = breakers(1, 1, 1);
    b.recordFailure(MODEL, serverError(), null);
    assertThat(b.isOpen(MODEL, null)).isTrue();
    time.advance(COOL_DOWN);
    assertThat(b.isOpen(MODEL, null)).isFalse();
    b.recordSuccess(MODEL, null);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void defaults_openOnFiveOfTen_coolDownThirtySeconds_oneProbe() {
    CircuitBreakers b = CircuitBreakers.builder().ticker(time).build();
    assertThat(b).hasToString("CircuitBreakers[5 of 10 failures open, cool-down PT30S, 1 probes, tracking []]");
    for (int i = 0; i < 4; i++) {
      b.recordFailure(MODEL, serverError(), recorder);
    }
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
    b.recordFailure(MODEL, serverError(), recorder);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
    assertThat(b).hasToString("CircuitBreakers[5 of 10 failures open, cool-down PT30S, 1 probes, tracking [cheap/m]]");
    time.advance(Duration.ofSeconds(30));
    b.recordSuccess(MODEL, recorder);
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void theSystemTicker_isTheDefaultClock() {
    CircuitBreakers b = CircuitBreakers.builder().failureThreshold(1, 1).coolDown(Duration.ofDays(1)).build();
    long before = System.nanoTime();
    b.recordFailure(MODEL, serverError(), null);
    assertThat(b.lastFailureNanos(MODEL)).isBetween(before, System.nanoTime());
    assertThat(b.state(MODEL)).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void builder_rejectsNonsense_namingTheSetting() {
    assertThatThrownBy(() -> CircuitBreakers.builder().failureThreshold(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failureThreshold needs 1 <= failures <= outOf, got 0 of 1");
    assertThatThrownBy(() -> CircuitBreakers.builder().failureThreshold(3, 2))
        .hasMessage("failureThreshold needs 1 <= failures <= outOf, got 3 of 2");
    assertThat(CircuitBreakers.builder().failureThreshold(1, 1).failureThreshold(2, 2).build())
        .hasToString("CircuitBreakers[2 of 2 failures open, cool-down PT30S, 1 probes, tracking []]");
    assertThatThrownBy(() -> CircuitBreakers.builder().coolDown(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("coolDown must be positive, got PT0S");
    assertThatThrownBy(() -> CircuitBreakers.builder().coolDown(Duration.ofSeconds(-1)))
        .hasMessage("coolDown must be positive, got PT-1S");
    assertThat(CircuitBreakers.builder().coolDown(Duration.ofNanos(1)).build().toString()).contains("PT0.000000001S");
    assertThatThrownBy(() -> CircuitBreakers.builder().halfOpenProbes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("halfOpenProbes must be >= 1, got 0");
    assertThat(CircuitBreakers.builder().halfOpenProbes(1).build().toString()).contains("1 probes");
    assertThatThrownBy(() -> CircuitBreakers.builder().ticker(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
  }

  private static ServerException serverError() {
    return new ServerException("overloaded", ErrorDetails.builder().provider("cheap").model("m").statusCode(529)
        .retryable(true).build());
  }
}
