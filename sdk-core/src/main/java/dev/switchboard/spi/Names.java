package dev.switchboard.spi;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The "did you mean" of error messages: the known name closest to a mistyped one. Stateless;
 * thread-safe.
 */
public final class Names {
  private Names() {}

  /** The name of {@code known} closest to {@code given}, ignoring case, if within {@code maxEdits}; ties go to the first. */
  public static Optional<String> closest(String given, Collection<String> known, int maxEdits) {
    String wanted = given.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = maxEdits + 1;
    for (String k : known) {
      int d = distance(wanted, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The Levenshtein distance: insertions, deletions and substitutions that turn {@code a} into {@code b}. */
  public static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
