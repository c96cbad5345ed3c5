package dev.switchboard.testkit.internal;

import dev.switchboard.Usage;
import dev.switchboard.testkit.RecordedRequest;
import java.util.Objects;

/**
 * What a renderer needs besides the reply: the request, the exchange's sequence number (1-based,
 * for ids), the model name to report and the usage to report (given or estimated). Immutable.
 */
public record RenderContext(RecordedRequest request, long sequence, String model, Usage usage) {
  public RenderContext {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(usage, "usage");
  }
}
