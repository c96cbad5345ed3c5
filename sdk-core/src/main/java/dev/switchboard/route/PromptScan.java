package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import dev.switchboard.Message;
import dev.switchboard.Role;
import dev.switchboard.spi.TokenEstimates;
import java.util.List;

/**
 * One pass over a request for the complexity features: the heuristic's counts and, for a {@link
 * ComplexityModel}, the hashed words, word pairs and character 4-grams it weighs. Reads the last
 * user message, at most its first and last {@link #EDGE_CHARS} characters (instructions sit at the
 * start or the end; a pasted document in between adds length, which is counted from the whole
 * request). Allocates nothing but itself. Not thread-safe: one per request.
 */
final class PromptScan {
  static final int EDGE_CHARS = 512;

  static final int TOKENS = 0;
  static final int CODE = 1;
  static final int MATH = 2;
  static final int STEPS = 3;
  static final int COMPARISON = 4;
  static final int QUESTIONS = 5;
  static final int DEPTH = 6;
  static final int NON_LATIN = 7;
  static final List<String> FEATURES =
      List.of("tokens", "code", "math", "steps", "comparison", "questions", "depth", "nonLatin");

  /** What a {@link ComplexityModel} collects while the scan runs. */
  interface Sink {
    void unigram(long hash);

    void bigram(long hash);

    void gram(long hash);
  }

  private static final int KW_CODE = 1;
  private static final int KW_MATH = 2;
  private static final int KW_STEP = 4;
  private static final int KW_COMPARE = 8;
  /** A word some phrase ends with: "step by step", "difference between", "first ... then". */
  private static final int KW_PHRASE_END = 16;
  private static final KeywordTable KEYWORDS = keywords();
  private static final long H_STEP = hash("step");
  private static final long H_BY = hash("by");
  private static final long H_DIFFERENCE = hash("difference");
  private static final long H_DIFFERENCES = hash("differences");
  private static final long H_BETWEEN = hash("between");
  private static final long H_PROS = hash("pros");
  private static final long H_AND = hash("and");
  private static final long H_CONS = hash("cons");
  private static final long H_TRADE = hash("trade");
  private static final long H_OFF = hash("off");
  private static final long H_WALK = hash("walk");
  private static final long H_BREAK = hash("break");
  private static final long H_THROUGH = hash("through");
  private static final long H_DOWN = hash("down");
  private static final long H_FIRST = hash("first");
  private static final long H_THEN = hash("then");
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final Sink sink;

  private int turns;
  private long tokens;
  private boolean hasText;
  private int letters;
  private int nonLatin;
  private int numbers;
  private int mathOps;
  private int codeSymbols;
  private int fences;
  private int inlineCode;
  private int latex;
  private int questions;
  private int numberedLines;
  private int codeWords;
  private int mathWords;
  private int stepCues;
  private int compareCues;
  private boolean sawFirst;
  private boolean firstThen;

  // per segment
  private long word;
  private int wordLength;
  private boolean wordDigitsOnly;
  private long previous;
  private long beforePrevious;
  private long window;
  private int windowLength;
  private int backticks;
  private boolean lineStart;
  private int lineDigits;

  private PromptScan(Sink sink) {
    this.sink = sink;
  }

  /** The features of {@code request}, with {@code sink} (or {@code null}) fed on the way. */
  static PromptScan read(ChatRequest request, Sink sink) {
    PromptScan scan = new PromptScan(sink);
    List<Message> messages = request.messages();
    Message lastUser = null;
    int turns = 0;
    for (Message m : messages) {
      if (m.role() == Role.USER) {
        lastUser = m;
        turns++;
      } else if (m.role() == Role.ASSISTANT) {
        turns++;
      }
    }
    scan.turns = turns;
    scan.tokens = TokenEstimates.input(request);
    String text = lastUser == null ? "" : lastUser.text();
    scan.hasText = !text.isBlank();
    int length = text.length();
    if (length <= 2 * EDGE_CHARS) {
      scan.segment(text, 0, length);
    } else {
      scan.segment(text, 0, EDGE_CHARS);
      int from = length - EDGE_CHARS;
      while (from < length && isWordChar(text.charAt(from))) {
        from++;
      }
      scan.segment(text, from, length);
    }
    return scan;
  }

  boolean hasText() {
    return hasText;
  }

