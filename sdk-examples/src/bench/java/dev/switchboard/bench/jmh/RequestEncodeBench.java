package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.providers.compat.internal.ChatCompletionsDialect;
import dev.switchboard.providers.compat.internal.ChatCompletionsRequestWriter;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding a request: a {@link ChatRequest} with a system and a user message to the JSON bytes of
 * an OpenAI {@code POST /chat/completions} body, through {@link ChatCompletionsRequestWriter} in
 * the dialect api.openai.com gets ({@code max_completion_tokens}, {@code stream_options}), once for
 * a plain call and once for a stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestEncodeBench {

  private ChatRequest request;
  private ChatCompletionsDialect dialect;

  @Setup
  public void setup() {
    request = Payloads.chatRequest("gpt-4o-mini");
    dialect = new ChatCompletionsDialect(true, true, true, ChatCompletionsDialect.Thinking.NONE, false, "OPENAI");
    String json = new String(chat(), StandardCharsets.UTF_8);
    if (!json.startsWith("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\"")) {
      throw new IllegalStateException("unexpected body: " + json);
    }
  }

  @Benchmark
  public byte[] chat() {
    return ChatCompletionsRequestWriter.write(request, false, dialect);
  }

  @Benchmark
  public byte[] stream() {
    return ChatCompletionsRequestWriter.write(request, true, dialect);
  }
}
