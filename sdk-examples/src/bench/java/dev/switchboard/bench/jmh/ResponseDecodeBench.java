package dev.switchboard.bench.jmh;

import dev.switchboard.ChatResponse;
import dev.switchboard.Secret;
import dev.switchboard.providers.compat.internal.ChatCompletionsErrorMapper;
import dev.switchboard.providers.compat.internal.ChatCompletionsResponseReader;
import java.time.Clock;
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
 * Decoding a non-streamed answer: a 683-byte OpenAI {@code chat.completion} body (bytes, as the
 * transport collects them) to a {@link ChatResponse} through {@link ChatCompletionsResponseReader},
 * the code every OpenAI-compatible provider runs per call (Jackson tree, text, finish reason, usage,
 * request id from the headers).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseDecodeBench {

  private byte[] body;
  private ChatCompletionsErrorMapper mapper;

  @Setup
  public void setup() {
    body = Payloads.openAiCompletion();
    mapper = new ChatCompletionsErrorMapper(Secret.of("sk-bench-not-a-real-key"),
        "https://api.openai.com/v1/chat/completions", Clock.systemUTC(), false, "OpenAiProvider", "OPENAI_API_KEY");
    ChatResponse r = chatCompletion();
    if (!r.text().startsWith("Routing by cost") || r.usage().outputTokens() != 18) {
      throw new IllegalStateException("unexpected decode: " + r);
    }
  }

  @Benchmark
  public ChatResponse chatCompletion() {
    return ChatCompletionsResponseReader.read(200, Payloads.JSON_HEADERS, body, "openai", "gpt-4o-mini", mapper);
  }
}
