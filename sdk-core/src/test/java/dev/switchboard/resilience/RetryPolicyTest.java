package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retry decision on its own: caps, hints, deadlines and attempt numbers. */
class RetryPolicyTest {
  private static final Optional<Duration> NO_DEADLINE = Optional.empty();

  private final RetryPolicy policy = RetryPolicy.builder().maxAttempts(3)
      .backoff(Duration.ofMillis(100), Duration.ofMillis(400)).jitter(0).maxRetryAfter(Duration.ofSeconds(10)).build();

  @Test
  void backsOffExponentially_upToMaxAttempts_andNumbersTheAttempts() {
    RetryPolicy.Retries retries = policy.start();
    assertThat(retries.attempt()).isEqualTo(1);
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(100));
    assertThat(retries.attempt()).isEqualTo(2);
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(200));
    assertThat(retries.attempt()).isEqualTo(3);
    assertThat(retries.next(serverError(), NO_DEADLINE)).as("three attempts made").isNull();
    assertThat(retries.attempt()).isEqualTo(3);
  }

  @Test
  void backOff_isCappedAtTheMaximum() {
    RetryPolicy long5 = RetryPolicy.builder().maxAttempts(6).backoff(Duration.ofMillis(100), Duration.ofMillis(250))
        .jitter(0).build();
    RetryPolicy.Retries retries = long5.start();
    retries.next(serverError(), NO_DEADLINE);
    retries.next(serverError(), NO_DEADLINE);
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void notRetryable_goesOutAtOnce() {
    assertThat(policy.start().next(new AuthenticationException("bad key", ErrorDetails.of("p", "m")), NO_DEADLINE))
        .isNull();
    assertThat(policy.retries(serverError())).isTrue();
  }

  @Test
  void retryAfterHint_longerThanTheBackoff_isWaitedFor_andOneOverTheCap_isNot() {
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(2)), NO_DEADLINE)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.start().next(rateLimited(Duration.ofMillis(10)), NO_DEADLINE)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(11)), NO_DEADLINE)).isNull();
  }

  @Test
  void aWaitThatWouldPassTheDeadline_goesOutAtOnce() {
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(2)), Optional.of(Duration.ofSeconds(2)))).isNull();
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(2)), Optional.of(Duration.ofMillis(2001))))
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void retryOn_decidesWhichFailuresAreRetried() {
    RetryPolicy onlyRateLimits = RetryPolicy.builder().retryOn(e -> e instanceof RateLimitException).jitter(0).build();
    assertThat(onlyRateLimits.start().next(serverError(), NO_DEADLINE)).isNull();
    assertThat(onlyRateLimits.start().next(rateLimited(Duration.ofMillis(1)), NO_DEADLINE)).isNotNull();
    assertThat(RetryPolicy.none().start().next(serverError(), NO_DEADLINE)).isNull();
  }

  @Test
  void builder_namesTheSettingAtFault() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("RetryPolicy.maxAttempts must be >= 1, got 0");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("RetryPolicy.backoff needs 0 < initial <= max");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("RetryPolicy.backoff");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1)).hasMessageContaining("RetryPolicy.jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(Double.NaN)).hasMessageContaining("RetryPolicy.jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(-1)))
        .hasMessageContaining("RetryPolicy.maxRetryAfter");
    assertThat(RetryPolicy.ofDefaults()).hasToString(
        "RetryPolicy[maxAttempts=3, backoff=PT0.5S..PT8S, jitter=0.2, maxRetryAfter=PT30S]");
  }

  @Test
  void aFixedBackoff_waitsTheSameEachTime_andTheFirstWaitIsTheInitialOne() {
    RetryPolicy fixed = RetryPolicy.builder().maxAttempts(4).backoff(Duration.ofMillis(300), Duration.ofMillis(300))
        .jitter(0).build();
    RetryPolicy.Retries retries = fixed.start();
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(300));
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(300));
    assertThat(retries.next(serverError(), NO_DEADLINE)).isEqualTo(Duration.ofMillis(300));
    assertThat(retries.attempt()).isEqualTo(4);
    assertThat(retries.next(serverError(), NO_DEADLINE)).isNull();
  }

  @Test
  void backOff_doublesUntilTheCap_thenStaysThere() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(7).backoff(Duration.ofMillis(100), Duration.ofMillis(1000))
        .jitter(0).build();
    RetryPolicy.Retries retries = policy.start();
    List<Duration> waits = new ArrayList<>();
    Duration wait;
    while ((wait = retries.next(serverError(), NO_DEADLINE)) != null) {
      waits.add(wait);
    }
    assertThat(waits).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    assertThat(retries.attempt()).isEqualTo(7);
  }

  @Test
  void jitter_spreadsEachWait_withinItsFraction() {
    RetryPolicy jittered = RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
        .jitter(0.5).build();
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration wait = jittered.start().next(serverError(), NO_DEADLINE);
      assertThat(wait).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
      seen.add(wait);
    }
    assertThat(seen).as("200 jittered waits are not all the same").hasSizeGreaterThan(1);
  }

  @Test
  void jitter_neverPushesAWaitPastTheHintItWasRaisedTo() {
    RetryPolicy jittered = RetryPolicy.builder().backoff(Duration.ofMillis(100), Duration.ofMillis(100)).jitter(0.9)
        .build();
    for (int i = 0; i < 50; i++) {
      assertThat(jittered.start().next(rateLimited(Duration.ofSeconds(1)), NO_DEADLINE))
          .isEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void retryAfter_exactlyAtTheCap_isWaitedFor_andAZeroCapRefusesAnyHint() {
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(10)), NO_DEADLINE)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.start().next(rateLimited(Duration.ofSeconds(10).plusNanos(1)), NO_DEADLINE)).isNull();

    RetryPolicy noHints = RetryPolicy.builder().jitter(0).backoff(Duration.ofMillis(100), Duration.ofMillis(100))
        .maxRetryAfter(Duration.ZERO).build();
    assertThat(noHints.maxRetryAfter()).isEqualTo(Duration.ZERO);
    assertThat(noHints.start().next(rateLimited(Duration.ofMillis(1)), NO_DEADLINE)).isNull();
    assertThat(noHints.start().next(rateLimited(Duration.ZERO), NO_DEADLINE)).as("a zero hint asks for no wait")
        .isEqualTo(Duration.ofMillis(100));
    assertThat(noHints.start().next(serverError(), NO_DEADLINE)).as("no hint at all").isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aHintOverTheCap_orPastTheDeadline_doesNotUseUpAnAttempt() {
    RetryPolicy.Retries retries = policy.start();
    assertThat(retries.next(rateLimited(Duration.ofSeconds(11)), NO_DEADLINE)).isNull();
    assertThat(retries.attempt()).isEqualTo(1);

    RetryPolicy.Retries late = policy.start();
    assertThat(late.next(serverError(), Optional.of(Duration.ofMillis(100)))).isNull();
    assertThat(late.attempt()).isEqualTo(1);
  }

  @Test
  void theDeadline_cutsOffTheBackoffToo_notOnlyHints() {
    assertThat(policy.start().next(serverError(), Optional.of(Duration.ofMillis(99)))).isNull();
    assertThat(policy.start().next(serverError(), Optional.of(Duration.ofMillis(100)))).as("no time left after it")
        .isNull();
    assertThat(policy.start().next(serverError(), Optional.of(Duration.ofMillis(101))))
        .isEqualTo(Duration.ofMillis(100));
    assertThat(policy.start().next(serverError(), Optional.of(Duration.ZERO))).isNull();

    RetryPolicy.Retries retries = policy.start();
    assertThat(retries.next(serverError(), Optional.of(Duration.ofSeconds(1)))).isEqualTo(Duration.ofMillis(100));
    assertThat(retries.next(serverError(), Optional.of(Duration.ofMillis(150)))).as("the second wait is 200 ms")
        .isNull();
    assertThat(retries.attempt()).isEqualTo(2);
  }

  @Test
  void aFailureNotRetried_goesOutAtOnce_withoutUsingAnAttempt() {
    RetryPolicy.Retries retries = policy.start();
    assertThat(retries.next(new AuthenticationException("bad key", ErrorDetails.of("p", "m")), NO_DEADLINE)).isNull();
    assertThat(retries.attempt()).isEqualTo(1);
    assertThat(policy.retries(new AuthenticationException("bad key", ErrorDetails.of("p", "m")))).isFalse();
    assertThatThrownBy(() -> policy.start().next(null, NO_DEADLINE)).isInstanceOf(NullPointerException.class)
        .hasMessage("failure");
  }

  @Test
  void retryOn_overridesWhatTheFailureSaysOfItself() {
    RetryPolicy everything = RetryPolicy.builder().retryOn(e -> true).jitter(0)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).build();
    ChatException notRetryable = new AuthenticationException("bad key", ErrorDetails.of("p", "m"));
    assertThat(everything.retries(notRetryable)).isTrue();
    assertThat(everything.start().next(notRetryable, NO_DEADLINE)).isEqualTo(Duration.ofMillis(10));
    RetryPolicy nothing = RetryPolicy.builder().retryOn(e -> false).build();
    assertThat(nothing.retries(serverError())).isFalse();
    assertThat(nothing.start().next(serverError(), NO_DEADLINE)).isNull();
  }

  @Test
  void settings_areReadBack_andDefaultsAreDocumented() {
    RetryPolicy defaults = RetryPolicy.ofDefaults();
    assertThat(defaults.maxAttempts()).isEqualTo(3);
    assertThat(defaults.initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(defaults.maxBackoff()).isEqualTo(Duration.ofSeconds(8));
    assertThat(defaults.jitter()).isEqualTo(0.2);
    assertThat(defaults.maxRetryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    assertThat(policy).hasToString("RetryPolicy[maxAttempts=3, backoff=PT0.1S..PT0.4S, jitter=0.0, maxRetryAfter=PT10S]");
    RetryPolicy.Retries retries = defaults.start();
    Duration first = retries.next(serverError(), NO_DEADLINE);
    assertThat(first).isBetween(Duration.ofMillis(400), Duration.ofMillis(600));
  }

  @Test
  void builder_acceptsTheEdgesOfEachRange() {
    RetryPolicy edges = RetryPolicy.builder().maxAttempts(1).backoff(Duration.ofNanos(1), Duration.ofNanos(1))
        .jitter(0.999).maxRetryAfter(Duration.ZERO).build();
    assertThat(edges.maxAttempts()).isEqualTo(1);
    assertThat(edges.initialBackoff()).isEqualTo(Duration.ofNanos(1));
    assertThat(edges.jitter()).isEqualTo(0.999);
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(-0.01)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RetryPolicy.jitter must be within [0, 1), got -0.01");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RetryPolicy.backoff needs 0 < initial <= max, got PT-0.001S and PT1S");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(null, Duration.ofSeconds(1))).hasMessage("initial");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(1), null)).hasMessage("max");
    assertThatThrownBy(() -> RetryPolicy.builder().maxRetryAfter(null)).hasMessage("maxRetryAfter");
    assertThatThrownBy(() -> RetryPolicy.builder().retryOn(null)).hasMessage("retryOn");
  }

  private static ChatException serverError() {
    return new ServerException("boom", ErrorDetails.builder().provider("p").model("m").statusCode(500).retryable(true)
        .build());
  }

  private static ChatException rateLimited(Duration retryAfter) {
    return new RateLimitException("slow down", ErrorDetails.builder().provider("p").model("m").statusCode(429)
        .retryable(true).retryAfter(retryAfter).build());
  }

  @Test
  void onceItHasSaidNo_itKeepsSayingNo() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(2).jitter(0).build();
    RetryPolicy.Retries retries = policy.start();
    assertThat(retries.next(serverError(), Optional.empty())).isNotNull();
    assertThat(retries.next(serverError(), Optional.empty())).isNull();
    assertThat(retries.next(serverError(), Optional.empty())).isNull();
    assertThat(retries.attempt()).isEqualTo(2);

    RetryPolicy.Retries deadline = policy.start();
    assertThat(deadline.next(serverError(), Optional.of(Duration.ofMillis(1)))).isNull();
    assertThat(deadline.next(serverError(), Optional.empty())).as("a refusal is final").isNull();
  }
}
