package dev.switchboard.bench.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.Attempt;
import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatStream;
import dev.switchboard.Secret;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.resilience.CircuitBreakers;
import dev.switchboard.resilience.Fallback;
import dev.switchboard.resilience.Resilience;
import dev.switchboard.route.ModelRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The six clients of the side-by-side benchmark, each as it would be used in a service: built once,
 * one blocking call (or one consumed stream) per invocation, the answer read (text and usage).
 */
final class Clients {
  static final String PROMPT = "Why route LLM traffic by cost?";
  static final String MODEL = "gpt-4o-mini";

  static final List<String> NAMES = List.of("raw", "async", "adapter", "chain", "openai", "lc4j");

  /** One client under test. */
  interface BenchClient extends AutoCloseable {
    /** One blocking chat call; returns the answer's text. */
    String call() throws Exception;

    /** Consumes one stream, telling {@code probe} about every non-empty text delta; false if unsupported. */
    boolean stream(Probe probe) throws Exception;

    /** Something to check after a run (e.g. the listener's count), or null. */
    default String note() {
      return null;
    }

    @Override
    default void close() throws Exception {}
  }

  /** What a consumed stream reports: text deltas and whether usage arrived. */
  static final class Probe {
    long firstTextNanos;
    int texts;
    boolean usage;

    void text(String t) {
      if (t != null && !t.isEmpty()) {
        if (texts++ == 0) {
          firstTextNanos = System.nanoTime();
        }
      }
    }
  }

  static BenchClient create(String name, String stubRoot) {
    String v1 = stubRoot + "/v1";
    switch (name) {
      case "raw":
        return new Raw(v1, false);
      case "async":
        return new Raw(v1, true);
      case "adapter":
        return new Adapter(v1);
      case "chain":
        return new Chain(v1);
      case "openai":
        return new OpenAi(v1);
      case "lc4j":
        return new LangChain4j(v1);
      default:
        throw new IllegalArgumentException("unknown client " + name + "; one of " + NAMES);
    }
  }

  /** Raw {@code java.net.http} (HTTP/1.1) + Jackson: blocking {@code send}, or {@code sendAsync().join()}. */
  static final class Raw implements BenchClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI uri;
    private final boolean async;

    Raw(String v1, boolean async) {
      this.uri = URI.create(v1 + "/chat/completions");
      this.async = async;
    }

    private HttpRequest request(boolean stream) throws IOException {
      ObjectNode body = MAPPER.createObjectNode().put("model", MODEL);
      body.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
      if (stream) {
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
      }
      return HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer bench-key")
          .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
          .build();
    }

