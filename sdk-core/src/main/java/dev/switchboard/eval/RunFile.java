package dev.switchboard.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Usage;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation's run file, JSON Lines: a first line {@code {"switchboardEval": 1, "settings":
 * {...}}} with what the answers depend on, then one {@link EvalResult} per line, appended and
 * flushed as each completes, so that a run stopped at any point loses at most the line being
 * written. Reading keeps the last line of each (id, model) and ignores a torn last line. Writing is
 * synchronized; one writer per file.
 */
final class RunFile implements Closeable {
  static final int VERSION = 1;
  static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  /** An (example id, model) pair. */
  record Key(String id, String model) {}

  /** What a run file holds: its settings (null for a new or empty file) and the results by key, in file order. */
  record Contents(ObjectNode settings, Map<Key, EvalResult> results, boolean tornLastLine) {}

  private final BufferedWriter out;
  private boolean closed;

  private RunFile(BufferedWriter out) {
    this.out = out;
  }

  static Contents read(Path file) throws IOException {
    Map<Key, EvalResult> results = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return new Contents(null, results, false);
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int last = lines.size();
    while (last > 0 && lines.get(last - 1).isBlank()) {
      last--;
    }
    ObjectNode settings = null;
    boolean torn = false;
    for (int i = 0; i < last; i++) {
      String text = lines.get(i);
      if (text.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        if (i == last - 1) {
          torn = true; // the line being written when the run stopped
          break;
        }
        throw new IOException(file + " line " + (i + 1) + ": not a JSON line of a run file: " + e.getOriginalMessage());
      }
      if (settings == null) {
        if (!node.isObject() || node.path("switchboardEval").asInt() != VERSION || !node.path("settings").isObject()) {
          throw new IOException(file + " line " + (i + 1) + ": not a Switchboard evaluation run file (its first line "
              + "must be {\"switchboardEval\": " + VERSION + ", \"settings\": {...}}); use another --run file");
        }
        settings = (ObjectNode) node.get("settings");
        continue;
      }
      EvalResult r;
      try {
        r = fromJson(node);
      } catch (RuntimeException e) {
        throw new IOException(file + " line " + (i + 1) + ": not a result: " + e.getMessage(), e);
      }
      Key key = new Key(r.id(), r.model());
      results.remove(key);
      results.put(key, r);
    }
    return new Contents(settings, results, torn);
  }

  /**
   * Opens {@code file} to append results, writing the settings line when the file has none yet. A
   * torn last line (no newline, not JSON: the run stopped while writing it) is cut off first, so the
   * file stays one JSON value per line.
   */
  static RunFile append(Path file, ObjectNode settings, boolean hasSettings) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean needsNewline = repairEnd(file);
    BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    RunFile run = new RunFile(out);
    if (needsNewline) {
      out.write('\n');
    }
    if (!hasSettings) {
      ObjectNode header = JSON.createObjectNode();
      header.put("switchboardEval", VERSION);
      header.set("settings", settings);
      run.line(header);
    }
    out.flush();
    return run;
  }

  /**
   * Makes the file end at a line's end: cuts a torn last line off; returns true when the last line
   * is whole JSON that only lacks its newline.
   */
  private static boolean repairEnd(Path file) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return false;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long length = f.length();
      f.seek(length - 1);
      if (f.read() == '\n') {
        return false;
      }
      long start = length - 1;
      byte[] block = new byte[8192];
      search:
      while (start > 0) {
        int n = (int) Math.min(block.length, start);
        f.seek(start - n);
        f.readFully(block, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (block[i] == '\n') {
            start = start - n + i + 1;
            break search;
          }
        }
        start -= n;
      }
      byte[] tail = new byte[(int) (length - start)];
      f.seek(start);
      f.readFully(tail);
      try {
        JSON.readTree(tail);
        return true;
      } catch (JsonProcessingException e) {
        f.setLength(start);
        return false;
      }
    }
  }

  /** Appends and flushes one result; ignored once closed (a result arriving after the run was stopped). */
  synchronized void write(EvalResult result) {
    if (closed) {
      return;
    }
    try {
      line(toJson(result));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not append to the run file: " + e.getMessage(), e);
    }
  }

  private void line(JsonNode node) throws IOException {
    out.write(JSON.writeValueAsString(node));
    out.write('\n');
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }

  static ObjectNode toJson(EvalResult r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", r.id());
    n.put("model", r.model());
    n.put("answer", r.answer());
    if (r.score().isPresent()) {
      n.put("score", r.score().getAsDouble());
    } else {
      n.putNull("score");
    }
    n.put("scoreError", r.scoreError().orElse(null));
    n.put("inputTokens", r.usage().inputTokens());
    n.put("outputTokens", r.usage().outputTokens());
    if (r.usage().estimated()) {
      n.put("usageEstimated", true);
    }
    n.put("costUsd", r.cost().orElse(null));
    n.put("latencyMs", r.latency().toNanos() / 1e6);
    if (r.timeToFirstToken().isPresent()) {
      n.put("ttftMs", r.timeToFirstToken().get().toNanos() / 1e6);
    } else {
      n.putNull("ttftMs");
    }
    n.put("error", r.error().orElse(null));
    n.put("errorMessage", r.errorMessage().orElse(null));
    return n;
  }

  static EvalResult fromJson(JsonNode n) {
    EvalResult.Builder b = EvalResult.builder()
        .id(text(n, "id", true))
        .model(text(n, "model", true))
        .answer(n.path("answer").asText(""))
        .scoreError(text(n, "scoreError", false))
        .usage(Usage.builder().inputTokens(n.path("inputTokens").asLong()).outputTokens(n.path("outputTokens").asLong())
            .estimated(n.path("usageEstimated").asBoolean(false)).build())
        .cost(n.hasNonNull("costUsd") ? n.get("costUsd").decimalValue() : null)
        .latency(millis(n.path("latencyMs").asDouble()))
        .timeToFirstToken(n.hasNonNull("ttftMs") ? millis(n.get("ttftMs").asDouble()) : null)
        .error(text(n, "error", false))
        .errorMessage(text(n, "errorMessage", false));
    if (n.hasNonNull("score")) {
      b.score(n.get("score").asDouble());
    }
    return b.build();
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException("field '" + field + "' is missing");
      }
      return null;
    }
    return v.asText();
  }

  private static Duration millis(double ms) {
    return Duration.ofNanos(Math.round(ms * 1e6));
  }
}
