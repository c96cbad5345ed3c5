package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import org.junit.jupiter.api.Test;

class WeightedRouterTest {
  private final WeightedRouter ab = WeightedRouter.builder().side("control", "p/a", 90).side("candidate", "p/b", 10)
      .build();

  private static ChatRequest from(String user, String text) {
    return CallMetadata.attach(ChatRequest.of("chat", text), CallMetadata.builder().user(user).build());
  }

  @Test
  void splitsByWeight_stickyPerUser() {
    int candidate = 0;
    for (int u = 0; u < 10_000; u++) {
      Router.Decision d = ab.decide(from("user-" + u, "q"));
      if (d.tier().orElseThrow().equals("candidate")) {
        candidate++;
        assertThat(d.candidates().modelStrings()).containsExactly("p/b", "p/a");
      }
      assertThat(ab.decide(from("user-" + u, "another question")).tier()).as("the same user, the same side")
          .isEqualTo(d.tier());
    }
    assertThat(candidate).as("about 10% of 10,000 users").isBetween(900, 1_100);
  }

  @Test
  void theSideOfAKey_isStableAcrossRoutersAndRestarts() {
    WeightedRouter again = WeightedRouter.builder().side("control", "p/a", 90).side("candidate", "p/b", 10).build();
    assertThat(again.decide(from("user-42", "x")).reason()).isEqualTo(ab.decide(from("user-42", "y")).reason());
    // FNV-1a of the UTF-8 bytes, mixed: fixed values, so a deploy never reshuffles users
    assertThat(WeightedRouter.hash("user-42")).isEqualTo(1723241759068613274L);
    assertThat(WeightedRouter.hash("alice")).isEqualTo(-3653147179299075859L);
    // bucket 74 of 100 for user-42: past the control's 90? no, so control; alice's 57: control too
    assertThat(ab.decide(from("user-42", "x")).tier()).hasValue("control");
  }
}
