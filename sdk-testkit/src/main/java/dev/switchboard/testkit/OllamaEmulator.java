package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.OllamaWire;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ProviderEmulator} speaking Ollama's native protocol, for the Ollama adapter and offline
 * demos. Its base URL has no path: {@code http://127.0.0.1:<port>}.
 *
 * <p>Serves {@code POST /api/chat}: the queued {@link Reply} (or the simulated model's answer) as
 * one JSON object when the request says {@code "stream": false}, else, as Ollama does by default,
 * as an {@code application/x-ndjson} stream: one object per line with a piece of {@code
 * message.content} or {@code message.thinking}, one line per tool call (arguments as a JSON object,
 * with an {@code id}), and a last line with {@code "done": true}, {@code done_reason}, {@code
 * prompt_eval_count}, {@code eval_count} and the durations. Errors come as Ollama's {@code
 * {"error":"..."}} bodies ({@link ErrorKind#MODEL_NOT_FOUND} as 404 {@code model "x" not found,
 * try pulling it first}, {@link ErrorKind#SERVICE_UNAVAILABLE} as 503 {@code server busy}, {@link
 * ErrorKind#RATE_LIMIT} as 429 with {@code retry-after} when given); faults as for every emulator
 * (a truncated stream has no {@code done} line, a malformed one has a line that is not JSON).
 *
 * <p>Also serves, without taking a queued reply: {@code GET /api/tags} (the models given at start,
 * {@code :latest} added to names without a tag), {@code GET /api/ps} (models loaded by a successful
 * chat or embed since the last reset, or set with {@link #loadModel}), {@code POST /api/embed}
 * (deterministic vectors of {@value OllamaWire#DEFAULT_DIMENSIONS} dimensions or the requested
 * {@code dimensions}, built from hashed words and character trigrams so near-duplicate texts get
 * close vectors; 404 for a model not listed by {@code /api/tags}, as Ollama does), {@code GET
 * /api/version} and {@code GET /}. Ollama sends no request id header, and neither does this.
 *
 * <pre>{@code
 * try (OllamaEmulator ollama = OllamaEmulator.start()) {
 *   ollama.enqueue(Reply.text("Hello"));
 *   // point an adapter at ollama.baseUrl() ...
 *   RecordedRequest sent = ollama.takeRequest();
 * }
 * }</pre>
 *
 * <p>Thread-safe. The creator closes it; in JUnit use {@code EmulatorExtension.of(OllamaEmulator.class,
 * OllamaEmulator::start)}.
 */
public final class OllamaEmulator extends AbstractEmulator<OllamaEmulator> {
  /** The models {@code GET /api/tags} lists (and {@code /api/embed} serves) unless others are given. */
  public static final List<String> DEFAULT_MODELS = List.of("test-model", "simulated-model", "nomic-embed-text");

  private final OllamaWire wire;

  private OllamaEmulator(OllamaWire wire) {
    super("Ollama emulator", wire);
    this.wire = wire;
  }

  /** Starts an emulator on 127.0.0.1 and a free port. */
  public static OllamaEmulator start() {
    return new OllamaEmulator(new OllamaWire(DEFAULT_MODELS));
  }

  /** Starts an emulator whose {@code GET /api/tags} lists {@code models}. */
  public static OllamaEmulator start(List<String> models) {
    return new OllamaEmulator(new OllamaWire(List.copyOf(models)));
  }

  /** {@code http://127.0.0.1:<port>}, without a path, as Ollama's own base URL. */
  @Override
  public String baseUrl() {
    return super.baseUrl();
  }

  /**
   * Lists {@code model} as loaded in {@code GET /api/ps} with this context length, replacing what
   * an earlier call or request set for it. Cleared by {@link #reset()}.
   */
  public OllamaEmulator loadModel(String model, int contextLength) {
    Objects.requireNonNull(model, "model");
    if (contextLength <= 0) {
      throw new IllegalArgumentException("contextLength must be > 0, got " + contextLength);
    }
    wire.load(model, contextLength);
    return this;
  }

  /** Empties {@code GET /api/ps}. */
  public OllamaEmulator unloadModels() {
    wire.unloadAll();
    return this;
  }

  /** Also unloads every model from {@code GET /api/ps}. */
  @Override
  public void reset() {
    super.reset();
    wire.unloadAll();
  }
}
