package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CapabilitiesTest {
  private final Capabilities full = Capabilities.builder().tools(true).jsonSchema(false).vision(true)
      .streamingUsage(false).maxContextTokens(128_000).maxOutputTokens(4_096).build();

  @Test
  void unknown_knowsNothing() {
    Capabilities c = Capabilities.UNKNOWN;
    assertThat(c.tools()).isEmpty();
    assertThat(c.jsonSchema()).isEmpty();
    assertThat(c.vision()).isEmpty();
    assertThat(c.streamingUsage()).isEmpty();
    assertThat(c.maxContextTokens()).isEmpty();
    assertThat(c.maxOutputTokens()).isEmpty();
    assertThat(c).isEqualTo(Capabilities.builder().build());
  }

  @Test
  void eachFeature_isKnownYesOrNo() {
    assertThat(full.tools()).contains(true);
    assertThat(full.jsonSchema()).contains(false);
    assertThat(full.vision()).contains(true);
    assertThat(full.streamingUsage()).contains(false);
    assertThat(full.maxContextTokens()).isEqualTo(OptionalInt.of(128_000));
    assertThat(full.maxOutputTokens()).isEqualTo(OptionalInt.of(4_096));
    assertThat(full).hasToString("Capabilities[tools=true, jsonSchema=false, vision=true, streamingUsage=false, "
        + "maxContextTokens=128000, maxOutputTokens=4096]");
    assertThat(Capabilities.UNKNOWN).hasToString("Capabilities[tools=null, jsonSchema=null, vision=null, "
        + "streamingUsage=null, maxContextTokens=null, maxOutputTokens=null]");
  }

  @Test
  void tokenLimits_mustBePositive() {
    assertThatThrownBy(() -> Capabilities.builder().maxContextTokens(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxContextTokens must be > 0, got 0");
    assertThatThrownBy(() -> Capabilities.builder().maxContextTokens(-5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxContextTokens must be > 0, got -5");
    assertThatThrownBy(() -> Capabilities.builder().maxOutputTokens(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxOutputTokens must be > 0, got 0");
    assertThatThrownBy(() -> Capabilities.builder().maxOutputTokens(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxOutputTokens must be > 0, got -1");
    assertThat(Capabilities.builder().maxContextTokens(1).maxOutputTokens(1).build())
        .satisfies(c -> {
          assertThat(c.maxContextTokens()).isEqualTo(OptionalInt.of(1));
          assertThat(c.maxOutputTokens()).isEqualTo(OptionalInt.of(1));
        });
  }

  @Test
  void toBuilder_copiesEveryFeature_andLeavesTheOriginalAlone() {
    assertThat(full.toBuilder().build()).isEqualTo(full).hasSameHashCodeAs(full).isNotSameAs(full);
    Capabilities changed = full.toBuilder().vision(false).build();
    assertThat(changed.vision()).contains(false);
    assertThat(full.vision()).contains(true);
    assertThat(changed.tools()).contains(true);
  }

  @Test
  void equality_coversEveryFeature() {
    assertThat(full).isEqualTo(full).isNotEqualTo(null).isNotEqualTo("capabilities");
    assertThat(full).isNotEqualTo(full.toBuilder().tools(false).build());
    assertThat(full).isNotEqualTo(full.toBuilder().jsonSchema(true).build());
    assertThat(full).isNotEqualTo(full.toBuilder().vision(false).build());
    assertThat(full).isNotEqualTo(full.toBuilder().streamingUsage(true).build());
    assertThat(full).isNotEqualTo(full.toBuilder().maxContextTokens(8_000).build());
    assertThat(full).isNotEqualTo(full.toBuilder().maxOutputTokens(1_024).build());
    assertThat(Capabilities.UNKNOWN).isNotEqualTo(full);
    assertThat(Capabilities.builder().tools(true).build().hashCode())
        .isNotEqualTo(Capabilities.builder().tools(false).build().hashCode());
  }
}
