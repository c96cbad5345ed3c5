package dev.switchboard.providers.compat.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.ChatException;
import dev.switchboard.DecodingException;
import dev.switchboard.Embedding;
import dev.switchboard.EmbeddingRequest;
import dev.switchboard.EmbeddingResponse;
import dev.switchboard.ErrorDetails;
import dev.switchboard.Usage;
import dev.switchboard.spi.http.WireJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The {@code POST /embeddings} exchange of OpenAI-compatible servers (OpenAI, Azure, vLLM, TEI, ...).
 *
 * <p>Writes {@code {"model", "input": [...], "dimensions"?, "encoding_format": "float"}}. Reads
 * {@code data[].embedding} with a streaming parser straight into {@code float}s (a batch can hold
 * hundreds of thousands of numbers, so no JSON tree), ordered by {@code data[].index} (by position
 * where a server sends none), and accepts an embedding sent as a base64 string of little-endian
 * float32 values (what {@code encoding_format: "base64"} returns, which some servers and proxies
 * answer with unasked). {@code usage.prompt_tokens} becomes the input tokens.
 *
 * <p>Strict about what a caller relies on: one vector per input, indexes in range and distinct, at
 * least one dimension, every number finite; anything else is a {@link DecodingException} quoting
 * what was wrong. An {@code {"error":...}} body with status 200 goes through the error mapper.
 * Stateless and thread-safe. Not API.
 */
public final class EmbeddingsWire {
  private EmbeddingsWire() {}

