package dev.switchboard.spi.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** Records every callback, in order, so whole parses can be compared. */
  private static final class Recorder implements SseParser.Handler {
    final List<Object> log = new ArrayList<>();
    final List<SseEvent> events = new ArrayList<>();
    final List<Long> retries = new ArrayList<>();
    final List<String> comments = new ArrayList<>();

    @Override
    public void onEvent(SseEvent event) {
      events.add(event);
      log.add(event);
    }

    @Override
    public void onRetry(long millis) {
      retries.add(millis);
      log.add("retry=" + millis);
    }

    @Override
    public void onComment(String comment) {
      comments.add(comment);
      log.add("comment=" + comment);
    }
  }

  // ---- helpers ----

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Feeds each chunk in turn, then finishes. */
  private static Recorder parse(byte[]... chunks) {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    for (byte[] chunk : chunks) {
      parser.feed(chunk, 0, chunk.length);
    }
    parser.finish();
    return rec;
  }

  private static Recorder parse(String... chunks) {
    return parse(Arrays.stream(chunks).map(SseParserTest::utf8).toArray(byte[][]::new));
  }

  private static SseEvent msg(String data) {
    return new SseEvent("message", data, "");
  }

  // ---- line endings ----

  @Test
  void lfLineEnds_dispatchEvents() {
    Recorder rec = parse("data: one\n\ndata: two\n\n");
    assertThat(rec.events).containsExactly(msg("one"), msg("two"));
  }

  @Test
  void crLineEnds_dispatchEvents() {
    Recorder rec = parse("data: one\r\rdata: two\r\r");
    assertThat(rec.events).containsExactly(msg("one"), msg("two"));
  }

  @Test
  void crlfLineEnds_dispatchEvents() {
    Recorder rec = parse("data: one\r\n\r\ndata: two\r\n\r\n");
    assertThat(rec.events).containsExactly(msg("one"), msg("two"));
  }

  @Test
  void mixedLineEnds_inOneStream() {
    Recorder rec = parse("data: a\rdata: b\ndata: c\r\n\ndata: d\n\r");
    assertThat(rec.events).containsExactly(msg("a\nb\nc"), msg("d"));
  }

  @Test
  void lfThenCr_isTwoLineEnds() {
    Recorder rec = parse("data: a\n\rdata: b\n\n");
    assertThat(rec.events).containsExactly(msg("a"), msg("b"));
  }

  @Test
  void crlfAcrossChunkBoundary_isOneLineEnd() {
    Recorder rec = parse("data: a\r", "\ndata: b\r\n\r\n");
    assertThat(rec.events).containsExactly(msg("a\nb"));
  }

  @Test
  void crlfAcrossChunkBoundaryWithEmptyChunkBetween_isOneLineEnd() {
    Recorder rec = parse("data: a\r", "", "\n", "data: b\r\n\r\n");
    assertThat(rec.events).containsExactly(msg("a\nb"));
  }

  @Test
  void crAtChunkEndFollowedByOtherByte_isLineEnd() {
    Recorder rec = parse("data: a\r", "data: b\r", "\r");
    assertThat(rec.events).containsExactly(msg("a\nb"));
  }

  @Test
  void crAtChunkEndFollowedByCr_isBlankLine() {
    Recorder rec = parse("data: a\r", "\rdata: b\r\r");
    assertThat(rec.events).containsExactly(msg("a"), msg("b"));
  }

  @Test
  void blankCrlfSplitAcrossChunks_dispatchesOnce() {
    Recorder rec = parse("data: a\r\n\r", "\ndata: b\r\n\r", "\n");
    assertThat(rec.events).containsExactly(msg("a"), msg("b"));
  }

  // ---- comments ----

  @Test
  void commentLine_reportedWithOneLeadingSpaceRemoved() {
    Recorder rec = parse(": keep-alive\n:no-space\n:  two spaces\n:\n");
    assertThat(rec.comments).containsExactly("keep-alive", "no-space", " two spaces", "");
    assertThat(rec.events).isEmpty();
  }

  @Test
  void keepAliveCommentsBetweenEvents_doNotDispatchOrBreakEvents() {
    Recorder rec = parse(": ping\n\ndata: a\n: ping\ndata: b\n\n: ping\n\n");
    assertThat(rec.events).containsExactly(msg("a\nb"));
    assertThat(rec.log)
        .containsExactly("comment=ping", "comment=ping", msg("a\nb"), "comment=ping");
  }

  @Test
  void commentText_mayContainColons() {
    Recorder rec = parse(": a: b:c\n");
    assertThat(rec.comments).containsExactly("a: b:c");
  }

  // ---- fields ----

  @Test
  void eventField_setsTypeForOneEventOnly() {
    Recorder rec = parse("event: delta\ndata: a\n\ndata: b\n\n");
    assertThat(rec.events).containsExactly(new SseEvent("delta", "a", ""), msg("b"));
  }

  @Test
  void emptyEventField_meansMessage() {
    Recorder rec = parse("event:\ndata: a\n\nevent\ndata: b\n\n");
    assertThat(rec.events).containsExactly(msg("a"), msg("b"));
  }

  @Test
  void lastEventField_wins() {
    Recorder rec = parse("event: one\nevent: two\ndata: a\n\n");
    assertThat(rec.events).containsExactly(new SseEvent("two", "a", ""));
  }

  @Test
  void blankLineWithoutData_resetsTypeWithoutDispatch() {
    Recorder rec = parse("event: stale\n\ndata: a\n\n");
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void repeatedEventType_yieldsEqualTypes() {
    Recorder rec = parse("event: d\ndata: 1\n\nevent: d\ndata: 2\n\nevent: e\ndata: 3\n\n");
    assertThat(rec.events)
        .containsExactly(
            new SseEvent("d", "1", ""), new SseEvent("d", "2", ""), new SseEvent("e", "3", ""));
  }

  @Test
  void idField_persistsAcrossEvents() {
    Recorder rec = parse("id: 42\ndata: a\n\ndata: b\n\nid: 43\ndata: c\n\n");
    assertThat(rec.events)
        .containsExactly(
            new SseEvent("message", "a", "42"),
            new SseEvent("message", "b", "42"),
            new SseEvent("message", "c", "43"));
  }

  @Test
  void idField_setWithoutDataIsKeptForTheNextEvent() {
    Recorder rec = parse("id: 7\n\ndata: a\n\n");
    assertThat(rec.events).containsExactly(new SseEvent("message", "a", "7"));
  }

  @Test
  void emptyIdField_resetsLastEventIdToEmpty() {
    Recorder rec = parse("id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\nid:\ndata: c\n\n");
    assertThat(rec.events)
        .containsExactly(
            new SseEvent("message", "a", "1"), msg("b"), msg("c"));
  }

  @Test
  void idContainingNul_isIgnored() {
    Recorder rec = parse("id: good\nid: b\u0000d\ndata: a\n\n");
    assertThat(rec.events).containsExactly(new SseEvent("message", "a", "good"));
  }

  @Test
  void retryWithDigitsOnly_isReported() {
    Recorder rec = parse("retry: 3000\nretry:0\nretry: 007\n");
    assertThat(rec.retries).containsExactly(3000L, 0L, 7L);
    assertThat(rec.events).isEmpty();
  }

  @Test
  void invalidRetry_isIgnored() {
    Recorder rec =
        parse("retry: 30s\nretry: -1\nretry: 1.5\nretry:\nretry\nretry:  100\nretry: 1 \nretry: ١\n");
    assertThat(rec.retries).isEmpty();
  }

  @Test
  void retryTooLargeForLong_saturates() {
    Recorder rec = parse("retry: 99999999999999999999999999\nretry: 9223372036854775807\n");
    assertThat(rec.retries).containsExactly(Long.MAX_VALUE, Long.MAX_VALUE);
  }

  @Test
  void retryAlone_doesNotDispatchOrDisturbEvent() {
    Recorder rec = parse("data: a\nretry: 10\ndata: b\n\n");
    assertThat(rec.log).containsExactly("retry=10", msg("a\nb"));
  }

  @Test
  void unknownFields_areIgnored() {
    Recorder rec = parse("foo: bar\ndatum: x\ndat: y\nDATA: z\nData: w\n id: 1\ndata: a\n\n");
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void fieldNameLookingLikeKnownPrefix_isIgnored() {
    Recorder rec = parse("dataX: 1\nevents: e\nidx: 9\nretryy: 5\ndata: a\n\n");
    assertThat(rec.events).containsExactly(msg("a"));
    assertThat(rec.retries).isEmpty();
  }

  @Test
  void onlyOneLeadingSpaceOfValue_isStripped() {
    Recorder rec = parse("data:  two\ndata:none\ndata: trailing \n\n");
    assertThat(rec.events).containsExactly(msg(" two\nnone\ntrailing "));
  }

  @Test
  void valueMayContainColons() {
    Recorder rec = parse("data: {\"a\":\"b:c\"}\n\n");
    assertThat(rec.events).containsExactly(msg("{\"a\":\"b:c\"}"));
  }

  // ---- data ----

  @Test
  void multiLineData_isJoinedWithLf() {
    Recorder rec = parse("data: first\ndata: second\ndata:third\n\n");
    assertThat(rec.events).containsExactly(msg("first\nsecond\nthird"));
  }

  @Test
  void emptyDataField_dispatchesEmptyString() {
    Recorder rec = parse("data:\n\ndata: \n\n");
    assertThat(rec.events).containsExactly(msg(""), msg(""));
  }

  @Test
  void dataWithoutColon_isEmptyValue() {
    Recorder rec = parse("data\n\ndata\ndata\n\n");
    assertThat(rec.events).containsExactly(msg(""), msg("\n"));
  }

  @Test
  void onlyOneTrailingLf_isStripped() {
    Recorder rec = parse("data: a\ndata:\n\n");
    assertThat(rec.events).containsExactly(msg("a\n"));
  }

  @Test
  void unicodeLineSeparatorsInJsonData_areNotLineTerminators() {
    String json = "{\"text\":\"before\u2028middle\u2029after\"}";
    Recorder rec = parse("data: " + json + "\n\n");
    assertThat(rec.events).containsExactly(msg(json));
  }

  @Test
  void nelAndOtherControlChars_areNotLineTerminators() {
    Recorder rec = parse("data: a\u0085b\u000Bc\u000Cd\n\n");
    assertThat(rec.events).containsExactly(msg("a\u0085b\u000Bc\u000Cd"));
  }

  // ---- end of input ----

  @Test
  void finalEventWithoutTrailingBlankLine_isDispatchedOnFinish() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    byte[] bytes = utf8("data: a\n\nevent: last\ndata: b\n");
    parser.feed(bytes, 0, bytes.length);
    assertThat(rec.events).containsExactly(msg("a"));
    parser.finish();
    assertThat(rec.events).containsExactly(msg("a"), new SseEvent("last", "b", ""));
  }

  @Test
  void finalLineWithoutAnyNewline_isDispatchedOnFinish() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    byte[] bytes = utf8("id: 9\ndata: [DONE]");
    parser.feed(bytes, 0, bytes.length);
    assertThat(rec.events).isEmpty();
    parser.finish();
    assertThat(rec.events).containsExactly(new SseEvent("message", "[DONE]", "9"));
  }

  @Test
  void finalLineEndingInCr_isDispatchedOnFinish() {
    assertThat(parse("data: a\r").events).containsExactly(msg("a"));
  }

  @Test
  void finishWithoutPendingData_dispatchesNothing() {
    assertThat(parse("data: a\n\nevent: x\nid: 1\n: bye").log)
        .containsExactly(msg("a"), "comment=bye");
    assertThat(parse("").log).isEmpty();
  }

  @Test
  void finalUnterminatedRetryAndComment_areReportedOnFinish() {
    assertThat(parse("retry: 5").retries).containsExactly(5L);
    assertThat(parse(": bye").comments).containsExactly("bye");
  }

  @Test
  void feedAfterFinish_throwsIllegalState() {
    SseParser parser = new SseParser(new Recorder());
    parser.finish();
    assertThatThrownBy(() -> parser.feed(new byte[] {'x'}, 0, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(new byte[] {'x'})))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> parser.feed(new byte[0], 0, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void finishTwice_dispatchesOnlyOnce() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    byte[] bytes = utf8("data: a");
    parser.feed(bytes, 0, bytes.length);
    parser.finish();
    parser.finish();
    assertThat(rec.events).containsExactly(msg("a"));
  }

  // ---- UTF-8 ----

  @Test
  void invalidUtf8_becomesReplacementCharacter() {
    byte[] stream =
        concat(
            utf8("data: a"),
            new byte[] {(byte) 0xFF},
            utf8("b"),
            new byte[] {(byte) 0xC3},
            utf8("\ndata: "),
            new byte[] {(byte) 0xE2, (byte) 0x82},
            utf8("\n\n"));
    Recorder rec = parse(stream);
    assertThat(rec.events).containsExactly(msg("a\uFFFDb\uFFFD\n\uFFFD"));
  }

  @Test
  void invalidUtf8InTypeIdAndComment_becomesReplacementCharacter() {
    byte[] ff = {(byte) 0xFF};
    byte[] stream =
        concat(
            utf8(":c"), ff, utf8("\nevent: t"), ff, utf8("\nid: i"), ff, utf8("\ndata: d\n\n"));
    Recorder rec = parse(stream);
    assertThat(rec.log)
        .containsExactly("comment=c\uFFFD", new SseEvent("t\uFFFD", "d", "i\uFFFD"));
  }

  @Test
  void multiByteCharSplitAcrossChunks_decodesCorrectly() {
    String text = "x€y😀z";
    byte[] stream = utf8("data: " + text + "\n\n");
    for (int cut = 0; cut <= stream.length; cut++) {
      Recorder rec =
          parse(Arrays.copyOfRange(stream, 0, cut), Arrays.copyOfRange(stream, cut, stream.length));
      assertThat(rec.events).as("cut at %d", cut).containsExactly(msg(text));
    }
  }

  @Test
  void multiByteCharInEventTypeSplitAcrossChunks_decodesCorrectly() {
    byte[] stream = utf8("event: ünïcödé\ndata: a\n\n");
    int cut = "event: ü".getBytes(UTF_8).length - 1;
    Recorder rec =
        parse(Arrays.copyOfRange(stream, 0, cut), Arrays.copyOfRange(stream, cut, stream.length));
    assertThat(rec.events).containsExactly(new SseEvent("ünïcödé", "a", ""));
  }

  // ---- BOM ----

  @Test
  void leadingBom_isSkipped() {
    Recorder rec = parse(concat(BOM, utf8("data: a\n\n")));
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void leadingBomSplitAcrossChunks_isSkipped() {
    Recorder rec =
        parse(new byte[] {BOM[0]}, new byte[] {BOM[1]}, new byte[] {BOM[2]}, utf8("data: a\n\n"));
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void leadingBomBeforeComment_isSkipped() {
    assertThat(parse(concat(BOM, utf8(":hi\n"))).comments).containsExactly("hi");
  }

  @Test
  void leadingBomFollowedByBlankLine_isJustABlankLine() {
    Recorder rec = parse(concat(BOM, utf8("\ndata: a\n\n")));
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void onlyOneBom_isSkipped() {
    // The second BOM becomes part of the field name "\uFEFFdata", which is unknown.
    Recorder rec = parse(concat(BOM, BOM, utf8("data: a\n\ndata: b\n\n")));
    assertThat(rec.events).containsExactly(msg("b"));
  }

  @Test
  void bomAfterStartOfStream_isNotSkipped() {
    Recorder rec = parse(concat(utf8("data: a\n\n"), BOM, utf8("data: b\n\n")));
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void bomInsideData_isKept() {
    Recorder rec = parse(concat(utf8("data: "), BOM, utf8("x\n\n")));
    assertThat(rec.events).containsExactly(msg("\uFEFFx"));
  }

  @Test
  void incompleteBomPrefix_isNotSkipped() {
    // EF BB followed by something else is not a BOM; the line is an unknown field.
    Recorder rec = parse(concat(new byte[] {BOM[0], BOM[1]}, utf8("data: a\n\ndata: b\n\n")));
    assertThat(rec.events).containsExactly(msg("b"));
  }

  // ---- size ----

  @Test
  void fiveMegabyteDataLine_fedIn8KChunks() {
    StringBuilder sb = new StringBuilder();
    String unit = "0123456789abcdef-é-€-😀\u2028|";
    while (sb.length() < 5 * 1024 * 1024) {
      sb.append(unit);
    }
    String payload = sb.toString();
    byte[] stream = utf8("event: big\ndata: " + payload + "\n\ndata: after\n\n");
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    for (int off = 0; off < stream.length; off += 8192) {
      parser.feed(stream, off, Math.min(8192, stream.length - off));
    }
    parser.finish();
    assertThat(rec.events).hasSize(2);
    assertThat(rec.events.get(0).type()).isEqualTo("big");
    assertThat(rec.events.get(0).data()).isEqualTo(payload);
    assertThat(rec.events.get(1)).isEqualTo(msg("after"));
    assertThat(parser.bytesRead()).isEqualTo(stream.length);
  }

  @Test
  void fiveMegabyteDataLine_inOneFeed() {
    byte[] payload = new byte[5 * 1024 * 1024];
    Arrays.fill(payload, (byte) 'q');
    Recorder rec = parse(concat(utf8("data: "), payload, utf8("\n\n")));
    assertThat(rec.events).hasSize(1);
    assertThat(rec.events.get(0).data()).hasSize(payload.length).matches("q+");
  }

  @Test
  void lineExceedingLimit_throwsNamingTheLimit() {
    SseParser parser = new SseParser(new Recorder(), 16);
    byte[] line = utf8("data: 0123456789abcdef\n");
    assertThatThrownBy(() -> parser.feed(line, 0, line.length))
        .isInstanceOf(SseFormatException.class)
        .hasMessageContaining("16");
  }

  @Test
  void partialLineExceedingLimit_throwsBeforeLineEnds() {
    SseParser parser = new SseParser(new Recorder(), 16);
    byte[] part = utf8("data: 0123456");
    parser.feed(part, 0, part.length);
    assertThatThrownBy(() -> parser.feed(part, 0, part.length))
        .isInstanceOf(SseFormatException.class)
        .hasMessageContaining("16");
  }

  @Test
  void longCommentExceedingLimit_throws() {
    SseParser parser = new SseParser(new Recorder(), 100);
    byte[] line = utf8(":" + "x".repeat(200) + "\n");
    assertThatThrownBy(() -> parser.feed(line, 0, line.length))
        .isInstanceOf(SseFormatException.class);
  }

  @Test
  void eventDataExceedingLimitAcrossLines_throwsNamingTheLimit() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec, 32);
    byte[] line = utf8("data: 0123456789\n"); // 11 bytes of data each, line is 16 bytes
    parser.feed(line, 0, line.length);
    parser.feed(line, 0, line.length);
    assertThatThrownBy(() -> parser.feed(line, 0, line.length))
        .isInstanceOf(SseFormatException.class)
        .hasMessageContaining("32");
    assertThat(rec.events).isEmpty();
  }

  @Test
  void lineExactlyAtLimit_isAccepted() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec, 10);
    byte[] stream = utf8("data: abcd\r\n\r\ndata: efgh\n\n"); // lines of exactly 10 bytes
    for (int i = 0; i < stream.length; i++) {
      parser.feed(stream, i, 1);
    }
    parser.finish();
    assertThat(rec.events).containsExactly(msg("abcd"), msg("efgh"));
  }

  @Test
  void limitIsPerEvent_notPerStream() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec, 64);
    byte[] event = utf8("data: " + "x".repeat(50) + "\n\n");
    for (int i = 0; i < 1000; i++) {
      parser.feed(event, 0, event.length);
    }
    parser.finish();
    assertThat(rec.events).hasSize(1000);
  }

  @Test
  void afterFormatException_feedThrowsIllegalStateAndFinishDoesNothing() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec, 16);
    byte[] ok = utf8("data: a\n");
    byte[] tooLong = utf8("data: 0123456789abcdef\n");
    parser.feed(ok, 0, ok.length);
    assertThatThrownBy(() -> parser.feed(tooLong, 0, tooLong.length))
        .isInstanceOf(SseFormatException.class);
    assertThatThrownBy(() -> parser.feed(ok, 0, ok.length))
        .isInstanceOf(IllegalStateException.class);
    assertThatCode(parser::finish).doesNotThrowAnyException();
    assertThat(rec.events).isEmpty();
  }

  @Test
  void constructor_rejectsNonPositiveLimitAndNullHandler() {
    assertThatThrownBy(() -> new SseParser(new Recorder(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SseParser(null)).isInstanceOf(NullPointerException.class);
  }

  // ---- handler failures ----

  @Test
  void handlerException_propagatesAndFailsTheParser() {
    RuntimeException boom = new RuntimeException("boom");
    SseParser parser = new SseParser(event -> {
      throw boom;
    });
    byte[] bytes = utf8("data: a\n\ndata: b\n\n");
    assertThatThrownBy(() -> parser.feed(bytes, 0, bytes.length)).isSameAs(boom);
    assertThatThrownBy(() -> parser.feed(bytes, 0, bytes.length))
        .isInstanceOf(IllegalStateException.class);
    assertThatCode(parser::finish).doesNotThrowAnyException();
  }

  // ---- feeding API ----

  @Test
  void bytesRead_countsEveryByteFedIncludingBomAndTerminators() {
    SseParser parser = new SseParser(new Recorder());
    byte[] a = concat(BOM, utf8("data: a\r\n"));
    parser.feed(a, 0, a.length);
    parser.feed(ByteBuffer.wrap(utf8("\r\n")));
    parser.feed(ByteBuffer.allocateDirect(3).put(utf8(": x")).flip());
    parser.feed(a, 2, 0);
    assertThat(parser.bytesRead()).isEqualTo(a.length + 2 + 3);
    parser.finish();
    assertThat(parser.bytesRead()).isEqualTo(a.length + 2 + 3);
  }

  @Test
  void feedWithOffset_parsesOnlyTheGivenRange() {
    byte[] bytes = utf8("garbage\ndata: a\n\nmore garbage");
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    parser.feed(bytes, 8, 9);
    parser.finish();
    assertThat(rec.events).containsExactly(msg("a"));
    assertThat(parser.bytesRead()).isEqualTo(9);
  }

  @Test
  void feedWithBadRange_throwsIndexOutOfBounds() {
    SseParser parser = new SseParser(new Recorder());
    assertThatThrownBy(() -> parser.feed(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void heapByteBufferSliceWithPosition_isConsumedCompletely() {
    byte[] backing = utf8("XXXdata: a\n\ndata: bYYY");
    ByteBuffer slice = ByteBuffer.wrap(backing, 3, backing.length - 6).slice();
    slice.position(0);
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    parser.feed(slice);
    parser.finish();
    assertThat(slice.hasRemaining()).isFalse();
    assertThat(rec.events).containsExactly(msg("a"), msg("b"));
  }

  @Test
  void heapByteBufferWithNonZeroPosition_startsAtPosition() {
    ByteBuffer buf = ByteBuffer.wrap(utf8("data: skipped\ndata: a\n\n"));
    buf.position("data: skipped\n".length());
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    parser.feed(buf);
    parser.finish();
    assertThat(buf.position()).isEqualTo(buf.limit());
    assertThat(rec.events).containsExactly(msg("a"));
  }

  @Test
  void directAndReadOnlyByteBuffersLargerThanScratch_areConsumedCompletely() {
    String payload = "é".repeat(20_000); // 40 KB, several scratch buffers
    byte[] stream = utf8("data: " + payload + "\r\n\r\ndata: tail\r\n\r\n");
    ByteBuffer direct = ByteBuffer.allocateDirect(stream.length).put(stream).flip();
    ByteBuffer readOnly = ByteBuffer.wrap(stream).asReadOnlyBuffer();
    for (ByteBuffer buf : List.of(direct, readOnly)) {
      Recorder rec = new Recorder();
      SseParser parser = new SseParser(rec);
      parser.feed(buf);
      parser.finish();
      assertThat(buf.hasRemaining()).isFalse();
      assertThat(rec.events).containsExactly(msg(payload), msg("tail"));
    }
  }

  // ---- realistic streams ----

  @Test
  void typicalOpenAiStream_endingInDone() {
    String c1 =
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
            + "\"content\":\"\"},\"finish_reason\":null}]}";
    String c2 =
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
            + "\"finish_reason\":null}]}";
    String c3 =
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{},"
            + "\"finish_reason\":\"stop\"}]}";
    String stream =
        "data: " + c1 + "\n\n"
            + ": OPENROUTER PROCESSING\n\n"
            + "data: " + c2 + "\n\n"
            + "data: " + c3 + "\n\n"
            + "data: [DONE]\n\n";
    Recorder rec = parse(stream);
    assertThat(rec.events).containsExactly(msg(c1), msg(c2), msg(c3), msg("[DONE]"));
    assertThat(rec.comments).containsExactly("OPENROUTER PROCESSING");
  }

  @Test
  void typicalNamedEventStream_withEventTypes() {
    String stream =
        "event: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n"
            + "event: ping\r\ndata: {\"type\":\"ping\"}\r\n\r\n"
            + "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\","
            + "\"delta\":{\"text\":\"Hi\"}}\r\n\r\n"
            + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";
    Recorder rec = parse(stream);
    assertThat(rec.events)
        .extracting(SseEvent::type)
        .containsExactly("message_start", "ping", "content_block_delta", "message_stop");
    assertThat(rec.events.get(2).data())
        .isEqualTo("{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}");
  }

  // ---- chunking independence (property style) ----

  /** Exercises BOM, all line endings, comments, every field, UTF-8 edge cases and a bare end. */
  private static final byte[] REPRESENTATIVE =
      concat(
          BOM,
          utf8(": keep-alive\r\n"),
          utf8("retry: 2500\n"),
          utf8("event: delta\r\n"),
          utf8("id: 1\r"),
          utf8("data: {\"t\":\"héllo € 😀\"}\n"),
          utf8("data: a\u2028b\u2029c\r\n"),
          utf8("\r\n"),
          utf8("data:no-space\r"),
          utf8("\r"),
          utf8(":\n"),
          utf8("id\n"),
          utf8("data\n"),
          utf8("\n"),
          utf8("data: x"),
          new byte[] {(byte) 0xFF},
          utf8("y"),
          new byte[] {(byte) 0xC3},
          utf8("\n\r\n"),
          utf8("event: ignored\n\n"),
          utf8("event: e2\nretry: 1x\nid: 8\u0000\nid: 7\ndata: [DONE]"));

  private static final List<Object> REPRESENTATIVE_LOG =
      List.of(
          "comment=keep-alive",
          "retry=2500",
          new SseEvent("delta", "{\"t\":\"héllo € 😀\"}\na\u2028b\u2029c", "1"),
          new SseEvent("message", "no-space", "1"),
          "comment=",
          new SseEvent("message", "", ""),
          new SseEvent("message", "x\uFFFDy\uFFFD", ""),
          new SseEvent("e2", "[DONE]", "7"));

  private static List<Object> parseSplitAt(byte[] stream, int... cuts) {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    int prev = 0;
    for (int cut : cuts) {
      parser.feed(stream, prev, cut - prev);
      prev = cut;
    }
    parser.feed(stream, prev, stream.length - prev);
    parser.finish();
    assertThat(parser.bytesRead()).isEqualTo(stream.length);
    return rec.log;
  }

  @Test
  void representativeStream_inOneChunk_yieldsExpectedCallbacks() {
    assertThat(parseSplitAt(REPRESENTATIVE)).isEqualTo(REPRESENTATIVE_LOG);
  }

  @Test
  void representativeStream_splitAtEveryByteOffset_yieldsIdenticalCallbacks() {
    for (int cut = 0; cut <= REPRESENTATIVE.length; cut++) {
      assertThat(parseSplitAt(REPRESENTATIVE, cut)).as("cut at %d", cut).isEqualTo(REPRESENTATIVE_LOG);
    }
  }

  @Test
  void representativeStream_splitAtEveryPairOfOffsets_yieldsIdenticalCallbacks() {
    for (int a = 0; a <= REPRESENTATIVE.length; a++) {
      for (int b = a; b <= REPRESENTATIVE.length; b++) {
        List<Object> log = parseSplitAt(REPRESENTATIVE, a, b);
        if (!log.equals(REPRESENTATIVE_LOG)) {
          assertThat(log).as("cuts at %d and %d", a, b).isEqualTo(REPRESENTATIVE_LOG);
        }
      }
    }
  }

  @Test
  void representativeStream_oneByteAtATime_yieldsIdenticalCallbacks() {
    int[] cuts = new int[REPRESENTATIVE.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertThat(parseSplitAt(REPRESENTATIVE, cuts)).isEqualTo(REPRESENTATIVE_LOG);
  }

  @Test
  void representativeStream_oneByteAtATimeThroughDirectByteBuffers_yieldsIdenticalCallbacks() {
    Recorder rec = new Recorder();
    SseParser parser = new SseParser(rec);
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    for (byte b : REPRESENTATIVE) {
      one.clear();
      one.put(b).flip();
      parser.feed(one);
      assertThat(one.hasRemaining()).isFalse();
    }
    parser.finish();
    assertThat(rec.log).isEqualTo(REPRESENTATIVE_LOG);
  }

  @Test
  void representativeStream_randomChunkSizesWithFixedSeed_yieldIdenticalCallbacks() {
    Random random = new Random(20240611L);
    for (int round = 0; round < 500; round++) {
      List<Integer> cuts = new ArrayList<>();
      int pos = 0;
      while (true) {
        pos += random.nextInt(12); // includes empty chunks
        if (pos >= REPRESENTATIVE.length) {
          break;
        }
        cuts.add(pos);
      }
      int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
      assertThat(parseSplitAt(REPRESENTATIVE, c))
          .as("round %d, cuts %s", round, cuts)
          .isEqualTo(REPRESENTATIVE_LOG);
    }
  }

  @Test
  void representativeStream_withSmallLimit_isChunkingIndependent() {
    // With a limit just below the longest line, every chunking must fail at the same line.
    int longestLine = "data: {\"t\":\"héllo € 😀\"}".getBytes(UTF_8).length;
    for (int cut = 0; cut <= REPRESENTATIVE.length; cut++) {
      Recorder rec = new Recorder();
      SseParser parser = new SseParser(rec, longestLine - 1);
      int c = cut;
      assertThatThrownBy(
              () -> {
                parser.feed(REPRESENTATIVE, 0, c);
                parser.feed(REPRESENTATIVE, c, REPRESENTATIVE.length - c);
                parser.finish();
              })
          .as("cut at %d", cut)
          .isInstanceOf(SseFormatException.class);
      assertThat(rec.log).as("cut at %d", cut).containsExactly("comment=keep-alive", "retry=2500");
    }
  }
}
