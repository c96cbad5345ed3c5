/** Switchboard providers: one package per wire protocol, each hiding its wire mapping in {@code internal}. */
module dev.switchboard.providers {
  requires transitive dev.switchboard.core;
  requires transitive java.net.http;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.switchboard.providers.openai;
  exports dev.switchboard.providers.anthropic;
  exports dev.switchboard.providers.ollama;
  exports dev.switchboard.providers.selfhosted;
}
