package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.AnthropicWire;
import java.util.List;

/**
 * A {@link ProviderEmulator} speaking Anthropic's Messages protocol, for the Anthropic adapter and
 * anything else that talks to {@code api.anthropic.com}.
 *
 * <p>Its {@link #baseUrl()} is the host alone ({@code http://127.0.0.1:PORT}), as Anthropic's is:
 * clients append {@code /v1/messages}. Serves {@code POST /v1/messages}: a JSON message when the
 * request has no {@code "stream": true}, else a {@code text/event-stream} of named events ({@code
 * message_start} with the input usage, {@code content_block_start} / {@code content_block_delta}
 * ({@code text_delta}, {@code thinking_delta}, {@code signature_delta}, tool input split across
 * several {@code input_json_delta}s) / {@code content_block_stop}, a {@code ping}, {@code
 * message_delta} with the stop reason and cumulative {@code output_tokens}, {@code message_stop}).
 * Usage follows Anthropic's convention: {@code input_tokens} excludes cache reads and writes, which
 * come beside it, so a {@link Reply} with 1200 input tokens of which 1000 cached is sent as {@code
 * input_tokens: 200, cache_read_input_tokens: 1000}. Errors come as Anthropic error JSON with its
 * statuses and types ({@link ErrorKind#OVERLOADED} as 529 {@code overloaded_error}, {@link
 * ErrorKind#QUOTA} as 400 "credit balance is too low", {@link ErrorKind#REQUEST_TIMEOUT} as 504
 * {@code timeout_error}, {@link ErrorKind#RATE_LIMIT} as 429 {@code rate_limit_error} with {@code
 * retry-after} and {@code anthropic-ratelimit-requests-*} headers when a hint is given); {@link
 * Fault#MID_STREAM_ERROR} is an {@code event: error} inside the stream. Anthropic has no refusal
 * field and no content-filter stop reason: both become the stop reason {@code refusal}. A request
 * that forces a tool gets a reply's JSON-object text as that tool's input. Also serves {@code GET
 * /v1/models}. Every response carries a {@code request-id} ({@code req_emu_<n>}); message ids are
 * {@code msg_emu_<n>}. The {@code x-api-key} and {@code anthropic-version} headers are recorded,
 * not checked.
 *
 * <pre>{@code
 * try (AnthropicEmulator anthropic = AnthropicEmulator.start()) {
 *   anthropic.enqueue(Reply.builder().reasoning("Two plus two...").text("4").build());
 *   // point an adapter at anthropic.baseUrl() ...
 *   RecordedRequest sent = anthropic.takeRequest();
 * }
 * }</pre>
 *
 * <p>Thread-safe. The creator closes it; for tests, {@code EmulatorExtension.of(AnthropicEmulator.class,
 * AnthropicEmulator::start)} does that.
 */
public final class AnthropicEmulator extends AbstractEmulator<AnthropicEmulator> {
  /** The models {@code GET /v1/models} lists unless others are given. */
  public static final List<String> DEFAULT_MODELS = List.of("test-model", "claude-sonnet-4-5", "claude-haiku-4-5");

  private AnthropicEmulator(List<String> models) {
    super("Anthropic emulator", new AnthropicWire(models));
  }

  /** Starts an emulator on 127.0.0.1 and a free port. */
  public static AnthropicEmulator start() {
    return new AnthropicEmulator(DEFAULT_MODELS);
  }

  /** Starts an emulator whose {@code GET /v1/models} lists {@code models}. */
  public static AnthropicEmulator start(List<String> models) {
    return new AnthropicEmulator(models);
  }

  /** {@code http://127.0.0.1:PORT}, without a path: Anthropic clients append {@code /v1/messages}. */
  @Override
  public String baseUrl() {
    return super.baseUrl();
  }
}
