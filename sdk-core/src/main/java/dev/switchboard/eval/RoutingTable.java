package dev.switchboard.eval;

import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.internal.Csv;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Prompts with the quality and the cost every model achieved on each, so a router's choices can be
 * scored without calling a model: the quality of a choice is the chosen model's, its cost the
 * chosen model's. A missing figure is {@code NaN}. Read a RouterBench file ({@link
 * #readRouterBench}) or an arena-style judge matrix ({@link #readArena}), or build one ({@link
 * #builder}). Immutable and thread-safe.
 */
public final class RoutingTable {

  /**
   * One prompt: its {@code id}, {@code text}, the {@code group} it belongs to (the benchmark it
   * came from) and the {@code split} ({@code "train"}, {@code "test"}, or "" when there is none).
   */
  public record Prompt(String id, String text, String group, String split) {
    public Prompt {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(split, "split");
    }
  }

  private final String name;
  private final List<String> models;
  private final Map<String, Integer> modelIndex;
  private final List<Prompt> prompts;
  private final double[][] quality;
  private final double[][] cost;

  private RoutingTable(String name, List<String> models, List<Prompt> prompts, double[][] quality, double[][] cost) {
    this.name = name;
    this.models = List.copyOf(models);
    this.modelIndex = new LinkedHashMap<>();
    for (int i = 0; i < models.size(); i++) {
      modelIndex.put(models.get(i), i);
    }
    this.prompts = List.copyOf(prompts);
    this.quality = quality;
    this.cost = cost;
  }

  /** A table named {@code name} over {@code models}, filled row by row. */
  public static Builder builder(String name, List<String> models) {
    return new Builder(name, models);
  }

