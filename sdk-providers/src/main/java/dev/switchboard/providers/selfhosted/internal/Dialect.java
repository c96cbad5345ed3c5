package dev.switchboard.providers.selfhosted.internal;

/**
 * Which server's request extensions a {@link dev.switchboard.providers.selfhosted.Backend} speaks;
 * {@link RequestMapper} writes the fields per dialect. Immutable and thread-safe, as enums are. Not
 * API.
 */
public enum Dialect {
  VLLM,
  SGLANG,
  TGI,
  LLAMA_CPP
}
