package dev.switchboard.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.eval.Dataset;
import dev.switchboard.eval.Example;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Simulated models for {@code switchboard eval --simulate}: an {@link OpenAiEmulator} on
 * 127.0.0.1, registered as provider {@code "sim"}, answering each example of the dataset by a
 * model profile (how often right, prices, latency, errors). Every figure is a deterministic
 * function of the model and the prompt (a 64-bit FNV-1a hash), so a rerun gives the same report,
 * latencies aside (they are real waits, and the machine adds its own). {@code sim/judge} grades
 * answers for {@code --scorer judge}: 5 when the answer matches the reference, else 2.
 *
 * <p>Thread-safe (the emulator answers on its own threads). {@link #close()} stops the emulator
 * and the provider.
 */
final class Simulation implements AutoCloseable {
  static final String PROVIDER = "sim";
  static final String JUDGE = PROVIDER + "/judge";
  private static final long STALL_TICK_MS = 100;

  /**
   * A simulated model: the share of examples it answers right (those whose difficulty, a hash of
   * the example's id, is below it), its price in dollars per million
   * input and output tokens, its latency (a base, a spread either side, one answer in 25 three
   * times slower), its time to first token when streamed, and the share of requests it fails with
   * a rate limit.
   */
  record Profile(String name, double accuracy, double inputPrice, double outputPrice, int latencyMs, int spreadMs,
      int firstTokenMs, double rateLimited) {
    String model() {
      return PROVIDER + "/" + name;
    }
  }

  /** premium: best and dear; balanced and small: cheaper and worse; legacy: dear and worse (dominated). */
  static final List<Profile> PROFILES = List.of(
      new Profile("premium", 0.96, 2.50, 10.00, 420, 160, 150, 0),
      new Profile("balanced", 0.86, 0.40, 1.60, 240, 100, 80, 0),
      new Profile("small", 0.70, 0.10, 0.40, 110, 50, 100, 0.05),
      new Profile("legacy", 0.78, 5.00, 15.00, 650, 250, 260, 0));

  private final Map<String, Profile> profiles = new LinkedHashMap<>();
  private final Map<String, Example> byPrompt = new HashMap<>();
  private final List<Example> examples;
  private final boolean ranking;
  private final OpenAiEmulator emulator;
  private final OpenAiProvider provider;

  private Simulation(Dataset dataset, boolean ranking) {
    PROFILES.forEach(p -> profiles.put(p.name(), p));
    this.examples = dataset.examples();
    for (Example e : examples) {
      byPrompt.putIfAbsent(e.prompt(), e);
    }
    this.ranking = ranking;
    List<String> names = new ArrayList<>(profiles.keySet());
    names.add("judge");
    this.emulator = OpenAiEmulator.start(names).keepRequests(false).respondWith(this::reply);
    this.provider = OpenAiProvider.builder().name(PROVIDER).baseUrl(emulator.baseUrl()).build();
  }

  /**
   * Starts the emulator for {@code dataset}; with {@code ranking}, a right answer is the reference's
   * ids by grade, best first, as a JSON array (for NDCG), else the reference's text.
   */
  static Simulation start(Dataset dataset, boolean ranking) {
    return new Simulation(dataset, ranking);
  }

  OpenAiProvider provider() {
    return provider;
  }

  /** Every simulated model's model string, the judge aside. */
  static List<String> models() {
    return PROFILES.stream().map(Profile::model).toList();
  }

  /** The bundled catalog with the simulated models' prices added. */
  static PriceCatalog prices() {
    PriceCatalog.Builder b = PriceCatalog.bundled().toBuilder();
    for (Profile p : PROFILES) {
      b.price(p.model(), ModelPrice.builder().input(p.inputPrice()).output(p.outputPrice()).source("simulated")
          .build());
    }
    return b.price(JUDGE, ModelPrice.builder().input(1.0).output(4.0).source("simulated").build()).build();
  }

  /** A model string of provider {@code sim} that no profile has, or null when all are known. */
  static String unknown(List<String> models) {
    for (String m : models) {
      if (m.startsWith(PROVIDER + "/") && !m.equals(JUDGE)
          && PROFILES.stream().noneMatch(p -> p.model().equals(m))) {
        return m;
      }
    }
    return null;
  }

  private Reply reply(RecordedRequest request) {
    String model = request.model().orElse("");
    String system = request.systemText().orElse("");
    if (model.equals("judge")) {
      return judge(request.lastUserText());
    }
    Profile p = profiles.get(model);
    Example example = byPrompt.get(request.lastUserText());
    if (p == null || example == null) {
      return Reply.error(p == null ? ErrorKind.MODEL_NOT_FOUND : ErrorKind.INVALID_REQUEST);
    }
    String key = p.name() + "\u0000" + example.id();
    if (unit(key + "\u0000error") < p.rateLimited()) {
      return Reply.error(ErrorKind.RATE_LIMIT);
    }
    // Hard examples are hard for every model: a model is right where the example's difficulty is
    // below its accuracy, so a stronger model is right wherever a weaker one is.
    boolean right = unit(example.id() + "\u0000difficulty") < p.accuracy();
    String text = right ? rightAnswer(example) : wrongAnswer(example, key);
    long inputTokens = tokens(system) + tokens(request.lastUserText()) + 7;
    long outputTokens = tokens(text) + 1;
    long latency = Math.round(p.latencyMs() + p.spreadMs() * (2 * unit(key + "\u0000latency") - 1));
    if (unit(key + "\u0000tail") < 0.04) {
      latency *= 3;
    }
    Reply.Builder reply = Reply.builder().text(text).usage(inputTokens, outputTokens);
    if (request.streamRequested()) {
      long first = Math.min(latency, Math.round(p.firstTokenMs() * (0.75 + 0.5 * unit(key + "\u0000first"))));
      // The emulator sends a stalled stream's first event one stall tick (100 ms) after its delay.
      reply.streamPieces(2).delay(Duration.ofMillis(Math.max(0, first - STALL_TICK_MS)))
          .stallAfterFirstEvent(Duration.ofMillis(Math.max(STALL_TICK_MS, latency - first)));
    } else {
      reply.delay(Duration.ofMillis(latency));
    }
    return reply.build();
  }

  private String rightAnswer(Example example) {
    JsonNode reference = example.reference().orElse(null);
    if (reference == null) {
      return "I do not know.";
    }
    if (ranking && reference.isObject()) {
      return ranked(reference, Order.IDEAL);
    }
    return reference.isTextual() ? reference.textValue() : reference.toString();
  }

  private String wrongAnswer(Example example, String key) {
    JsonNode reference = example.reference().orElse(null);
    if (ranking && reference != null && reference.isObject()) {
      return ranked(reference, unit(key + "\u0000order") < 0.5 ? Order.REVERSED : Order.TOP_TWO_SWAPPED);
    }
    if (examples.size() < 2) {
      return "I do not know.";
    }
    int at = examples.indexOf(example);
    return examples.get((at + 1 + (int) (unit(key + "\u0000other") * (examples.size() - 1))) % examples.size())
        .referenceText().orElse("I do not know.");
  }

  /** How a simulated ranking orders the graded ids. */
  private enum Order { IDEAL, TOP_TWO_SWAPPED, REVERSED }

  /** The graded ids in {@code order}: best first, best first with the top two swapped, or worst first. */
  private static String ranked(JsonNode grades, Order order) {
    List<Map.Entry<String, Double>> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = grades.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      entries.add(Map.entry(e.getKey(), e.getValue().asDouble()));
    }
    entries.sort(Comparator.comparing((Map.Entry<String, Double> e) -> -e.getValue()).thenComparing(Map.Entry::getKey));
    if (order == Order.REVERSED) {
      Collections.reverse(entries);
    } else if (order == Order.TOP_TWO_SWAPPED && entries.size() > 1) {
      entries.add(0, entries.remove(1));
    }
    ArrayNode ids = JsonNodeFactory.instance.arrayNode();
    entries.forEach(e -> ids.add(e.getKey()));
    return ids.toString();
  }

  /** Grades as {@code sim/judge}: 5 when the answer is the reference (normalized), else 2. */
  private static Reply judge(String user) {
    String reference = section(user, "REFERENCE ANSWER:\n", "\n\nANSWER TO GRADE:\n");
    String answer = section(user, "ANSWER TO GRADE:\n", null);
    boolean match = reference != null && answer != null && normalize(reference).equals(normalize(answer));
    String text = (match ? "The answer matches the reference." : "The answer does not match the reference.")
        + "\nSCORE: " + (match ? 5 : 2);
    return Reply.builder().text(text).usage(tokens(user) + 60, tokens(text)).delay(Duration.ofMillis(60)).build();
  }

  private static String section(String text, String start, String end) {
    int from = text.indexOf(start);
    if (from < 0) {
      return null;
    }
    from += start.length();
    int to = end == null ? text.length() : text.indexOf(end, from);
    return to < 0 ? null : text.substring(from, to);
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[\\p{P}\\s]+", " ").strip();
  }

  private static long tokens(String text) {
    return (text.length() + 3) / 4;
  }

  /** A number in [0, 1) from {@code key}: 64-bit FNV-1a of its UTF-8 bytes, top 53 bits. */
  static double unit(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }

  @Override
  public void close() {
    provider.close();
    emulator.close();
  }
}
