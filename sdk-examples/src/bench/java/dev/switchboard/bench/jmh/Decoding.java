package dev.switchboard.bench.jmh;

import dev.switchboard.ChatEvent;
import dev.switchboard.spi.http.ByteStreamConsumer;
import dev.switchboard.stream.PushChatStream;
import java.nio.ByteBuffer;
import org.openjdk.jmh.infra.Blackhole;

/** Feeds a whole body to a provider's stream decoder slice by slice, draining its stream as a consumer would. */
final class Decoding {
  private Decoding() {}

  static void decodeAll(ByteStreamConsumer decoder, PushChatStream stream, ByteBuffer[] slices, int bodyLength,
      StreamCounters counters, Blackhole bh) {
    long events = 0;
    for (ByteBuffer slice : slices) {
      slice.clear();
      decoder.onBytes(slice);
      events += drain(stream, bh);
    }
    decoder.onComplete();
    events += drain(stream, bh);
    if (!stream.isFinished()) {
      throw new IllegalStateException("stream did not finish");
    }
    counters.bytes += bodyLength;
    counters.events += events;
  }

  static long drain(PushChatStream stream, Blackhole bh) {
    long n = 0;
    ChatEvent e;
    while ((e = stream.poll()) != null) {
      bh.consume(e);
      n++;
    }
    return n;
  }
}
