package dev.switchboard.cache;

import dev.switchboard.spi.Embedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingClient;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EmbedderTest {
  private final EmbeddingClient client = new EmbeddingClient() {
    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
      return embedAsync(request).join();
    }

    @Override
    public CompletableFuture<EmbeddingResponse> embedAsync(EmbeddingRequest request) {
      float[] v = request.inputs().get(0).equals("wide") ? new float[] {3, 4, 0} : new float[] {3, 4};
      return CompletableFuture.completedFuture(EmbeddingResponse.builder().embeddings(List.of(Embedding.of(0, v)))
          .build());
    }
  };

  @Test
  void anEmbeddingModel_givesUnitVectors_andAnIdNamingModelAndSize() {
    Embedder e = Embedder.of(client, "openai/text-embedding-3-small", 2);
    assertThat(e.embed("hello").join()).containsExactly(0.6f, 0.8f);
    assertThat(e.id()).isEqualTo("model:openai/text-embedding-3-small:2");
  }

  @Test
  void aVectorOfAnotherSize_failsTheLookup() {
    Embedder e = Embedder.of(client, "m", 2);
    assertThatThrownBy(() -> e.embed("wide").join()).hasMessageContaining("returned 3 dimensions");
  }
}
