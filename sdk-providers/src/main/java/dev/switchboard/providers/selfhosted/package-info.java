/**
 * Self-hosted GPU servers (vLLM, SGLang, TGI, llama.cpp) over their OpenAI-compatible API, with
 * backend profiles, health, model discovery, live load from Prometheus metrics and replica pools.
 * Requests go out through the chat-completions wire code that the OpenAI provider uses too ({@link
 * dev.switchboard.providers.compat}); this package does not depend on the OpenAI provider's.
 *
 * <p>Thread-safety: {@link dev.switchboard.providers.selfhosted.SelfHostedProvider} is thread-safe
 * and serves any number of concurrent calls; {@link dev.switchboard.providers.selfhosted.Backend},
 * {@link dev.switchboard.providers.selfhosted.SelfHostedOptions} and {@link
 * dev.switchboard.providers.selfhosted.ReplicaStatus} are immutable; builders are not thread-safe.
 */
package dev.switchboard.providers.selfhosted;
