package dev.switchboard.route;

import dev.switchboard.ErrorDetails;
import dev.switchboard.ModelNotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link ModelDirectory#of}: aliases (followed to their end) over a set of providers, else {@code
 * provider/model} split at the first {@code /}. Validated when built; immutable and thread-safe.
 */
final class AliasDirectory implements ModelDirectory {
  /** How many distinct {@code provider/model} strings a directory remembers as resolved. */
  private static final int MAX_REMEMBERED = 4096;

  private final Set<String> providers;
  private final Map<String, String> aliases;
  /** Every alias followed to its end, once, at build: resolving one costs a map lookup. */
  private final Map<String, ModelRef> aliasTargets;
  /** {@code provider/model} strings seen before, so a call does not split the string again. */
  private final Map<String, ModelRef> remembered = new java.util.concurrent.ConcurrentHashMap<>();

  AliasDirectory(Set<String> providers, Map<String, String> aliases) {
    this.providers = Set.copyOf(providers);
    this.aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    for (String alias : aliases.keySet()) {
      if (alias.isBlank() || alias.contains("/")) {
        throw new IllegalArgumentException("alias must be non-blank and contain no '/', got: '" + alias + "'");
      }
      if (providers.contains(alias)) {
        throw new IllegalArgumentException("alias '" + alias + "' has the same name as a provider");
      }
      resolveAlias(alias, true);
    }
    Map<String, ModelRef> targets = new java.util.HashMap<>();
    for (String alias : aliases.keySet()) {
      targets.put(alias, ModelRef.parseOrNull(resolveAlias(alias, false)));
    }
    this.aliasTargets = Map.copyOf(targets);
  }

  @Override
  public Set<String> providers() {
    return providers;
  }

  @Override
  public Map<String, String> aliases() {
    return aliases;
  }

  @Override
  public ModelRef resolve(String modelString) {
    ModelRef known = aliasTargets.get(modelString);
    if (known == null) {
      known = remembered.get(modelString);
    }
    if (known != null) {
      return known;
    }
    ModelRef ref = ModelRef.parseOrNull(modelString);
    if (ref != null && providers.contains(ref.provider())) {
      if (remembered.size() < MAX_REMEMBERED) {
        remembered.putIfAbsent(modelString, ref);
      }
      return ref;
    }
    throw notFound(modelString, modelString);
  }

  @Override
  public String toString() {
    return "ModelDirectory[providers=" + new TreeSet<>(providers) + ", aliases=" + aliases.keySet() + "]";
  }

  private String resolveAlias(String alias, boolean atBuild) {
    Set<String> seen = new HashSet<>();
    List<String> path = new ArrayList<>();
    String current = alias;
    while (aliases.containsKey(current)) {
      if (!seen.add(current)) {
        path.add(current);
        throw new IllegalArgumentException("alias cycle: " + String.join(" -> ", path));
      }
      path.add(current);
      current = aliases.get(current);
    }
    if (atBuild) {
      int slash = current.indexOf('/');
      if (slash <= 0 || slash == current.length() - 1 || !providers.contains(current.substring(0, slash))) {
        throw new IllegalArgumentException("alias '" + alias + "' resolves to '" + current
            + "', which is not \"provider/model\" for a registered provider; registered providers: "
            + new TreeSet<>(providers));
      }
    }
    return current;
  }

  private ModelNotFoundException notFound(String requested, String resolved) {
    List<String> known = new ArrayList<>();
    for (String p : new TreeSet<>(providers)) {
      known.add(p + "/<model>");
    }
    known.addAll(new TreeSet<>(aliases.keySet()));
    String suggestion = suggest(resolved);
    StringBuilder msg = new StringBuilder("unknown model '").append(requested).append('\'');
    if (!resolved.equals(requested)) {
      msg.append(" (alias for '").append(resolved).append("')");
    }
    int slash = resolved.indexOf('/');
    if (slash > 0 && providers.contains(resolved.substring(0, slash))) {
      msg.append(": no model after '").append(resolved, 0, slash + 1).append('\'');
    } else if (slash > 0) {
      msg.append(": no provider named '").append(resolved, 0, slash).append('\'');
    } else {
      msg.append(": not an alias, and not of the form \"provider/model\"");
    }
    if (suggestion != null) {
      msg.append(". Did you mean '").append(suggestion).append("'?");
    } else {
      msg.append('.');
    }
    msg.append(" Known: ").append(known.isEmpty() ? "nothing (register a provider)" : String.join(", ", known));
    return new ModelNotFoundException(msg.toString(), ErrorDetails.of("", requested), known, suggestion);
  }

  private String suggest(String name) {
    Map<String, String> candidates = new LinkedHashMap<>();
    for (String alias : aliases.keySet()) {
      candidates.put(alias, alias);
    }
    int slash = name.indexOf('/');
    String head = slash > 0 ? name.substring(0, slash) : name;
    // "provider/" names no model: suggest "provider/<model>", not the same string again.
    String tail = slash > 0 && slash < name.length() - 1 ? name.substring(slash) : "";
    for (String p : new TreeSet<>(providers)) { // sorted: ties go to the same name on every run
      candidates.put(p, p + (tail.isEmpty() ? "/<model>" : tail));
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Map.Entry<String, String> c : candidates.entrySet()) {
      String compareTo = aliases.containsKey(c.getKey()) ? name : head;
      int d = dev.switchboard.spi.Names.distance(compareTo.toLowerCase(), c.getKey().toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = c.getValue();
      }
    }
    int allowed = Math.max(2, head.length() / 3);
    return bestDistance <= allowed ? best : null;
  }
}
