package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.ChatException;
import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.ContextLengthExceededException;
import dev.switchboard.OverloadedException;
import dev.switchboard.ServerException;
import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.SelfHostedEmulator;
import dev.switchboard.testkit.ServerKind;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SelfHostedProvider against each server's emulator over loopback HTTP: answers in chat() and
 * stream(), the load read from the server's own metrics, and the server's own error bodies mapped
 * to the neutral exception types.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelfHostedServersTest {

  private static Backend backendOf(ServerKind kind) {
    return switch (kind) {
      case VLLM -> Backend.VLLM;
      case SGLANG -> Backend.SGLANG;
      case TGI -> Backend.TGI;
      case LLAMA_CPP -> Backend.LLAMA_CPP;
    };
  }

  private static SelfHostedProvider provider(ServerKind kind, SelfHostedEmulator server, ManualClock clock) {
    return SelfHostedProvider.builder().name(kind.name().toLowerCase()).backend(backendOf(kind))
        .replica(server.baseUrl()).scheduler(clock).ticker(clock).build();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ServerKind.class)
  void answersInChatAndStream_andReadsTheLoadFromItsOwnMetrics(ServerKind kind) {
    ManualClock clock = new ManualClock();
    try (SelfHostedEmulator server = SelfHostedEmulator.start(kind);
        SelfHostedProvider provider = provider(kind, server, clock)) {
      server.setLoad(3, 2, 0.4).setPrefixCache(30, 40);
      provider.refreshNow().join();
      ReplicaStatus status = provider.replicas().get(0);
      assertThat(status.running()).isEqualTo(3);
      assertThat(status.waiting()).isEqualTo(2);
      assertThat(status.kvCacheUsage().isPresent()).as("TGI exports no KV-cache use").isEqualTo(kind != ServerKind.TGI);
      assertThat(status.prefixCacheHitRate().isPresent()).isEqualTo(kind == ServerKind.VLLM || kind == ServerKind.SGLANG);

      server.enqueue(Reply.text("Hello from " + kind.label()));
      server.enqueue(Reply.builder().text("Streamed from " + kind.label()).streamPieces(5).build());
      ChatResponse chat = provider.chat(ChatRequest.of("test-model", "hi")).join();
      assertThat(chat.text()).isEqualTo("Hello from " + kind.label());
      try (ChatStream stream = provider.stream(ChatRequest.of("test-model", "hi"))) {
        assertThat(stream.collect().text()).isEqualTo("Streamed from " + kind.label());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ServerKind.class)
  void itsOwnErrorBodies_mapToTheNeutralTypes(ServerKind kind) {
    ManualClock clock = new ManualClock();
    try (SelfHostedEmulator server = SelfHostedEmulator.start(kind);
        SelfHostedProvider provider = provider(kind, server, clock)) {
      provider.refreshNow().join();
      server.enqueue(Reply.error(ErrorKind.CONTEXT_LENGTH));
      server.enqueue(Reply.error(ErrorKind.OVERLOADED));
      server.enqueue(Reply.error(ErrorKind.SERVER_ERROR));
      ChatRequest request = ChatRequest.of("test-model", "hi");

      ChatException tooLong = failure(() -> provider.chat(request).join());
      ChatException busy = failure(() -> provider.chat(request).join());
      ChatException failed = failure(() -> provider.chat(request).join());

      if (kind != ServerKind.TGI) { // TGI says only "validation" for an over-long prompt: an invalid request
        assertThat(tooLong).isInstanceOf(ContextLengthExceededException.class);
      }
      assertThat(busy).isInstanceOf(OverloadedException.class);
      assertThat(busy.isRetryable()).isTrue();
      assertThat(failed).isInstanceOf(ServerException.class);
      assertThat(failed.isRetryable()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = ServerKind.class, names = {"TGI", "LLAMA_CPP"})
  void overloadInAStream_beforeAnyEvent_isOverloaded(ServerKind kind) {
    ManualClock clock = new ManualClock();
    try (SelfHostedEmulator server = SelfHostedEmulator.start(kind);
        SelfHostedProvider provider = provider(kind, server, clock)) {
      provider.refreshNow().join();
      server.enqueue(Reply.error(ErrorKind.OVERLOADED));
      try (ChatStream stream = provider.stream(ChatRequest.of("test-model", "hi"))) {
        assertThatThrownBy(stream::collect).isInstanceOf(OverloadedException.class);
      }
    }
  }

  private static ChatException failure(Runnable call) {
    try {
      call.run();
    } catch (CompletionException e) {
      return (ChatException) e.getCause();
    }
    throw new AssertionError("the call did not fail");
  }

}
