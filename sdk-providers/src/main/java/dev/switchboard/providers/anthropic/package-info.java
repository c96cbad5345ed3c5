/** Anthropic's Messages API: {@code AnthropicProvider}; wire mapping in {@code internal}. */
package dev.switchboard.providers.anthropic;
