package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.cost.Budget;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.spi.ProviderSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Switchboard configuration, read from JSON and checked as a whole: providers by type,
 * aliases, routes (an ordered list of models: the primary, then fallbacks), the response cache,
 * budgets and price overrides. Every problem is reported at once, each naming its place ({@link
 * ConfigException}); a file with any problem is not used. Immutable and thread-safe.
 *
 * <pre>{@code
 * {
 *   "providers": {
 *     "deepseek": {"type": "deepseek", "apiKeyEnv": "DEEPSEEK_API_KEY"},
 *     "openai":   {"type": "openai", "apiKeyEnv": "OPENAI_API_KEY"}
 *   },
 *   "aliases": {"cheap": "deepseek/deepseek-v4-flash", "premium": "openai/gpt-4o"},
 *   "routes":  {"ranker": {"models": ["cheap", "premium"]}},
 *   "cache":   {"maximumSize": 10000, "ttl": "1h"},
 *   "budgets": [{"name": "org", "scope": "global", "period": "MONTH", "limit": 5000}],
 *   "prices":  {"openai/gpt-4o": {"input": 2.00, "output": 8.00}}
 * }
 * }</pre>
 */
public final class SwitchboardConfig {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.ALLOW_COMMENTS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final Set<String> SECTIONS = Set.of("providers", "aliases", "routes", "cache", "budgets", "prices");

  /** A provider to build: its name, its type (which factory builds it) and the rest of its settings. */
  public record ProviderSpec(String name, String type, ProviderSettings settings) {}

  /**
   * A route: the models a call to it tries, in order; or, when {@code tiered} is set, tiers of
   * models chosen per request by a complexity scorer.
   */
  public record Route(String name, List<String> models, Optional<dev.switchboard.route.TieredRouter> tiered) {
    public Route {
      models = List.copyOf(models);
    }
  }

  /** The response cache: size, TTL and, if set, the semantic threshold. */
  public record CacheSpec(long maximumSize, Duration ttl, Optional<Double> semanticThreshold) {}

  private final String json;
  private final Map<String, ProviderSpec> providers;
  private final Map<String, String> aliases;
  private final Map<String, Route> routes;
  private final Optional<CacheSpec> cache;
  private final List<Budget> budgets;
  private final Map<String, ModelPrice> prices;

  private SwitchboardConfig(String json, Map<String, ProviderSpec> providers, Map<String, String> aliases,
      Map<String, Route> routes, Optional<CacheSpec> cache, List<Budget> budgets, Map<String, ModelPrice> prices) {
    this.json = json;
    this.providers = java.util.Collections.unmodifiableMap(providers);
    this.aliases = java.util.Collections.unmodifiableMap(aliases);
    this.routes = java.util.Collections.unmodifiableMap(routes);
    this.cache = cache;
    this.budgets = List.copyOf(budgets);
    this.prices = java.util.Collections.unmodifiableMap(prices);
  }

