package dev.switchboard.route;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the public routing data lives beside the repository ({@code ../../shared/data/routing}
 * from a module in CI, {@code ../shared/...} in a flat checkout); tests that need it skip, saying
 * so, where it is absent. The data is read in place, never copied into the project.
 */
public final class RoutingData {
  private RoutingData() {}

  /** The directory, or a skipped test. */
  public static Path dir() {
    for (Path p : new Path[] {Path.of("..", "..", "shared", "data", "routing"), Path.of("..", "shared", "data",
        "routing")}) {
      if (Files.isDirectory(p.resolve("routerbench_subset")) && Files.isDirectory(p.resolve("arena_bench_v1"))) {
        return p;
      }
    }
    assumeTrue(false, "../shared/data/routing is absent: the test on the public RouterBench and arena data is "
        + "skipped (the data-free tests still run)");
    throw new AssertionError("unreachable");
  }
}
