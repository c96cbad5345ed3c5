package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.FakeAdapter;
import dev.switchboard.InvalidRequestException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an {@link Interceptor} and a {@link ProviderAdapter} do by default. */
@Timeout(10)
class DefaultsTest {

  /** A minimal adapter: only what the interface requires. */
  private static final class MinimalAdapter implements ProviderAdapter {
    @Override
    public String name() {
      return "plain";
    }

    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      return CompletableFuture.completedFuture(FakeAdapter.answer("hi"));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void providerAdapter_byDefault_servesNoEmbeddings_knowsNoCapabilities_andClosesQuietly() {
    MinimalAdapter adapter = new MinimalAdapter();
    CompletableFuture<EmbeddingResponse> f = adapter.embed(EmbeddingRequest.of("e5", "x"));
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> Futures.await(f));
    assertThat(e).hasMessage("provider 'plain' does not serve embeddings; use a provider with an embeddings "
        + "endpoint (OpenAI-compatible, Ollama)");
    assertThat(e.provider()).isEqualTo("plain");
    assertThat(e.model()).isEqualTo("e5");
    assertThat(adapter.capabilities("anything")).isSameAs(Capabilities.UNKNOWN);
    assertThatCode(adapter::close).doesNotThrowAnyException();

    Switchboard sb = Switchboard.builder().provider(adapter).build();
    assertThat(sb.capabilities("plain/anything")).isSameAs(Capabilities.UNKNOWN);
  }

  @Test
  void interceptor_byDefault_passesEveryKindOfCallThroughUnchanged() {
    List<EmbeddingRequest> embedded = new CopyOnWriteArrayList<>();
    FakeAdapter openai = new FakeAdapter("openai") {
      @Override
      public CompletableFuture<EmbeddingResponse> embed(EmbeddingRequest request) {
        embedded.add(request);
        return CompletableFuture.completedFuture(EmbeddingResponse.builder().model(request.model())
            .addEmbedding(Embedding.of(0, new float[] {1})).usage(Usage.of(1, 0)).build());
      }
    };
    Switchboard sb = Switchboard.builder().provider(openai).interceptor(new Interceptor() {}).build();

    CompletableFuture<ChatResponse> chat = sb.chatAsync(ChatRequest.of("openai/m", "hello"));
    assertThat(openai.requests).singleElement().satisfies(r -> {
      assertThat(r.model()).isEqualTo("m");
      assertThat(r.messages().get(0).text()).isEqualTo("hello");
    });
    openai.calls.get(0).complete(FakeAdapter.answer("ok"));
    assertThat(chat.join().text()).isEqualTo("ok");

    try (ChatStream stream = sb.stream(ChatRequest.of("openai/s", "hi"))) {
      openai.streams.get(0).emit(new ChatEvent.Completed(FakeAdapter.answer("streamed")));
      openai.streams.get(0).complete();
      assertThat(stream.collect().text()).isEqualTo("streamed");
    }
    assertThat(openai.requests).extracting(ChatRequest::model).containsExactly("m", "s");

    EmbeddingResponse vectors = sb.embed(EmbeddingRequest.of("openai/e5", "x"));
    assertThat(vectors.provider()).isEqualTo("openai");
    assertThat(embedded).singleElement().satisfies(r -> assertThat(r.model()).isEqualTo("e5"));
  }
}