  /**
   * Reads and checks {@code json}; {@code providerTypes} are the types the available factories
   * build. {@code source} names the file in messages.
   */
  public static SwitchboardConfig parse(String source, String json, Set<String> providerTypes) {
    Objects.requireNonNull(json, "json");
    List<String> problems = new ArrayList<>();
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(source, List.of("not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr() + ")")));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(source, List.of("expected a JSON object with sections " + new TreeSet<>(SECTIONS)));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String section = it.next();
      if (!SECTIONS.contains(section)) {
        problems.add(section + ": unknown section" + suggestion(section, SECTIONS) + "; known: "
            + new TreeSet<>(SECTIONS));
      }
    }
    Map<String, ProviderSpec> providers = providers(root.path("providers"), providerTypes, problems);
    Map<String, String> aliases = new LinkedHashMap<>();
    JsonNode a = root.path("aliases");
    if (!a.isMissingNode() && !a.isObject()) {
      problems.add("aliases: expected an object of alias to model string");
    }
    a.properties().forEach(e -> {
      if (!e.getValue().isTextual()) {
        problems.add("aliases." + e.getKey() + ": expected a model string, got " + e.getValue());
      } else {
        aliases.put(e.getKey(), e.getValue().asText());
      }
    });
    aliases.forEach((alias, target) -> {
      if (providers.containsKey(alias)) {
        problems.add("aliases." + alias + ": named like provider \"" + alias + "\"; give the alias another name");
      }
      checkModel("aliases." + alias, target, providers.keySet(), aliases, problems);
    });
    checkCycles(aliases, problems);
    Map<String, Route> routes = routes(root.path("routes"), providers.keySet(), aliases, problems);
    Optional<CacheSpec> cache = cache(root.path("cache"), problems);
    List<Budget> budgets = budgets(root.path("budgets"), problems);
    Map<String, ModelPrice> prices = prices(root.path("prices"), problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return new SwitchboardConfig(json, providers, aliases, routes, cache, budgets, prices);
  }

  private static Map<String, ProviderSpec> providers(JsonNode node, Set<String> types, List<String> problems) {
    Map<String, ProviderSpec> out = new LinkedHashMap<>();
    if (node.isMissingNode()) {
      problems.add("providers: missing; name at least one, e.g. {\"openai\": {\"type\": \"openai\", "
          + "\"apiKeyEnv\": \"OPENAI_API_KEY\"}}");
      return out;
    }
    if (!node.isObject() || node.isEmpty()) {
      problems.add("providers: expected an object of provider name to settings, with at least one");
      return out;
    }
    node.properties().forEach(e -> {
      String at = "providers." + e.getKey();
      JsonNode p = e.getValue();
      if (e.getKey().isEmpty() || e.getKey().contains("/")) {
        problems.add(at + ": a provider name must be non-empty and without '/'");
        return;
      }
      if (!p.isObject()) {
        problems.add(at + ": expected an object with a \"type\"");
        return;
      }
      String type = p.path("type").asText("");
      if (type.isEmpty()) {
        problems.add(at + ".type: missing; one of " + new TreeSet<>(types));
        return;
      }
      if (!types.contains(type)) {
        problems.add(at + ".type: unknown provider type \"" + type + "\"" + suggestion(type, types) + "; known: "
            + new TreeSet<>(types));
        return;
      }
      if (p.has("apiKey")) {
        problems.add(at + ".apiKey: keys do not belong in files; put the key in an environment variable and "
            + "name the variable in \"apiKeyEnv\"");
        return;
      }
      Map<String, Object> settings = new LinkedHashMap<>();
      p.properties().forEach(s -> {
        if (!s.getKey().equals("type")) {
          settings.put(s.getKey(), plain(s.getValue()));
        }
      });
      out.put(e.getKey(), new ProviderSpec(e.getKey(), type, new ProviderSettings(settings)));
    });
    return out;
  }

  private static Map<String, Route> routes(JsonNode node, Set<String> providers, Map<String, String> aliases,
      List<String> problems) {
    Map<String, Route> out = new LinkedHashMap<>();
    node.properties().forEach(e -> {
      String at = "routes." + e.getKey();
      if (providers.contains(e.getKey()) || aliases.containsKey(e.getKey())) {
        problems.add(at + ": named like " + (providers.contains(e.getKey()) ? "a provider" : "an alias")
            + "; give the route another name");
        return;
      }
      JsonNode r = e.getValue();
      if (r.has("tiers")) {
        tieredRoute(e.getKey(), at, r, providers, aliases, problems).ifPresent(route -> out.put(e.getKey(), route));
        return;
      }
      JsonNode models = r.path("models");
      if (!models.isArray() || models.isEmpty()) {
        problems.add(at + ".models: expected a non-empty list of model strings (the primary, then fallbacks), "
            + "or \"tiers\"");
        return;
      }
      List<String> list = new ArrayList<>();
      for (int i = 0; i < models.size(); i++) {
        String model = models.get(i).asText("");
        checkModel(at + ".models[" + i + "]", model, providers, aliases, problems);
        list.add(model);
      }
      r.properties().forEach(f -> {
        if (!f.getKey().equals("models")) {
          problems.add(at + "." + f.getKey() + ": unknown setting; a route has \"models\", or \"tiers\" with "
              + "\"default\" and \"minConfidence\"");
        }
      });
      out.put(e.getKey(), new Route(e.getKey(), list, Optional.empty()));
    });
    return out;
  }

  /**
   * {@code "tiers": [{"name": "simple", "minScore": 0, "model": "cheap", "fallbacks": [...]}, ...],
   * "default": "simple", "minConfidence": 0.5}}, scored by the heuristic complexity scorer.
   */
  private static Optional<Route> tieredRoute(String name, String at, JsonNode r, Set<String> providers,
      Map<String, String> aliases, List<String> problems) {
    JsonNode tiers = r.get("tiers");
    if (!tiers.isArray() || tiers.isEmpty()) {
      problems.add(at + ".tiers: expected a non-empty list of {\"name\", \"minScore\", \"model\"}");
      return Optional.empty();
    }
    int before = problems.size();
    dev.switchboard.route.TieredRouter.Builder b = dev.switchboard.route.TieredRouter.builder()
        .name("tiered " + name).scorer(dev.switchboard.route.ComplexityScorer.heuristic());
    for (int i = 0; i < tiers.size(); i++) {
      JsonNode t = tiers.get(i);
      String tierAt = at + ".tiers[" + i + "]";
      String model = t.path("model").asText("");
      checkModel(tierAt + ".model", model, providers, aliases, problems);
      List<String> fallbacks = new ArrayList<>();
      for (int j = 0; j < t.path("fallbacks").size(); j++) {
        String f = t.path("fallbacks").get(j).asText("");
        checkModel(tierAt + ".fallbacks[" + j + "]", f, providers, aliases, problems);
        fallbacks.add(f);
      }
      if (!t.path("minScore").isNumber()) {
        problems.add(tierAt + ".minScore: expected a number in [0, 1], the lowest score this tier takes");
        continue;
      }
      if (problems.size() == before) {
        try {
          b.tier(t.path("name").asText(""), t.get("minScore").asDouble(), model, fallbacks.toArray(String[]::new));
        } catch (IllegalArgumentException ex) {
          problems.add(tierAt + ": " + ex.getMessage());
        }
      }
    }
    b.defaultTier(r.path("default").asText(tiers.get(0).path("name").asText("")));
    if (r.has("minConfidence")) {
      b.minConfidence(r.get("minConfidence").asDouble());
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Route(name, List.of(), Optional.of(b.build())));
    } catch (IllegalStateException | IllegalArgumentException ex) {
      problems.add(at + ".tiers: " + ex.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<CacheSpec> cache(JsonNode node, List<String> problems) {
    if (node.isMissingNode()) {
      return Optional.empty();
    }
    long size = node.path("maximumSize").asLong(10_000);
    if (size < 1) {
      problems.add("cache.maximumSize: must be at least 1, got " + node.path("maximumSize"));
    }
    Duration ttl = Duration.ofHours(1);
    if (node.has("ttl")) {
      try {
        ttl = ProviderSettings.parseDuration("cache.ttl", node.get("ttl").asText());
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    Optional<Double> threshold = Optional.empty();
    JsonNode semantic = node.path("semantic");
    if (!semantic.isMissingNode()) {
      double t = semantic.path("threshold").asDouble(-1);
      if (!(t > 0 && t <= 1)) {
        problems.add("cache.semantic.threshold: a cosine similarity within (0, 1], e.g. 0.8; got "
            + semantic.path("threshold"));
      } else {
        threshold = Optional.of(t);
      }
    }
    return Optional.of(new CacheSpec(size, ttl, threshold));
  }

  private static List<Budget> budgets(JsonNode node, List<String> problems) {
    List<Budget> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode b = node.get(i);
      String at = "budgets[" + i + "]";
      try {
        Budget.Builder builder = Budget.builder(b.path("name").asText(""));
        String scope = b.path("scope").asText("");
        if (scope.equals("global")) {
          builder.global();
        } else if (scope.equals("tenant")) {
          builder.perTenant();
        } else if (scope.equals("user")) {
          builder.perUser();
        } else if (scope.equals("route")) {
          builder.perRoute();
        } else if (scope.startsWith("label:") && scope.length() > 6) {
          builder.perLabel(scope.substring(6));
        } else {
          throw new IllegalArgumentException("scope: one of global, tenant, user, route or label:<key>; got \""
              + scope + "\"");
        }
        String period = b.path("period").asText("");
        try {
          builder.period(Budget.Period.valueOf(period.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("period: one of HOUR, DAY, WEEK, MONTH or TOTAL; got \"" + period + "\"");
        }
        if (b.has("limit")) {
          builder.limit(b.get("limit").decimalValue());
        }
        b.path("limits").properties().forEach(l -> builder.limit(l.getKey(), l.getValue().asDouble()));
        out.add(builder.build());
      } catch (IllegalArgumentException | IllegalStateException e) {
        problems.add(at + "." + e.getMessage().replaceFirst("^budget '[^']*': ", ""));
      }
    }
    return out;
  }

  private static Map<String, ModelPrice> prices(JsonNode node, List<String> problems) {
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    node.properties().forEach(e -> {
      String at = "prices." + e.getKey();
      JsonNode p = e.getValue();
      if (!p.path("input").isNumber() || !p.path("output").isNumber()) {
        problems.add(at + ": needs \"input\" and \"output\" in dollars per million tokens, e.g. 2.50");
        return;
      }
      try {
        ModelPrice.Builder b = ModelPrice.builder().input(p.get("input").decimalValue())
            .output(p.get("output").decimalValue()).source("configuration");
        if (p.has("cachedInput")) {
          b.cachedInput(p.get("cachedInput").asDouble());
        }
        out.put(e.getKey(), b.build());
      } catch (IllegalArgumentException ex) {
        problems.add(at + ": " + ex.getMessage());
      }
    });
    return out;
  }

  private static void checkModel(String at, String model, Set<String> providers, Map<String, String> aliases,
      List<String> problems) {
    if (model.isEmpty()) {
      problems.add(at + ": empty model string");
      return;
    }
    int slash = model.indexOf('/');
    if (slash > 0 && slash < model.length() - 1) {
      String provider = model.substring(0, slash);
      if (!providers.contains(provider)) {
        problems.add(at + ": unknown provider \"" + provider + "\"" + suggestion(provider, providers));
      }
      return;
    }
    if (!aliases.containsKey(model)) {
      Set<String> known = new TreeSet<>(aliases.keySet());
      problems.add(at + ": \"" + model + "\" is neither \"provider/model\" nor an alias" + suggestion(model, known)
          + (known.isEmpty() ? "" : "; aliases: " + known));
    }
  }

  private static void checkCycles(Map<String, String> aliases, List<String> problems) {
    for (String start : aliases.keySet()) {
      List<String> path = new ArrayList<>(List.of(start));
      String next = aliases.get(start);
      while (aliases.containsKey(next)) {
        if (path.contains(next)) {
          if (next.equals(start)) {
            problems.add("aliases." + start + ": a cycle: " + String.join(" -> ", path) + " -> " + next);
          }
          break;
        }
        path.add(next);
        next = aliases.get(next);
      }
    }
  }

  /** {@code — did you mean "x"?} for the closest of {@code known} within two edits, else nothing. */
  static String suggestion(String given, java.util.Collection<String> known) {
    return dev.switchboard.spi.Names.closest(given, known, 2).map(best -> " \u2014 did you mean \"" + best + "\"?")
        .orElse("");
  }

  private static Object plain(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.decimalValue();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>();
      v.forEach(x -> list.add(plain(x)));
      return list;
    }
    if (v.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      v.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    return null;
  }

  public Map<String, ProviderSpec> providers() {
    return providers;
  }

  public Map<String, String> aliases() {
    return aliases;
  }

  public Map<String, Route> routes() {
    return routes;
  }

  public Optional<CacheSpec> cache() {
    return cache;
  }

  public List<Budget> budgets() {
    return budgets;
  }

  /** The bundled prices with this file's on top. */
  public PriceCatalog prices() {
    PriceCatalog.Builder b = PriceCatalog.bundled().toBuilder();
    prices.forEach(b::price);
    return b.build();
  }

  /** The fixed sections that differ from {@code other}'s. */
  List<String> changedFixedParts(SwitchboardConfig other) {
    List<String> changed = new ArrayList<>();
    try {
      JsonNode a = MAPPER.readTree(json);
      JsonNode b = MAPPER.readTree(other.json);
      for (String section : List.of("providers", "cache", "budgets", "prices")) {
        if (!a.path(section).equals(b.path(section))) {
          changed.add(section);
        }
      }
    } catch (IOException e) {
      changed.add("(unreadable)");
    }
    return changed;
  }

  @Override
  public String toString() {
    return "SwitchboardConfig[providers " + providers.keySet() + ", aliases " + aliases.size() + ", routes "
        + routes.keySet() + ", cache " + cache.isPresent() + ", budgets " + budgets.size() + "]";
  }
}
