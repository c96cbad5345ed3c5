package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleBiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The built-in {@link Scorer}s. Stateless or immutable, and thread-safe. */
final class Scorers {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
  private static final Pattern LIST_MARKER = Pattern.compile("^(?:\\d+[.)]|[-*•])\\s+");

  private Scorers() {}

  static String reference(Example example, String scorer) {
    return example.referenceText().orElseThrow(() -> new ScoringException("example '" + example.id()
        + "' has no reference; " + scorer + " compares with one"));
  }

  static JsonNode referenceJson(Example example, String scorer) {
    return example.reference().orElseThrow(() -> new ScoringException("example '" + example.id()
        + "' has no reference; " + scorer + " compares with one"));
  }

  static final class ExactMatch implements Scorer {
    static final ExactMatch INSTANCE = new ExactMatch();

    private ExactMatch() {}

    @Override
    public String toString() {
      return name();
    }

    @Override
    public double score(Example example, String answer) {
      return answer.strip().equals(reference(example, "exact match").strip()) ? 1 : 0;
    }

    @Override
    public String name() {
      return "exact";
    }

    @Override
    public boolean requiresReference() {
      return true;
    }
  }

  static final class NormalizedMatch implements Scorer {
    static final NormalizedMatch INSTANCE = new NormalizedMatch();

    private NormalizedMatch() {}

    @Override
    public String toString() {
      return name();
    }

    @Override
    public double score(Example example, String answer) {
      return normalize(answer).equals(normalize(reference(example, "normalized match"))) ? 1 : 0;
    }

    @Override
    public String name() {
      return "normalized";
    }

    @Override
    public boolean requiresReference() {
      return true;
    }
  }

