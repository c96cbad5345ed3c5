package dev.switchboard.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitTest {

  @Test
  void unlimitedProviders_neverWait() {
    RateLimit limit = RateLimit.builder().limit("openai", 60, 0).build();
    assertThat(limit.limits("anthropic")).isFalse();
    for (int i = 0; i < 1000; i++) {
      assertThat(limit.reserve("anthropic", 1_000_000)).contains(Duration.ZERO);
    }
    assertThat(RateLimit.none().limits("openai")).isFalse();
    assertThat(RateLimit.none().reserve("openai", 5)).contains(Duration.ZERO);
  }

  @Test
  void requestsPerMinute_spaceReservations_andRefuseWaitsOverAMinute() {
    RateLimit limit = RateLimit.builder().limit("openai", 2, 0).build(); // one every 30 s
    assertThat(limit.limits("openai")).isTrue();
    Optional<Duration> first = limit.reserve("openai", 1);
    Optional<Duration> second = limit.reserve("openai", 1);
    Optional<Duration> third = limit.reserve("openai", 1);
    assertThat(first).contains(Duration.ZERO);
    assertThat(second.orElseThrow()).isGreaterThan(Duration.ofSeconds(29)).isLessThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(third.orElseThrow()).isGreaterThan(Duration.ofSeconds(59)).isLessThanOrEqualTo(RateLimit.MAX_WAIT);
    assertThat(limit.reserve("openai", 1)).isEmpty(); // would wait 90 s
  }

  @Test
  void tokensPerMinute_mayBeSpentInABurst_thenWaitForTheNextMinute() {
    RateLimit limit = RateLimit.builder().limit("openai", 0, 6_000).build();
    assertThat(limit.reserve("openai", 3_000)).contains(Duration.ZERO);
    assertThat(limit.reserve("openai", 3_000)).contains(Duration.ZERO);
    Duration wait = limit.reserve("openai", 100).orElseThrow();
    assertThat(wait).isPositive().isLessThanOrEqualTo(RateLimit.MAX_WAIT);
    assertThat(limit.reserve("openai", 6_000)).isEmpty(); // the next minute is spoken for: over a minute away
  }

  @Test
  void theLongerOfTheTwoWaitsWins() {
    RateLimit limit = RateLimit.builder().limit("openai", 2, 1_000_000).build();
    assertThat(limit.reserve("openai", 10)).contains(Duration.ZERO);
    assertThat(limit.reserve("openai", 10).orElseThrow()).isGreaterThan(Duration.ofSeconds(29));
  }

  @Test
  void invalidLimits_areRejected_namingTheProvider() {
    assertThatThrownBy(() -> RateLimit.builder().limit("openai", 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'openai'");
    assertThatThrownBy(() -> RateLimit.builder().limit("openai", -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimit.builder().limit("openai", 10, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RateLimit.builder().limit("openai", 0, 10).build().limits("openai")).isTrue();
  }
}
