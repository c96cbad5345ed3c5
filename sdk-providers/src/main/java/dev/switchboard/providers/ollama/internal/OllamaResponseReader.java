package dev.switchboard.providers.ollama.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatResponse;
import dev.switchboard.DecodingException;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.ollama.LoadedModel;
import dev.switchboard.providers.ollama.OllamaModel;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Ollama's non-streamed answers: a {@code /api/chat} object ({@code model}, {@code
 * message.content}, {@code message.thinking} as reasoning, {@code message.tool_calls}, {@code
 * done_reason}, {@code prompt_eval_count} / {@code eval_count}; the durations are logged at DEBUG
 * by {@link OllamaWire#logMetrics}), an {@code /api/embed} object, and the {@code /api/tags} and
 * {@code /api/ps} listings.
 *
 * <p>Tolerant of unknown fields, missing counts and numbers too big for a {@code long}. A body that
 * is not a JSON object is a {@link DecodingException} quoting a short excerpt; a body that is
 * Ollama's error object ({@code {"error":"..."}}) goes through the {@link OllamaErrorMapper}.
 * Stateless and thread-safe. Not API.
 */
public final class OllamaResponseReader {
  private static final Logger log = LoggerFactory.getLogger("dev.switchboard.providers.ollama.OllamaProvider");

  private OllamaResponseReader() {}

  /** The chat answer in {@code body}, or throws the exception it stands for. */
  public static ChatResponse chat(int status, HttpHeaders headers, byte[] body, String provider, String model,
      OllamaErrorMapper mapper) {
    JsonNode root = object(status, body, provider, model, "the answer", mapper);
    if (root.has("error") && !root.has("message")) {
      throw mapper.mapBodyError(status, headers, root, provider, model, "an error object in an HTTP " + status
          + " body");
    }
    JsonNode message = root.get("message");
    if (message == null || !message.isObject()) {
      throw decoding(provider + " answered model '" + model + "' (HTTP " + status + ") without a message",
          body, provider, model, status, mapper, null);
    }
    List<ToolCall> toolCalls = OllamaWire.toolCalls(message.get("tool_calls"), 0);
    String rawFinish = OllamaWire.nonEmpty(root, "done_reason");
    String thinking = OllamaWire.nonEmpty(message, "thinking");
    String content = OllamaWire.string(message, "content");
    if (thinking == null && content != null) { // models that write <think>…</think> into the content
      String[] parts = dev.switchboard.stream.ThinkTagSplitter.split(content);
      if (!parts[0].isEmpty()) {
        thinking = parts[0];
        content = parts[1];
      }
    }
    String answeredBy = OllamaWire.nonEmpty(root, "model");
    OllamaWire.logMetrics(log, provider, answeredBy == null ? model : answeredBy, root);
    return ChatResponse.builder()
        .provider(provider)
        .model(answeredBy == null ? model : answeredBy)
        .text(content == null ? "" : content)
        .reasoning(thinking)
        .toolCalls(toolCalls)
        .finishReason(OllamaWire.finishReason(rawFinish, !toolCalls.isEmpty()))
        .rawFinishReason(rawFinish)
        .usage(OllamaWire.usage(root))
        .build();
  }

  /** The vectors in an {@code /api/embed} body, checked against the number of inputs. */
  public static EmbeddingResponse embed(int status, HttpHeaders headers, byte[] body, String provider, String model,
      int inputs, OllamaErrorMapper mapper) {
    JsonNode root = object(status, body, provider, model, "the embeddings", mapper);
    if (root.has("error") && !root.has("embeddings")) {
      throw mapper.mapBodyError(status, headers, root, provider, model, "an error object in an HTTP " + status
          + " body");
    }
    JsonNode vectors = root.get("embeddings");
    if (vectors == null || !vectors.isArray() || vectors.size() != inputs) {
      throw decoding(provider + " answered the embeddings of model '" + model + "' (HTTP " + status + ") with "
          + (vectors == null || !vectors.isArray() ? "no embeddings" : vectors.size() + " vectors for " + inputs
          + " inputs"), body, provider, model, status, mapper, null);
    }
    EmbeddingResponse.Builder b = EmbeddingResponse.builder().provider(provider)
        .model(orElse(OllamaWire.nonEmpty(root, "model"), model))
        .usage(Usage.of(OllamaWire.count(root.get("prompt_eval_count")), 0));
    int i = 0;
    for (JsonNode vector : vectors) {
      if (!vector.isArray() || vector.isEmpty()) {
        throw decoding(provider + " sent embedding " + i + " of model '" + model + "' without numbers", body, provider,
            model, status, mapper, null);
      }
      float[] v = new float[vector.size()];
      for (int k = 0; k < v.length; k++) {
        JsonNode x = vector.get(k);
        if (!x.isNumber()) {
          throw decoding(provider + " sent embedding " + i + " of model '" + model + "' with a value that is not a "
              + "number", body, provider, model, status, mapper, null);
        }
        v[k] = x.floatValue();
      }
      b.addEmbedding(Embedding.of(i++, v));
    }
    return b.build();
  }

  /** The installed models of a {@code /api/tags} body. */
  public static List<OllamaModel> models(int status, byte[] body, String provider, OllamaErrorMapper mapper) {
    List<OllamaModel> out = new ArrayList<>();
    for (JsonNode m : list(status, body, provider, "the model list (/api/tags)", mapper)) {
      String name = orElse(OllamaWire.nonEmpty(m, "name"), OllamaWire.nonEmpty(m, "model"));
      if (name == null) {
        continue;
      }
      JsonNode details = m.path("details");
      out.add(OllamaModel.builder()
          .name(name)
          .sizeBytes(OllamaWire.count(m.get("size")))
          .modifiedAt(OllamaWire.instant(OllamaWire.string(m, "modified_at")))
          .digest(OllamaWire.nonEmpty(m, "digest"))
          .family(OllamaWire.nonEmpty(details, "family"))
          .parameterSize(OllamaWire.nonEmpty(details, "parameter_size"))
          .quantizationLevel(OllamaWire.nonEmpty(details, "quantization_level"))
          .build());
    }
    return List.copyOf(out);
  }

  /** The loaded models of a {@code /api/ps} body. */
  public static List<LoadedModel> loaded(int status, byte[] body, String provider, OllamaErrorMapper mapper) {
    List<LoadedModel> out = new ArrayList<>();
    for (JsonNode m : list(status, body, provider, "the loaded models (/api/ps)", mapper)) {
      String name = orElse(OllamaWire.nonEmpty(m, "name"), OllamaWire.nonEmpty(m, "model"));
      if (name == null) {
        continue;
      }
      LoadedModel.Builder b = LoadedModel.builder()
          .name(name)
          .sizeBytes(OllamaWire.count(m.get("size")))
          .sizeVramBytes(OllamaWire.count(m.get("size_vram")))
          .expiresAt(OllamaWire.instant(OllamaWire.string(m, "expires_at")));
      long context = OllamaWire.count(m.get("context_length"));
      if (context > 0 && context <= Integer.MAX_VALUE) {
        b.contextLength((int) context);
      }
      out.add(b.build());
    }
    return List.copyOf(out);
  }

  // ---- helpers ----

  private static JsonNode list(int status, byte[] body, String provider, String what, OllamaErrorMapper mapper) {
    JsonNode root = object(status, body, provider, "", what, mapper);
    JsonNode models = root.get("models");
    if (models == null || models.isNull()) {
      return WireJson.MAPPER.createArrayNode(); // an empty server may send "models": null
    }
    if (!models.isArray()) {
      throw decoding(provider + " sent " + what + " without a models list", body, provider, "", status, mapper, null);
    }
    return models;
  }

  private static JsonNode object(int status, byte[] body, String provider, String model, String what,
      OllamaErrorMapper mapper) {
    JsonNode root;
    try {
      root = WireJson.MAPPER.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw decoding(provider + " sent " + what + (model.isEmpty() ? "" : " for model '" + model + "'") + " (HTTP "
          + status + ") that is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", body, provider, model,
          status, mapper, e);
    }
    if (root == null || !root.isObject()) {
      throw decoding(provider + " sent " + what + (model.isEmpty() ? "" : " for model '" + model + "'") + " (HTTP "
          + status + ") that is not a JSON object", body, provider, model, status, mapper, null);
    }
    return root;
  }

  private static DecodingException decoding(String what, byte[] body, String provider, String model, int status,
      OllamaErrorMapper mapper, Throwable cause) {
    String excerpt = OllamaWire.excerpt(body, OllamaErrorMapper.EXCERPT_CHARS - 1);
    return new DecodingException(mapper.redact(what + ": " + (excerpt.isEmpty() ? "empty body" : "'" + excerpt + "'")
        + ". Check that the base URL points at an Ollama server (the root, such as http://127.0.0.1:11434)."),
        ErrorDetails.builder().provider(provider).model(model).statusCode(status).build(), cause);
  }

  private static String orElse(String s, String fallback) {
    return s == null || s.isEmpty() ? fallback : s;
  }
}