  /** Feature {@code index} in [0, 1], as {@link #FEATURES} names them. */
  double feature(int index) {
    return switch (index) {
      case TOKENS -> clamp(Math.log(tokens / 16.0) / Math.log(128));
      case CODE -> saturate(2.0 * fences + codeWords + 0.5 * inlineCode + codeSymbols / 6.0, 4);
      case MATH -> saturate(mathWords + 2.0 * latex + mathOps / 3.0 + numbers / 6.0, 4);
      case STEPS -> saturate(2.0 * stepCues + numberedLines / 2.0 + (firstThen ? 2 : 0), 3);
      case COMPARISON -> saturate(compareCues, 1.5);
      case QUESTIONS -> clamp((questions - 1) / 4.0);
      case DEPTH -> clamp((turns - 1) / 10.0);
      case NON_LATIN -> letters == 0 ? 0 : nonLatin / (double) letters;
      default -> throw new IllegalArgumentException("no feature " + index);
    };
  }

  private static double saturate(double x, double scale) {
    return 1 - Math.exp(-x / scale);
  }

  private static double clamp(double x) {
    return x <= 0 ? 0 : Math.min(1, x);
  }

  private void segment(String text, int from, int to) {
    word = FNV_OFFSET;
    wordLength = 0;
    wordDigitsOnly = true;
    previous = 0;
    beforePrevious = 0;
    window = 0;
    windowLength = 0;
    backticks = 0;
    lineStart = from == 0;
    lineDigits = 0;
    boolean grams = sink != null;
    int i = from;
    while (i < to) {
      char c = text.charAt(i);
      if (isAsciiLetter(c)) {
        // the common case, a run of ASCII letters, with the word's hash in a local
        if (backticks > 0) {
          backticksEnded();
        }
        int start = i;
        long h = word;
        do {
          char lower = (char) (c | 0x20);
          h = (h ^ lower) * FNV_PRIME;
          if (grams) {
            gram(lower);
          }
          if (++i == to) {
            break;
          }
          c = text.charAt(i);
        } while (isAsciiLetter(c));
        word = h;
        letters += i - start;
        wordLength += i - start;
        wordDigitsOnly = false;
        lineStart = false;
        continue;
      }
      if (c < 128) {
        if (c >= '0' && c <= '9') {
          if (lineStart) {
            lineDigits++;
          }
          addWordChar(c, true);
        } else if (c == '_') {
          lineStart = false;
          addWordChar(c, false);
        } else {
          endWord();
          symbol(c, i > from ? text.charAt(i - 1) : ' ');
        }
      } else if (Character.isLetterOrDigit(c)) {
        lineStart = false;
        if (Character.isLetter(c)) {
          letters++;
          if (c >= 0x250) {
            nonLatin++;
          }
        }
        addWordChar(Character.toLowerCase(c), Character.isDigit(c));
      } else {
        endWord();
        if (c >= 0x2200 && c <= 0x22FF || c == '×' || c == '÷') {
          mathOps++;
        }
        gram(' ');
      }
      i++;
    }
    endWord();
    if (backticks >= 3) {
      fences++;
    }
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private void addWordChar(char lower, boolean digit) {
    if (backticks > 0) {
      backticksEnded();
    }
    word = (word ^ lower) * FNV_PRIME;
    wordLength++;
    wordDigitsOnly &= digit;
    gram(digit ? '0' : lower);
  }

  private void gram(char c) {
    if (sink == null || (c == ' ' && (window & 0xFFFF) == ' ')) {
      return;
    }
    window = (window << 16) | c;
    if (++windowLength >= 4) {
      sink.gram(window);
    }
  }

  private void symbol(char c, char before) {
    gram(' ');
    if (c == '`') {
      backticks++;
      return;
    }
    if (backticks > 0) {
      backticksEnded();
    }
    switch (c) {
      case '\n' -> {
        lineStart = true;
        lineDigits = 0;
      }
      case ' ', '\t', '\r' -> { }
      case '.', ')' -> {
        if (lineStart && lineDigits > 0) {
          numberedLines++;
        }
        lineStart = false;
      }
      case '?' -> {
        if (before != '?') {
          questions++;
        }
        lineStart = false;
      }
      case '{', '}', ';', '[', ']', '<', '>' -> {
        codeSymbols++;
        lineStart = false;
      }
      case '=' -> {
        codeSymbols++;
        mathOps++;
        lineStart = false;
      }
      case '+', '*', '/', '^', '%' -> {
        mathOps++;
        lineStart = false;
      }
      case '$' -> {
        latex += before == '$' ? 0 : 1;
        lineStart = false;
      }
      case '\\' -> {
        latex++;
        lineStart = false;
      }
      default -> lineStart = false;
    }
  }

  private void backticksEnded() {
    if (backticks >= 3) {
      fences++;
    } else {
      inlineCode++;
    }
    backticks = 0;
  }

  private void endWord() {
    if (wordLength == 0) {
      return;
    }
    long h = word;
    if (wordDigitsOnly) {
      numbers++;
    } else {
      int kinds = KEYWORDS.get(h);
      if ((kinds & KW_PHRASE_END) != 0) {
        phrases(h);
      }
      if (kinds != 0) {
        if ((kinds & KW_CODE) != 0) {
          codeWords++;
        }
        if ((kinds & KW_MATH) != 0) {
          mathWords++;
        }
        if ((kinds & KW_STEP) != 0) {
          stepCues++;
        }
        if ((kinds & KW_COMPARE) != 0) {
          compareCues++;
        }
      }
    }
    if (sink != null) {
      sink.unigram(h);
      if (previous != 0) {
        sink.bigram(previous * FNV_PRIME + h);
      }
    }
    beforePrevious = previous;
    previous = h;
    word = FNV_OFFSET;
    wordLength = 0;
    wordDigitsOnly = true;
  }

  private void phrases(long h) {
    if (h == H_STEP && previous == H_BY && beforePrevious == H_STEP) {
      stepCues += 2;
    } else if (h == H_BETWEEN && (previous == H_DIFFERENCE || previous == H_DIFFERENCES)) {
      compareCues++;
    } else if (h == H_CONS && previous == H_AND && beforePrevious == H_PROS) {
      compareCues += 2;
    } else if (h == H_OFF && previous == H_TRADE) {
      compareCues++;
    } else if ((h == H_THROUGH && previous == H_WALK) || (h == H_DOWN && previous == H_BREAK)) {
      stepCues++;
    } else if (h == H_FIRST) {
      sawFirst = true;
    } else if (h == H_THEN && sawFirst) {
      firstThen = true;
    }
  }

  static boolean isWordChar(char c) {
    return c < 128 ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
        : Character.isLetterOrDigit(c);
  }

  /** The FNV-1a hash the scan gives {@code lowercaseWord}. */
  static long hash(String lowercaseWord) {
    long h = FNV_OFFSET;
    for (int i = 0; i < lowercaseWord.length(); i++) {
      h = (h ^ lowercaseWord.charAt(i)) * FNV_PRIME;
    }
    return h;
  }

  private static KeywordTable keywords() {
    KeywordTable t = new KeywordTable();
    t.add(KW_CODE, "def", "return", "import", "function", "func", "fn", "void", "const", "struct", "lambda", "async",
        "await", "println", "printf", "console", "namespace", "typedef", "elif", "null", "nullptr", "boolean", "bool",
        "int", "enum", "interface", "implements", "extends", "throws", "class", "sql", "python", "java",
        "javascript", "typescript", "rust", "golang", "kotlin", "html", "css", "regex", "json", "yaml", "api", "code",
        "script", "bug", "debug", "compile", "compiler", "exception", "algorithm", "recursion", "recursive", "array",
        "dict", "dataframe", "pandas", "numpy", "react", "docker", "kubernetes", "bash", "shell", "git", "query",
        "database", "endpoint", "repository", "refactor", "unittest", "pytest");
    t.add(KW_MATH, "prove", "proof", "theorem", "lemma", "equation", "equations", "integral", "derivative",
        "probability", "solve", "calculate", "compute", "matrix", "eigenvalue", "polynomial", "sqrt", "log", "sin",
        "cos", "tan", "sum", "limit", "geometry", "triangle", "algebra", "statistics", "variance", "expected",
        "optimize", "optimization", "percent", "percentage", "ratio", "factorial", "prime", "modulo", "vector",
        "calculus", "differential", "frac", "infinity", "integer", "integers", "divisible", "fraction");
    t.add(KW_STEP, "explain", "plan", "design", "analyze", "analyse", "analysis", "derive", "justify", "reasoning",
        "detailed", "elaborate", "outline", "strategy", "implement", "architecture", "evaluate", "steps",
        "afterwards", "finally");
    t.add(KW_PHRASE_END, "step", "between", "cons", "off", "through", "down", "first", "then");
    t.add(KW_COMPARE, "compare", "compared", "comparing", "comparison", "vs", "versus", "contrast", "differences",
        "tradeoff", "tradeoffs", "advantages", "disadvantages");
    return t;
  }

  /** Word hashes to keyword kinds: open addressing, 1,024 slots, no allocation on lookup. */
  private static final class KeywordTable {
    private static final int SLOTS = 1024;
    private final long[] keys = new long[SLOTS];
    private final int[] kinds = new int[SLOTS];

    void add(int kind, String... words) {
      for (String w : words) {
        long h = hash(w);
        int i = slot(h);
        while (kinds[i] != 0 && keys[i] != h) {
          i = (i + 1) & (SLOTS - 1);
        }
        keys[i] = h;
        kinds[i] |= kind;
      }
    }

    int get(long h) {
      int i = slot(h);
      while (kinds[i] != 0) {
        if (keys[i] == h) {
          return kinds[i];
        }
        i = (i + 1) & (SLOTS - 1);
      }
      return 0;
    }

    private static int slot(long h) {
      return (int) ((h ^ (h >>> 29)) & (SLOTS - 1));
    }
  }
}
