package dev.switchboard.cache;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One of langchain4j's in-process embedding models (ONNX Runtime), loaded by class name and called
 * through method handles, so that sdk-core compiles and runs without the optional dependency.
 * Thread-safe.
 */
final class OnnxModel {
  private final String name;
  private final String prefix;
  private final Object model;
  private final MethodHandle embed; // (EmbeddingModel, String) -> float[]

  private OnnxModel(String name, String modelClass, String prefix) throws Throwable {
    this.name = name;
    this.prefix = prefix;
    ClassLoader loader = OnnxModel.class.getClassLoader();
    Class<?> modelType = Class.forName(modelClass, true, loader);
    Class<?> api = Class.forName("dev.langchain4j.model.embedding.EmbeddingModel", true, loader);
    Class<?> response = Class.forName("dev.langchain4j.model.output.Response", true, loader);
    Class<?> embedding = Class.forName("dev.langchain4j.data.embedding.Embedding", true, loader);
    OnnxModel.class.getModule().addReads(modelType.getModule());
    OnnxModel.class.getModule().addReads(api.getModule());
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    MethodHandle call = lookup.findVirtual(api, "embed", MethodType.methodType(response, String.class));
    MethodHandle content = lookup.findVirtual(response, "content", MethodType.methodType(Object.class));
    MethodHandle vector = lookup.findVirtual(embedding, "vector", MethodType.methodType(float[].class));
    this.embed = MethodHandles.filterReturnValue(MethodHandles.filterReturnValue(call, content),
        vector.asType(MethodType.methodType(float[].class, Object.class)));
    this.model = lookup.findConstructor(modelType, MethodType.methodType(void.class)).invoke();
  }

  /**
   * Loads {@code modelClass}; {@code artifact} (with its version) is named in the error when it is
   * missing. {@code prefix} is put before every text (some models are trained with one).
   *
   * @throws IllegalStateException when the class is not on the class path or the model fails to load
   */
  static OnnxModel load(String name, String modelClass, String artifact, String prefix) {
    try {
      return new OnnxModel(name, modelClass, prefix);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      throw new IllegalStateException(name + " needs the dependency " + artifact + ", or use LexicalEmbedder", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(name + " does not know this langchain4j-embeddings: use 1.19.0-beta29", e);
    } catch (Throwable e) {
      throw new IllegalStateException(name + " failed to load: " + e, e);
    }
  }

  /** {@code vector.apply(text)} computed now, as a completed (or failed) future: how both model embedders embed. */
  static CompletableFuture<float[]> now(Function<String, float[]> vector, String text) {
    try {
      return CompletableFuture.completedFuture(vector.apply(text));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The model's unit vector for {@code text}, computed on the calling thread. */
  float[] vector(String text) {
    try {
      return (float[]) embed.invoke(model, prefix.isEmpty() ? text : prefix + text);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(name + " failed to embed a text", e);
    }
  }
}