    @Override
    public String call() throws Exception {
      HttpRequest request = request(false);
      JsonNode json;
      if (async) {
        json = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
          try {
            return MAPPER.readTree(r.body());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }).join();
      } else {
        json = MAPPER.readTree(http.send(request, HttpResponse.BodyHandlers.ofByteArray()).body());
      }
      json.path("usage").path("prompt_tokens").asLong();
      return json.path("choices").path(0).path("message").path("content").asText();
    }

    @Override
    public boolean stream(Probe probe) throws Exception {
      if (async) {
        return false;
      }
      HttpResponse<InputStream> response = http.send(request(true), HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!line.startsWith("data:")) {
            continue;
          }
          String data = line.substring(5).trim();
          if (data.equals("[DONE]")) {
            break;
          }
          JsonNode chunk = MAPPER.readTree(data);
          JsonNode choice = chunk.path("choices").path(0);
          if (!choice.isMissingNode()) {
            probe.text(choice.path("delta").path("content").asText(null));
          }
          if (chunk.path("usage").isObject()) {
            chunk.path("usage").path("completion_tokens").asLong();
            probe.usage = true;
          }
        }
      }
      return true;
    }
  }

  /** {@code OpenAiProvider} alone: {@code chat(request).join()}, {@code stream(request)}. */
  static final class Adapter implements BenchClient {
    private final OpenAiProvider provider;
    private final ChatRequest request = ChatRequest.of(MODEL, PROMPT);

    Adapter(String v1) {
      provider = OpenAiProvider.builder().name("openai").baseUrl(v1).apiKey(Secret.of("bench-key")).build();
    }

    @Override
    public String call() {
      return provider.chat(request).join().text();
    }

    @Override
    public boolean stream(Probe probe) {
      try (ChatStream stream = provider.stream(request)) {
        consume(stream, probe);
      }
      return true;
    }

    @Override
    public void close() {
      provider.close();
    }
  }

  static void consume(ChatStream stream, Probe probe) {
    for (ChatEvent event : stream) {
      if (event instanceof ChatEvent.TextDelta d) {
        probe.text(d.text());
      } else if (event instanceof ChatEvent.UsageReport u) {
        u.usage();
        probe.usage = true;
      } else if (event instanceof ChatEvent.Completed c) {
        probe.usage |= c.response().usage() != null;
      }
    }
  }

  /**
   * The whole Switchboard chain as a service would configure it: two providers (the primary and a
   * backup, both the stub), a {@link Fallback} chain from the alias {@code "bench"} with shared
   * circuit breakers, {@link Resilience} with retries (defaults), the same breakers and stream
   * time limits, and a counting listener. Calls go through {@code Switchboard.chat} / {@code stream}.
   */
  private static dev.switchboard.spi.http.HttpTransport experimentalTransport;

  static synchronized OpenAiProvider.Builder experimental(OpenAiProvider.Builder b) {
    String mode = System.getProperty("bench.transport", "");
    if (mode.isEmpty()) {
      return b;
    }
    if (experimentalTransport == null) {
      var t = dev.switchboard.spi.http.HttpTransport.builder();
      if (mode.equals("jdkExecutor")) {
        t.httpClient(java.net.http.HttpClient.newBuilder().build());
      } else if (mode.startsWith("threads")) {
        t.threads(Integer.parseInt(mode.substring(7)));
      }
      experimentalTransport = t.build();
    }
    return b.transport(experimentalTransport);
  }

  static final class Chain implements BenchClient {
    private final Switchboard switchboard;
    private final ChatRequest request = ChatRequest.of("bench", PROMPT);
    private final LongAdder ended = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder firstEvents = new LongAdder();

    Chain(String v1) {
      CircuitBreakers breakers = CircuitBreakers.builder().failureThreshold(5, 10).coolDown(Duration.ofSeconds(30)).build();
      switchboard = Switchboard.builder()
          .provider(experimental(OpenAiProvider.builder().name("openai").baseUrl(v1).apiKey(Secret.of("bench-key"))).build())
          .provider(experimental(OpenAiProvider.builder().name("backup").baseUrl(v1).apiKey(Secret.of("bench-key"))).build())
          .interceptor(Fallback.builder().chain("bench", "openai/" + MODEL, "backup/" + MODEL)
              .circuitBreakers(breakers).build())
          .interceptor(Resilience.builder().circuitBreakers(breakers)
              .firstEventTimeout(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(30)).build())
          .listener(new ChatListener() {
            @Override
            public void attemptStart(CallInfo call, int attemptId, ModelRef target) {
              attempts.increment();
            }

            @Override
            public void attemptEnd(CallInfo call, int attemptId, Attempt attempt) {
              attempts.increment();
            }

            @Override
            public void firstEvent(CallInfo call, Duration latency) {
              firstEvents.increment();
            }

            @Override
            public void callEnd(CallInfo call, dev.switchboard.ChatResponse response) {
              ended.increment();
            }
          })
          .build();
    }

    @Override
    public String call() {
      return switchboard.chat(request).text();
    }

    @Override
    public boolean stream(Probe probe) {
      try (ChatStream stream = switchboard.stream(request)) {
        consume(stream, probe);
      }
      return true;
    }

    @Override
    public String note() {
      return "listener: " + ended.sum() + " callEnd, " + attempts.sum() + " attemptStart+End, "
          + firstEvents.sum() + " firstEvent";
    }

    @Override
    public void close() {
      switchboard.close();
    }
  }

  /** openai-java with its OkHttp client: {@code chat().completions().create / createStreaming}. */
  static final class OpenAi implements BenchClient {
    private final OpenAIClient client;
    private final ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(PROMPT).build();
    private final ChatCompletionCreateParams streamParams = ChatCompletionCreateParams.builder().model(MODEL)
        .addUserMessage(PROMPT).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

    OpenAi(String v1) {
      client = OpenAIOkHttpClient.builder().baseUrl(v1).apiKey("bench-key").build();
    }

    @Override
    public String call() {
      ChatCompletion completion = client.chat().completions().create(params);
      completion.usage().ifPresent(u -> u.promptTokens());
      return completion.choices().get(0).message().content().orElse(null);
    }

    @Override
    public boolean stream(Probe probe) {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(streamParams)) {
        stream.stream().forEach(chunk -> {
          if (!chunk.choices().isEmpty()) {
            chunk.choices().get(0).delta().content().ifPresent(probe::text);
          }
          chunk.usage().ifPresent(u -> {
            u.completionTokens();
            probe.usage = true;
          });
        });
      }
      return true;
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** langchain4j-open-ai: {@code OpenAiChatModel.chat(String)}, {@code OpenAiStreamingChatModel.chat(String, handler)}. */
  static final class LangChain4j implements BenchClient {
    private final OpenAiChatModel model;
    private final OpenAiStreamingChatModel streaming;

    LangChain4j(String v1) {
      model = OpenAiChatModel.builder().baseUrl(v1).apiKey("bench-key").modelName(MODEL).build();
      streaming = OpenAiStreamingChatModel.builder().baseUrl(v1).apiKey("bench-key").modelName(MODEL).build();
    }

    @Override
    public String call() {
      return model.chat(PROMPT);
    }

    @Override
    public boolean stream(Probe probe) {
      CompletableFuture<dev.langchain4j.model.chat.response.ChatResponse> done = new CompletableFuture<>();
      streaming.chat(PROMPT, new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(String partial) {
          probe.text(partial);
        }

        @Override
        public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
          probe.usage = response.tokenUsage() != null;
          done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
          done.completeExceptionally(error);
        }
      });
      done.join();
      return true;
    }
  }

  private Clients() {}
}
