package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The chain's own cost per call: {@code Switchboard.chatAsync(request).join()} through {@code
 * interceptors} pass-through interceptors to a provider that returns an already completed future
 * with a fixed {@link ChatResponse}, no listeners. Everything runs on the calling thread, so the
 * score is pure dispatch: call info and scope, model resolution, one {@code RealChain} per
 * interceptor, attempt recording, the response copy with the attempt, futures and their
 * callbacks. Run with {@code -prof gc} for bytes allocated per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChainDispatchBench {

  @Param({"0", "1", "4", "16"})
  public int interceptors;

  private Switchboard switchboard;
  private ChatRequest request;

  @Setup
  public void setup() {
    switchboard = InMemory.switchboard(Payloads.chatResponse(), interceptors, 0);
    request = Payloads.chatRequest(InMemory.PROVIDER + "/gpt-4o-mini");
    if (switchboard.chatAsync(request).join().attempts().size() != 1) {
      throw new IllegalStateException("expected one recorded attempt");
    }
  }

  @TearDown
  public void tearDown() {
    switchboard.close();
  }

  @Benchmark
  public ChatResponse chatAsync() {
    return switchboard.chatAsync(request).join();
  }
}
