package dev.switchboard.providers.ollama;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A model installed on an Ollama server, as {@link OllamaProvider#listModels()} reports it from
 * {@code GET /api/tags}. Fields Ollama leaves out or sends empty are absent. Immutable and
 * thread-safe.
 */
public final class OllamaModel {
  private final String name;
  private final long sizeBytes;
  private final Instant modifiedAt;
  private final String digest;
  private final String family;
  private final String parameterSize;
  private final String quantizationLevel;

  private OllamaModel(Builder b) {
    this.name = b.name;
    this.sizeBytes = b.sizeBytes;
    this.modifiedAt = b.modifiedAt;
    this.digest = b.digest;
    this.family = b.family;
    this.parameterSize = b.parameterSize;
    this.quantizationLevel = b.quantizationLevel;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The name to call it by, with its tag, e.g. {@code llama3.2:latest}. */
  public String name() {
    return name;
  }

  /** Its size on disk in bytes; 0 if unknown. */
  public long sizeBytes() {
    return sizeBytes;
  }

  public Optional<Instant> modifiedAt() {
    return Optional.ofNullable(modifiedAt);
  }

  public Optional<String> digest() {
    return Optional.ofNullable(digest);
  }

  /** {@code details.family}, e.g. {@code llama}, {@code qwen3}, {@code nomic-bert}. */
  public Optional<String> family() {
    return Optional.ofNullable(family);
  }

  /** {@code details.parameter_size}, e.g. {@code 8.0B}. */
  public Optional<String> parameterSize() {
    return Optional.ofNullable(parameterSize);
  }

  /** {@code details.quantization_level}, e.g. {@code Q4_K_M}. */
  public Optional<String> quantizationLevel() {
    return Optional.ofNullable(quantizationLevel);
  }

  public Builder toBuilder() {
    return new Builder().name(name).sizeBytes(sizeBytes).modifiedAt(modifiedAt).digest(digest).family(family)
        .parameterSize(parameterSize).quantizationLevel(quantizationLevel);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OllamaModel m
        && name.equals(m.name)
        && sizeBytes == m.sizeBytes
        && Objects.equals(modifiedAt, m.modifiedAt)
        && Objects.equals(digest, m.digest)
        && Objects.equals(family, m.family)
        && Objects.equals(parameterSize, m.parameterSize)
        && Objects.equals(quantizationLevel, m.quantizationLevel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, sizeBytes, modifiedAt, digest, family, parameterSize, quantizationLevel);
  }

  @Override
  public String toString() {
    return "OllamaModel[" + name + ", " + sizeBytes + " bytes"
        + (family == null ? "" : ", " + family)
        + (parameterSize == null ? "" : ", " + parameterSize)
        + (quantizationLevel == null ? "" : ", " + quantizationLevel) + "]";
  }

  /** Not thread-safe. {@link #build()} requires a name. */
  public static final class Builder {
    private String name;
    private long sizeBytes;
    private Instant modifiedAt;
    private String digest;
    private String family;
    private String parameterSize;
    private String quantizationLevel;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = sizeBytes;
      return this;
    }

    public Builder modifiedAt(Instant modifiedAt) {
      this.modifiedAt = modifiedAt;
      return this;
    }

    public Builder digest(String digest) {
      this.digest = digest;
      return this;
    }

    public Builder family(String family) {
      this.family = family;
      return this;
    }

    public Builder parameterSize(String parameterSize) {
      this.parameterSize = parameterSize;
      return this;
    }

    public Builder quantizationLevel(String quantizationLevel) {
      this.quantizationLevel = quantizationLevel;
      return this;
    }

    public OllamaModel build() {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("OllamaModel.name is required");
      }
      if (sizeBytes < 0) {
        throw new IllegalArgumentException("OllamaModel.sizeBytes must be >= 0, got " + sizeBytes);
      }
      return new OllamaModel(this);
    }
  }
}
