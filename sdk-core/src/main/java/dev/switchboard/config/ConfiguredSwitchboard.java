package dev.switchboard.config;

import dev.switchboard.Switchboard;
import dev.switchboard.cache.ResponseCache;
import dev.switchboard.cost.Budgets;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.route.Candidates;
import dev.switchboard.route.ModelDirectory;
import dev.switchboard.route.Router;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.ProviderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A {@link Switchboard} built from a configuration file, that takes a new version of the file
 * while it runs: aliases and routes are swapped at once ({@link #reload()}), so moving a workload
 * to another model is editing one string; calls already running finish on the version they
 * started with. Providers, cache, budgets and prices are fixed at start: a file that changes them
 * is refused on reload, naming the sections, and the running version stays.
 *
 * <p>The chain is: the routes (a route's first model, with the rest as candidates), budgets,
 * cache, fallback over the candidates. Providers come from {@link ProviderFactory}s found with
 * {@link ServiceLoader} (the providers module brings them). Thread-safe.
 *
 * <pre>{@code
 * try (ConfiguredSwitchboard configured = ConfiguredSwitchboard.load(Path.of("switchboard.json"))) {
 *   Switchboard llm = configured.switchboard();
 *   llm.chat(ChatRequest.of("ranker", "..."));
 *   configured.reload(); // after editing the file
 * }
 * }</pre>
 */
public final class ConfiguredSwitchboard implements AutoCloseable {
  private final Path file;
  private final Map<String, ProviderFactory> factories;
  private final Switchboard switchboard;
  private final AtomicReference<SwitchboardConfig> current;

  private ConfiguredSwitchboard(Path file, Map<String, ProviderFactory> factories, SwitchboardConfig config,
      Consumer<Switchboard.Builder> customize) {
    this.file = file;
    this.factories = factories;
    this.current = new AtomicReference<>(config);
    Switchboard.Builder b = Switchboard.builder().prices(config.prices());
    List<ProviderAdapter> built = new ArrayList<>();
    try {
      for (SwitchboardConfig.ProviderSpec spec : config.providers().values()) {
        ProviderAdapter adapter;
        try {
          adapter = factories.get(spec.type()).create(spec.name(), spec.type(), spec.settings());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(file.toString(), List.of("providers." + spec.name() + "." + e.getMessage()));
        }
        built.add(adapter);
        b.provider(adapter);
      }
    } catch (RuntimeException e) {
      built.forEach(ProviderAdapter::close);
      throw e;
    }
    b.directory(ModelDirectory.of(config.providers().keySet(), config.aliases()));
    Router routes = request -> {
      SwitchboardConfig.Route route = current.get().routes().get(request.model());
      if (route == null) {
        return null;
      }
      return route.tiered().isPresent() ? route.tiered().get().decide(request)
          : new Router.Decision(new Candidates(route.models()), "route " + route.name());
    };
    b.interceptor(routes.interceptor());
    if (!config.budgets().isEmpty()) {
      Budgets.Builder budgets = Budgets.builder();
      config.budgets().forEach(budgets::budget);
      b.interceptor(budgets.build());
    }
    config.cache().ifPresent(c -> b.interceptor(ResponseCache.builder().maximumSize(c.maximumSize()).ttl(c.ttl())
        .build()));
    b.interceptor(Fallback.builder().build());
    customize.accept(b);
    this.switchboard = b.build();
  }

  /** Builds the Switchboard {@code file} describes; throws {@link ConfigException} listing every problem. */
  public static ConfiguredSwitchboard load(Path file) {
    return load(file, b -> { });
  }

  /**
   * {@link #load(Path)}, letting {@code customize} add to the builder before it builds (listeners,
   * a clock, more interceptors inside the configured ones).
   */
  public static ConfiguredSwitchboard load(Path file, Consumer<Switchboard.Builder> customize) {
    Objects.requireNonNull(file, "file");
    Map<String, ProviderFactory> factories = factories();
    SwitchboardConfig config = SwitchboardConfig.parse(file.toString(), read(file), factories.keySet());
    return new ConfiguredSwitchboard(file, factories, config, Objects.requireNonNull(customize, "customize"));
  }

  /** The provider types the factories on the class or module path build. */
  public static Map<String, ProviderFactory> factories() {
    Map<String, ProviderFactory> byType = new LinkedHashMap<>();
    for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class, ConfiguredSwitchboard.class.getClassLoader())) {
      f.types().forEach(t -> byType.putIfAbsent(t, f));
    }
    return byType;
  }

  public Switchboard switchboard() {
    return switchboard;
  }

  /** The version in force. */
  public SwitchboardConfig config() {
    return current.get();
  }

  /**
   * Reads the file again and swaps in its aliases and routes. Throws {@link ConfigException} —
   * and keeps the running version — when the file has a problem or changes a section that is fixed
   * at start.
   */
  public SwitchboardConfig reload() {
    SwitchboardConfig next = SwitchboardConfig.parse(file.toString(), read(file), factories.keySet());
    SwitchboardConfig before = current.get();
    List<String> fixed = before.changedFixedParts(next);
    if (!fixed.isEmpty()) {
      List<String> problems = new ArrayList<>();
      fixed.forEach(s -> problems.add(s + ": changed, which takes a restart; aliases and routes are what a "
          + "reload swaps"));
      throw new ConfigException(file.toString(), problems);
    }
    switchboard.directory(ModelDirectory.of(next.providers().keySet(), next.aliases()));
    current.set(next);
    return next;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the configuration " + file, e);
    }
  }

  @Override
  public void close() {
    switchboard.close();
  }

  @Override
  public String toString() {
    return "ConfiguredSwitchboard[" + file + ", " + current.get() + "]";
  }
}
