package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.FakeAdapter;
import dev.switchboard.RouteChoice;
import dev.switchboard.Switchboard;
import dev.switchboard.Usage;
import dev.switchboard.cost.CostLedger;
import dev.switchboard.cost.ModelPrice;
import dev.switchboard.cost.PriceCatalog;
import dev.switchboard.observe.CallInfo;
import dev.switchboard.observe.ChatListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RoutingVisibilityTest {
  private final FakeAdapter p = new FakeAdapter("p");
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CostLedger ledger = new CostLedger(PriceCatalog.empty().toBuilder()
      .price("p/premium", ModelPrice.of(2.5, 10)).build());
  private final Router tiered = request -> request.messages().get(0).text().length() > 10
      ? Router.Decision.tiered("tiered: complex (0.81)", "complex", 0.81, "p/premium", "p/cheap")
      : Router.Decision.tiered("tiered: simple (0.12)", "simple", 0.12, "p/cheap");
  private final Switchboard sb = Switchboard.builder().provider(p).interceptor(tiered.interceptor())
      .listener(ledger).listener(new ChatListener() {
        @Override
        public void routed(CallInfo call, RouteChoice choice, List<String> candidates) {
          events.add(choice.tier().orElse("-") + " " + candidates);
        }
      }).build();

  @Test
  void theResponseListenersAndLedger_sayWhichTierAndScoreChoseTheModel() {
    CompletableFuture<ChatResponse> f = sb.chatAsync(ChatRequest.of("auto", "compare these two long contracts"));
    p.calls.get(0).complete(ChatResponse.builder().text("ok").usage(Usage.of(1_000, 100)).build());
    ChatResponse r = f.join();

    assertThat(r.routing()).hasValueSatisfying(choice -> {
      assertThat(choice.reason()).isEqualTo("tiered: complex (0.81)");
      assertThat(choice.tier()).hasValue("complex");
      assertThat(choice.score()).hasValue(0.81);
    });
    assertThat(events).containsExactly("complex [p/premium, p/cheap]");
    assertThat(ledger.byTier()).containsOnlyKeys("complex");
  }

  @Test
  void aStreamedAnswer_carriesTheChoiceToo() {
    try (ChatStream stream = sb.stream(ChatRequest.of("auto", "hi"))) {
      p.streams.get(0).emit(new ChatEvent.Completed(ChatResponse.builder().text("hey").build()));
      p.streams.get(0).complete();
      ChatResponse last = null;
      for (ChatEvent e : stream) {
        if (e instanceof ChatEvent.Completed c) {
          last = c.response();
        }
      }
      assertThat(last.routing()).hasValueSatisfying(c -> assertThat(c.tier()).hasValue("simple"));
    }
  }
}
