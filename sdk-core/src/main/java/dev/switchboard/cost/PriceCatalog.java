package dev.switchboard.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Prices by model string: {@code "provider/model"} (e.g. {@code "openai/gpt-4o"}) or a bare model
 * name. {@link #bundled()} is the catalog that ships with Switchboard (each row with its source page
 * and the day it was read); {@link #toBuilder()} adds or overrides prices (negotiated rates, your
 * own GPUs); {@link #fromLiteLlm} reads LiteLLM's {@code model_prices_and_context_window.json}.
 * Immutable and thread-safe.
 *
 * <p>{@link #price(String)} tries the string as given, then without a trailing release date ({@code
 * claude-3-haiku-20240307} → {@code claude-3-haiku}), then its model part alone; a bare model name
 * also finds {@code "provider/name"} when only one provider's price is filed under that name.
 */
public final class PriceCatalog {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$");
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static volatile PriceCatalog bundled;

  private final Map<String, ModelPrice> prices;
  private final Map<String, ModelPrice> byModelName; // "gpt-4o" for "openai/gpt-4o", when only one provider has it

  private PriceCatalog(Map<String, ModelPrice> prices) {
    this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    Map<String, ModelPrice> names = new LinkedHashMap<>();
    Map<String, Boolean> ambiguous = new LinkedHashMap<>();
    prices.forEach((key, price) -> {
      int slash = key.indexOf('/');
      if (slash > 0 && slash < key.length() - 1) {
        String name = key.substring(slash + 1);
        if (names.putIfAbsent(name, price) != null && !names.get(name).equals(price)) {
          ambiguous.put(name, true);
        }
      }
    });
    ambiguous.keySet().forEach(names::remove);
    this.byModelName = names;
  }

  /** An empty catalog. */
  public static PriceCatalog empty() {
    return new PriceCatalog(Map.of());
  }

  /** The catalog bundled with Switchboard ({@code dev/switchboard/cost/prices.json}). */
  public static PriceCatalog bundled() {
    PriceCatalog c = bundled;
    if (c == null) {
      try (InputStream in = PriceCatalog.class.getResourceAsStream("prices.json")) {
        if (in == null) {
          throw new IllegalStateException("the bundled price catalog dev/switchboard/cost/prices.json is missing");
        }
        c = fromBundledFormat(MAPPER.readTree(in));
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the bundled price catalog", e);
      }
      bundled = c;
    }
    return c;
  }

