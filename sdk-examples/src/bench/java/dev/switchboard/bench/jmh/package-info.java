/**
 * JMH micro-benchmarks of Switchboard's hot paths (issue 8): SSE and NDJSON parsing (MB/s and
 * events/s), chat-completions response decode and request encode (ns/op), and the cost of the call
 * chain per interceptor and per listener (ns/op, B/op with {@code -prof gc}). Compiled only under
 * the {@code bench} profile; run through {@code org.openjdk.jmh.Main}, see {@code
 * docs/benchmarks.md} for the command.
 *
 * <p>Inputs are built once in {@code @Setup}; every benchmark returns or sinks its result into a
 * {@link org.openjdk.jmh.infra.Blackhole} so that nothing is dead code.
 */
package dev.switchboard.bench.jmh;
