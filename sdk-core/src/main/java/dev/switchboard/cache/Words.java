package dev.switchboard.cache;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one normalization that {@link LexicalEmbedder} and the key-terms guard share: accents folded,
 * lower case, contractions expanded ("don't" → "do not", "can't" and "cannot" → "can not", "it's" →
 * "it"), every other character that is not a letter or a digit a word break. Stateless.
 */
final class Words {
  private Words() {}

  /** Function words and the words nearly every question has; they carry little of its meaning. */
  private static final Set<String> STOP = Set.of(
      "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with",
      "from", "about", "as", "into", "than", "then", "so", "is", "are", "was", "were", "be", "been",
      "being", "am", "do", "does", "did", "doing", "done", "have", "has", "had", "having", "can",
      "could", "will", "would", "shall", "should", "may", "might", "must", "i", "me", "my", "mine",
      "myself", "you", "your", "yours", "yourself", "he", "him", "his", "she", "her", "hers", "it",
      "its", "we", "us", "our", "they", "them", "their", "this", "that", "these", "those", "there",
      "here", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whats", "any",
      "some", "all", "each", "every", "both", "either", "also", "just", "only", "very", "really",
      "too", "more", "most", "much", "many", "such", "own", "same", "other", "another", "s", "t",
      "ever", "out", "up", "off", "again", "while", "get", "got", "getting", "one", "ones", "someone",
      "anyone", "anything", "something", "please", "quora");

  static boolean isStop(String word) {
    return STOP.contains(word);
  }

  /** The normalized words of {@code text}, in order. */
  static List<String> of(String text) {
    return of(text, null);
  }

  /**
   * The normalized words of {@code text}, in order; when {@code names} is not null, also marks the
   * words that look like names as typed (a capital not at the start of a sentence, two capitals, or
   * letters and digits together: "Python", "iOS", "GPT4"), by their index in the result.
   */
  static List<String> of(String text, BitSet names) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder(16);
    int n = text.length();
    boolean sentenceStart = true;
    int capitals = 0;
    boolean firstCapital = false;
    boolean wordStartsSentence = true;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? text.charAt(i) : ' ';
      if (Character.isLetterOrDigit(c)) {
        if (word.length() == 0) {
          wordStartsSentence = sentenceStart;
          firstCapital = Character.isUpperCase(c);
          capitals = 0;
        }
        if (Character.isUpperCase(c)) {
          capitals++;
        }
        word.append(c);
        sentenceStart = false;
      } else if (isApostrophe(c) && word.length() > 0 && i + 1 < n
          && Character.isLetter(text.charAt(i + 1))) {
        word.append('\'');
      } else {
        if (word.length() > 0) {
          int before = words.size();
          add(fold(word.toString()), words);
          if (names != null && words.size() > before && word.length() > 1
              && ((firstCapital && !wordStartsSentence) || capitals >= 2 || lettersAndDigits(word))) {
            names.set(before);
          }
          word.setLength(0);
        }
        if (c == '.' || c == '?' || c == '!' || c == ':' || c == ';' || c == '"' || c == '(') {
          sentenceStart = true;
        }
      }
    }
    return words;
  }

  private static boolean lettersAndDigits(CharSequence w) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < w.length(); i++) {
      letter |= Character.isLetter(w.charAt(i));
      digit |= Character.isDigit(w.charAt(i));
    }
    return letter && digit;
  }

  /** The normalized words of {@code text} joined by single spaces. */
  static String normalize(String text) {
    return String.join(" ", of(text));
  }

  private static void add(String word, List<String> words) {
    int apostrophe = word.indexOf('\'');
    if (apostrophe < 0) {
      if (word.equals("cannot")) {
        words.add("can");
        words.add("not");
      } else {
        words.add(word);
      }
      return;
    }
    if (word.endsWith("n't")) {
      String stem = word.substring(0, word.length() - 3);
      switch (stem) {
        case "ca": stem = "can"; break;
        case "wo": stem = "will"; break;
        case "sha": stem = "shall"; break;
        case "ai": stem = "is"; break;
        default: break;
      }
      addPlain(stem, words);
      words.add("not");
      return;
    }
    String tail = word.substring(apostrophe + 1);
    switch (tail) {
      case "s": case "re": case "ve": case "ll": case "d": case "m": case "t":
        addPlain(word.substring(0, apostrophe), words);
        return;
      default:
        addPlain(word.replace("'", ""), words);
    }
  }

  private static void addPlain(String word, List<String> words) {
    String plain = word.replace("'", "");
    if (!plain.isEmpty()) {
      words.add(plain);
    }
  }

  private static boolean isApostrophe(char c) {
    return c == '\'' || c == '\u2019' || c == '\u2018' || c == '`';
  }

  private static String fold(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0x7f) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(decomposed.length());
        for (int j = 0; j < decomposed.length(); j++) {
          char c = decomposed.charAt(j);
          if (Character.getType(c) != Character.NON_SPACING_MARK) {
            out.append(c);
          }
        }
        return out.toString().toLowerCase(Locale.ROOT);
      }
    }
    return text.toLowerCase(Locale.ROOT);
  }
}
