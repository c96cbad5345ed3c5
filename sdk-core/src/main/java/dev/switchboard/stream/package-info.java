/**
 * Building blocks for {@link dev.switchboard.ChatStream}s: {@link
 * dev.switchboard.stream.PushChatStream} (fed by a transport or any producer), {@link
 * dev.switchboard.stream.ForwardingChatStream} (the base of every wrapper: timeouts, attempt
 * recording, caching tees), {@link dev.switchboard.stream.ChatStreams} (failed, known-up-front and
 * replayed streams) and {@link dev.switchboard.stream.ResponseAccumulator} (deltas to a whole answer).
 * Switchboard's own interceptors, providers and testkit are built on exactly these.
 */
package dev.switchboard.stream;
