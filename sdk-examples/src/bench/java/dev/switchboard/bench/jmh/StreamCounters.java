package dev.switchboard.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary throughput metrics of the stream benchmarks: JMH divides each counter by the measured
 * time, so {@code bytes} reads as bytes/s (divide by 10^6 for MB/s) and {@code events} as events/s
 * (SSE events or NDJSON lines handed over by the parser; chat events drained from the stream for the
 * decoders). The primary score is whole bodies/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class StreamCounters {
  public long bytes;
  public long events;

  @Setup(Level.Iteration)
  public void reset() {
    bytes = 0;
    events = 0;
  }
}
