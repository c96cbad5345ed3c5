package dev.switchboard.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stand-in for real traffic, for tests that must run without the routing data:
 * prompts of eight kinds (chit-chat, facts, code, math, multi-step, comparison, a long document,
 * another script) with random names, numbers and filler, so scores rarely tie. Each prompt has a
 * hidden label, "hard", true for most code, math and multi-step prompts and a few others.
 */
public final class SyntheticPrompts {
  private static final String[] NAMES = {"Paris", "Lisbon", "Kyoto", "Nairobi", "Lima", "Oslo", "Quito", "Hanoi",
      "Austin", "Perth", "Cairo", "Tallinn"};
  private static final String[] THINGS = {"a linked list", "a binary heap", "an LRU cache", "a rate limiter",
      "a trie", "a JSON parser", "a thread pool", "a bloom filter"};
  private static final String[] FILLER = {"The committee met on Tuesday to review the budget.",
      "Several members raised concerns about the timeline.", "The report was delayed by two weeks.",
      "Attendance at the spring event was higher than expected.", "A new supplier was chosen for the catering.",
      "The board thanked the volunteers for their work.", "Parking near the venue remains limited."};

  /** One prompt and its hidden label. */
  public record Labelled(String prompt, boolean hard) {}

  private SyntheticPrompts() {}

  public static List<Labelled> generate(long seed, int count) {
    Random r = new Random(seed);
    List<Labelled> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int kind = r.nextInt(8);
      String name = NAMES[r.nextInt(NAMES.length)];
      String thing = THINGS[r.nextInt(THINGS.length)];
      int a = 2 + r.nextInt(97);
      int b = 2 + r.nextInt(97);
      String prompt = switch (kind) {
        case 0 -> pick(r, "hi", "thanks!", "hello there", "good morning", "ok cool") + " " + name.toLowerCase();
        case 1 -> "What is the population of " + name + "?" + filler(r, r.nextInt(2));
        case 2 -> "Write a Java class implementing " + thing + " with tests.\n```java\nclass Node { int value; "
            + "Node next; }\n```\n" + filler(r, r.nextInt(3)) + " Make it thread-safe and explain the complexity.";
        case 3 -> "Solve for x: " + a + "x + " + b + " = " + (a * 3 + b) + ". Then compute the integral of x^"
            + (a % 5 + 2) + " from 0 to " + b + " and prove the result is an integer." + filler(r, r.nextInt(2));
        case 4 -> "First, summarize the notes below. Then list the risks step by step:\n1. " + filler(r, 1)
            + "\n2. " + filler(r, 1) + "\n3. " + filler(r, 1 + r.nextInt(3));
        case 5 -> "Compare " + thing + " vs " + THINGS[(r.nextInt(THINGS.length))] + ": pros and cons, and the "
            + "difference between them in " + name + "'s context?" + filler(r, r.nextInt(2));
        case 6 -> filler(r, 6 + r.nextInt(40)) + "\nSummarize the text above in one sentence.";
        default -> pick(r, "Пожалуйста, объясните, как работает ", "请解释一下", "Veuillez expliquer ")
            + thing + " " + a + "?";
      };
      boolean usuallyHard = kind == 2 || kind == 3 || kind == 4;
      out.add(new Labelled(prompt, r.nextDouble() < (usuallyHard ? 0.85 : 0.1)));
    }
    return out;
  }

  private static String filler(Random r, int sentences) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sentences; i++) {
      sb.append(' ').append(FILLER[r.nextInt(FILLER.length)]);
    }
    return sb.toString();
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }
}
