package dev.switchboard.bench.jmh;

import dev.switchboard.Secret;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.compat.internal.ChatCompletionsStreamDecoder;
import dev.switchboard.spi.http.SseEvent;
import dev.switchboard.spi.http.SseParser;
import dev.switchboard.stream.PushChatStream;
import java.nio.ByteBuffer;
import java.time.Clock;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A whole OpenAI chat-completions SSE body (role chunk, 200 content chunks, finish chunk, usage
 * chunk, {@code [DONE]}: 204 SSE events, 62,395 bytes), fed in slices of {@code chunkBytes}:
 *
 * <ul>
 *   <li>{@link #sseParser}: the byte layer alone, {@link SseParser} ({@code LineScanner} underneath)
 *       into a handler that sinks each {@link SseEvent}.
 *   <li>{@link #chatCompletionsDecoder}: what an OpenAI-compatible provider runs per stream, a new
 *       {@link ChatCompletionsStreamDecoder} (SSE parse, Jackson tree per chunk, event mapping,
 *       accumulation) into a {@link PushChatStream} that is drained after every slice, as the
 *       consumer would.
 * </ul>
 *
 * {@code readOnly=true} slices are what {@code java.net.http} delivers on JDK 17 (read-only heap
 * buffers, no accessible array); {@code false} takes the parsers' zero-copy array path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseParseBench {

  @Param({"1024", "4096"})
  public int chunkBytes;

  @Param({"true", "false"})
  public boolean readOnly;

  private byte[] body;
  private ByteBuffer[] slices;
  private ChatCompletionsErrorMapper mapper;

  @Setup
  public void setup(Blackhole bh) {
    body = Payloads.openAiSse();
    slices = Payloads.slices(body, chunkBytes, readOnly);
    mapper = new ChatCompletionsErrorMapper(Secret.of("sk-bench-not-a-real-key"),
        "https://api.openai.com/v1/chat/completions", Clock.systemUTC(), false, "OpenAiProvider", "OPENAI_API_KEY");
    // Fail fast if the fixture and the decoder disagree: 1 role chunk carries no text, so 200 text
    // deltas + 1 usage report + 1 completed.
    StreamCounters check = new StreamCounters();
    chatCompletionsDecoder(check, bh);
    if (check.events != Payloads.STREAM_CHUNKS + 2) {
      throw new IllegalStateException("decoder produced " + check.events + " events");
    }
  }

  @Benchmark
  public long sseParser(StreamCounters counters, Blackhole bh) {
    EventSink sink = new EventSink(bh);
    SseParser parser = new SseParser(sink);
    for (ByteBuffer slice : slices) {
      slice.clear();
      parser.feed(slice);
    }
    parser.finish();
    counters.bytes += body.length;
    counters.events += sink.count;
    return parser.bytesRead();
  }

  @Benchmark
  public void chatCompletionsDecoder(StreamCounters counters, Blackhole bh) {
    PushChatStream stream = new PushChatStream();
    ChatCompletionsStreamDecoder decoder = new ChatCompletionsStreamDecoder(stream, "openai", "gpt-4o-mini", 200,
        Payloads.SSE_HEADERS, mapper, 16 * 1024 * 1024);
    Decoding.decodeAll(decoder, stream, slices, body.length, counters, bh);
  }

  private static final class EventSink implements SseParser.Handler {
    private final Blackhole bh;
    long count;

    EventSink(Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void onEvent(SseEvent event) {
      bh.consume(event);
      count++;
    }
  }
}
