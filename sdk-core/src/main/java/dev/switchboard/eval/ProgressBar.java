package dev.switchboard.eval;

import dev.switchboard.spi.Ticker;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with an ETA, redrawn in place with a carriage return: when the whole
 * percentage changes, and otherwise at most every {@link #REDRAW_NANOS}, so that a long run writes
 * a few hundred short lines at most. The last drawing ends the line. Thread-safe.
 */
final class ProgressBar {
  static final long REDRAW_NANOS = 250_000_000L;
  private static final int WIDTH = 28;

  private final PrintStream out;
  private final Ticker ticker;
  private final int total;
  private final long start;
  private int done;
  private int failed;
  private int lastPercent = -1;
  private long lastDraw;
  private int lastLength;
  private boolean finished;

  ProgressBar(PrintStream out, Ticker ticker, int total) {
    this.out = out;
    this.ticker = ticker;
    this.total = total;
    this.start = ticker.read();
    draw(start);
  }

  synchronized void advance(boolean failure) {
    if (finished) {
      return;
    }
    done++;
    if (failure) {
      failed++;
    }
    long now = ticker.read();
    if (percent() != lastPercent || now - lastDraw >= REDRAW_NANOS) {
      draw(now);
    }
  }

  /** Draws the final state and ends the line. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    draw(ticker.read());
    out.print('\n');
    out.flush();
    finished = true;
  }

  private int percent() {
    return total == 0 ? 100 : (int) (100L * done / total);
  }

  private void draw(long now) {
    int percent = percent();
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    StringBuilder line = new StringBuilder("\reval [");
    line.append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
    line.append(String.format(Locale.ROOT, "%3d%% %,d/%,d", percent, done, total));
    if (failed > 0) {
      line.append(String.format(Locale.ROOT, ", %,d failed", failed));
    }
    long elapsed = now - start;
    if (done == total) {
      line.append("  done in ").append(duration(elapsed));
    } else if (done > 0) {
      line.append("  ETA ").append(duration((long) ((double) elapsed / done * (total - done))));
    } else {
      line.append("  ETA --");
    }
    int length = line.length();
    if (length < lastLength) {
      line.append(" ".repeat(lastLength - length)); // clear what the longer last line left
    }
    lastLength = length;
    out.print(line);
    out.flush();
    lastPercent = percent;
    lastDraw = now;
  }

  static String duration(long nanos) {
    long s = Math.max(0, Math.round(nanos / 1e9));
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + String.format(Locale.ROOT, "%02ds", s % 60);
    }
    return (s / 3600) + "h " + String.format(Locale.ROOT, "%02dm", (s % 3600) / 60);
  }
}
