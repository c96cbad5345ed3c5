package dev.switchboard.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A day of ranking traffic, made up but shaped like the story's: users ask a ranking service to
 * order documents for a query; most queries are short and easy, some are long, comparative and
 * multi-step; about 40% of requests repeat an earlier query with a typo, another word order or a
 * rephrasing. Every request knows the query it stands for (its {@code intent}) and how hard that is,
 * which the simulated models use to decide whether they answer well. Seeded: the same seed gives
 * the same day. Immutable.
 */
final class RankingTraffic {
  /** One request: its text, the query it stands for, how hard that is (0..1), and whether it repeats an earlier one. */
  record Request(String text, int intent, double difficulty, boolean nearDuplicate) {}

  private static final String[] TOPICS = {"java http client timeouts", "kubernetes pod autoscaling",
      "postgres index bloat", "redis cluster failover", "react state management", "python async io",
      "rust borrow checker errors", "terraform state locking", "kafka consumer lag", "jvm garbage collection",
      "grpc deadlines", "css grid layouts", "oauth refresh tokens", "docker layer caching", "spark shuffle spills",
      "elasticsearch relevance tuning", "graphql n+1 queries", "linux memory pressure", "nginx rate limiting",
      "s3 lifecycle rules", "vector database recall", "llm prompt caching", "feature flag rollouts",
      "mobile push notifications", "payment retries", "search autocomplete", "time zone bugs", "csv import errors",
      "load balancer health checks", "cdn cache invalidation", "sql window functions", "unit test flakiness",
      "api pagination", "websocket reconnects", "tls certificate renewal", "git merge conflicts",
      "dns propagation", "cron job overlaps", "log retention costs", "database connection pools"};
  private static final String[] EASY = {"how to fix %s", "%s best practices", "why %s happen", "%s explained",
      "troubleshoot %s", "%s checklist", "quick guide to %s", "%s common mistakes"};
  private static final String[] HARD = {
      "Compare three approaches to %s for a team of 40 engineers, step by step: first list the trade-offs, then "
          + "rank them by cost and risk, and explain which documents justify each ranking and why the others do not.",
      "We migrated last quarter and now see regressions in %s. Which of these documents explain the root cause, "
          + "and what is the difference between the two leading hypotheses? Walk through it step by step, then "
          + "estimate the impact in numbers.",
      "Given our constraints (p99 under 200 ms, 3 regions, 99.95%% availability), evaluate %s: compare the pros "
          + "and cons of each option in the documents, then first rank, then prove the ranking with evidence."};
  private static final String[] REPHRASE = {"%s?", "what about %s", "%s please", "help with %s", "%s - ranking"};

  private final List<Request> requests;
  private final int intents;

  private RankingTraffic(List<Request> requests, int intents) {
    this.requests = List.copyOf(requests);
    this.intents = intents;
  }

  /** {@code size} requests: a share {@code hard} of fresh queries are hard, {@code duplicates} repeat earlier ones. */
  static RankingTraffic day(int size, double hard, double duplicates, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Request> fresh = new ArrayList<>();
    java.util.Map<String, Request> seen = new java.util.HashMap<>();
    List<Request> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      if (!fresh.isEmpty() && r.nextDouble() < duplicates) {
        Request original = fresh.get(r.nextInt(fresh.size()));
        out.add(new Request(vary(original.text(), r), original.intent(), original.difficulty(), true));
        continue;
      }
      String topic = TOPICS[r.nextInt(TOPICS.length)];
      boolean isHard = r.nextDouble() < hard;
      String text = isHard ? String.format(Locale.ROOT, HARD[r.nextInt(HARD.length)], topic)
          : String.format(Locale.ROOT, EASY[r.nextInt(EASY.length)], topic);
      // a distinct query: the same template and topic asked again later is the same intent
      text = isHard ? text.replaceFirst("\\. |\\? ", " " + audience(r) + ". ") : text + " " + qualifier(r) + " " + audience(r);
      Request asked = seen.get(text);
      if (asked != null) { // the same words as an earlier query: the same query, asked again
        out.add(new Request(text, asked.intent(), asked.difficulty(), true));
        continue;
      }
      double difficulty = isHard ? 0.55 + 0.4 * r.nextDouble() : 0.05 + 0.3 * r.nextDouble();
      Request req = new Request(text, fresh.size(), difficulty, false);
      fresh.add(req);
      seen.put(text, req);
      out.add(req);
    }
    return new RankingTraffic(out, fresh.size());
  }

  private static String qualifier(SplittableRandom r) {
    String[] q = {"in production", "for beginners", "at scale", "on a budget", "in 2026", "with examples",
        "for startups", "in the cloud", "on premises", "for a small team", "under load", "after an upgrade"};
    return q[r.nextInt(q.length)];
  }

  private static String audience(SplittableRandom r) {
    String[] a = {"for the payments team", "for the search team", "for on-call engineers", "for new hires",
        "for the platform team", "for data engineers", "for mobile developers", "for site reliability",
        "for the security team", "for product managers"};
    return a[r.nextInt(a.length)];
  }

  /** A near-duplicate: a typo, swapped words, a rephrasing or just other casing. */
  private static String vary(String text, SplittableRandom r) {
    switch (r.nextInt(4)) {
      case 0: { // a typo: two neighbouring letters swapped in a longer word
        String[] words = text.split(" ");
        for (int tries = 0; tries < 5; tries++) {
          int w = r.nextInt(words.length);
          if (words[w].length() >= 5) {
            char[] c = words[w].toCharArray();
            int i = 1 + r.nextInt(c.length - 3);
            char t = c[i];
            c[i] = c[i + 1];
            c[i + 1] = t;
            words[w] = new String(c);
            break;
          }
        }
        return String.join(" ", words);
      }
      case 1: // casing and punctuation
        return text.toLowerCase(Locale.ROOT).replace(".", "").replace(",", "") + "?";
      case 2: { // a rephrasing wrapper around a short query
        return text.length() < 80 ? String.format(Locale.ROOT, REPHRASE[r.nextInt(REPHRASE.length)], text) : text + " ";
      }
      default: // a doubled space: the same question to a person, another string to an exact cache
        return text.replaceFirst(" ", "  ");
    }
  }

  List<Request> requests() {
    return requests;
  }

  int intents() {
    return intents;
  }

  long nearDuplicates() {
    return requests.stream().filter(Request::nearDuplicate).count();
  }
}
