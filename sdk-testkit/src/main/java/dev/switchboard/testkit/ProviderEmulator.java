package dev.switchboard.testkit;

import java.time.Duration;

/**
 * A local HTTP server that speaks one provider's wire protocol, for tests and offline demos. It
 * serves queued {@link Reply replies} in order (each rendered as that provider would: JSON or a
 * server-sent-event stream as the request asks, errors with the provider's statuses and bodies,
 * transport faults) and records every request it receives, in the style of OkHttp's
 * MockWebServer.
 *
 * <p>When the queue is empty it answers as a small deterministic simulated model: a short reply
 * derived from the last user message that names the model that answered (for "Say hello" it says
 * hello back), with usage counted at about four characters per token. So an emulator also works
 * as a stand-in provider with nothing queued.
 *
 * <p>Thread-safe: requests may arrive concurrently; each takes the next reply in queue order and
 * requests are recorded in that same order. Binds to 127.0.0.1 on a free port. The creator closes
 * it ({@link #close()}); {@link EmulatorExtension} does this for JUnit tests.
 */
public interface ProviderEmulator extends AutoCloseable {

  /** How long {@link #takeRequest()} waits for a request that is still arriving. */
  Duration DEFAULT_TAKE_TIMEOUT = Duration.ofSeconds(5);

  /** The base URL to configure an adapter with, e.g. {@code http://127.0.0.1:54321/v1}. */
  String baseUrl();

  /** Queues {@code reply} for the next chat request not yet answered; returns this emulator. */
  ProviderEmulator enqueue(Reply reply);

  /**
   * The oldest request not yet taken, waiting up to {@code timeout} for one to arrive.
   *
   * @throws AssertionError if none arrived in time, saying how many were received in all
   */
  RecordedRequest takeRequest(Duration timeout);

  /** {@link #takeRequest(Duration)} with {@link #DEFAULT_TAKE_TIMEOUT}. */
  default RecordedRequest takeRequest() {
    return takeRequest(DEFAULT_TAKE_TIMEOUT);
  }

  /** How many requests arrived since start or the last {@link #reset()}, taken or not. */
  int requestCount();

  /** How many queued replies have not been served yet. */
  int pendingReplies();

  /**
   * Forgets queued replies and recorded requests and restarts the count (and the numbering of
   * response ids); the server keeps running.
   */
  void reset();

  /**
   * From now on, a share {@code rate} of chat requests that find no scripted reply get one of
   * {@code mix} (picked with a generator seeded by {@code seed}) instead of the simulated answer:
   * for load tests under faults. {@code rate} 0 turns it off; {@link #reset()} does not.
   */
  void injectFaults(double rate, long seed, java.util.List<Reply> mix);

  /** How many injected faults were served since the last {@link #injectFaults}. */
  int injectedFaults();

  /** Stops the server. Idempotent. */
  @Override
  void close();
}
