package dev.switchboard.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.AuthenticationException;
import dev.switchboard.ChatException;
import dev.switchboard.ChatTimeoutException;
import dev.switchboard.DecodingException;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.RateLimitException;
import dev.switchboard.Secret;
import dev.switchboard.ServerException;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.testkit.EmulatorExtension;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.Fault;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.RecordedRequest;
import dev.switchboard.testkit.Reply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code Switchboard.embed} through {@link OpenAiProvider} against the OpenAI emulator's {@code /v1/embeddings}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiEmbeddingsTest {
  private static final String KEY = "sk-embed-0123456789abcdef";
  private static final Map<String, String> JSON = Map.of("content-type", "application/json");

  @RegisterExtension
  static final EmulatorExtension<OpenAiEmulator> OPENAI = EmulatorExtension.openAi();

  private Switchboard sb;

  @BeforeEach
  void setUp() {
    sb = Switchboard.builder().provider(OpenAiProvider.builder().baseUrl(OPENAI.emulator().baseUrl())
        .apiKey(Secret.of(KEY)).timeout(Duration.ofSeconds(10)).build()).build();
  }

  @AfterEach
  void tearDown() {
    sb.close();
  }

  @Test
  void embedsEveryInput_inOrder_withUsage_andSendsTheOpenAiBody() {
    EmbeddingResponse r = sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small",
        "the cat sat on the mat", "stock prices fell sharply", "the cat sat on a mat"));

    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.model()).isEqualTo("text-embedding-3-small");
    assertThat(r.embeddings()).extracting(Embedding::index).containsExactly(0, 1, 2);
    assertThat(r.embeddings()).allSatisfy(e -> assertThat(e.dimensions()).isEqualTo(64));
    assertThat(r.usage().inputTokens()).isPositive();
    assertThat(r.usage().outputTokens()).isZero();
    // the emulator's vectors are a bag of words: near-duplicates are close, unrelated texts are not
    double near = r.embeddings().get(0).cosine(r.embeddings().get(2));
    double far = r.embeddings().get(0).cosine(r.embeddings().get(1));
    assertThat(near).isGreaterThan(0.6).isGreaterThan(far + 0.4);

    RecordedRequest sent = OPENAI.emulator().takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/embeddings");
    assertThat(sent.header("Authorization")).hasValue("Bearer " + KEY);
    JsonNode body = sent.json();
    assertThat(body.get("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(body.get("input").toString())
        .isEqualTo("[\"the cat sat on the mat\",\"stock prices fell sharply\",\"the cat sat on a mat\"]");
    assertThat(body.get("encoding_format").asText()).isEqualTo("float");
    assertThat(body.has("dimensions")).isFalse();
  }

  @Test
  void askedDimensions_areSent_andComeBack() {
    EmbeddingResponse r = sb.embed(EmbeddingRequest.builder().model("openai/text-embedding-3-large")
        .addInput("short").dimensions(256).build());

    assertThat(r.embeddings().get(0).dimensions()).isEqualTo(256);
    assertThat(OPENAI.emulator().takeRequest().json().get("dimensions").asInt()).isEqualTo(256);
  }

  @Test
  void vectorsSentOutOfOrder_comeBackInInputOrder_withTheServersUsage() {
    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"object\":\"list\",\"data\":["
        + "{\"object\":\"embedding\",\"index\":2,\"embedding\":[0.0,0.0,1.0]},"
        + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[1.0,0.0,0.0]},"
        + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.0,1.0,0.0]}],"
        + "\"model\":\"bge-m3\",\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12}}"));

    EmbeddingResponse r = sb.embed(EmbeddingRequest.of("openai/bge-m3", "a", "b", "c"));

    assertThat(r.embeddings()).extracting(e -> e.toArray()[0], e -> e.toArray()[1], e -> e.toArray()[2])
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1f, 0f, 0f),
            org.assertj.core.groups.Tuple.tuple(0f, 1f, 0f),
            org.assertj.core.groups.Tuple.tuple(0f, 0f, 1f));
    assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(12).build());
    assertThat(r.model()).isEqualTo("bge-m3");
  }

  @Test
  void base64Embeddings_areDecodedAsLittleEndianFloat32() {
    float[] first = {0.25f, -1.5f, 3.0e-5f};
    float[] second = {1f, 2f, 3f};
    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"data\":["
        + "{\"index\":0,\"embedding\":\"" + base64(first) + "\"},"
        + "{\"index\":1,\"embedding\":\"" + base64(second) + "\"}],\"usage\":{\"prompt_tokens\":4}}"));

    EmbeddingResponse r = sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small", "x", "y"));

    assertThat(r.embeddings().get(0).toArray()).containsExactly(first);
    assertThat(r.embeddings().get(1).toArray()).containsExactly(second);
  }

  @Test
  void teiStyleAnswer_withoutIndexes_isTakenInOrder() {
    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"object\":\"list\",\"data\":["
        + "{\"object\":\"embedding\",\"embedding\":[0.5]},{\"object\":\"embedding\",\"embedding\":[0.25]}],"
        + "\"model\":\"BAAI/bge-small-en-v1.5\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}"));

    EmbeddingResponse r = sb.embed(EmbeddingRequest.of("openai/bge", "a", "b"));

    assertThat(r.embeddings()).extracting(e -> e.get(0)).containsExactly(0.5f, 0.25f);
  }

  @Test
  void errors_goThroughTheOneErrorMapper() {
    OPENAI.emulator().enqueue(Reply.error(ErrorKind.RATE_LIMIT, Duration.ofSeconds(3)));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small", "x")))
        .isExactlyInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((ChatException) e).retryAfter()).hasValue(Duration.ofSeconds(3)));

    OPENAI.emulator().enqueue(Reply.error(ErrorKind.AUTHENTICATION));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small", "x")))
        .isExactlyInstanceOf(AuthenticationException.class)
        .hasMessageNotContaining(KEY);

    OPENAI.emulator().enqueue(Reply.error(ErrorKind.SERVER_ERROR));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/text-embedding-3-small", "x")))
        .isExactlyInstanceOf(ServerException.class);
  }

  @Test
  void brokenAnswers_areDecodingExceptions_sayingWhatWasWrong() {
    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"data\":[{\"index\":0,\"embedding\":[0.1]}]}"));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a", "b")))
        .isExactlyInstanceOf(DecodingException.class).hasMessageContaining("has 1 embeddings for 2 inputs");

    OPENAI.emulator().enqueue(Reply.raw(200, JSON,
        "{\"data\":[{\"index\":0,\"embedding\":[0.1]},{\"index\":0,\"embedding\":[0.2]}]}"));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a", "b")))
        .isExactlyInstanceOf(DecodingException.class).hasMessageContaining("repeated or out-of-range index 0");

    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"data\":[{\"index\":0,\"embedding\":\"AAA=\"}]}"));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a")))
        .isExactlyInstanceOf(DecodingException.class).hasMessageContaining("not a whole number of float32");

    OPENAI.emulator().enqueue(Reply.raw(200, JSON, "{\"object\":\"list\"}"));
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a")))
        .isExactlyInstanceOf(DecodingException.class).hasMessageContaining("has no 'data'");

    OPENAI.emulator().enqueue(Reply.builder().fault(Fault.TRUNCATED_STREAM).build());
    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a")))
        .isExactlyInstanceOf(DecodingException.class).hasMessageContaining("is not valid JSON");
  }

  @Test
  void anErrorObjectInA200Body_isMapped() {
    OPENAI.emulator().enqueue(Reply.raw(200, JSON,
        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"));

    assertThatThrownBy(() -> sb.embed(EmbeddingRequest.of("openai/m", "a")))
        .isExactlyInstanceOf(RateLimitException.class).hasMessageContaining("Rate limit reached");
  }

  @Test
  void aSlowServer_isATimeout_withinTheProvidersTimeout() {
    try (Switchboard quick = Switchboard.builder().provider(OpenAiProvider.builder()
        .baseUrl(OPENAI.emulator().baseUrl()).timeout(Duration.ofMillis(200)).build()).build()) {
      OPENAI.emulator().enqueue(Reply.builder().text("late").delay(Duration.ofSeconds(5)).build());

      assertThatThrownBy(() -> quick.embed(EmbeddingRequest.of("openai/m", "a")))
          .isExactlyInstanceOf(ChatTimeoutException.class);
    }
  }

  @Test
  void theEmulatorsVectors_areDeterministicUnitVectors() {
    EmbeddingResponse once = sb.embed(EmbeddingRequest.of("openai/m", "Hello, world!", ""));
    EmbeddingResponse twice = sb.embed(EmbeddingRequest.of("openai/m", "hello world", ""));

    assertThat(once.embeddings().get(0)).isEqualTo(twice.embeddings().get(0));
    float[] v = once.embeddings().get(0).toArray();
    double norm = 0;
    for (float f : v) {
      norm += f * f;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(once.embeddings().get(1).get(0)).isEqualTo(1f);
  }

  private static String base64(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : values) {
      b.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

}
