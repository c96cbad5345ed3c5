/**
 * The OpenAI chat-completions protocol for hosted vendors: {@link
 * dev.switchboard.providers.openai.OpenAiProvider} for OpenAI, Azure OpenAI and the compatible
 * vendors named by {@link dev.switchboard.providers.openai.Vendor} (with their {@link
 * dev.switchboard.providers.openai.Quirk}s), and the per-request {@link
 * dev.switchboard.providers.openai.OpenAiOptions}. The wire code it shares with the self-hosted
 * provider lives in the non-exported {@code providers.compat.internal}; the model catalog and the
 * quirk-to-dialect mapping in {@code internal}. None of it is API.
 *
 * <p>Thread-safety: providers are thread-safe and serve any number of concurrent calls; options,
 * vendors and quirks are immutable; builders are not thread-safe.
 */
package dev.switchboard.providers.openai;
