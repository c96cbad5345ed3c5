/**
 * Self-hosted GPU servers (vLLM, SGLang, TGI, llama.cpp) over their OpenAI-compatible API, with
 * backend profiles, health, model discovery, live load from Prometheus metrics and replica pools.
 */
package dev.switchboard.providers.selfhosted;
