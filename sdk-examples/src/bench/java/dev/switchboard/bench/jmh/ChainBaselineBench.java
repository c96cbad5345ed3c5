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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reference points for {@link ChainDispatchBench}: the in-memory provider called directly (the
 * floor: what the chain adds is the difference), and the blocking {@code Switchboard.chat} with
 * no interceptors or listeners (what the blocking entry point adds over {@code chatAsync().join()}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChainBaselineBench {

  private InMemory.Adapter adapter;
  private Switchboard switchboard;
  private ChatRequest providerRequest;
  private ChatRequest request;

  @Setup
  public void setup() {
    ChatResponse response = Payloads.chatResponse();
    adapter = new InMemory.Adapter(response);
    switchboard = InMemory.switchboard(response, 0, 0);
    providerRequest = Payloads.chatRequest("gpt-4o-mini");
    request = Payloads.chatRequest(InMemory.PROVIDER + "/gpt-4o-mini");
  }

  @TearDown
  public void tearDown() {
    switchboard.close();
  }

  @Benchmark
  public ChatResponse adapterDirect() {
    return adapter.chat(providerRequest).join();
  }

  @Benchmark
  public ChatResponse chatBlocking() {
    return switchboard.chat(request);
  }
}
