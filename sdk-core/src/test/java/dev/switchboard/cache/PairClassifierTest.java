package dev.switchboard.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.spi.Embedder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PairClassifierTest {
  private static final Embedder TWO_D = new Embedder() {
    @Override
    public CompletableFuture<float[]> embed(String text) {
      return CompletableFuture.completedFuture(text.startsWith("x") ? new float[] {1, 0} : new float[] {0, 1});
    }

    @Override
    public int dimensions() {
      return 2;
    }

    @Override
    public String id() {
      return "two-d";
    }
  };

  /** One member, one hidden unit that copies the cosine (input 4); logit = 2 cosine - 1. */
  private static byte[] weights(String format, String embedder, double cut, boolean extraByte) throws IOException {
    int inputs = PairClassifier.inputs(2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(format);
      out.writeUTF(embedder);
      out.writeInt(1);
      out.writeInt(2);
      out.writeInt(1); // hidden
      out.writeInt(1); // members
      for (int i = 0; i < inputs; i++) {
        out.writeFloat(0); // mean
      }
      for (int i = 0; i < inputs; i++) {
        out.writeFloat(1); // scale
      }
      for (int i = 0; i < inputs; i++) {
        out.writeShort(PairClassifier.bfloat16(i == 4 ? 1f : 0f));
      }
      out.writeFloat(0); // b1
      out.writeFloat(2); // w2
      out.writeFloat(-1); // b2
      out.writeDouble(cut);
      if (extraByte) {
        out.writeByte(0);
      }
    }
    return bytes.toByteArray();
  }

  private static PairClassifier read(byte[] weights) {
    return PairClassifier.read(TWO_D, new ByteArrayInputStream(weights));
  }

  @Test
  void computesTheNetworkItReads() throws IOException {
    PairClassifier c = read(weights(PairClassifier.FORMAT, "two-d", 0.7, false));
    assertThat(PairClassifier.inputs(2)).isEqualTo(5 + PairClassifier.LEXICAL_FEATURES);
    assertThat(c.probability("x a", new float[] {1, 0}, "x b", new float[] {1, 0})).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-6));
    // orthogonal: cosine 0, the unit is off, logit -1
    assertThat(c.probability("x a", new float[] {1, 0}, "y b", new float[] {0, 1})).isCloseTo(1 / (1 + Math.exp(1)), within(1e-6));
    assertThat(c.allows("x a", new float[] {1, 0}, "x b", new float[] {1, 0}, 1.0)).isTrue(); // 0.731 >= 0.7
    assertThat(c.allows("x a", "y b")).as("embeds both itself: orthogonal").isFalse();
    assertThat(c.allows("x a", null, "x b", null, 1.0)).as("no vectors: embeds both").isTrue();
  }

  @Test
  void featuresScaleEachSegmentToUnitLength() {
    float[] x = PairClassifier.features(new int[] {2}, "a", new float[] {3, 0}, "b", new float[] {0.5f, 0});
    assertThat(Arrays.copyOf(x, 5)).containsExactly(1, 0, 0, 0, 1);
  }

  @Test
  void bfloat16RoundsToNearest() {
    assertThat(Float.intBitsToFloat(PairClassifier.bfloat16(1.0f) << 16)).isEqualTo(1.0f);
    assertThat(Float.intBitsToFloat((PairClassifier.bfloat16(0.1f) & 0xffff) << 16)).isCloseTo(0.1f, within(0.0005f));
  }

  @Test
  void refusesWeightsItCannotUse() throws IOException {
    assertThatThrownBy(() -> read(weights("something-else", "two-d", 0.7, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with \"" + PairClassifier.FORMAT);
    assertThatThrownBy(() -> read(weights(PairClassifier.FORMAT, "other-model", 0.7, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trained for embedder 'other-model', not for 'two-d'");
    assertThatThrownBy(() -> read(weights(PairClassifier.FORMAT, "two-d", 1.5, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut is a probability within (0, 1), got 1.5");
    assertThatThrownBy(() -> read(weights(PairClassifier.FORMAT, "two-d", 0.7, true)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes after the cut");
    byte[] whole = weights(PairClassifier.FORMAT, "two-d", 0.7, false);
    assertThatThrownBy(() -> read(Arrays.copyOf(whole, whole.length - 5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated or unreadable");
  }
}
