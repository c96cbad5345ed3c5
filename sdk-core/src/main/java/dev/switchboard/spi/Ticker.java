package dev.switchboard.spi;

/**
 * A source of nanosecond time for measuring durations; tests inject a fake one so they never
 * sleep. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Ticker {
  long read();

  static Ticker system() {
    return System::nanoTime;
  }
}
