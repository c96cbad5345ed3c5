package dev.switchboard.bench.jmh;

import dev.switchboard.providers.ollama.internal.OllamaErrorMapper;
import dev.switchboard.providers.ollama.internal.OllamaStreamDecoder;
import dev.switchboard.spi.http.LineSplitter;
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
 * A whole Ollama {@code /api/chat} NDJSON body (200 content lines and the final "done" line: 201 lines,
 * 25,568 bytes), fed in slices of {@code chunkBytes}:
 *
 * <ul>
 *   <li>{@link #lineSplitter}: {@link LineSplitter} alone ({@code LineScanner} underneath, one
 *       UTF-8 {@code String} per line) into a handler that sinks each line.
 *   <li>{@link #ollamaDecoder}: what the Ollama provider runs per stream, a new {@link
 *       OllamaStreamDecoder} (split, Jackson tree per line, event mapping) into a drained {@link
 *       PushChatStream}.
 * </ul>
 *
 * Slices are read-only heap buffers, as {@code java.net.http} delivers them on JDK 17, unless
 * {@code readOnly=false}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NdjsonSplitBench {

  @Param({"1024", "4096"})
  public int chunkBytes;

  @Param({"true"})
  public boolean readOnly;

  private byte[] body;
  private ByteBuffer[] slices;
  private OllamaErrorMapper mapper;

  @Setup
  public void setup(Blackhole bh) {
    body = Payloads.ollamaNdjson();
    slices = Payloads.slices(body, chunkBytes, readOnly);
    mapper = new OllamaErrorMapper(null, "http://localhost:11434", Clock.systemUTC());
    StreamCounters check = new StreamCounters();
    lineSplitter(check, bh);
    if (check.events != Payloads.STREAM_CHUNKS + 1) {
      throw new IllegalStateException("splitter produced " + check.events + " lines");
    }
    check.reset();
    ollamaDecoder(check, bh);
    if (check.events < Payloads.STREAM_CHUNKS + 1) {
      throw new IllegalStateException("decoder produced " + check.events + " events");
    }
  }

  @Benchmark
  public long lineSplitter(StreamCounters counters, Blackhole bh) {
    LineSink sink = new LineSink(bh);
    LineSplitter splitter = new LineSplitter(sink);
    for (ByteBuffer slice : slices) {
      slice.clear();
      splitter.feed(slice);
    }
    splitter.finish();
    counters.bytes += body.length;
    counters.events += sink.count;
    return splitter.bytesRead();
  }

  @Benchmark
  public void ollamaDecoder(StreamCounters counters, Blackhole bh) {
    PushChatStream stream = new PushChatStream();
    OllamaStreamDecoder decoder = new OllamaStreamDecoder(stream, "ollama", "llama3.2", 200, Payloads.NDJSON_HEADERS,
        mapper, LineSplitter.DEFAULT_MAX_LINE_BYTES);
    Decoding.decodeAll(decoder, stream, slices, body.length, counters, bh);
  }

  private static final class LineSink implements LineSplitter.Handler {
    private final Blackhole bh;
    long count;

    LineSink(Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void onLine(String line) {
      bh.consume(line);
      count++;
    }
  }
}
