package dev.switchboard.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data in text, for residency policies: e-mail addresses, phone numbers, IBANs
 * (mod-97 checked), payment card numbers (13–19 digits, Luhn checked) and national ids (US social
 * security numbers, UK national insurance numbers). Checksums keep numbers that merely look like
 * these (order ids, dates) from counting. Findings carry the kind and position, never the text, so
 * they can be logged. Immutable and thread-safe.
 */
public final class PersonalData {
  /** What was found and where (character offsets). */
  public record Finding(Kind kind, int start, int end) {}

  /** The kinds the built-in detectors know. */
  public enum Kind {
    EMAIL("an e-mail address"), PHONE("a phone number"), IBAN("an IBAN"), CARD_NUMBER("a card number"),
    NATIONAL_ID("a national id");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** In words, for messages: "a card number". */
    public String description() {
      return description;
    }
  }

  private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern CARD = Pattern.compile("(?<![\\d-])(?:\\d[ -]?){12,18}\\d(?![\\d-])");
  private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
  private static final Pattern SSN = Pattern.compile("\\b(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}\\b");
  private static final Pattern NINO = Pattern.compile(
      "\\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]\\b");
  // +country or a parenthesised area code: a phone number by its form
  private static final Pattern PHONE = Pattern.compile(
      "(?<![\\w+])(?:\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{2,4}){1,5}"
          + "|\\(\\d{2,4}\\)[ .-]?\\d{2,4}(?:[ .-]\\d{2,4}){1,3})(?![\\w-])");
  // digit groups alone are phone numbers only where the text says so: dates and versions look alike
  private static final Pattern PLAIN_PHONE = Pattern.compile(
      "(?<![\\w+.-])\\d{2,4}(?:[ .-]\\d{2,4}){2,4}(?![\\w.-])");
  private static final Pattern PHONE_CUE = Pattern.compile(
      "(?i)\\b(?:phone|tel|telephone|call|mobile|cell|fax|whatsapp|sms|text me|ring)\\b[^\\n]{0,16}$");

  private static final PersonalData ALL = new PersonalData(List.of(Kind.values()));

  private final List<Kind> kinds;

  private PersonalData(List<Kind> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  /** Every built-in detector. */
  public static PersonalData all() {
    return ALL;
  }

  /** Only {@code kinds}. */
  public static PersonalData of(Kind... kinds) {
    return new PersonalData(List.of(kinds));
  }

  /** Every finding in {@code text}, in order of position; a card number is not also reported as a phone number. */
  public List<Finding> find(String text) {
    Objects.requireNonNull(text, "text");
    List<Finding> found = new ArrayList<>();
    if (kinds.contains(Kind.EMAIL) && text.indexOf('@') >= 0) {
      add(found, EMAIL.matcher(text), Kind.EMAIL);
    }
    if (kinds.contains(Kind.CARD_NUMBER)) {
      Matcher m = CARD.matcher(text);
      while (m.find()) {
        if (luhn(m.group())) {
          found.add(new Finding(Kind.CARD_NUMBER, m.start(), m.end()));
        }
      }
    }
    if (kinds.contains(Kind.IBAN)) {
      Matcher m = IBAN.matcher(text);
      while (m.find()) {
        if (iban(m.group())) {
          found.add(new Finding(Kind.IBAN, m.start(), m.end()));
        }
      }
    }
    if (kinds.contains(Kind.NATIONAL_ID)) {
      add(found, SSN.matcher(text), Kind.NATIONAL_ID);
      add(found, NINO.matcher(text), Kind.NATIONAL_ID);
    }
    if (kinds.contains(Kind.PHONE)) {
      phones(text, PHONE.matcher(text), false, found);
      phones(text, PLAIN_PHONE.matcher(text), true, found);
    }
    found.sort((a, b) -> Integer.compare(a.start(), b.start()));
    return found;
  }

  /** Whether {@code text} holds any personal data these detectors know. */
  public boolean containsAny(String text) {
    return !find(text).isEmpty();
  }

  private static void phones(String text, Matcher m, boolean needsCue, List<Finding> found) {
    while (m.find()) {
      int digits = 0;
      for (int i = m.start(); i < m.end(); i++) {
        digits += Character.isDigit(text.charAt(i)) ? 1 : 0;
      }
      if (digits < 9 || digits > 15 || overlaps(found, m.start(), m.end())) {
        continue;
      }
      if (needsCue && !PHONE_CUE.matcher(text.substring(Math.max(0, m.start() - 40), m.start())).find()) {
        continue;
      }
      found.add(new Finding(Kind.PHONE, m.start(), m.end()));
    }
  }

  private static void add(List<Finding> found, Matcher m, Kind kind) {
    while (m.find()) {
      found.add(new Finding(kind, m.start(), m.end()));
    }
  }

  private static boolean overlaps(List<Finding> found, int start, int end) {
    for (Finding f : found) {
      if (start < f.end() && f.start() < end) {
        return true;
      }
    }
    return false;
  }

  static boolean luhn(String candidate) {
    int sum = 0;
    int digits = 0;
    boolean twice = false;
    for (int i = candidate.length() - 1; i >= 0; i--) {
      char c = candidate.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
      digits++;
    }
    char first = candidate.charAt(0);
    return digits >= 13 && digits <= 19 && sum % 10 == 0 && first >= '2' && first <= '6';
  }

  static boolean iban(String candidate) {
    String s = candidate.replace(" ", "");
    if (s.length() < 15 || s.length() > 34) {
      return false;
    }
    String rearranged = s.substring(4) + s.substring(0, 4);
    int mod = 0;
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
    }
    return mod == 1;
  }
}
