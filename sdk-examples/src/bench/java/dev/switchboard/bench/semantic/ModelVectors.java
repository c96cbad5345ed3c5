package dev.switchboard.bench.semantic;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.switchboard.cache.LexicalEmbedder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The vectors of a list of texts under one embedder: {@code lexical} (LexicalEmbedder, 256),
 * {@code minilm} (all-MiniLM-L6-v2, ONNX, 384) or {@code minilm-q} (its quantized twin). Model
 * vectors take minutes for QQP's ~80,000 questions, so they may be kept in a file outside the
 * project ({@code vectorCache=/tmp/...}), keyed by embedder and by the texts' count and hash.
 */
final class ModelVectors {
  private ModelVectors() {}

  static Function<String, float[]> embedder(String name) {
    switch (name) {
      case "lexical": {
        LexicalEmbedder e = LexicalEmbedder.create();
        return e::vector;
      }
      case "minilm": {
        EmbeddingModel m = new AllMiniLmL6V2EmbeddingModel();
        return t -> m.embed(t).content().vector();
      }
      case "minilm-q": {
        EmbeddingModel m = new AllMiniLmL6V2QuantizedEmbeddingModel();
        return t -> m.embed(t).content().vector();
      }
      case "bge-q": {
        EmbeddingModel m = new dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel();
        return t -> m.embed(t).content().vector();
      }
      case "e5-q": {
        EmbeddingModel m = new dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel();
        return t -> m.embed("query: " + t).content().vector();
      }
      default:
        throw new IllegalArgumentException("embedder is lexical, minilm, minilm-q, bge-q or e5-q, got " + name);
    }
  }

  /** The vector of every text, in order; read from or written to {@code cacheDir} when it is set. */
  static Map<String, float[]> vectors(String name, List<String> texts, String cacheDir) throws IOException {
    int hash = texts.hashCode();
    Path file = cacheDir == null ? null
        : Path.of(cacheDir, name + "-" + texts.size() + "-" + Integer.toHexString(hash) + ".vec");
    Map<String, float[]> out = new HashMap<>(texts.size() * 2);
    if (file != null && Files.exists(file)) {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
        int n = in.readInt();
        int d = in.readInt();
        for (int i = 0; i < n; i++) {
          float[] v = new float[d];
          for (int j = 0; j < d; j++) {
            v[j] = in.readFloat();
          }
          out.put(texts.get(i), v);
        }
      }
      System.out.printf("%s: %d vectors read from %s%n", name, texts.size(), file);
      return out;
    }
    Function<String, float[]> embedder = embedder(name);
    long t0 = System.nanoTime();
    float[][] all = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i++) {
      all[i] = embedder.apply(texts.get(i));
      out.put(texts.get(i), all[i]);
    }
    System.out.printf("%s: %d texts embedded in %.1f s (%.2f ms each, one caller thread)%n", name, texts.size(),
        (System.nanoTime() - t0) / 1e9, (System.nanoTime() - t0) / 1e6 / texts.size());
    if (file != null) {
      Files.createDirectories(file.getParent());
      try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
        o.writeInt(all.length);
        o.writeInt(all.length == 0 ? 0 : all[0].length);
        for (float[] v : all) {
          for (float f : v) {
            o.writeFloat(f);
          }
        }
      }
    }
    return out;
  }
}
