package dev.switchboard.spi.http;

import java.util.Objects;

/**
 * One dispatched Server-Sent Event. Immutable and therefore safe to share between threads.
 *
 * @param type the event type; {@code "message"} when no (non-empty) {@code event:} field was given
 * @param data the event's data lines joined with LF, without a trailing LF; may be empty
 * @param lastEventId the last event ID in effect when the event was dispatched; {@code ""} when
 *     none was set, never {@code null}
 */
public record SseEvent(String type, String data, String lastEventId) {
  public SseEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(lastEventId, "lastEventId");
  }
}
