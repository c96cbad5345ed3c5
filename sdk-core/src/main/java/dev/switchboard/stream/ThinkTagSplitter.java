package dev.switchboard.stream;

import java.util.function.Consumer;

/**
 * Splits reasoning that a model writes inside its content, {@code <think>…</think>} at the start of
 * the answer (DeepSeek-R1 on hosts without a reasoning parser, Qwen3 on vLLM or SGLang without
 * one, some Ollama models), from the answer itself. Feed it the content as it arrives, in pieces of
 * any size: a tag split over two pieces is still recognized, and text that might be the start of a
 * tag is held back until the next piece or {@link #finish()} decides. Content that does not open
 * with {@code <think>} (after optional whitespace) passes through unchanged; blank lines right after
 * {@code </think>} are dropped. An unclosed {@code <think>} leaves everything after it as reasoning.
 *
 * <p>Not thread-safe: one per answer, fed by one thread.
 */
public final class ThinkTagSplitter {
  private static final String OPEN = "<think>";
  private static final String CLOSE = "</think>";

  private enum State { START, THINKING, AFTER_CLOSE, ANSWER }

  private final Consumer<String> reasoning;
  private final Consumer<String> answer;
  private final StringBuilder held = new StringBuilder();
  private State state = State.START;

  /** Reasoning goes to {@code reasoning}, the rest of the content to {@code answer}; never empty strings. */
  public ThinkTagSplitter(Consumer<String> reasoning, Consumer<String> answer) {
    this.reasoning = reasoning;
    this.answer = answer;
  }

  /** Splits the whole of {@code content} at once: {reasoning, answer}, each possibly empty. */
  public static String[] split(String content) {
    StringBuilder r = new StringBuilder();
    StringBuilder a = new StringBuilder();
    ThinkTagSplitter s = new ThinkTagSplitter(r::append, a::append);
    s.feed(content);
    s.finish();
    return new String[] {r.toString(), a.toString()};
  }

  /** The next piece of content. */
  public void feed(String piece) {
    if (held.length() == 0) { // the usual case, without a copy: answer text, or reasoning with no tag in sight
      if (state == State.ANSWER) {
        emit(answer, piece);
        return;
      }
      if (state == State.THINKING && piece.indexOf('<') < 0) {
        emit(reasoning, piece);
        return;
      }
    }
    held.append(piece);
    boolean progress = true;
    while (progress && held.length() > 0) {
      progress = step(false);
    }
  }

  /** The content ended: what is held back is released as what it turned out to be. */
  public void finish() {
    while (held.length() > 0 && step(true)) {
      // each step consumes
    }
    if (held.length() > 0) {
      emit(state == State.THINKING ? reasoning : answer, held.toString());
      held.setLength(0);
    }
  }

  /** One step on the held text; false when it must wait for more. */
  private boolean step(boolean atEnd) {
    switch (state) {
      case START: {
        int first = firstNonWhitespace();
        if (first < 0) {
          return false; // only whitespace so far
        }
        String rest = held.substring(first);
        if (rest.startsWith(OPEN)) {
          held.delete(0, first + OPEN.length());
          state = State.THINKING;
          return true;
        }
        if (!atEnd && OPEN.startsWith(rest)) {
          return false; // "<thi": wait
        }
        state = State.ANSWER;
        return true;
      }
      case THINKING: {
        int close = held.indexOf(CLOSE);
        if (close >= 0) {
          emit(reasoning, held.substring(0, close));
          held.delete(0, close + CLOSE.length());
          state = State.AFTER_CLOSE;
          return true;
        }
        int keep = atEnd ? 0 : partialSuffix(CLOSE);
        emit(reasoning, held.substring(0, held.length() - keep));
        held.delete(0, held.length() - keep);
        return false;
      }
      case AFTER_CLOSE: {
        int first = firstNonWhitespace();
        if (first < 0) {
          held.setLength(0);
          return false;
        }
        held.delete(0, first);
        state = State.ANSWER;
        return true;
      }
      default: {
        emit(answer, held.toString());
        held.setLength(0);
        return false;
      }
    }
  }

  private int firstNonWhitespace() {
    for (int i = 0; i < held.length(); i++) {
      if (!Character.isWhitespace(held.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** How many chars at the end of what is held could begin {@code tag}. */
  private int partialSuffix(String tag) {
    int max = Math.min(tag.length() - 1, held.length());
    for (int n = max; n > 0; n--) {
      if (tag.startsWith(held.substring(held.length() - n))) {
        return n;
      }
    }
    return 0;
  }

  private static void emit(Consumer<String> to, String text) {
    if (!text.isEmpty()) {
      to.accept(text);
    }
  }
}
