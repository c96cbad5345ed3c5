/** Switchboard core: the public API, the interceptor chain and the shared machinery. */
module dev.switchboard.core {
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.slf4j;
  requires dev.failsafe.core;

  exports dev.switchboard;
  exports dev.switchboard.spi;
  exports dev.switchboard.observe;
  exports dev.switchboard.resilience;

  // Shared machinery for Switchboard's own modules only; not API.
  exports dev.switchboard.internal to dev.switchboard.providers;
  exports dev.switchboard.internal.sse to dev.switchboard.providers;
  exports dev.switchboard.internal.http to dev.switchboard.providers;
  exports dev.switchboard.internal.stream to dev.switchboard.providers;
}
