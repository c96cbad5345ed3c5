package dev.switchboard.internal;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A comma-separated table read whole (RFC 4180: fields in double quotes may hold commas, line
 * breaks and doubled quotes; CRLF or LF ends a record), with its first record as the header.
 * Immutable once read; thread-safe. Not API.
 */
public final class Csv {
  private final String source;
  private final List<String> header;
  private final Map<String, Integer> columns;
  private final List<String[]> rows;

  private Csv(String source, List<String> header, List<String[]> rows) {
    this.source = source;
    this.header = List.copyOf(header);
    this.columns = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      columns.putIfAbsent(header.get(i), i);
    }
    this.rows = rows;
  }

  /** Reads all of {@code in}; {@code source} names it in error messages. Does not close {@code in}. */
  public static Csv read(Reader in, String source) throws IOException {
    List<String[]> records = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean afterQuote = false;
    boolean any = false;
    int line = 1;
    int c;
    while ((c = in.read()) != -1) {
      if (quoted) {
        if (c == '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c == '\n') {
            line++;
          }
          field.append((char) c);
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          if (afterQuote) {
            field.append('"');
            quoted = true;
            afterQuote = false;
          } else if (field.length() == 0) {
            quoted = true;
          } else {
            throw new IOException(source + " line " + line + ": a quote inside an unquoted field");
          }
          any = true;
        }
        case ',' -> {
          fields.add(field.toString());
          field.setLength(0);
          afterQuote = false;
          any = true;
        }
        case '\r' -> { }
        case '\n' -> {
          line++;
          if (any || field.length() > 0) {
            fields.add(field.toString());
            records.add(fields.toArray(new String[0]));
          }
          fields.clear();
          field.setLength(0);
          afterQuote = false;
          any = false;
        }
        default -> {
          if (afterQuote) {
            throw new IOException(source + " line " + line + ": text after a closing quote");
          }
          field.append((char) c);
          any = true;
        }
      }
    }
    if (quoted) {
      throw new IOException(source + ": a quoted field is not closed");
    }
    if (any || field.length() > 0) {
      fields.add(field.toString());
      records.add(fields.toArray(new String[0]));
    }
    if (records.isEmpty()) {
      throw new IOException(source + " is empty: expected a header line");
    }
    return new Csv(source, List.of(records.get(0)), records.subList(1, records.size()));
  }

  public String source() {
    return source;
  }

  public List<String> header() {
    return header;
  }

  public int size() {
    return rows.size();
  }

  /** The index of {@code column}, or -1. */
  public int column(String column) {
    return columns.getOrDefault(column, -1);
  }

  /** The index of {@code column}; an {@link IOException} naming the file and its columns when absent. */
  public int require(String column) throws IOException {
    int i = column(column);
    if (i < 0) {
      throw new IOException(source + " has no column '" + column + "'; it has " + header);
    }
    return i;
  }

  /** Field {@code column} of row {@code row} (0 = the first after the header); "" past the row's end. */
  public String get(int row, int column) {
    String[] r = rows.get(row);
    return column < r.length ? r[column] : "";
  }
}
