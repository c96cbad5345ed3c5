package dev.switchboard.internal;

import dev.switchboard.Attempt;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The exchanges one call made so far, in the order they ended, as the provider step recorded them;
 * what a call that times out lists. Thread-safe.
 */
public final class AttemptLog {
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

  void add(Attempt attempt) {
    attempts.add(attempt);
  }

  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }
}
