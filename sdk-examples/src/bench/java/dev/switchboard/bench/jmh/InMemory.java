package dev.switchboard.bench.jmh;

import dev.switchboard.ChatRequest;
import dev.switchboard.ChatResponse;
import dev.switchboard.ChatStream;
import dev.switchboard.Switchboard;
import dev.switchboard.observe.ChatListener;
import dev.switchboard.spi.Interceptor;
import dev.switchboard.spi.ProviderAdapter;
import java.util.concurrent.CompletableFuture;

/**
 * The chain benchmarks' fixtures: a provider that answers from memory, and pass-through
 * interceptors and no-op listeners of four distinct classes, used in turn, so that with four or
 * more of them the chain's call sites see several receiver classes, as they do with a real chain
 * (fallback, resilience, router, cache) rather than one class the JIT can inline everywhere.
 */
final class InMemory {
  private InMemory() {}

  /** Provider name in model strings: {@code "mem/gpt-4o-mini"}. */
  static final String PROVIDER = "mem";

  /** Answers every chat call with the same, already completed response: no I/O, no thread hop. */
  static final class Adapter implements ProviderAdapter {
    private final CompletableFuture<ChatResponse> answer;

    Adapter(ChatResponse response) {
      this.answer = CompletableFuture.completedFuture(response);
    }

    @Override
    public String name() {
      return PROVIDER;
    }

    @Override
    public CompletableFuture<ChatResponse> chat(ChatRequest request) {
      return answer;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
      throw new UnsupportedOperationException("not benchmarked");
    }
  }

  static final class PassA implements Interceptor {}

  static final class PassB implements Interceptor {}

  static final class PassC implements Interceptor {}

  static final class PassD implements Interceptor {}

  static final class QuietA implements ChatListener {}

  static final class QuietB implements ChatListener {}

  static final class QuietC implements ChatListener {}

  static final class QuietD implements ChatListener {}

  static Interceptor passThrough(int i) {
    switch (i % 4) {
      case 0:
        return new PassA();
      case 1:
        return new PassB();
      case 2:
        return new PassC();
      default:
        return new PassD();
    }
  }

  static ChatListener noOp(int i) {
    switch (i % 4) {
      case 0:
        return new QuietA();
      case 1:
        return new QuietB();
      case 2:
        return new QuietC();
      default:
        return new QuietD();
    }
  }

  /** A Switchboard over the in-memory provider with {@code interceptors} and {@code listeners}. */
  static Switchboard switchboard(ChatResponse response, int interceptors, int listeners) {
    Switchboard.Builder b = Switchboard.builder().provider(new Adapter(response));
    for (int i = 0; i < interceptors; i++) {
      b.interceptor(passThrough(i));
    }
    for (int i = 0; i < listeners; i++) {
      b.listener(noOp(i));
    }
    return b.build();
  }
}
