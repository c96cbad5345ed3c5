package dev.switchboard.config;

import java.util.List;

/**
 * A configuration file that cannot be used, with every problem found, each naming its place in
 * the file ({@code routes.ranker.models[1]: unknown provider "deepseak" — did you mean
 * "deepseek"?}). Nothing of such a file takes effect. Immutable.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(source + ": " + (problems.size() == 1 ? problems.get(0)
        : problems.size() + " problems:\n  " + String.join("\n  ", problems)));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, naming its place in the file. */
  public List<String> problems() {
    return problems;
  }
}
