package dev.switchboard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.Message;
import dev.switchboard.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One item of a {@link Dataset}: an {@link #id()} unique in its dataset, the conversation sent to
 * each model ({@link #messages()}, at least one user message), an optional {@link #reference()}
 * the {@link Scorer} compares the answer with (a string, a number, or JSON such as the fields to
 * extract or graded relevance for a ranking), and free {@link #metadata()} carried to the results.
 *
 * <p>Immutable and thread-safe: the JSON it holds is copied in and handed out as copies.
 */
public final class Example {
  private final String id;
  private final List<Message> messages;
  private final JsonNode reference;
  private final ObjectNode metadata;

  private Example(Builder b) {
    this.id = b.id;
    this.messages = List.copyOf(b.messages);
    this.reference = b.reference == null ? null : b.reference.deepCopy();
    this.metadata = b.metadata == null ? JsonNodeFactory.instance.objectNode() : b.metadata.deepCopy();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An example asking {@code prompt} as one user message, with a string {@code reference}. */
  public static Example of(String id, String prompt, String reference) {
    return builder().id(id).prompt(prompt).reference(reference).build();
  }

  public String id() {
    return id;
  }

  /** The conversation as given: at least one user message, no evaluation system prompt added. */
  public List<Message> messages() {
    return messages;
  }

  /** The text of the last user message: what the question is, for a judge or a report. */
  public String prompt() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == Role.USER) {
        return messages.get(i).text();
      }
    }
    return "";
  }

  /** The reference answer as JSON (a copy), if the example has one. */
  public Optional<JsonNode> reference() {
    return Optional.ofNullable(reference == null ? null : reference.deepCopy());
  }

  /** The reference as text: a JSON string's value, any other JSON written compactly. */
  public Optional<String> referenceText() {
    if (reference == null) {
      return Optional.empty();
    }
    return Optional.of(reference.isTextual() ? reference.textValue() : reference.toString());
  }

  /** The row's {@code metadata} object (a copy); empty when it had none. */
  public ObjectNode metadata() {
    return metadata.deepCopy();
  }

  public Builder toBuilder() {
    Builder b = new Builder().id(id).messages(messages).metadata(metadata);
    b.reference = reference;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example e
        && id.equals(e.id)
        && messages.equals(e.messages)
        && Objects.equals(reference, e.reference)
        && metadata.equals(e.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, messages, reference, metadata);
  }

  @Override
  public String toString() {
    String prompt = prompt();
    return "Example[" + id + ", " + (prompt.length() > 60 ? prompt.substring(0, 60) + "…" : prompt)
        + (reference == null ? "" : ", reference=" + referenceText().orElseThrow()) + "]";
  }

  /** Not thread-safe. {@link #build()} requires an id and a user message. */
  public static final class Builder {
    private String id;
    private final List<Message> messages = new ArrayList<>();
    private JsonNode reference;
    private ObjectNode metadata;

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /** The whole conversation, replacing any messages set before. */
    public Builder messages(List<Message> messages) {
      this.messages.clear();
      this.messages.addAll(messages);
      return this;
    }

    public Builder addMessage(Message message) {
      this.messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    /** One user message, replacing any messages set before. */
    public Builder prompt(String prompt) {
      return messages(List.of(Message.user(Objects.requireNonNull(prompt, "prompt"))));
    }

    /** The reference as JSON; {@code null} or a JSON null: none. */
    public Builder reference(JsonNode reference) {
      this.reference = reference == null || reference.isNull() ? null : reference;
      return this;
    }

    /** A string reference; {@code null}: none. */
    public Builder reference(String reference) {
      this.reference = reference == null ? null : TextNode.valueOf(reference);
      return this;
    }

    public Builder metadata(ObjectNode metadata) {
      this.metadata = metadata;
      return this;
    }

    public Example build() {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("Example.id is required and must not be blank");
      }
      if (messages.stream().noneMatch(m -> m.role() == Role.USER)) {
        throw new IllegalArgumentException("Example '" + id + "' needs at least one user message");
      }
      return new Example(this);
    }
  }
}
