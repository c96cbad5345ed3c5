package dev.switchboard.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Splits text into stream pieces that concatenate back to it exactly, never inside a surrogate pair. Stateless. */
public final class TextPieces {
  /** The size of an arguments piece when no piece count is given. */
  static final int NATURAL_ARGUMENT_PIECE = 6;

  private TextPieces() {}

  /** Text pieces: {@code pieces} of them when given, else word by word (each word with the space after it). */
  public static List<String> text(String text, OptionalInt pieces) {
    if (pieces.isPresent()) {
      return evenly(text, pieces.getAsInt());
    }
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      boolean space = Character.isWhitespace(cp);
      boolean nextIsWord = next < text.length() && !Character.isWhitespace(text.codePointAt(next));
      if (space && nextIsWord) {
        out.add(text.substring(start, next));
        start = next;
      }
      i = next;
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  /** Arguments pieces: {@code pieces} of them when given, else a few characters each. */
  public static List<String> arguments(String json, OptionalInt pieces) {
    if (pieces.isPresent()) {
      return evenly(json, pieces.getAsInt());
    }
    int count = json.codePointCount(0, json.length());
    return evenly(json, Math.max(1, (count + NATURAL_ARGUMENT_PIECE - 1) / NATURAL_ARGUMENT_PIECE));
  }

  /** {@code n} pieces of nearly equal length in code points; fewer if the text is shorter; none if empty. */
  public static List<String> evenly(String text, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("pieces must be >= 1, got " + n);
    }
    List<String> out = new ArrayList<>();
    int count = text.codePointCount(0, text.length());
    if (count == 0) {
      return out;
    }
    int parts = Math.min(n, count);
    int base = count / parts;
    int extra = count % parts;
    int offset = 0;
    for (int p = 0; p < parts; p++) {
      int size = base + (p < extra ? 1 : 0);
      int end = text.offsetByCodePoints(offset, size);
      out.add(text.substring(offset, end));
      offset = end;
    }
    return out;
  }
}
