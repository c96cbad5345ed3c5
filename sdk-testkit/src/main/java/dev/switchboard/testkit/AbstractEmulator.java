package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.EmulatorServer;
import dev.switchboard.testkit.internal.WireRenderer;
import java.time.Duration;
import java.util.List;

/**
 * The {@link ProviderEmulator} methods every emulator shares, delegated to one {@link
 * EmulatorServer} that renders replies with the subclass's wire protocol. {@code E} is the concrete
 * emulator, so that {@link #enqueue(Reply)} chains on it.
 *
 * <p>Thread-safe, as the server is.
 */
abstract class AbstractEmulator<E extends AbstractEmulator<E>> implements ProviderEmulator {
  private final EmulatorServer server;

  AbstractEmulator(String name, WireRenderer renderer) {
    this.server = new EmulatorServer(name, renderer);
  }

  @Override
  public String baseUrl() {
    return server.baseUrl();
  }

  /** The port it listens on. */
  public int port() {
    return server.port();
  }

  @Override
  @SuppressWarnings("unchecked")
  public E enqueue(Reply reply) {
    server.enqueue(reply);
    return (E) this;
  }

  @Override
  public RecordedRequest takeRequest(Duration timeout) {
    return server.takeRequest(timeout);
  }

  @Override
  public void injectFaults(double rate, long seed, List<Reply> mix) {
    server.injectFaults(rate, seed, mix);
  }

  /**
   * Chat requests that find no scripted reply (and no injected fault) get what {@code responder}
   * makes of them — a latency, an error, an answer that depends on the prompt — instead of the
   * simulated answer; {@code null} restores that. Runs on the server's threads: thread-safe.
   */
  @SuppressWarnings("unchecked")
  public E respondWith(java.util.function.Function<RecordedRequest, Reply> responder) {
    server.respondWith(responder);
    return (E) this;
  }

  /**
   * Whether requests are kept for {@link #takeRequest} (default true). Long simulations turn it off
   * so that memory stays flat; {@link #requestCount()} still counts.
   */
  @SuppressWarnings("unchecked")
  public E keepRequests(boolean keep) {
    server.keepRequests(keep);
    return (E) this;
  }

  @Override
  public int injectedFaults() {
    return server.injectedFaults();
  }

  @Override
  public int requestCount() {
    return server.requestCount();
  }

  @Override
  public int pendingReplies() {
    return server.pendingReplies();
  }

  @Override
  public void reset() {
    server.reset();
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return server.toString();
  }
}
