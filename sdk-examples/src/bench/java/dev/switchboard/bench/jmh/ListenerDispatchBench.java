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
 * Listener fan-out per call: the chain of {@link ChainDispatchBench} with no interceptors and
 * {@code listeners} registered no-op {@code ChatListener}s, each of which a successful call notifies
 * four times (callStart, attemptStart, attemptEnd, callEnd). Run with {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ListenerDispatchBench {

  @Param({"0", "1", "4"})
  public int listeners;

  private Switchboard switchboard;
  private ChatRequest request;

  @Setup
  public void setup() {
    switchboard = InMemory.switchboard(Payloads.chatResponse(), 0, listeners);
    request = Payloads.chatRequest(InMemory.PROVIDER + "/gpt-4o-mini");
    switchboard.chatAsync(request).join();
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
