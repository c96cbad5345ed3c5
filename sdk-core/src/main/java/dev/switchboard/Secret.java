package dev.switchboard;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * An API key or token. Its value is read only when a request is sent ({@link #reveal()}) and never
 * appears in {@code toString()}, logs or exception messages. Thread-safe if the supplier is.
 */
public final class Secret {
  private final Supplier<String> supplier;
  private final String description;

  private Secret(Supplier<String> supplier, String description) {
    this.supplier = supplier;
    this.description = description;
  }

  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    return new Secret(() -> value, "value");
  }

  /** Reads the environment variable {@code name} at each use; {@link #isPresent()} tells if it is set. */
  public static Secret fromEnv(String name) {
    Objects.requireNonNull(name, "name");
    return new Secret(() -> System.getenv(name), "env:" + name);
  }

  /** Asks {@code supplier} at each use, e.g. for keys that rotate. */
  public static Secret fromSupplier(Supplier<String> supplier) {
    return new Secret(Objects.requireNonNull(supplier, "supplier"), "supplier");
  }

  /** The value, or {@code null} if its source has none. Use only to put it on the wire. */
  public String reveal() {
    return supplier.get();
  }

  public boolean isPresent() {
    String v = supplier.get();
    return v != null && !v.isBlank();
  }

  /** Where the value comes from, e.g. {@code env:OPENAI_API_KEY}; never the value itself. */
  public String description() {
    return description;
  }

  /** Replaces every occurrence of the value in {@code text} with {@code ****}. */
  public String redact(String text) {
    String v = supplier.get();
    if (text == null || v == null || v.length() < 4) {
      return text;
    }
    return text.replace(v, "****");
  }

  @Override
  public String toString() {
    return "Secret[" + description + ", ****]";
  }
}