  /**
   * Reads LiteLLM's catalog ({@code model_prices_and_context_window.json}): prices per token
   * ({@code input_cost_per_token}, {@code output_cost_per_token}, {@code
   * cache_read_input_token_cost}, {@code cache_creation_input_token_cost}, {@code
   * output_cost_per_reasoning_token}), {@code max_input_tokens}, {@code max_output_tokens}. Each
   * entry is filed under its key and, when the key has no {@code '/'}, also under {@code
   * litellm_provider/key}. Unknown fields are ignored; entries without both token prices (image,
   * audio or search models, {@code sample_spec}) are skipped.
   */
  public static PriceCatalog fromLiteLlm(InputStream json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a LiteLLM price catalog: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a LiteLLM price catalog: the top level is not a JSON object");
    }
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isObject() || !v.path("input_cost_per_token").isNumber() || !v.path("output_cost_per_token").isNumber()) {
        continue;
      }
      ModelPrice.Builder b = ModelPrice.builder()
          .input(perMillion(v.get("input_cost_per_token")))
          .output(perMillion(v.get("output_cost_per_token")))
          .source("LiteLLM model_prices_and_context_window.json: " + e.getKey());
      if (v.path("cache_read_input_token_cost").isNumber()) {
        b.cachedInput(perMillion(v.get("cache_read_input_token_cost")).doubleValue());
      }
      if (v.path("cache_creation_input_token_cost").isNumber()
          && v.get("cache_creation_input_token_cost").doubleValue() > 0) {
        b.cacheWriteInput(perMillion(v.get("cache_creation_input_token_cost")).doubleValue());
      }
      if (v.path("output_cost_per_reasoning_token").isNumber()) {
        b.reasoning(perMillion(v.get("output_cost_per_reasoning_token")).doubleValue());
      }
      if (v.path("max_input_tokens").canConvertToInt()) {
        b.contextWindow(Math.max(0, v.get("max_input_tokens").intValue()));
      }
      if (v.path("max_output_tokens").canConvertToInt()) {
        b.maxOutput(Math.max(0, v.get("max_output_tokens").intValue()));
      }
      ModelPrice price;
      try {
        price = b.build();
      } catch (IllegalArgumentException negative) {
        continue;
      }
      prices.put(e.getKey(), price);
      String provider = v.path("litellm_provider").asText("");
      if (!provider.isEmpty() && e.getKey().indexOf('/') < 0) {
        prices.putIfAbsent(provider + "/" + e.getKey(), price);
      }
    }
    return new PriceCatalog(prices);
  }

  private static BigDecimal perMillion(JsonNode perToken) {
    return perToken.decimalValue().multiply(MILLION).stripTrailingZeros();
  }

  /**
   * Reads prices in the bundled catalog's format, e.g. negotiated rates from a config file:
   *
   * <pre>{@code
   * {"models": [
   *   {"model": "openai/gpt-4o", "input": 2.00, "cachedInput": 1.00, "output": 8.00,
   *    "contextWindow": 128000, "maxOutput": 16384, "source": "contract 2026-11", "asOf": "2026-11-01"}
   * ]}
   * }</pre>
   *
   * Dollars per million tokens; {@code model}, {@code input} and {@code output} are required, the
   * rest optional ({@code cacheWriteInput}, {@code reasoning} too). A row that breaks these rules
   * fails with {@link IllegalArgumentException} naming its place and field ({@code
   * models[2].output}). Combine with {@code bundled().toBuilder().putAll(...)}.
   */
  public static PriceCatalog fromJson(InputStream json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a price catalog: " + e.getMessage(), e);
    }
    if (root == null || !root.path("models").isArray()) {
      throw new IllegalArgumentException("not a price catalog: expected {\"models\": [ ... ]} at the top level");
    }
    return fromBundledFormat(root);
  }

  private static PriceCatalog fromBundledFormat(JsonNode root) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    int index = 0;
    for (JsonNode row : root.path("models")) {
      String at = "models[" + index++ + "]";
      String model = row.path("model").asText("");
      if (model.isEmpty()) {
        throw new IllegalArgumentException(at + ".model: missing; give the model string, e.g. \"openai/gpt-4o\"");
      }
      ModelPrice.Builder b = ModelPrice.builder()
          .input(number(row, "input", at, model).decimalValue())
          .output(number(row, "output", at, model).decimalValue())
          .source(row.path("source").asText(null));
      if (row.has("asOf")) {
        try {
          b.asOf(LocalDate.parse(row.get("asOf").asText()));
        } catch (java.time.format.DateTimeParseException e) {
          throw new IllegalArgumentException(at + ".asOf ('" + model + "'): not a date like 2026-12-06: "
              + row.get("asOf").asText(), e);
        }
      }
      if (row.has("cachedInput")) {
        b.cachedInput(number(row, "cachedInput", at, model).doubleValue());
      }
      if (row.has("cacheWriteInput")) {
        b.cacheWriteInput(number(row, "cacheWriteInput", at, model).doubleValue());
      }
      if (row.has("reasoning")) {
        b.reasoning(number(row, "reasoning", at, model).doubleValue());
      }
      if (row.has("contextWindow")) {
        b.contextWindow(number(row, "contextWindow", at, model).intValue());
      }
      if (row.has("maxOutput")) {
        b.maxOutput(number(row, "maxOutput", at, model).intValue());
      }
      try {
        prices.put(model, b.build());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + " ('" + model + "'): " + e.getMessage(), e);
      }
    }
    return new PriceCatalog(prices);
  }

  private static JsonNode number(JsonNode row, String field, String at, String model) {
    JsonNode v = row.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(at + "." + field + " ('" + model + "'): " + (v == null ? "missing" : "not a "
          + "number: " + v) + "; dollars per million tokens, e.g. 2.50");
    }
    return v;
  }

  /** The price of {@code modelString}, if the catalog knows it (see the class doc for the lookup). */
  public Optional<ModelPrice> price(String modelString) {
    Objects.requireNonNull(modelString, "modelString");
    ModelPrice p = prices.get(modelString);
    if (p != null) {
      return Optional.of(p);
    }
    String undated = DATE_SUFFIX.matcher(modelString).replaceFirst("");
    if (!undated.equals(modelString) && prices.containsKey(undated)) {
      return Optional.of(prices.get(undated));
    }
    int slash = modelString.indexOf('/');
    if (slash > 0 && slash < modelString.length() - 1) {
      return price(modelString.substring(slash + 1));
    }
    if (slash < 0) {
      ModelPrice byName = byModelName.get(undated);
      if (byName != null) {
        return Optional.of(byName);
      }
    }
    return Optional.empty();
  }

  /** Every model string with its price, in the catalog's order. */
  public Map<String, ModelPrice> prices() {
    return prices;
  }

  public int size() {
    return prices.size();
  }

  public Builder toBuilder() {
    return new Builder(prices);
  }

  @Override
  public String toString() {
    return "PriceCatalog[" + prices.size() + " models]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final Map<String, ModelPrice> prices;

    private Builder(Map<String, ModelPrice> prices) {
      this.prices = new LinkedHashMap<>(prices);
    }

    /** Adds or replaces the price of {@code modelString}, e.g. a negotiated rate. */
    public Builder price(String modelString, ModelPrice price) {
      prices.put(Objects.requireNonNull(modelString, "modelString"), Objects.requireNonNull(price, "price"));
      return this;
    }

    /** Adds every price of {@code other}, replacing what this catalog has for the same strings. */
    public Builder putAll(PriceCatalog other) {
      prices.putAll(other.prices);
      return this;
    }

    public PriceCatalog build() {
      return new PriceCatalog(prices);
    }
  }
}
