package dev.switchboard.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The examples an {@link Evaluation} asks every model, in order, read from JSON Lines: one object
 * per line,
 *
 * <pre>{@code
 * {"id": "q1", "prompt": "Capital of France?", "reference": "Paris", "metadata": {"topic": "geo"}}
 * {"id": "q2", "messages": [{"role": "system", "content": "Answer in one word."},
 *                           {"role": "user", "content": "Capital of Peru?"}], "reference": "Lima"}
 * }</pre>
 *
 * (the second row on one line in the file). {@code id} is a non-blank string or an integer,
 * unique in the file; exactly one of {@code prompt} (a string, sent as one user message) and
 * {@code messages} (role {@code system}, {@code user} or {@code assistant} and a string {@code
 * content}, at least one user message); {@code reference} is optional and any JSON; {@code
 * metadata} is an optional object. Blank lines are skipped; any other field is an error, so a typo
 * such as {@code "refrence"} is caught. Errors are {@link DatasetException}s naming the line and
 * the field.
 *
 * <p>Immutable and thread-safe.
 */
public final class Dataset implements Iterable<Example> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("id", "prompt", "messages", "reference", "metadata");

  private final String name;
  private final List<Example> examples;

  private Dataset(String name, List<Example> examples) {
    this.name = name;
    this.examples = List.copyOf(examples);
  }

  /** A dataset named {@code name} of {@code examples}, whose ids must be unique. */
  public static Dataset of(String name, List<Example> examples) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      Integer before = seen.put(examples.get(i).id(), i);
      if (before != null) {
        throw new IllegalArgumentException("dataset '" + name + "': example " + i + " has id '"
            + examples.get(i).id() + "', already used by example " + before);
      }
    }
    return new Dataset(name, examples);
  }

  /** Reads a JSON Lines file (UTF-8); the dataset is named after the file. */
  public static Dataset read(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(in, file.getFileName().toString());
    }
  }

  /** Reads JSON Lines from {@code in} (not closed); {@code source} names it in errors and is the dataset's name. */
  public static Dataset parse(Reader in, String source) throws IOException {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    List<Example> examples = new ArrayList<>();
    Map<String, Integer> idLines = new HashMap<>();
    String text;
    int line = 0;
    while ((text = lines.readLine()) != null) {
      line++;
      if (line == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (text.isBlank()) {
        continue;
      }
      Example e = row(text, source, line);
      Integer before = idLines.put(e.id(), line);
      if (before != null) {
        throw new DatasetException(source, line, "id", "'" + e.id() + "' is already used on line " + before);
      }
      examples.add(e);
    }
    return new Dataset(source, examples);
  }

  private static Example row(String text, String source, int line) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new DatasetException(source, line, null, "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new DatasetException(source, line, null, "a row must be a JSON object, got " + kind(node));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new DatasetException(source, line, f, "unknown field; a row has id, prompt or messages, reference and "
            + "metadata");
      }
    }
    Example.Builder b = Example.builder().id(id(node.get("id"), source, line));
    JsonNode prompt = node.get("prompt");
    JsonNode messages = node.get("messages");
    if (prompt != null && messages != null) {
      throw new DatasetException(source, line, "messages", "a row has either 'prompt' or 'messages', not both");
    }
    if (prompt == null && messages == null) {
      throw new DatasetException(source, line, "prompt", "missing; a row needs 'prompt' (a string) or 'messages' "
          + "(an array of {role, content})");
    }
    if (prompt != null) {
      if (!prompt.isTextual() || prompt.textValue().isBlank()) {
        throw new DatasetException(source, line, "prompt", "must be a non-blank string, got " + kind(prompt));
      }
      b.prompt(prompt.textValue());
    } else {
      b.messages(messages(messages, source, line));
    }
    b.reference(node.get("reference"));
    JsonNode metadata = node.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        throw new DatasetException(source, line, "metadata", "must be an object, got " + kind(metadata));
      }
      b.metadata((ObjectNode) metadata);
    }
    return b.build();
  }

  private static String id(JsonNode id, String source, int line) {
    if (id == null || id.isNull()) {
      throw new DatasetException(source, line, "id", "missing; every row needs a unique id");
    }
    if (id.isTextual() && !id.textValue().isBlank()) {
      return id.textValue();
    }
    if (id.isIntegralNumber()) {
      return id.asText();
    }
    throw new DatasetException(source, line, "id", "must be a non-blank string or an integer, got " + kind(id));
  }

  private static List<Message> messages(JsonNode messages, String source, int line) {
    if (!messages.isArray() || messages.isEmpty()) {
      throw new DatasetException(source, line, "messages", "must be a non-empty array of {role, content}, got "
          + kind(messages));
    }
    List<Message> list = new ArrayList<>();
    boolean user = false;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new DatasetException(source, line, at, "must be an object {role, content}, got " + kind(m));
      }
      JsonNode role = m.get("role");
      JsonNode content = m.get("content");
      if (role == null || !role.isTextual()) {
        throw new DatasetException(source, line, at + ".role", "missing; one of system, user, assistant");
      }
      if (content == null || !content.isTextual()) {
        throw new DatasetException(source, line, at + ".content", "must be a string, got " + kind(content));
      }
      switch (role.textValue()) {
        case "system" -> list.add(Message.system(content.textValue()));
        case "user" -> {
          list.add(Message.user(content.textValue()));
          user = true;
        }
        case "assistant" -> list.add(Message.assistant(content.textValue()));
        default -> throw new DatasetException(source, line, at + ".role", "'" + role.textValue()
            + "' is not one of system, user, assistant");
      }
    }
    if (!user) {
      throw new DatasetException(source, line, "messages", "has no user message");
    }
    return list;
  }

  private static String kind(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> node.textValue().isBlank() ? "a blank string" : "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }

  /** The file name, or the name given. */
  public String name() {
    return name;
  }

  public List<Example> examples() {
    return examples;
  }

  public int size() {
    return examples.size();
  }

  /** The example with {@code id}, if there is one. */
  public Optional<Example> example(String id) {
    for (Example e : examples) {
      if (e.id().equals(id)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The first {@code n} examples (all of them if there are fewer), for a trial run. */
  public Dataset limit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("Dataset.limit needs n >= 0, got " + n);
    }
    return n >= examples.size() ? this : new Dataset(name, examples.subList(0, n));
  }

  @Override
  public Iterator<Example> iterator() {
    return examples.iterator();
  }

  @Override
  public String toString() {
    return "Dataset[" + name + ", " + examples.size() + " examples]";
  }
}
