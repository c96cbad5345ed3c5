package dev.switchboard.spi.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** NDJSON as Ollama sends it, with CRLF, multi-byte characters, U+2028, a blank line and no final newline. */
  private static final String RICH = "{\"message\":{\"content\":\"Grüße \"},\"done\":false}\r\n"
      + "{\"message\":{\"content\":\"你好 👋\"},\"done\":false}\n"
      + "\n"
      + "{\"message\":{\"content\":\"a\u2028b\"},\"done\":false}\r\n"
      + "\r\n"
      + "{\"done\":true,\"eval_count\":3}";

  private static final List<String> RICH_LINES = List.of(
      "{\"message\":{\"content\":\"Grüße \"},\"done\":false}",
      "{\"message\":{\"content\":\"你好 👋\"},\"done\":false}",
      "{\"message\":{\"content\":\"a\u2028b\"},\"done\":false}",
      "{\"done\":true,\"eval_count\":3}");

  // ---- helpers ----

  private static List<String> split(byte[]... chunks) {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    for (byte[] chunk : chunks) {
      splitter.feed(chunk, 0, chunk.length);
    }
    splitter.finish();
    return lines;
  }

  private static List<String> split(String... chunks) {
    return split(Arrays.stream(chunks).map(s -> s.getBytes(UTF_8)).toArray(byte[][]::new));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---- line ends ----

  @Test
  void lfLineEnds_deliverLines() {
    assertThat(split("one\ntwo\n")).containsExactly("one", "two");
  }

  @Test
  void crlfLineEnds_deliverLinesWithoutTheCr() {
    assertThat(split("one\r\ntwo\r\n")).containsExactly("one", "two");
  }

  @Test
  void crNotBeforeLf_isAnOrdinaryByte() {
    assertThat(split("a\rb\n\rc\n")).containsExactly("a\rb", "\rc");
  }

  @Test
  void onlyOneCrBeforeLf_isRemoved() {
    assertThat(split("a\r\r\n")).containsExactly("a\r");
  }

  @Test
  void crlfAcrossChunkBoundary_isOneLineEnd() {
    assertThat(split("one\r", "\ntwo\r", "", "\n")).containsExactly("one", "two");
  }

  @Test
  void emptyLines_areSkipped() {
    assertThat(split("\n\r\n\na\n\n\r\nb\n\n")).containsExactly("a", "b");
  }

  @Test
  void whitespaceOnlyLines_areDelivered_forTheDecoderToJudge() {
    assertThat(split("  \n\t\n")).containsExactly("  ", "\t");
  }

  @Test
  void lastLineWithoutNewline_isDeliveredAtFinish() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    splitter.feed(utf8("first\nlast"));

    assertThat(lines).containsExactly("first");
    splitter.finish();
    assertThat(lines).containsExactly("first", "last");
  }

  @Test
  void lastLineEndingInCrOnly_losesTheCrAtFinish() {
    assertThat(split("last\r")).containsExactly("last");
  }

  @Test
  void lineSeparatorU2028_doesNotEndALine() {
    assertThat(split("a\u2028b\u2029c\n")).containsExactly("a\u2028b\u2029c");
  }

  @Test
  void noInput_deliversNothing() {
    assertThat(split(new byte[0][])).isEmpty();
    assertThat(split("", "")).isEmpty();
  }

  // ---- chunking ----

  @Test
  void sameLines_whereverTheBodyIsSplitInTwo() {
    byte[] body = RICH.getBytes(UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      List<String> lines = split(Arrays.copyOfRange(body, 0, cut), Arrays.copyOfRange(body, cut, body.length));
      assertThat(lines).as("split at byte %d", cut).isEqualTo(RICH_LINES);
    }
  }

  @Test
  void sameLines_whereverTheBodyIsSplitInThree() {
    byte[] body = RICH.getBytes(UTF_8);
    for (int a = 0; a <= body.length; a += 3) {
      for (int b = a; b <= body.length; b++) {
        List<String> lines = split(Arrays.copyOfRange(body, 0, a), Arrays.copyOfRange(body, a, b),
            Arrays.copyOfRange(body, b, body.length));
        assertThat(lines).as("split at bytes %d and %d", a, b).isEqualTo(RICH_LINES);
      }
    }
  }

  @Test
  void sameLines_byteByByte() {
    byte[] body = RICH.getBytes(UTF_8);
    byte[][] chunks = new byte[body.length][];
    for (int i = 0; i < body.length; i++) {
      chunks[i] = new byte[] {body[i]};
    }
    assertThat(split(chunks)).isEqualTo(RICH_LINES);
  }

  @Test
  void directAndReadOnlyBuffers_areConsumedToTheirLimit() {
    byte[] body = RICH.getBytes(UTF_8);
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length / 2);
    direct.put(body, 0, body.length / 2).flip();
    ByteBuffer readOnly = ByteBuffer.wrap(body, body.length / 2, body.length - body.length / 2).asReadOnlyBuffer();

    splitter.feed(direct);
    splitter.feed(readOnly);
    splitter.finish();

    assertThat(direct.hasRemaining()).isFalse();
    assertThat(readOnly.hasRemaining()).isFalse();
    assertThat(lines).isEqualTo(RICH_LINES);
    assertThat(splitter.bytesRead()).isEqualTo(body.length);
  }

  @Test
  void largeDirectBuffer_spanningManyScratchCopies_splitsCorrectly() {
    StringBuilder sb = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String line = "{\"n\":" + i + ",\"t\":\"é".repeat(1 + i % 7) + "\"}";
      expected.add(line);
      sb.append(line).append(i % 2 == 0 ? "\n" : "\r\n");
    }
    byte[] body = sb.toString().getBytes(UTF_8);
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length);
    direct.put(body).flip();
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);

    splitter.feed(direct);
    splitter.finish();

    assertThat(lines).isEqualTo(expected);
  }

  @Test
  void multiMegabyteLine_isDeliveredWhole() {
    String big = "{\"content\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
    byte[] body = (big + "\n{\"done\":true}\n").getBytes(UTF_8);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < body.length; i += 65536) {
      chunks.add(Arrays.copyOfRange(body, i, Math.min(body.length, i + 65536)));
    }

    List<String> lines = split(chunks.toArray(byte[][]::new));

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo(big);
  }

  // ---- UTF-8 ----

  @Test
  void multiByteCharacterSplitAcrossChunks_decodesCorrectly() {
    byte[] body = "€👋\n".getBytes(UTF_8);
    for (int cut = 1; cut < body.length - 1; cut++) {
      assertThat(split(Arrays.copyOfRange(body, 0, cut), Arrays.copyOfRange(body, cut, body.length)))
          .as("cut at %d", cut).containsExactly("€👋");
    }
  }

  @Test
  void malformedUtf8_becomesReplacementCharacter_andNeverThrows() {
    byte[] body = {'a', (byte) 0xFF, 'b', (byte) 0xC3, '\n', 'c', '\n'};

    assertThat(split(body)).containsExactly("a\uFFFDb\uFFFD", "c");
  }

  @Test
  void byteOrderMark_atTheStart_isSkipped_evenWhenSplit() {
    byte[] body = concat(BOM, "first\nsecond\n".getBytes(UTF_8));

    assertThat(split(body)).containsExactly("first", "second");
    assertThat(split(Arrays.copyOfRange(body, 0, 1), Arrays.copyOfRange(body, 1, 2),
        Arrays.copyOfRange(body, 2, body.length))).containsExactly("first", "second");
  }

  @Test
  void byteOrderMark_laterInTheBody_isKept() {
    byte[] body = concat("first\n".getBytes(UTF_8), BOM, "second\n".getBytes(UTF_8));

    assertThat(split(body)).containsExactly("first", "\uFEFFsecond");
  }

  // ---- bounds ----

  @Test
  void lineOfExactlyTheLimit_isAccepted_withLfOrCrlf_inOneChunkOrAcrossChunks() {
    String line = "x".repeat(16);
    for (String end : List.of("\n", "\r\n", "")) {
      byte[] body = (line + end).getBytes(UTF_8);
      for (int cut = 0; cut <= body.length; cut++) {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add, 16);
        splitter.feed(body, 0, cut);
        splitter.feed(body, cut, body.length - cut);
        splitter.finish();
        assertThat(lines).as("end %s, cut at %d", end.replace("\r", "CR").replace("\n", "LF"), cut)
            .containsExactly(line);
      }
    }
  }

  @Test
  void lineOverTheLimit_failsNamingTheLimit_inOneChunkOrAcrossChunks() {
    byte[] body = ("x".repeat(17) + "\r\n").getBytes(UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      LineSplitter splitter = new LineSplitter(line -> {}, 16);
      int at = cut;
      assertThatThrownBy(() -> {
        splitter.feed(body, 0, at);
        splitter.feed(body, at, body.length - at);
        splitter.finish();
      }).as("cut at %d", cut)
          .isInstanceOfSatisfying(LineSplitter.LineTooLongException.class,
              e -> assertThat(e.maxLineBytes()).isEqualTo(16))
          .hasMessageContaining("maxLineBytes=16");
    }
  }

  @Test
  void unterminatedLineOverTheLimit_failsWhileFeeding_withoutWaitingForTheEnd() {
    LineSplitter splitter = new LineSplitter(line -> {}, 1024);
    byte[] piece = "y".repeat(600).getBytes(UTF_8);
    splitter.feed(piece, 0, piece.length);

    assertThatThrownBy(() -> splitter.feed(piece, 0, piece.length))
        .isInstanceOf(LineSplitter.LineTooLongException.class);
  }

  @Test
  void crOverTheLimitFollowedByMoreBytes_fails() {
    LineSplitter splitter = new LineSplitter(line -> {}, 4);
    splitter.feed(utf8("abcd\r"));

    assertThatThrownBy(() -> splitter.feed(utf8("e\n"))).isInstanceOf(LineSplitter.LineTooLongException.class);
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> new LineSplitter(line -> {}, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineBytes");
  }

  // ---- lifecycle ----

  @Test
  void afterAFailure_feedThrowsIllegalState_andFinishDoesNothing() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add, 4);
    assertThatThrownBy(() -> splitter.feed(utf8("toolong\n"))).isInstanceOf(LineSplitter.LineTooLongException.class);

    assertThatThrownBy(() -> splitter.feed(utf8("ok\n")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("earlier failure");
    splitter.finish();
    assertThat(lines).isEmpty();
  }

  @Test
  void handlerException_propagates_andFailsTheSplitter() {
    LineSplitter splitter = new LineSplitter(line -> {
      throw new IllegalArgumentException("bad line: " + line);
    });

    assertThatThrownBy(() -> splitter.feed(utf8("a\nb\n"))).hasMessage("bad line: a");
    assertThatThrownBy(() -> splitter.feed(utf8("c\n"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void handlerExceptionAtFinish_propagates() {
    LineSplitter splitter = new LineSplitter(line -> {
      throw new IllegalStateException("no");
    });
    splitter.feed(utf8("tail"));

    assertThatThrownBy(splitter::finish).hasMessage("no");
    splitter.finish(); // does nothing now
  }

  @Test
  void feedAfterFinish_throws_andFinishTwiceDoesNothing() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    splitter.feed(utf8("a"));
    splitter.finish();
    splitter.finish();

    assertThat(lines).containsExactly("a");
    assertThatThrownBy(() -> splitter.feed(utf8("b"))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after finish");
  }

  @Test
  void emptyFeeds_doNothing() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    splitter.feed(ByteBuffer.allocate(0));
    splitter.feed(new byte[0], 0, 0);
    splitter.finish();

    assertThat(lines).isEmpty();
    assertThat(splitter.bytesRead()).isZero();
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(UTF_8));
  }
}