  /**
   * RouterBench files as RouterDC split them (columns {@code split}, {@code sample_id}, {@code
   * eval_name}, {@code prompt}, then a 0/1 quality column and a {@code <model>|total_cost} column in
   * US dollars per model), concatenated. The prompt is a stringified Python list; its strings are
   * joined by a blank line. The models are those with a cost column, in the first file's order.
   */
  public static RoutingTable readRouterBench(String name, List<Path> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("readRouterBench needs at least one file");
    }
    List<String> models = new ArrayList<>();
    List<Csv> tables = new ArrayList<>();
    for (Path file : files) {
      Csv csv = read(file);
      for (String column : csv.header()) {
        if (column.endsWith("|total_cost")) {
          String model = column.substring(0, column.length() - "|total_cost".length());
          if (!models.contains(model)) {
            models.add(model);
          }
        }
      }
      tables.add(csv);
    }
    Builder b = builder(name, models);
    for (Csv csv : tables) {
      int split = csv.require("split");
      int id = csv.require("sample_id");
      int group = csv.require("eval_name");
      int prompt = csv.require("prompt");
      int[] q = new int[models.size()];
      int[] c = new int[models.size()];
      for (int m = 0; m < models.size(); m++) {
        q[m] = csv.column(models.get(m));
        c[m] = csv.column(models.get(m) + "|total_cost");
      }
      for (int r = 0; r < csv.size(); r++) {
        double[] quality = new double[models.size()];
        double[] cost = new double[models.size()];
        for (int m = 0; m < models.size(); m++) {
          quality[m] = number(csv, r, q[m]);
          cost[m] = number(csv, r, c[m]);
        }
        b.add(new Prompt(csv.get(r, id), pythonStrings(csv.get(r, prompt)), csv.get(r, group), csv.get(r, split)),
            quality, cost);
      }
    }
    return b.build();
  }

  /**
   * An arena-style judge matrix: {@code scores_matrix.csv} ({@code question_id}, {@code category},
   * {@code prompt}, then a score column per model) with the cost of each answer from {@code
   * answer_lengths_chars.csv} ({@code question_id}, {@code prompt_chars}, then the characters of
   * each model's answer) at {@code prices}: input tokens = prompt characters / 4, output tokens =
   * answer characters / 4, each rounded up. A model without a price has no cost ({@code NaN}).
   */
  public static RoutingTable readArena(String name, Path directory, Map<String, ModelPrice> prices)
      throws IOException {
    Csv scores = read(directory.resolve("scores_matrix.csv"));
    Csv lengths = read(directory.resolve("answer_lengths_chars.csv"));
    int id = scores.require("question_id");
    int group = scores.require("category");
    int prompt = scores.require("prompt");
    List<String> models = scores.header().subList(prompt + 1, scores.header().size());
    Map<String, Integer> lengthRow = new LinkedHashMap<>();
    int lengthId = lengths.require("question_id");
    for (int r = 0; r < lengths.size(); r++) {
      lengthRow.put(lengths.get(r, lengthId), r);
    }
    int promptChars = lengths.require("prompt_chars");
    Builder b = builder(name, models);
    for (int r = 0; r < scores.size(); r++) {
      double[] quality = new double[models.size()];
      double[] cost = new double[models.size()];
      Integer l = lengthRow.get(scores.get(r, id));
      for (int m = 0; m < models.size(); m++) {
        String model = models.get(m);
        quality[m] = number(scores, r, prompt + 1 + m);
        ModelPrice price = prices.get(model);
        int answer = lengths.column(model);
        double in = l == null ? Double.NaN : number(lengths, l, promptChars);
        double out = l == null || answer < 0 ? Double.NaN : number(lengths, l, answer);
        cost[m] = price == null || Double.isNaN(in) || Double.isNaN(out) ? Double.NaN
            : price.cost(Usage.of(tokens(in), tokens(out))).total().doubleValue();
      }
      b.add(new Prompt(scores.get(r, id), scores.get(r, prompt), scores.get(r, group), ""), quality, cost);
    }
    return b.build();
  }

  /**
   * The list prices (US dollars per million input / output tokens) {@code docs/routing.md} uses
   * for the arena models: OpenAI's for GPT-4 and GPT-3.5 as LiteLLM's public catalog lists them,
   * Together AI's for Mixtral-8x7B (as RouterBench priced it), Anyscale's for Llama-2-70B and
   * Mistral-7B, Google's for PaLM 2 chat-bison, and Anthropic's of November 2023 for Claude.
   * Vicuna, Starling, OpenChat and LLaMA-13B have no list price and no cost.
   */
  public static Map<String, ModelPrice> arenaPrices() {
    Map<String, ModelPrice> p = new LinkedHashMap<>();
    p.put("gpt-4-1106-preview", ModelPrice.of(10, 30));
    p.put("gpt-4-0314", ModelPrice.of(30, 60));
    p.put("gpt-3.5-turbo", ModelPrice.of(0.5, 1.5));
    p.put("gpt-3.5-turbo-1106", ModelPrice.of(1, 2));
    p.put("claude-2.1", ModelPrice.of(8, 24));
    p.put("claude-1", ModelPrice.of(8, 24));
    p.put("claude-instant-1", ModelPrice.of(0.8, 2.4));
    p.put("palm-2-chat-bison-001", ModelPrice.of(0.125, 0.125));
    p.put("mistralai/Mixtral-8x7B-Instruct-v0.1", ModelPrice.of(0.6, 0.6));
    p.put("Llama-2-70b-chat", ModelPrice.of(1, 1));
    p.put("mistralai/Mistral-7B-Instruct-v0.1", ModelPrice.of(0.15, 0.15));
    return Map.copyOf(p);
  }

  private static long tokens(double chars) {
    return (long) Math.ceil(chars / 4);
  }

  private static Csv read(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return Csv.read(in, file.toString());
    }
  }

  private static double number(Csv csv, int row, int column) throws IOException {
    if (column < 0) {
      return Double.NaN;
    }
    String v = csv.get(row, column).strip();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IOException(csv.source() + " row " + (row + 1) + ", column '" + csv.header().get(column) + "': '"
          + v + "' is not a number");
    }
  }

  /**
   * The strings of a Python list literal such as {@code ['a\nb', "c's"]}, joined by a blank line;
   * {@code literal} itself when it is not one.
   */
  static String pythonStrings(String literal) {
    String s = literal.strip();
    if (!s.startsWith("[") || !s.endsWith("]")) {
      return literal;
    }
    List<String> parts = new ArrayList<>();
    int i = 1;
    int end = s.length() - 1;
    while (i < end) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (i < end && s.charAt(i) != c) {
          char ch = s.charAt(i);
          if (ch == '\\' && i + 1 < end) {
            char e = s.charAt(++i);
            switch (e) {
              case 'n' -> sb.append('\n');
              case 't' -> sb.append('\t');
              case 'r' -> sb.append('\r');
              case 'x', 'u' -> {
                int digits = e == 'x' ? 2 : 4;
                int code = i + digits < end ? hex(s, i + 1, i + 1 + digits) : -1;
                if (code < 0) {
                  return literal;
                }
                sb.append((char) code);
                i += digits;
              }
              default -> sb.append(e);
            }
          } else {
            sb.append(ch);
          }
          i++;
        }
        if (i >= end) {
          return literal;
        }
        parts.add(sb.toString());
        i++;
      } else if (c == ',' || Character.isWhitespace(c)) {
        i++;
      } else {
        return literal;
      }
    }
    return String.join("\n\n", parts);
  }

  private static int hex(String s, int from, int to) {
    try {
      return Integer.parseInt(s.substring(from, to), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public String name() {
    return name;
  }

  public List<String> models() {
    return models;
  }

  public List<Prompt> prompts() {
    return prompts;
  }

  public int size() {
    return prompts.size();
  }

  /** The quality {@code model} achieved on row {@code row}, {@code NaN} when unknown. */
  public double quality(String model, int row) {
    return quality[index(model)][row];
  }

  /** What {@code model} cost on row {@code row}, {@code NaN} when unknown. */
  public double cost(String model, int row) {
    return cost[index(model)][row];
  }

  public boolean hasModel(String model) {
    return modelIndex.containsKey(model);
  }

  private int index(String model) {
    Integer i = modelIndex.get(model);
    if (i == null) {
      throw new IllegalArgumentException("table '" + name + "' has no model '" + model + "'; it has " + models);
    }
    return i;
  }

  /** The rows whose prompt passes {@code keep}, as a table named {@code name}. */
  public RoutingTable filter(String name, Predicate<Prompt> keep) {
    Builder b = builder(name, models);
    for (int r = 0; r < prompts.size(); r++) {
      if (keep.test(prompts.get(r))) {
        double[] q = new double[models.size()];
        double[] c = new double[models.size()];
        for (int m = 0; m < models.size(); m++) {
          q[m] = quality[m][r];
          c[m] = cost[m][r];
        }
        b.add(prompts.get(r), q, c);
      }
    }
    return b.build();
  }

  /** The rows of {@code split}, named {@code "<name> <split>"}. */
  public RoutingTable split(String split) {
    return filter(name + " " + split, p -> p.split().equals(split));
  }

  @Override
  public String toString() {
    return "RoutingTable[" + name + ", " + prompts.size() + " prompts, " + models.size() + " models]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<String> models;
    private final List<Prompt> prompts = new ArrayList<>();
    private final List<double[]> quality = new ArrayList<>();
    private final List<double[]> cost = new ArrayList<>();

    private Builder(String name, List<String> models) {
      this.name = Objects.requireNonNull(name, "name");
      this.models = List.copyOf(models);
      if (this.models.stream().distinct().count() != this.models.size()) {
        throw new IllegalArgumentException("RoutingTable models must be distinct, got " + models);
      }
    }

    /** Adds a row: {@code quality} and {@code cost} hold one figure per model, in order, {@code NaN} if unknown. */
    public Builder add(Prompt prompt, double[] quality, double[] cost) {
      if (quality.length != models.size() || cost.length != models.size()) {
        throw new IllegalArgumentException("row '" + prompt.id() + "' needs " + models.size() + " quality and cost "
            + "figures, got " + quality.length + " and " + cost.length);
      }
      prompts.add(Objects.requireNonNull(prompt, "prompt"));
      this.quality.add(quality.clone());
      this.cost.add(cost.clone());
      return this;
    }

    public RoutingTable build() {
      int rows = prompts.size();
      double[][] q = new double[models.size()][rows];
      double[][] c = new double[models.size()][rows];
      for (int r = 0; r < rows; r++) {
        for (int m = 0; m < models.size(); m++) {
          q[m][r] = quality.get(r)[m];
          c[m][r] = cost.get(r)[m];
        }
      }
      return new RoutingTable(name, models, prompts, q, c);
    }
  }
}
