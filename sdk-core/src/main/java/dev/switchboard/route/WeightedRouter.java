package dev.switchboard.route;

import dev.switchboard.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * A/B splits: each request goes to one of several models in proportion to their weights, sticky
 * per key — the same user (or tenant, or any key) always lands on the same side, so a user's
 * conversation does not switch models halfway and per-user metrics compare cleanly. A request
 * without a key is spread by its own text. The other models follow as fallbacks. The decision's
 * tier is the side's name. Immutable and thread-safe.
 *
 * <pre>{@code
 * Router ab = WeightedRouter.builder().side("control", "openai/gpt-4o", 90).side("candidate", "deepseek/deepseek-v4-pro", 10)
 *     .stickyBy(r -> CallMetadata.of(r).user()).build();
 * }</pre>
 */
public final class WeightedRouter implements Router {
  private record Side(String name, String model, int weight) {}

  private final List<Side> sides;
  private final int total;
  private final Function<ChatRequest, String> key;
  private final Decision[] decisions;

  private WeightedRouter(Builder b) {
    this.sides = List.copyOf(b.sides);
    this.total = sides.stream().mapToInt(Side::weight).sum();
    this.key = b.key;
    this.decisions = new Decision[sides.size()];
    for (int i = 0; i < sides.size(); i++) {
      List<String> models = new ArrayList<>();
      models.add(sides.get(i).model);
      for (Side other : sides) {
        if (other != sides.get(i) && !models.contains(other.model)) {
          models.add(other.model);
        }
      }
      Side s = sides.get(i);
      decisions[i] = new Decision(new Candidates(models), "split: " + s.name + " (" + s.weight + "/" + total + ")",
          Optional.of(s.name), OptionalDouble.empty());
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Decision decide(ChatRequest request) {
    String k = key.apply(request);
    if (k == null || k.isEmpty()) {
      k = request.messages().isEmpty() ? "" : request.messages().get(request.messages().size() - 1).text();
    }
    long bucket = Long.remainderUnsigned(hash(k), total);
    for (int i = 0; i < sides.size(); i++) {
      bucket -= sides.get(i).weight;
      if (bucket < 0) {
        return decisions[i];
      }
    }
    return decisions[decisions.length - 1];
  }

  /** 64-bit FNV-1a over the key's UTF-8 bytes, mixed: stable across JVMs and restarts. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String toString() {
    return "WeightedRouter" + sides;
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final List<Side> sides = new ArrayList<>();
    private Function<ChatRequest, String> key = r -> CallMetadata.of(r).user();

    private Builder() {}

    /** A side named {@code name} that takes {@code weight} parts of the traffic to {@code model}. */
    public Builder side(String name, String model, int weight) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(model, "model");
      if (weight < 0) {
        throw new IllegalArgumentException("side '" + name + "': weight must be >= 0, got " + weight);
      }
      if (sides.stream().anyMatch(s -> s.name.equals(name))) {
        throw new IllegalArgumentException("two sides named '" + name + "'");
      }
      sides.add(new Side(name, model, weight));
      return this;
    }

    /** What keeps a request on its side. Default: the user of {@link CallMetadata}. */
    public Builder stickyBy(Function<ChatRequest, String> key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    public WeightedRouter build() {
      if (sides.stream().mapToInt(Side::weight).sum() <= 0) {
        throw new IllegalStateException("WeightedRouter needs sides with a positive total weight: side(name, model, w)");
      }
      return new WeightedRouter(this);
    }
  }
}
