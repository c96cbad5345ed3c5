package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import dev.switchboard.Message;
import dev.switchboard.Role;
import dev.switchboard.spi.Embedder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Routes by meaning: each route has example prompts; a request goes to the route whose closest
 * example is most similar to its last user message, if that similarity reaches the threshold, and
 * to the default model otherwise. Examples are embedded once, at build. {@link #decide} must not
 * wait, so it needs an embedder that answers at once (the lexical one, a local model); when the
 * embedding is not ready at once, or fails, the request goes to the default. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Router router = SemanticRouter.builder(LexicalEmbedder.create())
 *     .route("code", "coder", "write a python function that", "fix this stack trace")
 *     .route("smalltalk", "cheap", "hi there", "thanks!")
 *     .threshold(0.5).defaultModel("general").build();
 * }</pre>
 */
public final class SemanticRouter implements Router {
  private record Example(String route, String model, float[] vector) {}

  private final Embedder embedder;
  private final List<Example> examples;
  private final double threshold;
  private final String defaultModel;

  private SemanticRouter(Builder b) {
    this.embedder = b.embedder;
    this.threshold = b.threshold;
    this.defaultModel = b.defaultModel;
    List<Example> all = new ArrayList<>();
    b.routes.forEach((route, spec) -> {
      for (String text : spec.examples) {
        all.add(new Example(route, spec.model, b.embedder.embed(text).join()));
      }
    });
    this.examples = List.copyOf(all);
  }

  public static Builder builder(Embedder embedder) {
    return new Builder(embedder);
  }

  @Override
  public Decision decide(ChatRequest request) {
    String question = lastUser(request);
    if (question.isBlank()) {
      return fallbackDecision("no user message");
    }
    CompletableFuture<float[]> pending;
    try {
      pending = embedder.embed(question);
    } catch (RuntimeException e) {
      return fallbackDecision("embedding failed");
    }
    if (!pending.isDone() || pending.isCompletedExceptionally()) {
      return fallbackDecision("embedding not ready");
    }
    float[] v = pending.join();
    Example best = null;
    double bestScore = -1;
    for (Example e : examples) {
      double dot = 0;
      for (int i = 0; i < v.length && i < e.vector.length; i++) {
        dot += v[i] * e.vector[i];
      }
      if (dot > bestScore) {
        bestScore = dot;
        best = e;
      }
    }
    if (best == null || bestScore < threshold) {
      return fallbackDecision(String.format(Locale.ROOT, "best %.2f below %.2f", Math.max(0, bestScore), threshold));
    }
    return Decision.of(String.format(Locale.ROOT, "semantic: %s (%.2f)", best.route, bestScore), best.model);
  }

  private Decision fallbackDecision(String why) {
    return defaultModel == null ? null : Decision.of("semantic: default (" + why + ")", defaultModel);
  }

  private static String lastUser(ChatRequest request) {
    List<Message> m = request.messages();
    for (int i = m.size() - 1; i >= 0; i--) {
      if (m.get(i).role() == Role.USER) {
        return m.get(i).text();
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return "SemanticRouter[" + examples.size() + " examples, threshold " + threshold + ", default " + defaultModel
        + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private record Spec(String model, List<String> examples) {}

    private final Embedder embedder;
    private final Map<String, Spec> routes = new LinkedHashMap<>();
    private double threshold = 0.5;
    private String defaultModel;

    private Builder(Embedder embedder) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
    }

    /** Route {@code name} sends to {@code model} the requests closest to {@code examples}. */
    public Builder route(String name, String model, String... examples) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(model, "model");
      if (examples.length == 0) {
        throw new IllegalArgumentException("route '" + name + "' needs at least one example prompt");
      }
      routes.put(name, new Spec(model, List.of(examples)));
      return this;
    }

    /** The similarity a request must reach to take a route. Default 0.5. */
    public Builder threshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("threshold must be within (0, 1], got " + threshold);
      }
      this.threshold = threshold;
      return this;
    }

    /** Where requests no route claims go; without one they keep their model string. */
    public Builder defaultModel(String model) {
      this.defaultModel = Objects.requireNonNull(model, "model");
      return this;
    }

    public SemanticRouter build() {
      if (routes.isEmpty()) {
        throw new IllegalStateException("SemanticRouter needs at least one route: route(name, model, examples...)");
      }
      return new SemanticRouter(this);
    }
  }
}
