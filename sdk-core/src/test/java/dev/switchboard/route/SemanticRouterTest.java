package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.spi.Embedder;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SemanticRouterTest {
  /** Word presence over a tiny vocabulary: enough to tell code from small talk. */
  private static final Embedder WORDS = new Embedder() {
    private final String[] vocabulary = {"python", "function", "error", "stack", "hello", "thanks", "hi", "weather"};

    @Override
    public CompletableFuture<float[]> embed(String text) {
      float[] v = new float[vocabulary.length];
      String t = text.toLowerCase();
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] = t.contains(vocabulary[i]) ? 1 : 0;
        norm += v[i];
      }
      for (int i = 0; i < v.length && norm > 0; i++) {
        v[i] /= (float) Math.sqrt(norm);
      }
      return CompletableFuture.completedFuture(v);
    }

    @Override
    public int dimensions() {
      return vocabulary.length;
    }

    @Override
    public String id() {
      return "words";
    }
  };

  private final SemanticRouter router = SemanticRouter.builder(WORDS)
      .route("code", "p/coder", "write a python function", "explain this stack error")
      .route("smalltalk", "p/cheap", "hello there", "thanks a lot")
      .threshold(0.6).defaultModel("p/general").build();

  @Test
  void theClosestRouteAboveTheThreshold_takesTheRequest() {
    Router.Decision d = router.decide(ChatRequest.of("auto", "Why does my python function throw this error?"));
    assertThat(d.candidates().modelStrings()).containsExactly("p/coder");
    assertThat(d.reason()).startsWith("semantic: code (");
    assertThat(router.decide(ChatRequest.of("auto", "hello, thanks!")).candidates().modelStrings())
        .containsExactly("p/cheap");
  }

  @Test
  void belowTheThreshold_orWithoutAnEmbeddingAtOnce_itGoesToTheDefault() {
    Router.Decision d = router.decide(ChatRequest.of("auto", "what's the weather like?"));
    assertThat(d.candidates().modelStrings()).containsExactly("p/general");
    assertThat(d.reason()).startsWith("semantic: default (best");

    Embedder slow = new Embedder() {
      @Override
      public CompletableFuture<float[]> embed(String text) {
        return text.startsWith("write") || text.startsWith("explain") || text.startsWith("hello")
            || text.startsWith("thanks") ? WORDS.embed(text) : new CompletableFuture<>();
      }

      @Override
      public int dimensions() {
        return WORDS.dimensions();
      }

      @Override
      public String id() {
        return "slow";
      }
    };
    SemanticRouter waiting = SemanticRouter.builder(slow).route("code", "p/coder", "write a python function")
        .defaultModel("p/general").build();
    assertThat(waiting.decide(ChatRequest.of("auto", "python function please")).reason())
        .isEqualTo("semantic: default (embedding not ready)");
  }
}
