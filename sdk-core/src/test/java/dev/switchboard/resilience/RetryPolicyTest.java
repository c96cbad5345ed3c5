package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ErrorDetails;
import dev.switchboard.RateLimitException;
import dev.switchboard.ServerException;
import java.time.Duration;
import java.util.Optional;
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

  private static ChatException serverError() {
    return new ServerException("boom", ErrorDetails.builder().provider("p").model("m").statusCode(500).retryable(true)
        .build());
  }

  private static ChatException rateLimited(Duration retryAfter) {
    return new RateLimitException("slow down", ErrorDetails.builder().provider("p").model("m").statusCode(429)
        .retryable(true).retryAfter(retryAfter).build());
  }
}
