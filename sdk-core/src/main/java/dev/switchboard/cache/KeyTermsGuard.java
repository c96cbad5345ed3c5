package dev.switchboard.cache;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** See {@link SemanticGuard#keyTerms()}. Immutable and thread-safe. */
final class KeyTermsGuard implements SemanticGuard {

  /** Tuning knobs, package-private: the defaults are the measured choice (docs/caching.md). */
  static final class Params {
    int typoMinLength = 4; // words this long may differ by one edit
    int typo2MinLength = 8; // words this long may differ by two edits
    int prefixMinLength = 5; // a stem this long may be a prefix of the other word's
    int maxUnmatched = 0; // content words present on one side only that are tolerated
    float unmatchedShare = 0.5f; // ... or this share of both sides' content words, if more
    boolean names = true; // a name on one side must be on the other
    boolean wh = true; // why / when / where / who must agree
  }

  private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
      Map.entry("zero", "0"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
      Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
      Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("eleven", "11"),
      Map.entry("twelve", "12"), Map.entry("twenty", "20"), Map.entry("thirty", "30"),
      Map.entry("forty", "40"), Map.entry("fifty", "50"), Map.entry("hundred", "100"),
      Map.entry("thousand", "1000"), Map.entry("million", "1000000"),
      Map.entry("billion", "1000000000"));

  private static final Set<String> NEGATIONS = Set.of(
      "not", "no", "never", "without", "none", "nothing", "nobody", "neither", "nor", "nowhere");

  private static final Set<String> WH = Set.of("why", "when", "where", "who", "whom", "whose");

  static final KeyTermsGuard DEFAULT = new KeyTermsGuard();

  private final Params p;

  KeyTermsGuard(Params params) {
    this.p = params;
  }

  KeyTermsGuard() {
    this(new Params());
  }

  @Override
  public String toString() {
    return "SemanticGuard.keyTerms()";
  }

  @Override
  public boolean allows(String asked, String stored) {
    return signals(asked, stored).allowed();
  }

  /**
   * What the rules see in a pair: each rule's verdict, and the content-word counts behind the last
   * one (also the inputs of {@link LearnedGuard}).
   */
  record Signals(boolean numbers, boolean negations, boolean wh, boolean names, int unmatched,
      int content, int budget) {
    /** True when no rule rejects the pair. */
    boolean allowed() {
      return !numbers && !negations && !wh && !names && unmatched <= budget;
    }
  }

  Signals signals(String asked, String stored) {
    Terms a = terms(asked);
    Terms b = terms(stored);
    boolean names = p.names && (unmatched(a.names, b.all) > 0 || unmatched(b.names, a.all) > 0);
    int unmatched = unmatched(a.content, b.all) + unmatched(b.content, a.all);
    int content = a.content.size() + b.content.size();
    int budget = Math.max(p.maxUnmatched, (int) (p.unmatchedShare * content));
    return new Signals(!a.numbers.equals(b.numbers), a.negations != b.negations, p.wh && !a.wh.equals(b.wh),
        names, unmatched, content, budget);
  }

  private int unmatched(List<String> words, List<String> others) {
    int n = 0;
    for (String w : words) {
      if (!matchedIn(w, others)) {
        n++;
      }
    }
    return n;
  }

  private boolean matchedIn(String w, List<String> others) {
    String ws = stem(w);
    for (String o : others) {
      if (o.equals(w) || stem(o).equals(ws)) {
        return true;
      }
      String os = stem(o);
      int shorter = Math.min(ws.length(), os.length());
      if (shorter >= p.prefixMinLength && (ws.startsWith(os) || os.startsWith(ws))) {
        return true;
      }
      int len = Math.min(w.length(), o.length());
      int edits = len >= p.typo2MinLength ? 2 : len >= p.typoMinLength ? 1 : 0;
      if (edits > 0 && Math.abs(w.length() - o.length()) <= edits && distance(w, o, edits) <= edits) {
        return true;
      }
    }
    return false;
  }

  /** A light suffix stripper: plurals, -ing, -ed, -ly. */
  static String stem(String w) {
    int n = w.length();
    if (n > 4 && w.endsWith("ies")) {
      return w.substring(0, n - 3) + "y";
    }
    if (n > 4 && (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("sses") || w.endsWith("xes"))) {
      return w.substring(0, n - 2);
    }
    if (n > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
      return w.substring(0, n - 1);
    }
    if (n > 5 && w.endsWith("ing")) {
      return w.substring(0, n - 3);
    }
    if (n > 4 && w.endsWith("ed")) {
      return w.substring(0, n - 2);
    }
    if (n > 4 && w.endsWith("ly")) {
      return w.substring(0, n - 2);
    }
    return w;
  }

  /** Optimal string alignment distance, or {@code max + 1} once it must exceed {@code max}. */
  static int distance(String a, String b, int max) {
    int n = a.length();
    int m = b.length();
    int[] prev2 = new int[m + 1];
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      int rowMin = i;
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int d = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d = Math.min(d, prev2[j - 2] + 1);
        }
        cur[j] = d;
        rowMin = Math.min(rowMin, d);
      }
      if (rowMin > max) {
        return max + 1;
      }
      int[] t = prev2;
      prev2 = prev;
      prev = cur;
      cur = t;
    }
    return prev[m];
  }

  private Terms terms(String text) {
    Terms t = new Terms();
    BitSet names = new BitSet();
    List<String> words = Words.of(text, names);
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (NEGATIONS.contains(w)) {
        t.negations++;
      } else if (NUMBER_WORDS.containsKey(w)) {
        t.numbers.add(NUMBER_WORDS.get(w));
      } else if (hasDigit(w)) {
        t.numbers.add(w);
      } else if (WH.contains(w)) {
        t.wh.add(w.startsWith("who") ? "who" : w);
      } else if (p.names && names.get(i) && !Words.isStop(w)) {
        t.names.add(w);
        t.all.add(w);
      } else if (!Words.isStop(w)) {
        t.content.add(w);
        t.all.add(w);
      }
    }
    t.numbers.sort(null);
    return t;
  }

  private static boolean hasDigit(String w) {
    for (int i = 0; i < w.length(); i++) {
      if (Character.isDigit(w.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static final class Terms {
    int negations;
    final List<String> numbers = new ArrayList<>();
    final List<String> content = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<String> all = new ArrayList<>();
    final Set<String> wh = new TreeSet<>();
  }
}
