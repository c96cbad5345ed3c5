package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.cache.ResponseCache;
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
 * An exact cache hit through a whole {@code Switchboard}: {@code chatAsync(request).join()} with a
 * {@link ResponseCache} in front of an in-memory provider, the answer already stored among
 * {@code entries} others. Sample time, so JMH reports percentiles (the bar: p99 ≤ 20 µs).
 * The key is a SHA-256 over the whole request, so the request's size is the parameter that matters.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheHitBench {

  @Param({"10000"})
  public int entries;

  private Switchboard switchboard;
  private ChatRequest request;

  @Setup
  public void setup() {
    ResponseCache cache = ResponseCache.builder().maximumSize(entries + 1).build();
    switchboard = Switchboard.builder().provider(new InMemory.Adapter(Payloads.chatResponse())).interceptor(cache)
        .build();
    for (int i = 0; i < entries; i++) {
      switchboard.chatAsync(Payloads.chatRequest(InMemory.PROVIDER + "/gpt-4o-mini").toBuilder()
          .user("filler question " + i).build()).join();
    }
    request = Payloads.chatRequest(InMemory.PROVIDER + "/gpt-4o-mini");
    switchboard.chatAsync(request).join();
    if (switchboard.chatAsync(request).join().cacheHit().isEmpty()) {
      throw new IllegalStateException("expected an exact hit");
    }
  }

  @TearDown
  public void tearDown() {
    switchboard.close();
  }

  @Benchmark
  public ChatResponse exactHit() {
    return switchboard.chatAsync(request).join();
  }
}