  /** The request body. */
  public static byte[] write(EmbeddingRequest request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.model());
      g.writeArrayFieldStart("input");
      for (String input : request.inputs()) {
        g.writeString(input);
      }
      g.writeEndArray();
      if (request.dimensions().isPresent()) {
        g.writeNumberField("dimensions", request.dimensions().get());
      }
      g.writeStringField("encoding_format", "float");
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the embeddings request body", e);
    }
    return out.toByteArray();
  }

  /** The vectors in a 2xx body, or throws the {@link ChatException} the body stands for. */
  public static EmbeddingResponse read(int status, HttpHeaders headers, byte[] body, String provider,
      EmbeddingRequest request, ChatCompletionsErrorMapper mapper) {
    String model = request.model();
    Context c = new Context(status, headers, body, provider, model, mapper);
    List<float[]> vectors = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    String responseModel = null;
    JsonNode usage = null;
    JsonNode error = null;
    boolean sawData = false;
    try (JsonParser p = WireJson.parser(body, 0, body.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw c.decoding("is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "data" -> {
            if (value != JsonToken.START_ARRAY) {
              throw c.decoding("has a 'data' that is not an array");
            }
            sawData = true;
            readData(p, c, vectors, indexes);
          }
          case "model" -> responseModel = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "usage" -> usage = value == JsonToken.START_OBJECT ? WireJson.MAPPER.readTree(p) : skip(p);
          case "error" -> error = value == JsonToken.VALUE_NULL ? null : WireJson.MAPPER.readTree(p);
          default -> p.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ChatException ce) {
        throw ce;
      }
      throw c.decoding("is not valid JSON (" + WireJson.firstLine(e.getMessage()) + ")", e);
    }
    if (error != null && !(error.isContainerNode() && error.isEmpty()) && vectors.isEmpty()) {
      throw mapper.mapBodyError(status, headers, WireJson.MAPPER.createObjectNode().set("error", error), provider, model,
          "an error object in an HTTP " + status + " body");
    }
    if (!sawData) {
      throw c.decoding("has no 'data'");
    }
    int n = request.inputs().size();
    if (vectors.size() != n) {
      throw c.decoding("has " + vectors.size() + " embeddings for " + n + " inputs");
    }
    boolean positional = indexes.stream().allMatch(i -> i == null);
    boolean[] seen = new boolean[n];
    EmbeddingResponse.Builder b = EmbeddingResponse.builder()
        .provider(provider)
        .model(responseModel == null || responseModel.isEmpty() ? model : responseModel);
    for (int i = 0; i < n; i++) {
      Integer index = positional ? Integer.valueOf(i) : indexes.get(i);
      if (index == null || index < 0 || index >= n || seen[index]) {
        throw c.decoding("has a missing, repeated or out-of-range index " + index + " (inputs: " + n + ")");
      }
      seen[index] = true;
      b.addEmbedding(Embedding.of(index, vectors.get(i)));
    }
    Usage u = ChatCompletionsWire.usage(usage);
    if (u != null) {
      b.usage(Usage.builder().inputTokens(u.inputTokens()).build());
    }
    return b.build();
  }

  private static JsonNode skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static void readData(JsonParser p, Context c, List<float[]> vectors, List<Integer> indexes)
      throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw c.decoding("has a 'data' item that is not an object");
      }
      Integer index = null;
      float[] vector = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("index") && value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
          index = p.getIntValue();
        } else if (field.equals("embedding")) {
          if (value == JsonToken.START_ARRAY) {
            vector = readFloats(p, c, vectors.size());
          } else if (value == JsonToken.VALUE_STRING) {
            vector = decodeBase64(p.getText(), c, vectors.size());
          } else {
            throw c.decoding("has an embedding #" + vectors.size() + " that is neither an array nor base64 text");
          }
        } else {
          p.skipChildren();
        }
      }
      if (vector == null) {
        throw c.decoding("has a 'data' item #" + vectors.size() + " without an embedding");
      }
      vectors.add(vector);
      indexes.add(index);
    }
  }

  private static float[] readFloats(JsonParser p, Context c, int item) throws IOException {
    float[] v = new float[256];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw c.decoding("has a non-number in embedding #" + item);
      }
      float f = p.getFloatValue();
      if (!Float.isFinite(f)) {
        throw c.decoding("has a number that does not fit a float in embedding #" + item);
      }
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = f;
    }
    if (n == 0) {
      throw c.decoding("has an empty embedding #" + item);
    }
    return n == v.length ? v : Arrays.copyOf(v, n);
  }

  /** A base64 string of little-endian float32 values. */
  static float[] decodeBase64(String text, Context c, int item) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw c.decoding("has embedding #" + item + " as text that is not base64 (" + e.getMessage() + ")");
    }
    if (bytes.length == 0 || bytes.length % Float.BYTES != 0) {
      throw c.decoding("has embedding #" + item + " as " + bytes.length
          + " base64 bytes, which is not a whole number of float32 values");
    }
    FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[floats.remaining()];
    floats.get(v);
    for (float f : v) {
      if (!Float.isFinite(f)) {
        throw c.decoding("has a value that is not a finite float in base64 embedding #" + item);
      }
    }
    return v;
  }

  /** What error messages need. */
  static final class Context {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;
    private final String provider;
    private final String model;
    private final ChatCompletionsErrorMapper mapper;

    Context(int status, HttpHeaders headers, byte[] body, String provider, String model, ChatCompletionsErrorMapper mapper) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.provider = provider;
      this.model = model;
      this.mapper = mapper;
    }

    DecodingException decoding(String what) {
      return decoding(what, null);
    }

    DecodingException decoding(String what, Throwable cause) {
      String excerpt = ChatCompletionsWire.excerpt(body, ChatCompletionsErrorMapper.EXCERPT_CHARS - 1);
      return new DecodingException(mapper.redact("the embeddings answer of " + provider + " for model '" + model
          + "' (HTTP " + status + ") " + what + ": " + (excerpt.isEmpty() ? "empty body" : "'" + excerpt + "'")
          + ". Check that the base URL points at an OpenAI-compatible /embeddings endpoint."),
          ErrorDetails.builder().provider(provider).model(model).statusCode(status)
              .requestId(ChatCompletionsWire.requestId(headers)).build(),
          cause);
    }
  }
}
