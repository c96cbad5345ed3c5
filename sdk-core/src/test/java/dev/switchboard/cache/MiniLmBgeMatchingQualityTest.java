package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.FakeAdapter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The two-model matcher as shipped ({@link MiniLmBgeEmbedder}) against the goals, on the
 * public data in {@code shared/data/cache}: QQP (precision at least 0.90 at recall at least 0.40,
 * questions mode: {@link MiniLmBgeEmbedder#guard()}) on a fixed eighth of the held-out fold the
 * classifier never saw ({@code pair_id % 40 == 4}), and GPTCache's 999 (at least 80% right hits
 * at no more than 2.5% wrong, paraphrase mode) through a real {@link ResponseCache} in a {@link
 * Switchboard}: the 999 origins stored by calls, each paraphrase asked by a call. Runs where both
 * optional model artifacts are on the class path, as they are for sdk-core's own tests; skips when
 * they or the data are absent. About 80 s on 2 vCPUs (about 4,000 texts through both models).
 */
class MiniLmBgeMatchingQualityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MiniLmBgeEmbedder embedder;

  static boolean modelsPresent() {
    try {
      Class.forName("dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel");
      return MiniLmEmbedderTest.modelPresent();
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static Path data(String file) {
    assumeTrue(modelsPresent(), "the MiniLM or bge-small model artifact is absent: the two-model quality check is skipped");
    Path path = Path.of("..", "..", "shared", "data", "cache", file);
    if (!Files.exists(path)) {
      path = Path.of("..", "shared", "data", "cache", file);
    }
    assumeTrue(Files.exists(path), "../shared/data/cache/" + file + " is absent: the two-model quality check is skipped");
    return path;
  }

  private static synchronized MiniLmBgeEmbedder embedder() {
    if (embedder == null) {
      embedder = MiniLmBgeEmbedder.create();
    }
    return embedder;
  }

  @Test
  void qqp_heldOutSubset_questionsMode_meetsTheGoal() throws IOException {
    Path file = data("gptcache_qqp/qqp_pairs_dev.jsonl");
    MiniLmBgeEmbedder embedder = embedder();
    PairClassifier guard = embedder.guard();
    long tp = 0;
    long fp = 0;
    long fn = 0;
    try (BufferedReader reader = Files.newBufferedReader(file)) {
      for (String line; (line = reader.readLine()) != null; ) {
        JsonNode row = JSON.readTree(line);
        if (row.get("pair_id").asInt() % 40 != 4) {
          continue;
        }
        String a = row.get("text_a").asText();
        String b = row.get("text_b").asText();
        float[] va = embedder.vector(a);
        float[] vb = embedder.vector(b);
        double sim = 0;
        for (int i = 0; i < va.length; i++) {
          sim += va[i] * vb[i];
        }
        boolean hit = sim >= MiniLmBgeEmbedder.QUESTION_THRESHOLD && guard.allows(b, vb, a, va, sim);
        boolean duplicate = row.get("label").asInt() == 1;
        if (hit) {
          tp += duplicate ? 1 : 0;
          fp += duplicate ? 0 : 1;
        } else if (duplicate) {
          fn++;
        }
      }
    }
    double precision = (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    System.out.printf("QQP held-out subset: two models + pair classifier P %.3f R %.3f (%d hits)%n", precision, recall, tp + fp);
    assertThat(precision).as("precision").isGreaterThanOrEqualTo(0.90);
    assertThat(recall).as("recall").isGreaterThanOrEqualTo(0.40);
  }

  @Test
  void gptCache999_throughTheCache_paraphraseMode_meetsTheGoal() throws IOException {
    JsonNode rows = JSON.readTree(data("gptcache_qqp/mock_data.json").toFile());
    AtomicInteger providerCalls = new AtomicInteger();
    FakeAdapter provider = new FakeAdapter("p") {
      @Override
      public CompletableFuture<ChatResponse> chat(ChatRequest request) {
        providerCalls.incrementAndGet();
        String asked = request.messages().get(request.messages().size() - 1).text();
        String answer = "miss";
        for (int i = 0; i < rows.size(); i++) {
          if (rows.get(i).get("origin").asText().equals(asked)) {
            answer = "origin " + i;
            break;
          }
        }
        return CompletableFuture.completedFuture(ChatResponse.builder().id("r").model(request.model())
            .text(answer).usage(Usage.of(100, 10)).build());
      }
    };
    ResponseCache cache = ResponseCache.builder()
        .semantic(embedder(), MiniLmBgeEmbedder.PARAPHRASE_THRESHOLD)
        .guard(SemanticGuard.NONE)
        .ambiguityMargin(MiniLmBgeEmbedder.PARAPHRASE_MARGIN)
        .build();
    Switchboard sb = Switchboard.builder().provider(provider)
        .prices(PriceCatalog.empty().toBuilder().price("p/m", ModelPrice.of(1, 10)).build())
        .interceptor(cache).build();
    int n = rows.size();
    for (int i = 0; i < n; i++) { // GPTCache's import: every origin stored under its own answer
      sb.chat(CacheControl.attach(ChatRequest.of("p/m", rows.get(i).get("origin").asText()), CacheControl.NO_CACHE));
    }
    int right = 0;
    int wrong = 0;
    int stored = providerCalls.get();
    for (int q = 0; q < n; q++) {
      ChatResponse r = sb.chat(CacheControl.attach(ChatRequest.of("p/m", rows.get(q).get("similar").asText()), CacheControl.NO_STORE));
      if (r.cacheHit().isEmpty()) {
        continue;
      }
      int origin = Integer.parseInt(r.text().substring("origin ".length()));
      if (rows.get(origin).get("origin").asText().equals(rows.get(q).get("origin").asText())) {
        right++;
      } else {
        wrong++;
      }
    }
    System.out.printf("GPTCache 999 through the cache: right %d, wrong %d, miss %d%n", right, wrong, n - right - wrong);
    assertThat(stored).isEqualTo(n);
    assertThat(providerCalls.get() - stored).as("misses asked the provider").isEqualTo(n - right - wrong);
    assertThat(right).as("right hits (80%% of %d)", n).isGreaterThanOrEqualTo((int) Math.ceil(0.80 * n));
    assertThat(wrong).as("wrong hits (2.5%% of %d)", n).isLessThanOrEqualTo((int) Math.floor(0.025 * n));
  }
}
