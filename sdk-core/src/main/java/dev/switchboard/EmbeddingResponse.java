package dev.switchboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The vectors for an {@link EmbeddingRequest}, in input order. Immutable and thread-safe. */
public final class EmbeddingResponse {
  private final String provider;
  private final String model;
  private final List<Embedding> embeddings;
  private final Usage usage;

  private EmbeddingResponse(Builder b) {
    this.provider = b.provider;
    this.model = b.model;
    List<Embedding> sorted = new ArrayList<>(b.embeddings);
    sorted.sort((x, y) -> Integer.compare(x.index(), y.index()));
    this.embeddings = List.copyOf(sorted);
    this.usage = b.usage;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String provider() {
    return provider;
  }

  public String model() {
    return model;
  }

  public List<Embedding> embeddings() {
    return embeddings;
  }

  /** Input tokens only; embeddings produce no output tokens. */
  public Usage usage() {
    return usage;
  }

  public Builder toBuilder() {
    return new Builder().provider(provider).model(model).embeddings(embeddings).usage(usage);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingResponse r && provider.equals(r.provider) && model.equals(r.model)
        && embeddings.equals(r.embeddings) && usage.equals(r.usage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, model, embeddings, usage);
  }

  @Override
  public String toString() {
    return "EmbeddingResponse[" + provider + "/" + model + ", " + embeddings.size() + " vectors, " + usage + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private String provider = "";
    private String model = "";
    private final List<Embedding> embeddings = new ArrayList<>();
    private Usage usage = Usage.ZERO;

    private Builder() {}

    public Builder provider(String provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder embeddings(List<Embedding> embeddings) {
      this.embeddings.clear();
      embeddings.forEach(this::addEmbedding);
      return this;
    }

    public Builder addEmbedding(Embedding embedding) {
      this.embeddings.add(Objects.requireNonNull(embedding, "embedding"));
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = Objects.requireNonNull(usage, "usage");
      return this;
    }

    public EmbeddingResponse build() {
      return new EmbeddingResponse(this);
    }
  }
}
