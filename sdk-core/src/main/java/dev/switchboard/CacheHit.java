package dev.switchboard;

import java.time.Instant;
import java.util.Objects;

/**
 * How a response came from a cache instead of a provider: which lookup found it ({@code "exact"}
 * or {@code "semantic"}), how similar the stored question was (1 for an exact hit), when the answer
 * was stored, and what it cost when it was made — the cost this hit saved. Immutable.
 */
public record CacheHit(String cache, double similarity, Instant storedAt, Cost saved) {
  public static final String EXACT = "exact";
  public static final String SEMANTIC = "semantic";

  public CacheHit {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(storedAt, "storedAt");
    Objects.requireNonNull(saved, "saved");
    if (!(similarity >= 0 && similarity <= 1)) {
      throw new IllegalArgumentException("similarity must be within [0, 1], got " + similarity);
    }
  }
}
