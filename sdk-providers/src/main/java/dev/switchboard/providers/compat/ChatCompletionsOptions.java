package dev.switchboard.providers.compat;

import java.util.Map;
import java.util.Optional;

/**
 * Request fields of the OpenAI chat-completions protocol that {@link dev.switchboard.ChatRequest}
 * has no provider-neutral counterpart for, as every provider that speaks the protocol reads them
 * ({@code OpenAiProvider}, {@code SelfHostedProvider}).
 *
 * <p>The implementation to use is the OpenAI provider's {@code OpenAiOptions}, attached as a tag
 * under its own class, exactly as before this interface existed:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *     .model("vllm/Qwen/Qwen3-32B")
 *     .user("Hi")
 *     .tag(OpenAiOptions.class, OpenAiOptions.builder().thinking(false).extraField("top_k", "20").build())
 *     .build();
 * }</pre>
 *
 * <p>Providers find the options among the request's tags by type: the one tag whose value
 * implements this interface, whatever class it is keyed by. A request with two such tags is
 * rejected with an {@link dev.switchboard.InvalidRequestException} before anything is sent, since
 * their fields would collide. {@code Backend.adapt} of the self-hosted provider returns its merged
 * options under the key {@code ChatCompletionsOptions.class}.
 *
 * <p>Implementations must be immutable and thread-safe.
 */
public interface ChatCompletionsOptions {
  /** The end-user id sent as {@code user}. */
  Optional<String> user();

  /** {@code service_tier}, e.g. {@code "auto"}, {@code "default"}, {@code "flex"}. */
  Optional<String> serviceTier();

  /** {@code reasoning_effort} for reasoning models, e.g. {@code "low"}, {@code "medium"}, {@code "high"}. */
  Optional<String> reasoningEffort();

  /**
   * Whether a hybrid model should think before it answers; each server writes it its own way, and
   * a server without such a switch rejects the request.
   */
  Optional<Boolean> thinking();

  /** {@code logit_bias}: token id to bias in [-100, 100]. */
  Map<Integer, Integer> logitBias();

  /**
   * Extra top-level body fields, name to JSON text, in the order they were added. An extra field
   * replaces the field of the same name Switchboard would write; the JSON value {@code null}
   * removes it. {@code model}, {@code messages} and {@code stream} cannot be replaced.
   */
  Map<String, String> extraFields();
}
