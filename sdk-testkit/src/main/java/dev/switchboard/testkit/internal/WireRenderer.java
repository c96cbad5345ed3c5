package dev.switchboard.testkit.internal;

import dev.switchboard.testkit.Reply;
import dev.switchboard.testkit.RecordedRequest;
import java.util.List;
import java.util.Map;

/**
 * One provider's wire protocol, as the emulator needs it: how to read a request and how to render
 * a {@link Reply}. Adding an emulator for another protocol (Anthropic, Ollama, vLLM) means writing
 * one of these and a thin public class over {@link EmulatorServer}. Implementations are stateless
 * and thread-safe.
 */
public interface WireRenderer {

  /** The protocol's name for messages, e.g. {@code "OpenAI"}. */
  String protocolName();

  /** The path the base URL ends with, e.g. {@code "/v1"}. */
  String basePath();

  /** Reads a request; never fails, even on a body that is not JSON. */
  RecordedRequest read(String method, String path, Map<String, List<String>> headers, byte[] body);

  /** Whether the request is a chat exchange, which takes the next queued reply. */
  boolean isChat(RecordedRequest request);

  /** Renders {@code reply} to a chat request; JSON or a stream as the request asks. */
  WireResponse render(Reply reply, RenderContext context);

  /** Answers a request that is not a chat exchange: model listings, unknown paths. */
  WireResponse renderOther(RenderContext context);

  /**
   * Whether a request that is not a chat exchange is recorded (counted by {@code requestCount()}
   * and returned by {@code takeRequest()}). Background traffic a client sends on its own schedule,
   * such as health probes and metric scrapes, answers {@code false} so it never gets in the way of
   * assertions about the calls under test. Chat exchanges are always recorded. Default: true.
   */
  default boolean isRecorded(RecordedRequest request) {
    return true;
  }
}
