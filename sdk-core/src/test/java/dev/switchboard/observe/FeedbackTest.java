package dev.switchboard.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.FakeAdapter;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FeedbackTest {
  private final FakeAdapter cheap = new FakeAdapter("cheap");
  private final List<Feedback> seen = new CopyOnWriteArrayList<>();
  private final Switchboard sb = Switchboard.builder().provider(cheap).alias("ranker", "cheap/m-1")
      .listener(new ChatListener() {
        @Override
        public void feedback(Feedback feedback) {
          seen.add(feedback);
        }
      }).build();

  @Test
  void feedbackByResponseId_reachesListeners_withTheModelThatAnswered_andTheRouteCalled() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("ranker", "hi"));
    cheap.calls.get(0).complete(ChatResponse.builder().id("resp-1").model("m-1-2026").text("ok")
        .usage(Usage.of(1, 1)).build());
    f.join();

    assertThat(sb.feedback("resp-1", 0.25, Set.of("too-long"))).isTrue();
    assertThat(seen).containsExactly(new Feedback("resp-1", "cheap", "m-1-2026", "ranker", 0.25, Set.of("too-long")));
  }

  @Test
  void anUnknownResponseId_isNotCounted() {
    assertThat(sb.feedback("never-seen", 1, Set.of())).isFalse();
    assertThat(seen).isEmpty();
  }

  @Test
  void feedbackOnAResponseFromElsewhere_usesItsProviderAndModel() {
    sb.feedback(ChatResponse.builder().id("x").provider("other").model("m").text("t").build(), -1, Set.of());
    assertThat(seen).singleElement().satisfies(f -> {
      assertThat(f.provider()).isEqualTo("other");
      assertThat(f.route()).isEmpty();
      assertThat(f.score()).isEqualTo(-1);
    });
  }
}
