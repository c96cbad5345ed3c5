package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.OpenAiWire;
import java.util.List;

/**
 * A {@link ProviderEmulator} speaking OpenAI's chat-completions protocol, for the OpenAI adapter
 * and every "OpenAI-compatible" server it stands in for.
 *
 * <p>Serves {@code POST /v1/chat/completions}: a JSON completion when the request has {@code
 * "stream": false} or none, else a {@code text/event-stream} of {@code data: {chunk}} lines (tool
 * call arguments split across chunks keyed by {@code index}; with {@code
 * stream_options.include_usage}, every chunk carries {@code "usage": null} and a last chunk with
 * empty {@code choices} carries the usage) ending in {@code data: [DONE]}. Errors come as OpenAI
 * error JSON with OpenAI's statuses and codes ({@link ErrorKind#QUOTA} as 429 {@code
 * insufficient_quota}, {@link ErrorKind#RATE_LIMIT} as 429 {@code rate_limit_exceeded} with {@code
 * retry-after} headers when given, {@link ErrorKind#OVERLOADED} as 529, {@link
 * ErrorKind#BAD_GATEWAY_HTML} as a 502 HTML page). Also serves {@code GET /v1/models}. Every
 * response carries an {@code x-request-id} ({@code req_emu_<n>}); completion ids are {@code
 * chatcmpl-emu-<n>}.
 *
 * <pre>{@code
 * try (OpenAiEmulator openAi = OpenAiEmulator.start()) {
 *   openAi.enqueue(Reply.text("Hello"));
 *   // point an adapter at openAi.baseUrl() ...
 *   RecordedRequest sent = openAi.takeRequest();
 * }
 * }</pre>
 *
 * <p>Thread-safe. The creator closes it; {@link EmulatorExtension#openAi()} does that for tests.
 */
public final class OpenAiEmulator extends AbstractEmulator<OpenAiEmulator> {
  /** The models {@code GET /v1/models} lists unless others are given. */
  public static final List<String> DEFAULT_MODELS = List.of("test-model", "simulated-model");

  private OpenAiEmulator(List<String> models) {
    super("OpenAI emulator", new OpenAiWire(models));
  }

  /** Starts an emulator on 127.0.0.1 and a free port. */
  public static OpenAiEmulator start() {
    return new OpenAiEmulator(DEFAULT_MODELS);
  }

  /** Starts an emulator whose {@code GET /v1/models} lists {@code models}. */
  public static OpenAiEmulator start(List<String> models) {
    return new OpenAiEmulator(models);
  }
}
