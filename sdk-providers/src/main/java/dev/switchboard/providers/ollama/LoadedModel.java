package dev.switchboard.providers.ollama;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model an Ollama server holds in memory right now, as {@link OllamaProvider#loadedModels()}
 * reports it from {@code GET /api/ps}: routing can prefer a server that has the model loaded, and
 * {@link #contextLength()} is the context window it was loaded with. Immutable and thread-safe.
 */
public final class LoadedModel {
  private final String name;
  private final long sizeBytes;
  private final long sizeVramBytes;
  private final Instant expiresAt;
  private final Integer contextLength;

  private LoadedModel(Builder b) {
    this.name = b.name;
    this.sizeBytes = b.sizeBytes;
    this.sizeVramBytes = b.sizeVramBytes;
    this.expiresAt = b.expiresAt;
    this.contextLength = b.contextLength;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The model's name with its tag, e.g. {@code llama3.2:latest}. */
  public String name() {
    return name;
  }

  /** Memory it takes in all, in bytes; 0 if unknown. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The part of {@link #sizeBytes()} in GPU memory; less than the whole means it runs partly on the CPU. */
  public long sizeVramBytes() {
    return sizeVramBytes;
  }

  /** When Ollama unloads it unless it is used again (see {@code keep_alive}). */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /** The context window it was loaded with ({@code context_length}, sent by Ollama 0.10 and later). */
  public OptionalInt contextLength() {
    return contextLength == null ? OptionalInt.empty() : OptionalInt.of(contextLength);
  }

  public Builder toBuilder() {
    Builder b = new Builder().name(name).sizeBytes(sizeBytes).sizeVramBytes(sizeVramBytes).expiresAt(expiresAt);
    b.contextLength = contextLength;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadedModel m
        && name.equals(m.name)
        && sizeBytes == m.sizeBytes
        && sizeVramBytes == m.sizeVramBytes
        && Objects.equals(expiresAt, m.expiresAt)
        && Objects.equals(contextLength, m.contextLength);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, sizeBytes, sizeVramBytes, expiresAt, contextLength);
  }

  @Override
  public String toString() {
    return "LoadedModel[" + name + ", " + sizeBytes + " bytes, " + sizeVramBytes + " in VRAM"
        + (contextLength == null ? "" : ", context " + contextLength)
        + (expiresAt == null ? "" : ", until " + expiresAt) + "]";
  }

  /** Not thread-safe. {@link #build()} requires a name. */
  public static final class Builder {
    private String name;
    private long sizeBytes;
    private long sizeVramBytes;
    private Instant expiresAt;
    private Integer contextLength;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = sizeBytes;
      return this;
    }

    public Builder sizeVramBytes(long sizeVramBytes) {
      this.sizeVramBytes = sizeVramBytes;
      return this;
    }

    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    public Builder contextLength(int contextLength) {
      if (contextLength <= 0) {
        throw new IllegalArgumentException("LoadedModel.contextLength must be > 0, got " + contextLength);
      }
      this.contextLength = contextLength;
      return this;
    }

    public LoadedModel build() {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("LoadedModel.name is required");
      }
      if (sizeBytes < 0 || sizeVramBytes < 0) {
        throw new IllegalArgumentException("LoadedModel sizes must be >= 0, got " + sizeBytes + " and " + sizeVramBytes);
      }
      return new LoadedModel(this);
    }
  }
}
