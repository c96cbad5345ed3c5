/**
 * What only {@link dev.switchboard.providers.openai.OpenAiProvider} needs beyond the shared
 * chat-completions wire code: the model catalog behind its capabilities and the mapping from vendor
 * quirks to the wire dialect. Stateless and thread-safe. Not API: not exported, may change at any
 * time.
 */
package dev.switchboard.providers.openai.internal;
