/** Switchboard core: the public API, the interceptor chain and the shared machinery. */
module dev.switchboard.core {
  requires transitive com.fasterxml.jackson.core;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive java.net.http;
  requires org.slf4j;
  requires dev.failsafe.core;
  requires com.github.benmanes.caffeine;
  requires static lettuce.core;
  // Optional: only MicrometerMetrics and OpenTelemetryTracing use them; users who register neither
  // need neither. Not transitive, so that modules reading this one compile without them.
  requires static micrometer.core;
  requires static io.opentelemetry.api;
  requires static io.opentelemetry.context;

  exports dev.switchboard;
  exports dev.switchboard.spi;
  exports dev.switchboard.observe;
  exports dev.switchboard.resilience;
  exports dev.switchboard.route;
  exports dev.switchboard.stream;
  exports dev.switchboard.spi.http;
  exports dev.switchboard.cost;
  exports dev.switchboard.cache;
  exports dev.switchboard.config;

  uses dev.switchboard.spi.ProviderFactory;
  exports dev.switchboard.eval;

}
