package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.ChatEvent;
import dev.switchboard.ChatResponse;
import dev.switchboard.FinishReason;
import dev.switchboard.ToolCall;
import dev.switchboard.Usage;
import org.junit.jupiter.api.Test;

/** Deltas to a whole answer. */
class ResponseAccumulatorTest {
  private final ResponseAccumulator acc = new ResponseAccumulator();

  @Test
  void nothingAdded_isAnEmptyAnswer() {
    assertThat(acc.eventCount()).isZero();
    assertThat(acc.hasUsage()).isFalse();
    assertThat(acc.text()).isEmpty();
    assertThat(acc.toolCalls()).isEmpty();
    ChatResponse r = acc.toResponseBuilder().build();
    assertThat(r.text()).isEmpty();
    assertThat(r.reasoning()).isEmpty();
    assertThat(r.refusal()).isEmpty();
    assertThat(r.usage()).isEqualTo(Usage.ZERO);
  }

  @Test
  void textReasoningAndRefusal_areEachConcatenated() {
    acc.add(new ChatEvent.ReasoningDelta("let me "));
    acc.add(new ChatEvent.TextDelta("Hel"));
    acc.add(new ChatEvent.ReasoningDelta("think"));
    acc.add(new ChatEvent.TextDelta("lo"));
    acc.add(new ChatEvent.RefusalDelta("I can"));
    acc.add(new ChatEvent.RefusalDelta("not"));

    assertThat(acc.text()).isEqualTo("Hello");
    ChatResponse r = acc.toResponseBuilder().build();
    assertThat(r.text()).isEqualTo("Hello");
    assertThat(r.reasoning()).contains("let me think");
    assertThat(r.refusal()).contains("I cannot");
    assertThat(acc.eventCount()).isEqualTo(6);
  }

  @Test
  void toolCalls_areMergedByIndex_inIndexOrder() {
    acc.add(new ChatEvent.ToolCallDelta(1, "c1", "fetch", "{\"u"));
    acc.add(new ChatEvent.ToolCallDelta(0, "c0", "search", "{\"q\":"));
    acc.add(new ChatEvent.ToolCallDelta(1, null, null, "rl\":1}"));
    acc.add(new ChatEvent.ToolCallDelta(0, "", "", "2}"));

    assertThat(acc.toolCalls()).containsExactly(
        ToolCall.of("c0", "search", "{\"q\":2}"),
        ToolCall.of("c1", "fetch", "{\"url\":1}"));
    assertThat(acc.toResponseBuilder().build().toolCalls()).isEqualTo(acc.toolCalls());
  }

  @Test
  void aToolCall_keepsItsFirstName_takesItsLatestId_andGetsAnIdFromItsIndexWhenItHasNone() {
    acc.add(new ChatEvent.ToolCallDelta(0, "first-id", "search", ""));
    acc.add(new ChatEvent.ToolCallDelta(0, "later-id", "other", "{}"));
    acc.add(new ChatEvent.ToolCallDelta(2, null, null, "{}"));

    assertThat(acc.toolCalls()).containsExactly(
        ToolCall.of("later-id", "search", "{}"),
        ToolCall.of("call_2", "", "{}"));
  }

  @Test
  void theLastUsageReportCounts_andCompletedIsCountedButIgnored() {
    acc.add(new ChatEvent.UsageReport(Usage.of(1, 1)));
    acc.add(new ChatEvent.UsageReport(Usage.of(5, 7)));
    acc.add(new ChatEvent.Completed(ChatResponse.builder().text("ignored").build()));

    assertThat(acc.hasUsage()).isTrue();
    assertThat(acc.eventCount()).isEqualTo(3);
    assertThat(acc.text()).isEmpty();
    assertThat(acc.toResponseBuilder().build().usage()).isEqualTo(Usage.of(5, 7));
  }

  @Test
  void partial_isWhatArrived_withTheProviderAndModel_andFinishReasonOther() {
    acc.add(new ChatEvent.TextDelta("half an ans"));
    acc.add(new ChatEvent.UsageReport(Usage.of(2, 3)));

    ChatResponse partial = acc.partial("openai", "gpt-4o");

    assertThat(partial.provider()).isEqualTo("openai");
    assertThat(partial.model()).isEqualTo("gpt-4o");
    assertThat(partial.finishReason()).isEqualTo(FinishReason.OTHER);
    assertThat(partial.text()).isEqualTo("half an ans");
    assertThat(partial.usage()).isEqualTo(Usage.of(2, 3));
    assertThat(partial.reasoning()).isEmpty();
  }
}
