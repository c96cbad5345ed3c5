/**
 * Switchboard providers: one package per wire protocol, each hiding its wire mapping in {@code
 * internal}. The OpenAI chat-completions protocol is spoken by two providers ({@code openai} for
 * hosted vendors, {@code selfhosted} for vLLM, SGLang, TGI and llama.cpp), which share its wire
 * code in {@code compat.internal} and its public request options in {@code compat}.
 */
module dev.switchboard.providers {
  requires transitive dev.switchboard.core;
  requires transitive java.net.http;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.switchboard.providers.compat;
  exports dev.switchboard.providers.openai;
  exports dev.switchboard.providers.anthropic;
  exports dev.switchboard.providers.ollama;
  exports dev.switchboard.providers.selfhosted;

  provides dev.switchboard.spi.ProviderFactory with dev.switchboard.providers.factory.BuiltInProviders;
}
