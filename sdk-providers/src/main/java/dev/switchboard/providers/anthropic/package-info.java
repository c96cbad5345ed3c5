/**
 * Anthropic's Messages API: {@link dev.switchboard.providers.anthropic.AnthropicProvider} and its
 * per-request {@link dev.switchboard.providers.anthropic.AnthropicOptions}. The wire mapping
 * (request writer, response reader, stream decoder, error mapper) lives in {@code internal} and is
 * not API.
 *
 * <p>Thread-safety: the provider is thread-safe and serves any number of concurrent calls; options
 * are immutable; builders are not thread-safe.
 */
package dev.switchboard.providers.anthropic;