  /** NFKC, lower case, punctuation dropped unless a '.' or ',' between digits, whitespace collapsed. */
  static String normalize(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
        continue;
      }
      boolean numberSeparator = (c == '.' || c == ',') && i > 0 && i + 1 < s.length()
          && Character.isDigit(s.charAt(i - 1)) && Character.isDigit(s.charAt(i + 1));
      if (!numberSeparator && isPunctuation(c)) {
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isPunctuation(char c) {
    return switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  static final class FixedRegex implements Scorer {
    private final Pattern pattern;

    FixedRegex(Pattern pattern) {
      this.pattern = pattern;
    }

    @Override
    public double score(Example example, String answer) {
      return pattern.matcher(answer).find() ? 1 : 0;
    }

    @Override
    public String name() {
      return "regex:" + pattern.pattern();
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static final class ReferenceRegex implements Scorer {
    static final ReferenceRegex INSTANCE = new ReferenceRegex();

    private ReferenceRegex() {}

    @Override
    public String toString() {
      return name();
    }

    @Override
    public double score(Example example, String answer) {
      String regex = reference(example, "regex");
      try {
        return Pattern.compile(regex).matcher(answer).find() ? 1 : 0;
      } catch (PatternSyntaxException e) {
        throw new ScoringException("example '" + example.id() + "': the reference is not a regular expression: "
            + e.getDescription() + " near index " + e.getIndex(), e);
      }
    }

    @Override
    public String name() {
      return "regex";
    }

    @Override
    public boolean requiresReference() {
      return true;
    }
  }

  static final class Numeric implements Scorer {
    private final double tolerance;

    Numeric(double tolerance) {
      if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
        throw new IllegalArgumentException("Scorer.numeric tolerance must be a finite number >= 0, got " + tolerance);
      }
      this.tolerance = tolerance;
    }

    @Override
    public double score(Example example, String answer) {
      JsonNode ref = referenceJson(example, "numeric");
      BigDecimal expected = ref.isNumber() ? ref.decimalValue() : ref.isTextual() ? lastNumber(ref.textValue()) : null;
      if (expected == null) {
        throw new ScoringException("example '" + example.id() + "': the reference " + ref + " holds no number");
      }
      BigDecimal got = lastNumber(answer);
      if (got == null) {
        return 0;
      }
      return got.subtract(expected).abs().compareTo(BigDecimal.valueOf(tolerance)) <= 0 ? 1 : 0;
    }

    @Override
    public String name() {
      return "numeric:" + BigDecimal.valueOf(tolerance).stripTrailingZeros().toPlainString();
    }

    @Override
    public boolean requiresReference() {
      return true;
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /** The last number written in {@code text}, or null when it has none. */
  static BigDecimal lastNumber(String text) {
    Matcher m = NUMBER.matcher(text);
    BigDecimal last = null;
    while (m.find()) {
      String s = m.group();
      if (s.isEmpty() || !s.chars().anyMatch(Character::isDigit)) {
        continue;
      }
      try {
        last = new BigDecimal(s.replace(",", "").replace("+", ""));
      } catch (NumberFormatException e) {
        // "1e" and the like: not a number after all
      }
    }
    return last;
  }

  static final class JsonFields implements Scorer {
    static final JsonFields INSTANCE = new JsonFields();

    private JsonFields() {}

    @Override
    public String toString() {
      return name();
    }

    @Override
    public double score(Example example, String answer) {
      JsonNode ref = referenceJson(example, "JSON field accuracy");
      if (!ref.isObject() || ref.isEmpty()) {
        throw new ScoringException("example '" + example.id() + "': JSON field accuracy needs a non-empty object as "
            + "the reference, got " + ref);
      }
      Map<String, JsonNode> expected = new LinkedHashMap<>();
      flatten("", ref, expected);
      JsonNode got = jsonIn(answer, '{', '}');
      if (got == null || !got.isObject()) {
        return 0;
      }
      int equal = 0;
      for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
        JsonNode value = at(got, e.getKey());
        if (value != null && same(value, e.getValue())) {
          equal++;
        }
      }
      return equal / (double) expected.size();
    }

    @Override
    public String name() {
      return "json-fields";
    }

    @Override
    public boolean requiresReference() {
      return true;
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
    if (node.isObject() && !node.isEmpty()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else {
      out.put(prefix, node);
    }
  }

  /** The value at a dotted path of {@code root}: a path built from the reference, matched field by field. */
  private static JsonNode at(JsonNode root, String path) {
    JsonNode exact = root.get(path);
    if (exact != null) {
      return exact;
    }
    int dot = path.indexOf('.');
    while (dot > 0) {
      JsonNode child = root.get(path.substring(0, dot));
      if (child != null && child.isObject()) {
        JsonNode found = at(child, path.substring(dot + 1));
        if (found != null) {
          return found;
        }
      }
      dot = path.indexOf('.', dot + 1);
    }
    return null;
  }

  /** Equal JSON, numbers by value and strings with their ends trimmed. */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isTextual() && b.isTextual()) {
      return a.textValue().strip().equals(b.textValue().strip());
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode other = b.get(e.getKey());
        if (other == null || !same(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * The JSON value {@code text} holds: all of it, or inside a Markdown code fence, or from the first
   * {@code open} to the last {@code close}; null when none parses.
   */
  static JsonNode jsonIn(String text, char open, char close) {
    String s = text.strip();
    if (s.startsWith("```")) {
      int firstLine = s.indexOf('\n');
      int end = s.lastIndexOf("```");
      if (firstLine > 0 && end > firstLine) {
        s = s.substring(firstLine + 1, end).strip();
      }
    }
    JsonNode whole = parse(s);
    if (whole != null && (whole.isObject() || whole.isArray())) {
      return whole;
    }
    int from = s.indexOf(open);
    int to = s.lastIndexOf(close);
    return from >= 0 && to > from ? parse(s.substring(from, to + 1)) : null;
  }

  private static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      return null;
    }
  }

  static final class Ndcg implements Scorer {
    private final int k;

    Ndcg(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("Scorer.ndcg needs k >= 1, got " + k);
      }
      this.k = k;
    }

    @Override
    public double score(Example example, String answer) {
      JsonNode ref = referenceJson(example, "NDCG");
      Map<String, Double> grades = grades(example.id(), ref);
      return ndcg(ranking(answer), grades, k, example.id());
    }

    @Override
    public String name() {
      return "ndcg@" + k;
    }

    @Override
    public boolean requiresReference() {
      return true;
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static Map<String, Double> grades(String id, JsonNode ref) {
    Map<String, Double> grades = new LinkedHashMap<>();
    if (ref.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = ref.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNumber() || e.getValue().doubleValue() < 0) {
          throw new ScoringException("example '" + id + "': the grade of '" + e.getKey() + "' must be a number >= 0, "
              + "got " + e.getValue());
        }
        grades.put(e.getKey(), e.getValue().doubleValue());
      }
    } else if (ref.isArray()) {
      for (JsonNode item : ref) {
        grades.put(item.isTextual() ? item.textValue() : item.toString(), 1.0);
      }
    } else {
      throw new ScoringException("example '" + id + "': NDCG needs graded relevance as the reference, an object "
          + "{\"id\": grade} or an array of relevant ids, got " + ref);
    }
    return grades;
  }

  /** The ids an answer ranks, best first, each once. */
  static List<String> ranking(String answer) {
    Set<String> ids = new LinkedHashSet<>();
    JsonNode array = jsonIn(answer, '[', ']');
    if (array != null && array.isArray()) {
      for (JsonNode item : array) {
        String id = item.isTextual() ? item.textValue().strip() : item.isValueNode() ? item.asText() : item.toString();
        if (!id.isEmpty()) {
          ids.add(id);
        }
      }
      return new ArrayList<>(ids);
    }
    for (String part : answer.split("[,\\n;]")) {
      String id = LIST_MARKER.matcher(part.strip()).replaceFirst("").strip();
      id = id.replaceAll("^[\"'`]+|[\"'`]+$", "").strip();
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return new ArrayList<>(ids);
  }

  /** NDCG@k with linear gain; a ranked id not graded counts 0. */
  static double ndcg(List<String> ranking, Map<String, Double> grades, int k, String id) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranking.size()); i++) {
      dcg += grades.getOrDefault(ranking.get(i), 0.0) / log2(i + 2);
    }
    List<Double> ideal = new ArrayList<>(grades.values());
    ideal.sort((a, b) -> Double.compare(b, a));
    double idcg = 0;
    for (int i = 0; i < Math.min(k, ideal.size()); i++) {
      idcg += ideal.get(i) / log2(i + 2);
    }
    if (idcg == 0) {
      throw new ScoringException("example '" + id + "': the reference grades no item above 0, so NDCG is undefined");
    }
    return dcg / idcg;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static final class Named implements Scorer {
    private final String name;
    private final ToDoubleBiFunction<Example, String> score;

    Named(String name, ToDoubleBiFunction<Example, String> score) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("Scorer.of needs a non-blank name");
      }
      this.name = name;
      this.score = Objects.requireNonNull(score, "score");
    }

    @Override
    public double score(Example example, String answer) {
      return score.applyAsDouble(example, answer);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return "Scorer[" + name + "]";
    }
  }
}
