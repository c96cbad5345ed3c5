package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.Usage;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Realistic wire payloads, built once per trial: what OpenAI and Ollama actually send (field order,
 * nulls, ids and fingerprints included), so that the parsers do the same work as in production.
 */
final class Payloads {
  private Payloads() {}

  /** Content chunks in the streamed bodies (the stream benchmark uses 200 as well). */
  static final int STREAM_CHUNKS = 200;

  private static final String[] WORDS = {
    " Routing", " by", " cost", " sends", " easy", " queries", " to", " cheap", " models", " and",
    " saves", " the", " premium", " model", " for", " hard", " ones", ".", " A", " fallback",
    " chain", " keeps", " answering", " when", " one", " provider", " is", " down", ",", " and",
    " a", " circuit", " breaker", " stops", " hammering", " it", " until", " it", " recovers", "\\n"
  };

  /** Headers of a streamed OpenAI answer. */
  static final HttpHeaders SSE_HEADERS = HttpHeaders.of(Map.of(
      "content-type", List.of("text/event-stream; charset=utf-8"),
      "x-request-id", List.of("req_8d3a1f0c2b7e4d5a9c6b1e2f3a4d5c6b")), (a, b) -> true);

  /** Headers of a plain JSON answer. */
  static final HttpHeaders JSON_HEADERS = HttpHeaders.of(Map.of(
      "content-type", List.of("application/json"),
      "x-request-id", List.of("req_8d3a1f0c2b7e4d5a9c6b1e2f3a4d5c6b")), (a, b) -> true);

  /** Headers of a streamed Ollama answer. */
  static final HttpHeaders NDJSON_HEADERS = HttpHeaders.of(Map.of(
      "content-type", List.of("application/x-ndjson")), (a, b) -> true);

  /**
   * An OpenAI {@code /chat/completions} stream with {@code stream_options.include_usage}: a role
   * chunk, {@link #STREAM_CHUNKS} content chunks, a finish chunk, the usage chunk and {@code [DONE]},
   * each {@code data:} line followed by a blank line, as api.openai.com sends them.
   */
  static byte[] openAiSse() {
    String head = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
        + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[";
    StringBuilder sb = new StringBuilder(80 * 1024);
    sb.append("data: ").append(head).append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
        + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
    for (int i = 0; i < STREAM_CHUNKS; i++) {
      sb.append("data: ").append(head).append("{\"index\":0,\"delta\":{\"content\":\"")
          .append(WORDS[i % WORDS.length])
          .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
    }
    sb.append("data: ").append(head)
        .append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
    sb.append("data: ").append(head).append("],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":")
        .append(STREAM_CHUNKS).append(",\"total_tokens\":").append(24 + STREAM_CHUNKS)
        .append(",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
    sb.append("data: [DONE]\n\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An Ollama {@code /api/chat} stream: {@link #STREAM_CHUNKS} content lines and the final "done" line. */
  static byte[] ollamaNdjson() {
    StringBuilder sb = new StringBuilder(40 * 1024);
    for (int i = 0; i < STREAM_CHUNKS; i++) {
      sb.append("{\"model\":\"llama3.2\",\"created_at\":\"2025-03-10T09:12:")
          .append(String.format("%02d", i % 60)).append(".").append(100000 + i * 37)
          .append("Z\",\"message\":{\"role\":\"assistant\",\"content\":\"")
          .append(WORDS[i % WORDS.length]).append("\"},\"done\":false}\n");
    }
    sb.append("{\"model\":\"llama3.2\",\"created_at\":\"2025-03-10T09:13:00.000000Z\",\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":4883583458,"
        + "\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":342546000,"
        + "\"eval_count\":").append(STREAM_CHUNKS).append(",\"eval_duration\":4535599000}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A non-streamed OpenAI chat completion, 683 bytes (the shape api.openai.com returns). */
  static byte[] openAiCompletion() {
    return ("{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\","
        + "\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"Routing by cost sends easy queries to cheap models "
        + "and saves the premium model for hard ones.\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":18,"
        + "\"total_tokens\":42,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
        + "\"system_fingerprint\":\"fp_06737a9306\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** A system prompt and a user question: the common shape of a chat request. */
  static ChatRequest chatRequest(String model) {
    return ChatRequest.builder()
        .model(model)
        .system("You are a concise assistant for a platform team. Answer in at most three sentences and "
            + "prefer concrete numbers over adjectives.")
        .user("Why would a team route requests between several LLM providers instead of calling one "
            + "directly? Name the two most important reasons.")
        .build();
  }

  /** The answer the in-memory provider returns for every chat call. */
  static ChatResponse chatResponse() {
    return ChatResponse.builder()
        .id("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
        .provider("mem")
        .model("gpt-4o-mini-2024-07-18")
        .text("Routing by cost sends easy queries to cheap models and saves the premium model for hard ones.")
        .finishReason(FinishReason.STOP)
        .rawFinishReason("stop")
        .usage(Usage.of(24, 18))
        .requestId("req_8d3a1f0c2b7e4d5a9c6b1e2f3a4d5c6b")
        .build();
  }

  /**
   * {@code body} cut into consecutive slices of {@code chunkBytes} (the last one shorter), without
   * copying. {@code readOnly} slices are what {@code java.net.http} on JDK 17 hands a body
   * subscriber (read-only heap buffers, so {@code hasArray()} is false); writable ones take the
   * parsers' array fast path. Callers {@link ByteBuffer#clear()} a slice before feeding it again.
   */
  static ByteBuffer[] slices(byte[] body, int chunkBytes, boolean readOnly) {
    List<ByteBuffer> out = new ArrayList<>();
    for (int off = 0; off < body.length; off += chunkBytes) {
      ByteBuffer b = ByteBuffer.wrap(body, off, Math.min(chunkBytes, body.length - off)).slice();
      out.add(readOnly ? b.asReadOnlyBuffer() : b);
    }
    return out.toArray(new ByteBuffer[0]);
  }
}
