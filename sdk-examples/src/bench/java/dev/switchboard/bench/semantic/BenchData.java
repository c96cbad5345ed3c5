package dev.switchboard.bench.semantic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the shared cache data sets (never copied into the project) and {@code key=value} arguments. */
final class BenchData {
  private BenchData() {}

  static Map<String, String> args(String[] args) {
    Map<String, String> map = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are key=value, got " + arg);
      }
      map.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return map;
  }

  /** The shared data directory: {@code ../../shared}, {@code ../shared}, then {@code /work/shared}. */
  static Path cacheData(String file) {
    for (String root : new String[] {"../../shared", "../shared", "/work/shared"}) {
      Path p = Path.of(root, "data", "cache", file);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalStateException("shared/data/cache/" + file + " not found beside the checkout");
  }

  record Pair(int id, String a, String b, boolean duplicate) {}

  static final class Qqp {
    final List<Pair> pairs;

    Qqp(List<Pair> pairs) {
      this.pairs = pairs;
    }

    /**
     * {@code n} questions to store and others to ask. Every 20th distinct QQP question (file order,
     * text_a then text_b) is held out to be asked; the other QQP questions are stored, then CLINC150's
     * queries (when present), then, to reach {@code n}, splices of two stored QQP questions (the first
     * half of one's words and the second half of the next one's).
     */
    void storedAndAsked(int n, List<String> stored, List<String> asked) throws IOException {
      Set<String> distinct = new LinkedHashSet<>();
      for (Pair p : pairs) {
        distinct.add(p.a());
        distinct.add(p.b());
      }
      Set<String> keep = new LinkedHashSet<>();
      int i = 0;
      for (String q : distinct) {
        if (i++ % 20 == 19) {
          asked.add(q);
        } else {
          keep.add(q);
        }
      }
      List<String> qqpStored = new ArrayList<>(keep);
      if (keep.size() < n) {
        keep.addAll(clinc());
      }
      for (int j = 0; keep.size() < n; j++) {
        String[] x = qqpStored.get(j % qqpStored.size()).split(" ");
        String[] y = qqpStored.get((j * 7 + 1) % qqpStored.size()).split(" ");
        keep.add(String.join(" ", java.util.Arrays.copyOfRange(x, 0, (x.length + 1) / 2)) + " "
            + String.join(" ", java.util.Arrays.copyOfRange(y, y.length / 2, y.length)));
      }
      for (String q : keep) {
        if (stored.size() == n) {
          break;
        }
        stored.add(q);
      }
    }

    private static List<String> clinc() throws IOException {
      Path file;
      try {
        file = cacheData("clinc150/data_full.json");
      } catch (IllegalStateException absent) {
        return List.of();
      }
      List<String> queries = new ArrayList<>();
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      for (Map.Entry<String, JsonNode> split : root.properties()) {
        split.getValue().forEach(item -> queries.add(item.get(0).asText()));
      }
      return queries;
    }
  }

  /**
   * Every distinct text of the QQP pairs (text_a then text_b, in file order) and then of GPTCache's
   * 999 (origin then similar): the order model vectors are cached in.
   */
  static List<String> allTexts(List<Pair> pairs, JsonNode rows) {
    java.util.LinkedHashSet<String> texts = new java.util.LinkedHashSet<>();
    for (Pair p : pairs) {
      texts.add(p.a());
      texts.add(p.b());
    }
    for (JsonNode row : rows) {
      texts.add(row.get("origin").asText());
      texts.add(row.get("similar").asText());
    }
    return new ArrayList<>(texts);
  }

  /** GPTCache's 999 origins, by index. */
  static String[] origins(JsonNode rows) {
    String[] origins = new String[rows.size()];
    for (int i = 0; i < origins.length; i++) {
      origins[i] = rows.get(i).get("origin").asText();
    }
    return origins;
  }

  static Qqp qqp(String path) throws IOException {
    Path file = path != null ? Path.of(path) : cacheData("gptcache_qqp/qqp_pairs_dev.jsonl");
    ObjectMapper mapper = new ObjectMapper();
    List<Pair> pairs = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          JsonNode n = mapper.readTree(line);
          pairs.add(new Pair(n.get("pair_id").asInt(), n.get("text_a").asText(), n.get("text_b").asText(),
              n.get("label").asInt() == 1));
        }
      }
    }
    return new Qqp(pairs);
  }
}
